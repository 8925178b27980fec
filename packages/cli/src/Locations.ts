import { existsSync } from "node:fs"
import { dirname, isAbsolute, join, resolve, sep } from "node:path"
import { fileURLToPath } from "node:url"

// dist/Locations.js (or src/Locations.ts) → the package root, then up to the repository root in a checkout.
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const candidates = [packageRoot, resolve(packageRoot, "../..")]

const find = (name: string, marker: string): string => {
  const hit = candidates.map((root) => join(root, name)).find((dir) => existsSync(join(dir, marker)))
  return hit ?? join(candidates[candidates.length - 1], name)
}

/** Directory holding the built-in profiles (`default.yaml`, …). Overridable with `--config-dir`. */
export const builtinConfigDir = (): string => find("configs", "default.yaml")

/** Directory holding the bundled example workspaces (`retail/`, …). */
export const examplesDir = (): string => find("examples", ".")

/** Directory holding the versioned LLM prompt templates (`judge/…`). */
export const promptsDir = (): string => find("prompts", "judge")

/** `workspace.example`: a directory when it looks like a path (relative to `cwd`), else a name under `examples/`. */
export const exampleDir = (example: string, cwd: string): string =>
  example.includes("/") || example.includes(sep) || isAbsolute(example)
    ? resolve(cwd, example)
    : join(examplesDir(), example)

/** The benchmarks file of the example a local target serves, when it has one: the default of `--benchmarks`. */
export const exampleBenchmarks = (target: { readonly exampleDir?: string }): string | undefined => {
  if (target.exampleDir === undefined) return undefined
  const file = join(target.exampleDir, "benchmarks.yaml")
  return existsSync(file) ? file : undefined
}
