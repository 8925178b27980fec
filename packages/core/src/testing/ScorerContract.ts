/**
 * The contract every `Scorer` plugin must keep, as checks any test runner can run: built-in scorers and third-party
 * ones alike (`for (const c of ScorerContract.cases) it.effect(c.name, () => c.run(MyScorer.layer()))`).
 */
import { Duration, Effect, Layer, Stream } from "effect"
import type { Benchmark } from "../model/Benchmark.js"
import * as Evaluator from "../stages/evaluate/Evaluator.js"
import * as Safety from "../safety/Safety.js"
import type * as ScoreBenchmark from "../stages/score/ScoreBenchmark.js"
import type { BenchmarkResult, ScoreOptions } from "../stages/Stages.js"
import { GenieError, Scorer } from "../stages/Stages.js"
import * as FakeWorkspace from "./FakeWorkspace.js"

/**
 * A scorer layer under test.
 *
 * @category models
 */
export type ScorerLayer = Layer.Layer<Scorer, never, ScoreBenchmark.Requirements>

/**
 * One contract check.
 *
 * @category models
 */
export interface Case {
  readonly name: string
  readonly run: (scorer: ScorerLayer) => Effect.Effect<void, Error>
}

const benchmark = (id: string, question: string, sql: string): Benchmark => ({
  id,
  question,
  expected_sql: sql,
  category: id.split("_")[0] ?? "c",
  difficulty: "easy"
})

/** The benchmarks every case scores. */
export const benchmarks: ReadonlyArray<Benchmark> = [
  benchmark("revenue_total", "Total revenue?", "SELECT 100 AS revenue"),
  benchmark("revenue_region", "Revenue by region?", "SELECT region, revenue FROM r"),
  benchmark("broken_expected", "Anything?", "SELECT * FROM missing_table"),
  benchmark("slow_answer", "Units sold?", "SELECT 7 AS units"),
  benchmark("genie_failed", "Unanswerable?", "SELECT 1 AS one")
]

const scalar = (name: string, value: string): FakeWorkspace.Table => ({ columns: [[name, "BIGINT"]], rows: [[value]] })
const byRegion = (east: string): FakeWorkspace.Table => ({
  columns: [
    ["region", "STRING"],
    ["revenue", "BIGINT"]
  ],
  rows: [
    ["East", east],
    ["West", "20"]
  ]
})

const genie: FakeWorkspace.GenieScript = (question, attempt) => {
  switch (question) {
    case "Total revenue?":
      return { _tag: "Answer", sql: "SELECT SUM(x) AS revenue FROM t", table: scalar("revenue", "100") }
    case "Revenue by region?":
      return { _tag: "Answer", sql: "SELECT region, SUM(x) FROM t GROUP BY 1", table: byRegion("99") }
    case "Units sold?":
      return attempt === 1
        ? { _tag: "Pending" }
        : { _tag: "Answer", sql: "SELECT SUM(q) FROM t", table: scalar("units", "7") }
    case "Unanswerable?":
      return {
        _tag: "Error",
        error: new GenieError({
          reason: "Failed",
          errorType: "SQL_EXECUTION_EXCEPTION",
          message: "Genie could not answer",
          retryable: false,
          rateLimited: false
        })
      }
    default:
      return { _tag: "Answer", sql: "SELECT 1", table: scalar("one", "1") }
  }
}

const warehouse: Readonly<Record<string, FakeWorkspace.Table>> = {
  "SELECT 100 AS revenue": scalar("revenue", "100"),
  "SELECT region, revenue FROM r": byRegion("10"),
  "SELECT 7 AS units": scalar("units", "7"),
  "SELECT 1 AS one": scalar("one", "1")
}

/** Safety with retries and no waiting, so checks run instantly on any clock. */
const safety = Layer.effect(
  Safety.Safety,
  Effect.gen(function* () {
    const settings: Safety.PolicySettings = {
      concurrency: 3,
      attempts: 3,
      timeoutSeconds: 3600,
      circuit: { threshold: 100, cooldownSeconds: 60 },
      baseDelay: Duration.zero
    }
    return {
      genie: yield* Safety.makePolicy(settings, "genie"),
      sql: yield* Safety.makePolicy(settings, "sql"),
      llm: yield* Safety.makePolicy(settings, "llm")
    }
  })
)

const check = (condition: boolean, message: string): Effect.Effect<void, Error> =>
  condition ? Effect.void : Effect.fail(new Error(message))

const score = (scorer: ScorerLayer, options: Partial<ScoreOptions> = {}) =>
  Effect.gen(function* () {
    const service = yield* Scorer
    const results = yield* Stream.runCollect(service.score(benchmarks, { spaceId: "space", ...options }))
    const log = yield* Effect.flatMap(FakeWorkspace.FakeWorkspaceLog, (l) => l.get)
    return { results: [...results], log }
  }).pipe(
    Effect.provide(
      scorer.pipe(
        Layer.provideMerge(FakeWorkspace.layer({ genie, warehouse })),
        Layer.provide(Evaluator.layerDeterministic()),
        Layer.provide(safety)
      )
    )
  )

const outcomes = (results: ReadonlyArray<BenchmarkResult>): Record<string, string> =>
  Object.fromEntries(results.map((r) => [r.benchmarkId, r.verdict.outcome]))

/**
 * The checks.
 *
 * @category testing
 */
export const cases: ReadonlyArray<Case> = [
  {
    name: "emits exactly one result per benchmark and asks each question once",
    run: (scorer) =>
      Effect.gen(function* () {
        const { results, log } = yield* score(scorer)
        const ids = results.map((r) => r.benchmarkId).sort()
        yield* check(
          JSON.stringify(ids) === JSON.stringify(benchmarks.map((b) => b.id).sort()),
          `expected one result per benchmark, got ${JSON.stringify(ids)}`
        )
        const asked = [...log.asked].sort()
        yield* check(
          JSON.stringify(asked) === JSON.stringify(benchmarks.map((b) => b.question).sort()),
          `expected each question asked once, got ${JSON.stringify(asked)}`
        )
      })
  },
  {
    name: "decides pass, fail, excluded and Genie failures like the evaluator",
    run: (scorer) =>
      Effect.gen(function* () {
        const { results } = yield* score(scorer)
        const expected = {
          revenue_total: "pass",
          revenue_region: "fail",
          broken_expected: "excluded",
          slow_answer: "pass",
          genie_failed: "fail"
        }
        const actual = outcomes(results)
        for (const [id, outcome] of Object.entries(expected)) {
          yield* check(actual[id] === outcome, `${id}: expected ${outcome}, got ${actual[id]}`)
        }
        const failed = results.find((r) => r.benchmarkId === "revenue_region")
        yield* check(failed?.expected !== undefined && failed.answer?.sql !== undefined, "a result keeps both sides")
      })
  },
  {
    name: "resumes a message that timed out instead of asking again",
    run: (scorer) =>
      Effect.gen(function* () {
        const { results, log } = yield* score(scorer)
        yield* check(log.asked.filter((q) => q === "Units sold?").length === 1, "the slow question was asked twice")
        yield* check(log.resumed.includes("Units sold?"), "the slow question was not resumed")
        const slow = results.find((r) => r.benchmarkId === "slow_answer")
        yield* check(slow?.answer?.attempts === 2, `expected 2 attempts, got ${slow?.answer?.attempts}`)
      })
  },
  {
    name: "skips benchmarks finished earlier (resume) without asking them",
    run: (scorer) =>
      Effect.gen(function* () {
        const { results, log } = yield* score(scorer, { skip: new Set(["revenue_total", "slow_answer"]) })
        yield* check(results.length === benchmarks.length - 2, `expected ${benchmarks.length - 2} results`)
        yield* check(
          !log.asked.includes("Total revenue?") && !log.asked.includes("Units sold?"),
          "a skipped benchmark was asked"
        )
      })
  },
  {
    name: "reports progress through every stage of every benchmark",
    run: (scorer) =>
      Effect.gen(function* () {
        const seen: Array<string> = []
        yield* score(scorer, { onProgress: (e) => Effect.sync(() => seen.push(`${e.benchmarkId}:${e.stage}`)) })
        for (const b of benchmarks) {
          for (const stage of ["asking", "expected", "evaluating", "done"]) {
            yield* check(seen.includes(`${b.id}:${stage}`), `no ${stage} progress for ${b.id}`)
          }
        }
      })
  }
]
