import { describe, expect, it } from "@effect/vitest"
import { join } from "node:path"
import { repoRoot, runCliJson, tempDir } from "./cli.js"

const baseline = join(repoRoot, "examples/retail/space.baseline.json")

interface PlannedFix {
  readonly origin: string
  readonly category: string
}

describe("plan --fixer", () => {
  const dir = tempDir()

  // The local example's emulator answers the LLM fixer on its serving endpoint (the default provider, databricks)
  // with an example of the JSON schema it is sent: well-formed, mostly nonsense, so validation has work to do.
  it("rules,llm: the rules first, then four LLM calls on the fix stage, their fixes validated like the rules'", async () => {
    const planned = await runCliJson([
      "plan",
      "--space-file",
      baseline,
      "--fixer",
      "rules,llm",
      "--out",
      join(dir, "a.json")
    ])
    expect(planned.exitCode).toBe(0)
    const { plan, usage } = planned.json.result
    expect(usage.byStage.fix.calls).toBe(4)
    expect(usage.byStage.fix.inputTokens).toBeGreaterThan(0)
    const origins = new Set(
      [...plan.fixes, ...plan.rejected.map((r: { fix: PlannedFix }) => r.fix)].map((f: PlannedFix) => f.origin)
    )
    expect([...origins].sort()).toEqual(["llm", "rules"])
    // The nonsense the schema example holds (a table "example", a column "example") never survives.
    for (const r of plan.rejected) expect(r.code).toMatch(/^[A-Z][A-Za-z]+$/)
    expect(plan.fixes.filter((f: PlannedFix) => f.origin === "rules").length).toBeGreaterThan(10)
  }, 240_000)

  it("llm alone: no rules fix", async () => {
    const planned = await runCliJson(["plan", "--space-file", baseline, "--fixer", "llm", "--out", join(dir, "b.json")])
    expect(planned.exitCode).toBe(0)
    const { plan, usage } = planned.json.result
    expect(usage.byStage.fix.calls).toBe(4)
    for (const f of plan.fixes) expect(f.origin).toBe("llm")
  }, 240_000)
})
