import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../..", import.meta.url))

/** Builds the CLI and its dependencies (incremental: a no-op when `pnpm check` already ran), then its manifest. */
export default function setup(): void {
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, "-b", "packages/cli"], {
    cwd: root,
    stdio: "inherit"
  })
  execFileSync(process.execPath, ["packages/cli/scripts/manifest.mjs"], { cwd: root, stdio: "inherit" })
}
