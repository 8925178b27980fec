/**
 * The contract every `Evaluator` must keep, as checks any test runner can run against an evaluator layer (`for (const
 * c of EvaluatorContract.cases) it.effect(c.name, () => c.run(MyEvaluator.layer()))`): matching results pass,
 * different ones fail, a broken benchmark is excluded, a Genie failure fails, and evaluation never fails.
 */
import { Effect } from "effect"
import type { Layer } from "effect"
import type { Benchmark } from "../model/Benchmark.js"
import { Column, GenieAnswer, ResultSet } from "../model/Results.js"
import type { Verdict } from "../model/Results.js"
import { Evaluator } from "../stages/evaluate/EvaluateStage.js"
import { StageFailed } from "../stages/StageFailed.js"

/**
 * An evaluator layer under test (a decorator's included: provide its inner evaluator first).
 *
 * @category models
 */
export type EvaluatorLayer = Layer.Layer<Evaluator>

/** One contract check. @category models */
export interface Case {
  readonly name: string
  readonly run: (evaluator: EvaluatorLayer) => Effect.Effect<void, Error>
}

const benchmark = (id: string): Benchmark => ({
  id,
  question: `Revenue by region (${id})?`,
  expected_sql: "SELECT region, revenue FROM sales",
  category: "revenue",
  difficulty: "easy"
})

const table = (east: string): ResultSet =>
  new ResultSet({
    columns: [new Column({ name: "region", typeName: "STRING" }), new Column({ name: "revenue", typeName: "BIGINT" })],
    rows: [
      ["East", east],
      ["West", "20"]
    ],
    rowCount: 2,
    truncated: false,
    elapsedMs: 1
  })

const answer = (result: ResultSet | undefined, status: GenieAnswer["status"] = "COMPLETED"): GenieAnswer =>
  new GenieAnswer({
    status,
    ...(result === undefined ? {} : { sql: "SELECT region, SUM(x) AS revenue FROM t GROUP BY 1", result }),
    ...(status === "FAILED" ? { error: { type: "SQL_EXECUTION_EXCEPTION", message: "Genie failed" } } : {}),
    attempts: 1,
    elapsedMs: 5
  })

const check = (condition: boolean, message: string): Effect.Effect<void, Error> =>
  condition ? Effect.void : Effect.fail(new Error(message))

const evaluate = (evaluator: EvaluatorLayer, id: string, expected: ResultSet | StageFailed, actual: GenieAnswer) =>
  Effect.flatMap(Evaluator, (e) => e.evaluate(benchmark(id), expected, actual)).pipe(Effect.provide(evaluator))

const expectOutcome = (verdict: Verdict, outcome: Verdict["outcome"], what: string) =>
  check(verdict.outcome === outcome, `${what}: expected ${outcome}, got ${verdict.outcome} (${verdict.decidedBy})`)

/** The checks. @category testing */
export const cases: ReadonlyArray<Case> = [
  {
    name: "the same rows pass and different values fail, naming the rule that decided",
    run: (evaluator) =>
      Effect.gen(function* () {
        const same = yield* evaluate(evaluator, "same", table("10"), answer(table("10")))
        yield* expectOutcome(same, "pass", "identical results")
        yield* check(same.decidedBy !== "", "a verdict names the rule that decided")
        const different = yield* evaluate(evaluator, "different", table("10"), answer(table("99")))
        yield* expectOutcome(different, "fail", "a different value")
        yield* check(different.reasons.length > 0, "a failure gives its reasons")
      })
  },
  {
    name: "expected SQL that failed excludes the benchmark; a Genie failure or no SQL fails it",
    run: (evaluator) =>
      Effect.gen(function* () {
        const broken = new StageFailed({ stage: "execute", message: "TABLE_OR_VIEW_NOT_FOUND", retryable: false })
        yield* expectOutcome(
          yield* evaluate(evaluator, "broken", broken, answer(table("10"))),
          "excluded",
          "failed expected SQL"
        )
        yield* expectOutcome(
          yield* evaluate(evaluator, "genie-failed", table("10"), answer(undefined, "FAILED")),
          "fail",
          "a FAILED Genie message"
        )
        yield* expectOutcome(
          yield* evaluate(evaluator, "no-sql", table("10"), answer(undefined)),
          "fail",
          "an answer without SQL"
        )
      })
  },
  {
    name: "concurrent evaluations each get their verdict, and stats count them",
    run: (evaluator) =>
      Effect.gen(function* () {
        const results = yield* Effect.gen(function* () {
          const e = yield* Evaluator
          const before = yield* e.stats
          const verdicts = yield* Effect.forEach(
            Array.from({ length: 12 }, (_, i) => i),
            (i) => e.evaluate(benchmark(`c${i}`), table("10"), answer(table(i % 2 === 0 ? "10" : "11"))),
            { concurrency: "unbounded" }
          )
          const after = yield* e.stats
          return { verdicts, evaluated: after.evaluated - before.evaluated }
        }).pipe(Effect.provide(evaluator))
        for (const [i, v] of results.verdicts.entries()) {
          yield* expectOutcome(v, i % 2 === 0 ? "pass" : "fail", `concurrent case ${i}`)
        }
        yield* check(results.evaluated === 12, `stats counted ${results.evaluated} of 12 evaluations`)
      })
  }
]
