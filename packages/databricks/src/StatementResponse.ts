/**
 * The `StatementResponse` of the SQL Statement Execution API (databricks-api.md §4), which Genie's query-result
 * endpoints embed too (§2.5): its state, error, manifest and first chunk, and reading every further chunk into the
 * core `ResultSet`.
 */
import { Retry, Stages } from "@genie-enhancer/core"
import type { Errors } from "@genie-enhancer/core"
import type { Context, Duration, Schedule } from "effect"
import { Clock, Effect, Schema } from "effect"
import type { DatabricksError, RestClient } from "./RestClient.js"
import { decodeBody } from "./RestClient.js"

/** An optional field that the API may also send as `null`. */
const opt = <A, I>(schema: Schema.Schema<A, I>) => Schema.optional(Schema.NullOr(schema))

const Chunk = Schema.Struct({
  chunk_index: opt(Schema.Number),
  data_array: opt(Schema.Array(Schema.Array(Schema.NullOr(Schema.String)))),
  next_chunk_index: opt(Schema.Number)
})

/**
 * The parts of a `StatementResponse` the adapter reads (other fields are ignored).
 *
 * @category models
 */
export const StatementResponse = Schema.Struct({
  statement_id: opt(Schema.String),
  status: opt(
    Schema.Struct({
      state: Schema.String,
      error: opt(Schema.Struct({ error_code: opt(Schema.String), message: opt(Schema.String) })),
      sql_state: opt(Schema.String)
    })
  ),
  manifest: opt(
    Schema.Struct({
      schema: opt(
        Schema.Struct({
          columns: opt(
            Schema.Array(
              Schema.Struct({ name: Schema.String, type_name: opt(Schema.String), type_text: opt(Schema.String) })
            )
          )
        })
      ),
      total_chunk_count: opt(Schema.Number),
      total_row_count: opt(Schema.Number),
      truncated: opt(Schema.Boolean)
    })
  ),
  result: opt(Chunk)
})
/** @category models */
export type StatementResponse = typeof StatementResponse.Type

/** States after which a statement will not change (`CLOSED`: succeeded, but the result is gone). @category models */
export const terminalStates: ReadonlySet<string> = new Set(["SUCCEEDED", "FAILED", "CANCELED", "CLOSED"])

/** The state of a response; a response without a status counts as still running. @category constructors */
export const stateOf = (response: StatementResponse): string => response.status?.state ?? "RUNNING"

/**
 * How chunk reads survive transient failures: each read is abandoned after `requestTimeout` and made again on
 * `schedule` after a 5xx, 429, network failure or timeout, until `deadline` (`Retry.withinDeadline`).
 *
 * @category models
 */
export interface ReadRetry {
  readonly schedule: Schedule.Schedule<unknown>
  readonly deadline?: number | undefined
  readonly requestTimeout: Duration.DurationInput
}

/**
 * Reads the statement's rows: the inline first chunk, then every further chunk (`next_chunk_index`, else the
 * manifest's `total_chunk_count`) until `rowLimit` rows are kept. Cutting at `rowLimit`, or a manifest saying the
 * server truncated (`row_limit`), marks the result `truncated`. `elapsedMs` counts from `startedAt` (`Clock` time).
 * With `retry`, a chunk read that fails transiently is made again (chunk reads are idempotent); without it the
 * first failure is returned.
 *
 * @category constructors
 */
export const readResultSet = (
  rest: Context.Tag.Service<RestClient>,
  response: StatementResponse,
  options: { readonly rowLimit: number; readonly startedAt: number; readonly retry?: ReadRetry | undefined }
): Effect.Effect<Stages.ResultSet, DatabricksError | Errors.AuthFailed> =>
  Effect.gen(function* () {
    const manifest = response.manifest ?? undefined
    const columns = (manifest?.schema?.columns ?? []).map(
      (c) =>
        new Stages.Column({
          name: c.name,
          typeName: c.type_name ?? "STRING",
          ...(c.type_text === undefined || c.type_text === null ? {} : { typeText: c.type_text })
        })
    )
    const chunkCount = manifest?.total_chunk_count ?? 1
    const rows: Array<ReadonlyArray<string | null>> = []
    let truncated = manifest?.truncated ?? false
    let chunk: typeof Chunk.Type | null | undefined = response.result
    while (chunk !== undefined && chunk !== null) {
      rows.push(...(chunk.data_array ?? []))
      const next: number | undefined =
        chunk.next_chunk_index ??
        (typeof chunk.chunk_index === "number" && chunk.chunk_index + 1 < chunkCount
          ? chunk.chunk_index + 1
          : undefined)
      if (rows.length >= options.rowLimit) {
        truncated ||= rows.length > options.rowLimit || next !== undefined
        rows.length = options.rowLimit
        break
      }
      if (next === undefined || response.statement_id === undefined || response.statement_id === null) break
      const path = `/api/2.0/sql/statements/${response.statement_id}/result/chunks/${next}`
      const retry = options.retry
      const read = rest
        .request("GET", path, retry === undefined ? {} : { timeout: retry.requestTimeout })
        .pipe(Effect.flatMap(decodeBody(Chunk, `GET ${path}`)))
      chunk = yield* retry === undefined
        ? read
        : Retry.withinDeadline(read, { schedule: retry.schedule, deadline: retry.deadline })
    }
    return new Stages.ResultSet({
      columns,
      rows,
      rowCount: truncated ? Math.max(rows.length, manifest?.total_row_count ?? 0) : rows.length,
      truncated,
      elapsedMs: (yield* Clock.currentTimeMillis) - options.startedAt
    })
  })
