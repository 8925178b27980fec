/**
 * The core `Executor` over the SQL Statement Execution API (databricks-api.md §4): submit, poll until the
 * statement is terminal, read every result chunk, and cancel the statement when the caller gives up.
 */
import { Polling, Retry, Safety, SqlGuard, Stages } from "@genie-enhancer/core"
import { Clock, Duration, Effect, Layer, Option } from "effect"
import type { DatabricksError } from "./RestClient.js"
import { decodeBody, describe, RestClient } from "./RestClient.js"
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
/** A status read answers in well under a second; one that takes this long is abandoned and made again. */
const pollRequestTimeout = Duration.seconds(10)
/** The submit is held up to `wait_timeout` by the server; beyond that and a margin it is abandoned. */
const submitRequestTimeout = Duration.seconds(waitSeconds + 10)
/** Tries of a submit that fails transiently (1, 2, 4, 8 s apart): an outage still fails the call in ~15 s. */
const submitTries = 5
/** A chunk carries up to 25 MiB inline. */
const chunkRequestTimeout = Duration.seconds(30)

/**
 * Whether a submit that failed this way may have started the statement anyway: a timeout, a dropped connection or
 * a 5xx other than 503 can come after the warehouse accepted it. A 503 (and a 429) refuses the request unhandled.
 */
const mayHaveRun = (error: DatabricksError): boolean => error.status !== 503

const base = "/api/2.0/sql/statements"

/**
 * Creates the executor. Untrusted SQL (`trusted` not set) must pass `SqlGuard` and is never sent otherwise.
 *
 * **Details**
 * Each call submits with `wait_timeout` 5 s (`on_wait_timeout: CONTINUE`) and `row_limit`, polls until a terminal
 * state, then reads every chunk. A statement still running at the call's timeout is cancelled and the call fails
 * (retryable); an interrupted call cancels its statement too (`POST …/cancel`), unless it is interrupted while
 * the submit request itself is in flight, when no statement id is known yet.
 *
 * Transient failures (5xx, network, a hung request; 429 for reads) of single requests are retried here, within the
 * call's timeout: status polls and chunk reads are idempotent and made again on the poll schedule; the submit on
 * the safety layer's SQL retry backoff, up to 5 tries. The whole call is retried by the safety layer (`safety.sql.attempts`).
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
      .request("GET", path, { timeout: pollRequestTimeout })
      .pipe(Effect.flatMap(decodeBody(StatementResponse.StatementResponse, `GET ${path}`)))
  }

  /**
   * Polls until terminal; past `deadline` the statement is cancelled and the call fails. A failed or hung poll is
   * made again at the next step (`Polling.tolerant`); only auth and not-found failures end the wait early.
   */
  const untilTerminal = (first: StatementResponse.StatementResponse, statementId: string, deadline: number) => {
    const isTerminal = (response: StatementResponse.StatementResponse) =>
      StatementResponse.terminalStates.has(StatementResponse.stateOf(response))
    let last = first
    let lastFailure: DatabricksError | undefined
    // The last poll is made at the deadline itself; a statement still running then is cancelled.
    const check = Polling.tolerant(
      get(statementId).pipe(
        Effect.map((response) => {
          last = response
          lastFailure = undefined
          return isTerminal(response) ? Polling.done(response) : Polling.pending()
        })
      ),
      {
        onTransient: (error) =>
          Effect.sync(() => {
            if (error._tag === "DatabricksError") lastFailure = error
          })
      }
    ).pipe(Effect.mapError((e) => SqlErrors.requestFailed(e, statementId)))
    return (
      isTerminal(first) ? Effect.succeed(Option.some(first)) : Polling.poll(check, pollSchedule, { deadline })
    ).pipe(
      Effect.flatMap((found) =>
        Option.isSome(found)
          ? Effect.succeed(found.value)
          : Effect.zipRight(
              cancel(statementId),
              new Stages.SqlFailed({
                message:
                  lastFailure === undefined
                    ? `statement ${statementId} was still ${StatementResponse.stateOf(last)} at the timeout; it was cancelled`
                    : `statement ${statementId} could not be read until the timeout (${describe(lastFailure)}); it was cancelled`,
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
      const deadline = startedAt + timeoutSeconds * 1000
      const submit = rest
        .request("POST", base, {
          body: {
            statement: sql,
            warehouse_id: warehouseId,
            wait_timeout: timeoutSeconds >= waitSeconds ? `${waitSeconds}s` : "0s",
            on_wait_timeout: "CONTINUE",
            disposition: "INLINE",
            format: "JSON_ARRAY",
            row_limit: rowLimit
          },
          timeout: submitRequestTimeout
        })
        .pipe(Effect.flatMap(decodeBody(StatementResponse.StatementResponse, `POST ${base}`)))
      // A submit is not idempotent: one that timed out may have started the statement, whose id we then never
      // learn. Running a read-only query twice only costs warehouse time, so those are submitted again after any
      // transient failure; other (trusted) SQL only after a 503, which refuses the request unhandled. 429s go to
      // the safety layer's rate limiter, which slows every caller down.
      const readOnly = options.trusted !== true || SqlGuard.check(sql) === undefined
      const submitted = yield* Retry.withinDeadline(submit, {
        schedule: Retry.backoff({ baseDelay: Safety.baseDelays.sql }),
        deadline,
        tries: submitTries,
        while: (error) =>
          error._tag === "DatabricksError" && error.retryable && !error.rateLimited && (readOnly || !mayHaveRun(error))
      }).pipe(Effect.mapError((e) => SqlErrors.requestFailed(e)))
      const statementId = submitted.statement_id
      if (statementId === undefined || statementId === null) {
        return yield* new Stages.SqlFailed({
          message: `POST ${base} answered without a statement_id`,
          retryable: false,
          rateLimited: false,
          callerError: false
        })
      }
      const response = yield* untilTerminal(submitted, statementId, deadline)
      const status = response.status
      switch (status?.state) {
        case "SUCCEEDED":
          return yield* StatementResponse.readResultSet(rest, response, {
            rowLimit,
            startedAt,
            retry: { schedule: pollSchedule, deadline, requestTimeout: chunkRequestTimeout }
          }).pipe(Effect.mapError((e) => SqlErrors.requestFailed(e, statementId)))
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
