#!/usr/bin/env node
import { execute } from "@oclif/core"
import { readdirSync, statSync } from "node:fs"

// The manifest (written by `pnpm build`) lets oclif start without importing every command. One older than the
// newest built command is stale (a command added or changed since): then oclif reads the commands themselves.
const newest = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
    const path = `${dir}/${entry.name}`
    return Math.max(max, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs)
  }, 0)
const manifestTime = (() => {
  try {
    return statSync(new URL("../oclif.manifest.json", import.meta.url)).mtimeMs
  } catch {
    return 0
  }
})()
const stale = manifestTime > 0 && manifestTime < newest(new URL("../dist/commands", import.meta.url).pathname)

await execute({
  dir: import.meta.url,
  ...(stale ? { loadOptions: { root: new URL("..", import.meta.url).pathname, ignoreManifest: true } } : {})
})
