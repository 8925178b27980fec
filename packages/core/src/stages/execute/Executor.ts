/** execute: the stage contract and its error. */
import { Context, Schema } from "effect"
import type { Effect } from "effect"
import type { ResultSet } from "../../model/Results.js"
import type { UnsafeSql } from "../../sql/SqlGuard.js"

/**
 * A SQL statement failed on the warehouse (or could not be submitted).
 *
 * **Details**
 * `callerError` marks failures of the statement itself (syntax, unknown table or column, `sql_state` classes 42
 * and 22): they say nothing about the warehouse's health, so breakers ignore them and retries do not repeat them.
 *
 * @category errors
 */
export class SqlFailed extends Schema.TaggedError<SqlFailed>()("SqlFailed", {
  message: Schema.String,
  sqlState: Schema.optionalWith(Schema.String, { exact: true }),
  statementId: Schema.optionalWith(Schema.String, { exact: true }),
  retryable: Schema.Boolean,
  rateLimited: Schema.Boolean,
  retryAfterMs: Schema.optionalWith(Schema.Number, { exact: true }),
  callerError: Schema.Boolean
}) {}

/** Options for one SQL execution. @category models */
export interface ExecuteOptions {
  readonly rowLimit?: number
  readonly timeoutSeconds?: number
  /**
   * True only for SQL from the user's own benchmark file. Everything else (Genie's SQL, LLM-proposed SQL) passes the
   * read-only guard (`SqlGuard`) first and fails with `UnsafeSql` without running.
   */
  readonly trusted?: boolean
  /** Run on this warehouse instead of the configured one (a space's own warehouse when none is configured). */
  readonly warehouseId?: string
}

/** execute: run a read-only SQL statement on the warehouse. @category services */
export class Executor extends Context.Tag("@genie-enhancer/core/Executor")<
  Executor,
  {
    readonly execute: (sql: string, options?: ExecuteOptions) => Effect.Effect<ResultSet, SqlFailed | UnsafeSql>
  }
>() {}
