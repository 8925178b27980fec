import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { repoRoot, runCli, runCliJson, tempDir } from "./cli.js"
import { benchmarksYaml, spaceText } from "./fixtures.js"

const originalArray = join(repoRoot, "packages/core/test/fixtures/original-benchmarks-array.json")

describe("benchmarks validate", () => {
  it("summarises a valid canonical file", async () => {
    const dir = tempDir({ "b.yaml": benchmarksYaml })
    const { exitCode, json } = await runCliJson(["benchmarks", "validate", join(dir, "b.yaml")])
    expect(exitCode).toBe(0)
    expect(json.result.count).toBe(2)
    expect(json.result.categories).toEqual({ revenue: 2 })
    expect(json.result.difficulties).toEqual({ easy: 1, medium: 1 })
  })
})

describe("benchmarks import", () => {
  it("converts the original tool's JSON array, keeping ids, into a file that validates", async () => {
    const dir = tempDir()
    const out = join(dir, "imported.yaml")
    const imported = await runCliJson(["benchmarks", "import", originalArray, "--out", out])
    expect(imported.exitCode).toBe(0)
    expect(imported.json.result.format).toBe("original-array")
    expect(imported.json.result.count).toBe(12)
    expect(imported.json.result.benchmarks[0].id).toBe("kpi_001")

    const validated = await runCliJson(["benchmarks", "validate", out])
    expect(validated.exitCode).toBe(0)
    expect(validated.json.result.count).toBe(12)

    // Importing again gives byte-identical output: ids and order are stable.
    const again = join(dir, "again.yaml")
    await runCli(["benchmarks", "import", originalArray, "--out", again])
    expect(readFileSync(again, "utf8")).toBe(readFileSync(out, "utf8"))
  })

  it("imports a space's own benchmark questions and prints YAML without --out", async () => {
    const dir = tempDir({ "space.json": spaceText() })
    const { exitCode, stdout } = await runCli(["benchmarks", "import", join(dir, "space.json"), "--category", "sales"])
    expect(exitCode).toBe(0)
    expect(stdout).toContain("id: 4a1b2c3d4e5f60718293a4b5c6d7e8f9")
    expect(stdout).toContain("category: sales")
  })

  it("refuses to overwrite an existing --out without --force", async () => {
    const dir = tempDir({ "exists.yaml": "keep me" })
    const { exitCode } = await runCliJson(["benchmarks", "import", originalArray, "--out", join(dir, "exists.yaml")])
    expect(exitCode).toBe(2)
    expect(readFileSync(join(dir, "exists.yaml"), "utf8")).toBe("keep me")
  })
})

describe("benchmarks split", () => {
  it("is deterministic, stratified and writes splits in place on request", async () => {
    const file = join(repoRoot, "examples/retail/benchmarks.yaml")
    const first = await runCliJson(["benchmarks", "split", file, "--holdout-ratio", "0.25"])
    const second = await runCliJson(["benchmarks", "split", file, "--holdout-ratio", "0.25"])
    expect(first.exitCode).toBe(0)
    expect(first.json.result.assignments).toEqual(second.json.result.assignments)
    const { train, holdout, byCategory } = first.json.result.counts
    expect(train + holdout).toBe(first.json.result.assignments.length)
    expect(holdout).toBeGreaterThan(0)
    expect(Object.keys(byCategory).length).toBeGreaterThan(1)

    const dir = tempDir({ "b.yaml": readFileSync(file, "utf8") })
    const written = await runCliJson([
      "benchmarks",
      "split",
      join(dir, "b.yaml"),
      "--holdout-ratio",
      "0.25",
      "--in-place"
    ])
    expect(written.exitCode).toBe(0)
    const text = readFileSync(join(dir, "b.yaml"), "utf8")
    expect(text.match(/split: holdout/g)?.length).toBe(holdout)
  })

  it("rejects a ratio outside 0..1 as a usage error", async () => {
    const { exitCode, json } = await runCliJson(["benchmarks", "split", "x.yaml", "--holdout-ratio", "1.5"])
    expect(exitCode).toBe(2)
    expect(json.error.message).toContain("--holdout-ratio")
  })
})
