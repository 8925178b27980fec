#!/usr/bin/env node
import { execute } from "@oclif/core"
import { execFileSync } from "node:child_process"
import { readdirSync, statSync } from "node:fs"

// The manifest (written by `pnpm build`) lets oclif start without importing every command. One missing or older
// than the newest built command (a command added or changed since) is written again first.
const newest = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
    const path = `${dir}/${entry.name}`
    return Math.max(max, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs)
  }, 0)
const mtime = (url) => {
  try {
    return statSync(url).mtimeMs
  } catch {
    return 0
  }
}
const commands = new URL("../dist/commands", import.meta.url)
if (mtime(commands) > 0 && mtime(new URL("../oclif.manifest.json", import.meta.url)) < newest(commands.pathname)) {
  try {
    execFileSync(process.execPath, [new URL("../scripts/manifest.mjs", import.meta.url).pathname], { stdio: "ignore" })
  } catch {
    // A read-only install: oclif then reads the commands themselves.
  }
}

await execute({ dir: import.meta.url })
