import { assert, describe, it } from "@effect/vitest"
import * as RunSummary from "../src/runs/RunSummary.js"
import * as Stages from "../src/stages/Stages.js"

const result = (id: string, outcome: "pass" | "fail" | "error" | "excluded", attempts = 1) =>
  new Stages.BenchmarkResult({
    benchmarkId: id,
    answer: new Stages.GenieAnswer({ status: "COMPLETED", attempts, elapsedMs: attempts * 1000 }),
    verdict: new Stages.Verdict({ outcome, decidedBy: "bag-equality", reasons: [] }),
    ...(outcome === "fail" ? { failureCategory: "WRONG_FILTER" as const } : {})
  })

describe("RunSummary", () => {
  it("computes the Wilson interval (checked against published values)", () => {
    const { low, high } = RunSummary.wilson(8, 10)
    assert.closeTo(low, 0.4902, 1e-4)
    assert.closeTo(high, 0.9433, 1e-4)
    assert.deepStrictEqual(RunSummary.wilson(0, 0), { low: 0, high: 1 })
    assert.closeTo(RunSummary.wilson(10, 10).high, 1, 1e-12)
  })

  it("scores without excluded benchmarks and errors (counted apart), per category, with counts, timings and attempts", () => {
    const summary = RunSummary.summarize({
      runId: "r",
      spaceId: "s",
      startedAt: 0,
      finishedAt: 60_000,
      benchmarks: [
        { id: "a", category: "revenue" },
        { id: "b", category: "revenue" },
        { id: "c", category: "volume" },
        { id: "d", category: "volume" },
        { id: "e", category: "volume" }
      ],
      results: [result("a", "pass"), result("b", "fail", 2), result("c", "excluded"), result("d", "error", 3)]
    })
    assert.strictEqual(summary.finished, 4)
    // An error (Genie unreachable) is not the space's answer: 1 of the 2 scored benchmarks passed, 1 error apart.
    assert.strictEqual(summary.overall.scored, 2)
    assert.strictEqual(summary.overall.errors, 1)
    assert.strictEqual(summary.overall.passed, 1)
    assert.closeTo(summary.overall.score ?? -1, 1 / 2, 1e-9)
    assert.deepStrictEqual(summary.byCategory["volume"], {
      passed: 0,
      scored: 0,
      errors: 1,
      score: null,
      low: null,
      high: null
    })
    assert.deepStrictEqual(summary.verdicts, { pass: 1, fail: 1, excluded: 1, error: 1 })
    assert.deepStrictEqual(summary.failureCategories, { WRONG_FILTER: 1 })
    assert.deepStrictEqual(summary.attempts, { total: 7, retriedBenchmarks: 2 })
    assert.deepStrictEqual(summary.timings.genie, { count: 4, p50: 1000, p95: 3000, max: 3000 })
    assert.strictEqual(summary.wallMs, 60_000)
  })
})
