/**
 * The contract every `Executor` (the execute stage, a workspace target's SQL warehouse client) must keep, as checks
 * any test runner can run against an executor layer (`for (const c of ExecutorContract.cases) it.live(c.name, () =>
 * c.run(MyTarget.executorLayer()))`). The SQL is portable (DuckDB, Databricks SQL).
 */
import { Effect, Either, Schema } from "effect"
import type { Layer } from "effect"
import { ResultSet } from "../model/Results.js"
import type { ExecuteOptions } from "../stages/execute/Executor.js"
import { Executor } from "../stages/execute/Executor.js"

/**
 * An executor layer under test.
 *
 * @category models
 */
export type ExecutorLayer = Layer.Layer<Executor, unknown>

/** One contract check. @category models */
export interface Case {
  readonly name: string
  readonly run: (executor: ExecutorLayer) => Effect.Effect<void, Error>
}

const check = (condition: boolean, message: string): Effect.Effect<void, Error> =>
  condition ? Effect.void : Effect.fail(new Error(message))

const attempt = (executor: ExecutorLayer, sql: string, options?: ExecuteOptions) =>
  Effect.flatMap(Executor, (e) => Effect.either(e.execute(sql, options))).pipe(
    Effect.provide(executor),
    Effect.mapError((e) => new Error(`the executor layer failed: ${String(e)}`))
  )

const execute = (executor: ExecutorLayer, sql: string, options?: ExecuteOptions) =>
  Effect.flatMap(attempt(executor, sql, options), (result) =>
    Either.isRight(result)
      ? Effect.succeed(result.right)
      : Effect.fail(new Error(`${sql}: ${result.left._tag}: ${result.left.message}`))
  )

/** Three rows, in an order the query fixes. */
const threeRows = "SELECT 1 AS n UNION ALL SELECT 2 AS n UNION ALL SELECT 3 AS n ORDER BY n"

/** The checks. @category testing */
export const cases: ReadonlyArray<Case> = [
  {
    name: "runs a read-only query: columns with types, rows as strings, a result that survives JSON",
    run: (executor) =>
      Effect.gen(function* () {
        const result = yield* execute(executor, "SELECT 1 AS one, 'a' AS letter")
        yield* check(
          JSON.stringify(result.columns.map((c) => c.name)) === '["one","letter"]',
          `unexpected columns ${JSON.stringify(result.columns.map((c) => c.name))}`
        )
        yield* check(
          result.columns.every((c) => c.typeName !== ""),
          "a column has no type"
        )
        yield* check(
          JSON.stringify(result.rows) === '[["1","a"]]',
          `expected [["1","a"]], got ${JSON.stringify(result.rows)}`
        )
        yield* check(result.rowCount === 1 && !result.truncated, "one row, not truncated")
        const json = JSON.parse(JSON.stringify(Schema.encodeSync(ResultSet)(result))) as unknown
        yield* check(Schema.decodeUnknownSync(ResultSet)(json).rows.length === 1, "the result does not survive JSON")
      })
  },
  {
    name: "refuses SQL that writes (UnsafeSql) unless it is trusted benchmark SQL",
    run: (executor) =>
      Effect.gen(function* () {
        for (const sql of ["DROP TABLE contract_probe", "SELECT 1; SELECT 2"]) {
          const result = yield* attempt(executor, sql)
          yield* check(
            Either.isLeft(result) && result.left._tag === "UnsafeSql",
            `${sql} was not refused with UnsafeSql`
          )
        }
      })
  },
  {
    name: "a failing statement is SqlFailed, marked as the caller's error and not retryable",
    run: (executor) =>
      Effect.gen(function* () {
        const result = yield* attempt(executor, "SELECT * FROM contract_table_that_does_not_exist")
        yield* check(Either.isLeft(result), "a query on a missing table succeeded")
        if (Either.isLeft(result)) {
          const error = result.left
          yield* check(error._tag === "SqlFailed", `expected SqlFailed, got ${error._tag}`)
          if (error._tag === "SqlFailed") {
            yield* check(error.callerError, "a missing table is the statement's fault (callerError)")
            yield* check(!error.retryable, "a missing table must not be retried")
          }
        }
      })
  },
  {
    name: "keeps at most rowLimit rows and says the result was truncated",
    run: (executor) =>
      Effect.gen(function* () {
        const all = yield* execute(executor, threeRows)
        yield* check(all.rows.length === 3, `expected 3 rows, got ${all.rows.length}`)
        const limited = yield* execute(executor, threeRows, { rowLimit: 2 })
        yield* check(limited.rows.length === 2, `rowLimit 2 returned ${limited.rows.length} rows`)
        yield* check(limited.truncated, "a limited result is not marked truncated")
      })
  }
]
