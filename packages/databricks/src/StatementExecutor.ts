/**
 * The core `Executor` over the SQL Statement Execution API (databricks-api.md §4): submit, poll until the
 * statement is terminal, read every result chunk, and cancel the statement when the caller gives up.
 */
import { Polling, SqlGuard, Stages } from "@genie-enhancer/core"
import { Clock, Duration, Effect, Layer, Option } from "effect"
import { decodeBody, RestClient } from "./RestClient.js"
import * as SqlErrors from "./SqlErrors.js"
import * as StatementResponse from "./StatementResponse.js"

/**
 * What the executor needs besides the REST client: the warehouse and the profile's `safety.sql` defaults.
 *
 * @category configuration
 */
export interface Settings {
  /** Absent: every call fails with a `SqlFailed` saying how to set one. */
  readonly warehouseId?: string | undefined
  /** Rows kept per result (`safety.sql.rowLimit`), unless a call asks for fewer or more. */
  readonly rowLimit: number
  /** How long a statement may run before it is cancelled (`safety.sql.timeoutSeconds`), unless a call says. */
  readonly timeoutSeconds: number
}

/** The server holds the submit request this long (5 s is the API's minimum besides 0 s, async). */
const waitSeconds = 5
/** Polls of a running statement start at 0.5 s and back off ×1.5 to 5 s: the API may need 5 s to show a new state. */
const pollSchedule = Polling.backoff({ first: Duration.millis(500), max: Duration.seconds(5) })

const base = "/api/2.0/sql/statements"

/**
 * Creates the executor. Untrusted SQL (`trusted` not set) must pass `SqlGuard` and is never sent otherwise.
 *
 * **Details**
 * Each call submits with `wait_timeout` 5 s (`on_wait_timeout: CONTINUE`) and `row_limit`, polls until a terminal
 * state, then reads every chunk. A statement still running at the call's timeout is cancelled and the call fails
 * (retryable); an interrupted call cancels its statement too (`POST …/cancel`), unless it is interrupted while
 * the submit request itself is in flight, when no statement id is known yet. Nothing is retried here.
 *
 * @category constructors
 */
export const make = Effect.fn("StatementExecutor.make")(function* (settings: Settings) {
  const rest = yield* RestClient

  // Disconnected, so that the timeout bounds it even where it runs uninterruptibly (on interruption).
  const cancel = (statementId: string) =>
    rest.request("POST", `${base}/${statementId}/cancel`, { body: {} }).pipe(
      Effect.disconnect,
      Effect.timeout(Duration.seconds(10)),
      Effect.catchAll((error) => Effect.logDebug(`cancelling statement ${statementId} failed: ${String(error)}`))
    )

  const get = (statementId: string) => {
    const path = `${base}/${statementId}`
    return rest
      .request("GET", path)
      .pipe(Effect.flatMap(decodeBody(StatementResponse.StatementResponse, `GET ${path}`)))
  }

  /** Polls until terminal; past `deadline` the statement is cancelled and the call fails. */
  const untilTerminal = (first: StatementResponse.StatementResponse, statementId: string, deadline: number) => {
    const isTerminal = (response: StatementResponse.StatementResponse) =>
      StatementResponse.terminalStates.has(StatementResponse.stateOf(response))
    let last = first
    // The last poll is made at the deadline itself; a statement still running then is cancelled.
    const check = get(statementId).pipe(
      Effect.mapError((e) => SqlErrors.requestFailed(e, statementId)),
      Effect.map((response) => {
        last = response
        return isTerminal(response) ? Polling.done(response) : Polling.pending()
      })
    )
    return (
      isTerminal(first) ? Effect.succeed(Option.some(first)) : Polling.poll(check, pollSchedule, { deadline })
    ).pipe(
      Effect.flatMap((found) =>
        Option.isSome(found)
          ? Effect.succeed(found.value)
          : Effect.zipRight(
              cancel(statementId),
              new Stages.SqlFailed({
                message: `statement ${statementId} was still ${StatementResponse.stateOf(last)} at the timeout; it was cancelled`,
                statementId,
                retryable: true,
                rateLimited: false,
                callerError: false
              })
            )
      ),
      Effect.onInterrupt(() => cancel(statementId))
    )
  }

  const run = (sql: string, warehouseId: string, options: Stages.ExecuteOptions) =>
    Effect.gen(function* () {
      const startedAt = yield* Clock.currentTimeMillis
      const timeoutSeconds = options.timeoutSeconds ?? settings.timeoutSeconds
      const rowLimit = options.rowLimit ?? settings.rowLimit
      const submitted = yield* rest
        .request("POST", base, {
          body: {
            statement: sql,
            warehouse_id: warehouseId,
            wait_timeout: timeoutSeconds >= waitSeconds ? `${waitSeconds}s` : "0s",
            on_wait_timeout: "CONTINUE",
            disposition: "INLINE",
            format: "JSON_ARRAY",
            row_limit: rowLimit
          }
        })
        .pipe(
          Effect.flatMap(decodeBody(StatementResponse.StatementResponse, `POST ${base}`)),
          Effect.mapError((e) => SqlErrors.requestFailed(e))
        )
      const statementId = submitted.statement_id
      if (statementId === undefined || statementId === null) {
        return yield* new Stages.SqlFailed({
          message: `POST ${base} answered without a statement_id`,
          retryable: false,
          rateLimited: false,
          callerError: false
        })
      }
      const response = yield* untilTerminal(submitted, statementId, startedAt + timeoutSeconds * 1000)
      const status = response.status
      switch (status?.state) {
        case "SUCCEEDED":
          return yield* StatementResponse.readResultSet(rest, response, { rowLimit, startedAt }).pipe(
            Effect.mapError((e) => SqlErrors.requestFailed(e, statementId))
          )
        case "FAILED":
          return yield* SqlErrors.statementFailed({
            message: status.error?.message ?? `statement ${statementId} failed`,
            sqlState: status.sql_state ?? undefined,
            errorCode: status.error?.error_code ?? undefined,
            statementId
          })
        default:
          // CANCELED by someone else, or CLOSED before its result was read: running it again may work.
          return yield* new Stages.SqlFailed({
            message: `statement ${statementId} ended ${status?.state ?? "without a state"} before its result was read`,
            statementId,
            retryable: true,
            rateLimited: false,
            callerError: false
          })
      }
    })

  const execute = (sql: string, options: Stages.ExecuteOptions = {}) =>
    Effect.gen(function* () {
      if (options.trusted !== true) yield* SqlGuard.ensureReadOnly(sql)
      const warehouseId = options.warehouseId ?? settings.warehouseId
      if (warehouseId === undefined) return yield* SqlErrors.noWarehouse()
      return yield* run(sql, warehouseId, options)
    })

  return Stages.Executor.of({ execute })
})

/**
 * The `Executor` over the Statement Execution API.
 *
 * @category layers
 */
export const layer = (settings: Settings): Layer.Layer<Stages.Executor, never, RestClient> =>
  Layer.effect(Stages.Executor, make(settings))
