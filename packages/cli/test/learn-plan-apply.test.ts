import { describe, expect, it } from "@effect/vitest"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { repoRoot, runCliJson, tempDir } from "./cli.js"

const baseline = join(repoRoot, "examples/retail/space.baseline.json")

const badPlan = (change: unknown, category = "example-query-add") =>
  JSON.stringify({
    fixes: [{ id: "f1", category, target: "t", change, rationale: "r", sourceBenchmarkIds: [] }],
    rejected: []
  })

describe("learn, plan and apply on the local example", () => {
  const dir = tempDir()
  const planFile = join(dir, "plan.json")

  it("learn prints the pattern book; plan writes a validated plan; apply --dry-run diffs it", async () => {
    const learnt = await runCliJson(["learn", "--space-file", baseline])
    expect(learnt.exitCode).toBe(0)
    const kinds = new Set(learnt.json.result.book.patterns.map((p: { kind: string }) => p.kind))
    expect([...kinds]).toEqual(expect.arrayContaining(["join", "measure", "vocabulary", "value"]))

    const planned = await runCliJson(["plan", "--space-file", baseline, "--out", planFile])
    expect(planned.exitCode).toBe(0)
    expect(planned.json.result.plan.rejected).toEqual([])
    expect(JSON.parse(readFileSync(planFile, "utf8")).fixes.length).toBeGreaterThan(10)

    const out = join(dir, "space.new.json")
    const dry = await runCliJson(["apply", planFile, "--space-file", baseline, "--out", out, "--dry-run"])
    expect(dry.exitCode).toBe(0)
    expect(dry.json.result.diff).toContain("instructions.join_specs")
    expect(existsSync(out)).toBe(false)

    // To the workspace's space, conditional on the etag read before: the space serves the plan's changes after.
    const applied = await runCliJson(["apply", planFile, "--space", "ce86877f1287b94460c35a25f2d65bca"])
    expect(applied.exitCode, applied.stderr).toBe(0)
    expect(applied.json.result).not.toHaveProperty("refused")
    expect(applied.json.result).toMatchObject({ spaceId: "ce86877f1287b94460c35a25f2d65bca" })
    expect(applied.json.result.dryRun).not.toBe(true)
    expect(applied.json.result.applied).toBeGreaterThan(10)
    expect(applied.json.result.diff).toContain("instructions.join_specs")
  }, 240_000)

  it("a plan with an unknown category, SQL that writes or a missing table is a located error, exit 2", async () => {
    const cases = [
      [badPlan({}, "table-drop"), "$.fixes[0].category"],
      [badPlan({ question: "Wipe", sql: "DELETE FROM main.retail.orders", parameters: [] }), "WritesData"],
      [badPlan({ _tag: "EntityMatching", table: "main.retail.nowhere", column: "x" }, "metadata-add"), "NotInSpace"]
    ] as const
    const runs = await Promise.all(
      cases.map(([text], i) => {
        const file = join(dir, `bad-${i}.json`)
        writeFileSync(file, text)
        return runCliJson(["apply", file, "--space-file", baseline, "--dry-run"])
      })
    )
    runs.forEach((run, i) => {
      expect(run.exitCode).toBe(2)
      expect(JSON.stringify(run.json.error)).toContain(cases[i][1])
    })
  }, 180_000)
})
