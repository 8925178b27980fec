/**
 * Reports of an enhance run, read from the run directory a real `enhance` left (test/fixtures/enhance-run: the
 * loop's outcome `enhance.json` and journal `enhance.jsonl` of a run on the CLI's tiny retail workspace).
 */
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { EnhanceReader, Junit, Markdown, ReportData, Reports } from "../src/index.js"
import { secretEnv, tempRoot } from "./fixtures.js"
import { checkXml } from "./xml.js"

const fixture = fileURLToPath(new URL("./fixtures/enhance-run", import.meta.url))
const outcomeJson = JSON.parse(readFileSync(join(fixture, "enhance.json"), "utf8")) as Record<string, any>

/** The fixture's run directory in a fresh place, its benchmark file named by absolute path. */
const enhanceRun = (options: { readonly finished?: boolean } = {}): string => {
  const dir = join(tempRoot(), outcomeJson.runId as string)
  cpSync(fixture, dir, { recursive: true })
  const meta = JSON.parse(readFileSync(join(dir, "run.json"), "utf8")) as Record<string, unknown>
  writeFileSync(join(dir, "run.json"), JSON.stringify({ ...meta, benchmarksFile: join(dir, "benchmarks.yaml") }))
  if (options.finished === false) rmSync(join(dir, "enhance.json"))
  return dir
}

const read = (dir: string, options: Reports.ReadOptions = {}) =>
  Effect.runPromise(
    Reports.read(dir, { env: secretEnv, sendRows: true, ...options }).pipe(Effect.provide(NodeContext.layer))
  )

describe("EnhanceReader", () => {
  it("the fixture is the loop's outcome, with every field the report reads", () => {
    const decoded = EnhanceReader.decodeOutcome(outcomeJson)
    expect(Option.isSome(decoded)).toBe(true)
    for (const key of ["trainByIteration", "stageTimes", "wallMs", "finishedAt", "llm"])
      expect(outcomeJson).toHaveProperty(key)
    expect(EnhanceReader.parsePass("baseline/train/r1")).toMatchObject({ phase: "baseline", split: "train" })
    expect(EnhanceReader.parsePass("2.a.b/confirm-best")).toMatchObject({
      label: "2.a.b",
      iteration: 2,
      kind: "confirm-best"
    })
    expect(EnhanceReader.parsePass("it1/plan")).toBeUndefined()
  })

  it("reads an enhance run: the best configuration's benchmarks, baseline → best with CIs, iterations, matrix", async () => {
    const o = outcomeJson
    const data = await read(enhanceRun())
    expect(data.warnings).toEqual([])
    expect(data.run).toMatchObject({
      runId: o.runId,
      kind: "enhance",
      complete: true,
      finishedAt: o.finishedAt,
      wallMs: o.wallMs,
      benchmarks: 10,
      finished: 10
    })
    // Benchmarks: the best configuration's train results and the final holdout, with their split.
    expect(data.score.bySplit.map((g) => [g.name, g.passed, g.scored])).toEqual([
      ["train", 6, 7],
      ["holdout", 3, 3]
    ])
    expect(data.benchmarks.find((r) => r.id === "revenue_total_2024")).toMatchObject({
      outcome: "pass",
      split: "train",
      question: "What was total revenue in 2024?"
    })

    const e = data.enhance!
    expect(e.stopReason).toBe("plateau")
    expect(e.iterations.map((i) => i.index)).toEqual([0, 1, 2, 3])
    const [base, first, , last] = e.iterations
    expect(base.train).toEqual({
      passed: 1,
      scored: 7,
      score: o.baseline.train.score,
      low: o.baseline.train.low,
      high: o.baseline.train.high
    })
    expect(base.holdout).toMatchObject({
      passed: 1,
      scored: 3,
      score: o.baseline.holdout.score,
      low: o.baseline.holdout.low
    })
    expect(last.train).toMatchObject({ passed: 6, scored: 7, score: o.best.train.score, high: o.best.train.high })
    expect(last.holdout).toMatchObject({ passed: 3, scored: 3, score: 1, low: o.best.holdout.low })
    expect(e.holdout).toEqual({ baseline: base.holdout, final: last.holdout })
    expect(first.accepted).toBe(true)
    expect(e.iterations.map((i) => i.genieQuestions)).toEqual([10, ...o.genieQuestions.iterations])

    // The matrix: every benchmark at the baseline, train in every iteration, the final holdout in the last.
    const outcomes = (id: string) => e.iterations.map((i) => i.results.find((r) => r.benchmarkId === id)?.outcome)
    expect(base.results).toHaveLength(10)
    expect(outcomes("revenue_total_2024")).toEqual(["fail", "pass", "pass", "pass"])
    expect(outcomes("revenue_by_region_2025")).toEqual(["fail", "fail", "fail", "fail"])
    expect(outcomes("revenue_furniture_2024")).toEqual(["fail", undefined, undefined, "pass"])

    // Fixes: the outcome's decisions with the plans' rationale and change.
    expect(e.fixes).toHaveLength(o.fixes.length)
    const accepted = e.fixes.filter((f) => f.decision === "accepted")
    expect(accepted).toHaveLength(12)
    for (const f of accepted) {
      expect(f.rationale).toMatch(/\S/)
      expect(f.why).toContain("mcnemar p = ")
      expect(f.scoreDelta).toBeCloseTo(o.best.train.score - o.baseline.train.score)
      expect(f.value).toMatch(/\S/)
    }
    expect(e.fixes.filter((f) => f.decision === "rejected")).toEqual([
      expect.objectContaining({
        iteration: 2,
        why: "rejected by validation: Duplicate: the instruction already says this"
      })
    ])

    expect(e.spaceDiff.map((s) => s.section)).toEqual(
      expect.arrayContaining(["instructions.join_specs", "instructions.sql_snippets.measures"])
    )
    expect(e.genieQuestions.total).toBe(30)
    expect(e.genieQuestions.questions).toHaveLength(30)
    expect(e.genieQuestions.questions[0]).toMatchObject({ iteration: 0, stage: "baseline train" })
    expect(e.stageTimes).toEqual(o.stageTimes)
    expect(e.llm?.total).toMatchObject({ calls: 0 })
    expect(e.promotion).toEqual({ promoted: false, reason: expect.stringContaining(`promote --run ${o.runId}`) })
  })

  it("every format shows train and holdout with CIs, iterations, the matrix, fixes with why, Genie questions", async () => {
    const data = await read(enhanceRun())
    const md = Markdown.render(data)
    expect(md).toContain("- Train: 14.3% → **85.7%** over 3 iterations (95% CI 2.6%–51.3% → 48.7%–97.4%; n=7)")
    expect(md).toContain("- Holdout: 33.3% → **100.0%** (95% CI 6.1%–79.2% → 43.9%–100.0%; n=3)")
    expect(md).toContain("- Stopped on `plateau`")
    expect(md).toContain("- Genie questions: 30 (baseline train 7, baseline holdout 3, rescore 7,")
    expect(md).toContain("| \\#1 | 85.7% [48.7%–97.4%] (n=7) |  | accepted | 17 |")
    expect(md).toContain("<details><summary>Benchmark × iteration (7 of 10 changed)</summary>")
    expect(md).toContain("| `revenue_total_2024` | ❌ | ✅ | ✅ | ✅ |")
    expect(md).toContain("<details><summary>Fixes (12 accepted, 1 rejected)</summary>")
    expect(md).toContain("| ❌ rejected | rejected by validation: Duplicate: the instruction already says this |")
    expect(md).not.toContain("run incomplete")

    const html = Reports.render(data, "html")
    expect(html).toContain('<table id="iterations">')
    expect(html).toContain("85.7% [48.7%–97.4%] (n=7)")
    expect(html).toContain("train accuracy, baseline → final (95% CI 2.6%–51.3% → 48.7%–97.4%)")
    expect((html.match(/<td class="cell /g) ?? []).length).toBe(10 * 4)
    expect(html).toContain('<span class="badge rejected">rejected</span>')
    expect(html).toContain("Stopped on <strong>plateau</strong>")
    expect(html).toContain("30 questions asked")

    const xml = Junit.render(data)
    checkXml(xml)
    expect((xml.match(/<testcase /g) ?? []).length).toBe(10)
    expect(xml).toContain('<property name="enhance.train.best" value="0.8571"/>')
    expect(xml).toContain('<property name="enhance.holdout.baseline.ci95" value="0.0615-0.7923"/>')
    expect(xml).toContain('<property name="enhance.fixes.rejected" value="1"/>')
    expect(xml).toContain("revenue_total_2024: fail pass pass pass")
    expect(xml).toContain("[rejected] it2 instruction-fix on text instruction: rejected by validation")

    const json = await Effect.runPromise(ReportData.decode(JSON.parse(Reports.render(data, "json"))))
    expect(json.enhance?.iterations).toHaveLength(4)
    expect(json.enhance?.fixes).toHaveLength(13)
  })

  it("writeRunReports leaves the enhance report in the run directory; a promotion given wins", async () => {
    const dir = enhanceRun()
    const written = await Effect.runPromise(
      Reports.writeRunReports(dir, {
        sendRows: false,
        env: secretEnv,
        promotion: { promoted: true, reason: "promoted" }
      }).pipe(Effect.provide(NodeContext.layer))
    )
    expect(existsSync(written.html)).toBe(true)
    const md = readFileSync(written.markdown, "utf8")
    expect(md).toContain("### Genie Enhancer enhance report")
    expect(md).toContain("- Promotion: promoted — promoted")
    expect(readFileSync(written.html, "utf8")).toContain('<section id="enhance">')
  })

  it("a run that did not finish is read from its journal: scores recomputed, decisions from the steps, said so", async () => {
    const data = await read(enhanceRun({ finished: false }))
    expect(data.run).toMatchObject({ kind: "enhance", complete: false })
    expect(data.warnings).toEqual([expect.stringContaining("did not finish")])
    const e = data.enhance!
    expect(e.iterations.map((i) => [i.index, i.train?.passed, i.accepted])).toEqual([
      [0, 1, undefined],
      [1, 6, true],
      [2, 6, undefined],
      [3, 6, undefined]
    ])
    expect(e.holdout?.final).toMatchObject({ passed: 3, scored: 3 })
    expect(e.fixes).toEqual([])
    expect(Markdown.render(data)).toContain("**run incomplete**")
  })
})
