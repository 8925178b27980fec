// Writes packages/cli/oclif.manifest.json from the built commands (run after `tsc -b`). With the manifest, oclif
// answers --help and --version and finds a command without importing every command module (and what they import:
// DuckDB, the SQL parser's WebAssembly, the emulator). bin/run.js ignores a manifest older than the commands.
import { Config } from "@oclif/core"
import { writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const config = await Config.load({ root, ignoreManifest: true, errorOnManifestCreate: true })
const manifest = config.getPluginsList().find((p) => p.root === root)?.manifest
if (manifest === undefined || Object.keys(manifest.commands).length === 0) {
  console.error("✗ no commands found: build the CLI first (pnpm build)")
  process.exit(1)
}
writeFileSync(join(root, "oclif.manifest.json"), JSON.stringify(manifest, null, 2) + "\n")
console.error(`✓ oclif.manifest.json: ${Object.keys(manifest.commands).length} commands`)
