// Writes packages/cli/oclif.manifest.json from the built commands (run after `tsc -b`; `pnpm build` does). With the
// manifest, oclif answers --help and --version and finds a command without importing every command module (and
// what they import: DuckDB, the SQL parser's WebAssembly, the emulator). bin/run.js rewrites a manifest that is
// older than the built commands.
import { Plugin } from "@oclif/core"
import { writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
// The root plugin built directly: `Config.load` would read the manifest being replaced.
const plugin = new Plugin({ root, isRoot: true, ignoreManifest: true, errorOnManifestCreate: true })
await plugin.load()
const commands = Object.keys(plugin.manifest.commands)
if (commands.length === 0) {
  console.error("✗ no commands found: build the CLI first (pnpm build)")
  process.exit(1)
}
writeFileSync(join(root, "oclif.manifest.json"), JSON.stringify(plugin.manifest, null, 2) + "\n")
console.error(`✓ oclif.manifest.json: ${commands.length} commands`)
