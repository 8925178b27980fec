/**
 * Accuracy of a Genie engine on benchmarks: every question is answered by the engine, its SQL and the expected SQL
 * run on the warehouse, and the core comparator decides. Used to measure the simulator on the bundled example.
 */
import { Benchmark, ResultSetCompare, Space } from "@genie-enhancer/core"
import type { Errors } from "@genie-enhancer/core"
import type { Either } from "effect"
import { Cause, Effect, Exit } from "effect"
import type * as GenieEngine from "../GenieEngine.js"
import { readText } from "../internal/Yaml.js"
import type { SqlFailure } from "../SqlFailure.js"
import type * as Warehouse from "../Warehouse.js"

/** One benchmark's result. @category models */
export interface BenchmarkOutcome {
  readonly id: string
  readonly question: string
  /** `error`: the expected or the answered SQL failed; `no-sql`: the engine answered without SQL. */
  readonly outcome: "pass" | "fail" | "inconclusive" | "no-sql" | "error"
  /** The comparator's rule, the reply's text or the error. */
  readonly detail: string
  readonly sql?: string
}

/** Accuracy of one space. @category models */
export interface AccuracyReport {
  readonly name: string
  readonly passed: number
  readonly total: number
  readonly results: ReadonlyArray<BenchmarkOutcome>
}

/** What to measure. @category models */
export interface AccuracyOptions {
  readonly warehouse: Pick<Warehouse.Warehouse, "catalog" | "query">
  readonly spaces: ReadonlyArray<{ readonly name: string; readonly space: Space.SerializedSpace }>
  readonly benchmarks: ReadonlyArray<Benchmark.Benchmark>
  readonly engine: GenieEngine.GenieEngine
  /** The seed the engine sees (default 0). */
  readonly seed?: number
}

/**
 * Asks every benchmark question of every space and compares the results with the expected SQL's (run once per
 * benchmark). Never fails: SQL errors are outcomes.
 *
 * @category constructors
 */
export const measureAccuracy = Effect.fn("GenieSimulator.measureAccuracy")(function* (options: AccuracyOptions) {
  const catalog = yield* Effect.orElseSucceed(options.warehouse.catalog, () => [])
  // The data is read-only, so the same SQL always gives the same result: run each text once.
  const ran = new Map<string, Either.Either<Warehouse.QueryResult, SqlFailure>>()
  const run = (sql: string) => {
    const known = ran.get(sql)
    if (known !== undefined) return Effect.succeed(known)
    return Effect.tap(Effect.either(options.warehouse.query(sql)), (result) => Effect.sync(() => ran.set(sql, result)))
  }
  const expected = yield* Effect.forEach(options.benchmarks, (b) => run(b.expected_sql))
  return yield* Effect.forEach(options.spaces, ({ name, space }) =>
    Effect.gen(function* () {
      const results = yield* Effect.forEach(options.benchmarks, (b, i) =>
        Effect.gen(function* () {
          const base = { id: b.id, question: b.question }
          const reply = yield* options.engine.answer({
            spaceId: name,
            title: name,
            description: "",
            space,
            question: b.question,
            history: [],
            catalog,
            seed: options.seed ?? 0,
            query: (sql) => options.warehouse.query(sql)
          })
          if (reply._tag !== "Sql") {
            const detail = reply._tag === "Text" ? reply.text : reply._tag
            return { ...base, outcome: "no-sql", detail } satisfies BenchmarkOutcome
          }
          const want = expected[i]
          if (want._tag === "Left") {
            return { ...base, outcome: "error", detail: `expected SQL: ${want.left.message}`, sql: reply.sql } as const
          }
          const got = yield* run(reply.sql)
          if (got._tag === "Left")
            return { ...base, outcome: "error", detail: got.left.message, sql: reply.sql } as const
          const comparison = ResultSetCompare.compare(want.right, got.right, {
            ...(b.comparison === undefined ? {} : { policy: b.comparison }),
            expectedSql: b.expected_sql
          })
          return { ...base, outcome: comparison.outcome, detail: comparison.decidedBy, sql: reply.sql } as const
        })
      )
      return {
        name,
        passed: results.filter((r) => r.outcome === "pass").length,
        total: results.length,
        results
      } satisfies AccuracyReport
    })
  )
})

/**
 * `measureAccuracy` for Promise-based callers and scripts: reads the space files (serialized_space JSON) and the
 * canonical benchmark file, then measures. Rejects with `ConfigInvalid` for an invalid file.
 *
 * @category constructors
 */
export const measureAccuracyPromise = async (options: {
  readonly warehouse: Pick<Warehouse.Warehouse, "catalog" | "query">
  /** Name → space file. */
  readonly spaces: Readonly<Record<string, string>>
  readonly benchmarks: string
  readonly engine: GenieEngine.GenieEngine
  readonly seed?: number
}): Promise<ReadonlyArray<AccuracyReport>> => {
  const program: Effect.Effect<ReadonlyArray<AccuracyReport>, Errors.ConfigInvalid> = Effect.gen(function* () {
    const spaces = yield* Effect.forEach(Object.entries(options.spaces), ([name, file]) =>
      Effect.map(
        Effect.flatMap(readText(file), (text) => Space.parse(text, { source: file })),
        (space) => ({ name, space })
      )
    )
    const file = yield* Effect.flatMap(readText(options.benchmarks), (text) =>
      Benchmark.parse(text, options.benchmarks)
    )
    return yield* measureAccuracy({ ...options, spaces, benchmarks: file.benchmarks })
  })
  const exit = await Effect.runPromiseExit(program)
  if (Exit.isFailure(exit)) throw Cause.squash(exit.cause)
  return exit.value
}
