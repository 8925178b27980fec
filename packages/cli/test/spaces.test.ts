import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { repoRoot, runCli, runCliJson, tempDir } from "./cli.js"
import { spaceText } from "./fixtures.js"

const realExport = join(repoRoot, "packages/core/test/fixtures/genie-space-v2-export.json")

describe("spaces validate", () => {
  it("accepts the real exported space and summarises it", async () => {
    const { exitCode, json } = await runCliJson(["spaces", "validate", realExport])
    expect(exitCode).toBe(0)
    expect(json.status).toBe(0)
    expect(json.result.version).toBe(2)
    expect(json.result.summary.tables).toBeGreaterThan(0)
    expect(json.result.summary.benchmarkQuestions).toBeGreaterThan(0)
  })

  it("accepts a space wrapped in the spaces API envelope", async () => {
    const envelope = JSON.stringify({ space_id: "abc", title: "t", serialized_space: spaceText() })
    const dir = tempDir({ "envelope.json": envelope })
    const { exitCode, json } = await runCliJson(["spaces", "validate", join(dir, "envelope.json")])
    expect(exitCode).toBe(0)
    expect(json.result.summary.joinSpecs).toBe(1)
  })

  it("prints every issue with its path and line in human mode, and exits 2", async () => {
    const dir = tempDir({
      "bad.json": spaceText((s) => {
        s.data_sources.tables.reverse()
        s.instructions.join_specs[0].sql = ["`orders`.`customer_id` = `customers`.`customer_id`"]
      })
    })
    const { exitCode, stderr } = await runCli(["spaces", "validate", join(dir, "bad.json")])
    expect(exitCode).toBe(2)
    expect(stderr).toMatch(/bad\.json:\d+:\d+ +\$\.data_sources\.tables/)
    expect(stderr).toMatch(/\$\.instructions\.join_specs\[0\]\.sql/)
    expect(stderr).toContain("2 errors")
  })

  it("downgrades unknown fields to warnings on request, keeping them", async () => {
    const dir = tempDir({ "future.json": spaceText((s) => (s.config.future_field = true)) })
    const strict = await runCliJson(["spaces", "validate", join(dir, "future.json")])
    expect(strict.exitCode).toBe(2)
    const lenient = await runCliJson(["spaces", "validate", join(dir, "future.json"), "--unknown-fields", "warning"])
    expect(lenient.exitCode).toBe(0)
    expect(lenient.json.warnings.join("\n")).toContain("future_field")
  })
})

describe("spaces diff", () => {
  it("reports changes per section and ignores reordering", async () => {
    const before = spaceText()
    const after = spaceText((s) => {
      s.data_sources.tables[0].column_configs[0].synonyms = ["area", "territory"]
      s.instructions.sql_snippets.measures.push({
        id: "5a1b2c3d4e5f60718293a4b5c6d7e8f9",
        alias: "orders",
        display_name: "Orders",
        sql: ["COUNT(orders.order_id)"]
      })
    })
    const reordered = spaceText((s) => s.data_sources.tables.reverse())
    const dir = tempDir({ "a.json": before, "b.json": after, "c.json": reordered })
    const changed = await runCliJson(["spaces", "diff", join(dir, "a.json"), join(dir, "b.json")])
    expect(changed.exitCode).toBe(0)
    expect(changed.json.result.identical).toBe(false)
    const sections = changed.json.result.sections as Array<{ section: string; added: unknown[]; changed: unknown[] }>
    expect(sections.find((s) => s.section === "instructions.sql_snippets.measures")?.added).toHaveLength(1)
    expect(sections.find((s) => s.section === "data_sources.tables")?.changed).toHaveLength(1)

    const same = await runCliJson(["spaces", "diff", join(dir, "a.json"), join(dir, "c.json")])
    expect(same.json.result.identical).toBe(true)
    const human = await runCli(["spaces", "diff", join(dir, "a.json"), join(dir, "b.json")])
    expect(human.stdout).toContain("sql_snippets.measures")
  })

  it("fails with exit 2 naming a missing file", async () => {
    const { exitCode, json } = await runCliJson(["spaces", "diff", realExport, "/nonexistent/space.json"])
    expect(exitCode).toBe(2)
    expect(json.error._tag).toBe("ConfigInvalid")
    expect(json.error.data.source).toBe("/nonexistent/space.json")
  })
})

describe("the bundled example space", () => {
  it("is valid as shipped", async () => {
    const file = join(repoRoot, "examples/retail/space.baseline.json")
    expect(JSON.parse(readFileSync(file, "utf8")).version).toBe(2)
    const { exitCode } = await runCliJson(["spaces", "validate", file])
    expect(exitCode).toBe(0)
  })
})
