// Writes the JSON Schemas in configs/ from the BUILT core (`pnpm build` first), so editors and CI see exactly the
// schemas the code validates with. `--check` compares instead of writing and exits 1 on drift.
//
//   pnpm schema:generate            # write configs/profile.schema.json and configs/benchmarks.schema.json
//   pnpm schema:generate --check    # fail when a checked-in schema differs from the code
import { readFile, writeFile } from "node:fs/promises"
import { dirname, join, relative } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..")
const dist = join(root, "packages", "core", "dist")
const check = process.argv.includes("--check")

const targets = [
  { module: "config/Profile.js", out: join(root, "configs", "profile.schema.json"), required: true },
  { module: "model/Benchmark.js", out: join(root, "configs", "benchmarks.schema.json"), required: false }
]

const render = (schema) => JSON.stringify(schema, null, 2) + "\n"

let failed = false
for (const target of targets) {
  const file = join(dist, target.module)
  let mod
  try {
    mod = await import(pathToFileURL(file).href)
  } catch (error) {
    console.error(`✗ cannot import ${relative(root, file)} (run \`pnpm build\` first): ${error.message}`)
    failed = true
    continue
  }
  if (mod.jsonSchema === undefined || mod.jsonSchema === null) {
    const say = `${relative(root, file)} exports no jsonSchema`
    if (target.required) {
      console.error(`✗ ${say}`)
      failed = true
    } else {
      console.warn(`- skipped ${relative(root, target.out)}: ${say}`)
    }
    continue
  }
  const text = render(mod.jsonSchema)
  if (check) {
    const current = await readFile(target.out, "utf8").catch(() => undefined)
    if (current !== text) {
      console.error(`✗ ${relative(root, target.out)} is out of date; run \`pnpm build && pnpm schema:generate\``)
      failed = true
    } else {
      console.log(`✓ ${relative(root, target.out)} is up to date`)
    }
  } else {
    await writeFile(target.out, text)
    console.log(`✓ wrote ${relative(root, target.out)}`)
  }
}
process.exitCode = failed ? 1 : 0
