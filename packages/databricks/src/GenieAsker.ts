/**
 * The core `Asker` over the Genie Conversation API (databricks-api.md §2): start a conversation, poll its message
 * with backoff until it is terminal, then read the rows of the last query attachment.
 */
import { Polling, Stages } from "@genie-enhancer/core"
import type { Errors } from "@genie-enhancer/core"
import { Clock, Duration, Effect, Layer, Option, Schema } from "effect"
import type { DatabricksError } from "./RestClient.js"
import { decodeBody, describe, RestClient } from "./RestClient.js"
import * as StatementResponse from "./StatementResponse.js"

/**
 * The profile's `safety.genie` timing, the row limit and whether to delete conversations afterwards.
 *
 * @category configuration
 */
export interface Settings {
  /** Overall deadline of one `ask` (or `resume`), in seconds. */
  readonly timeoutSeconds: number
  /** First wait between polls; each further wait is 1.5 times longer, up to `maxPollIntervalSeconds`. */
  readonly pollIntervalSeconds: number
  readonly maxPollIntervalSeconds: number
  /**
   * How Genie messages are polled (`safety.genie.pollSchedule`): `fixed` (when absent; profiles default to `adaptive`) is the backoff above; `adaptive`
   * plans each question's polls from the latencies of the run's earlier answers (`Polling.adaptive`).
   */
  readonly pollSchedule?: Polling.Kind | undefined
  /** Rows kept per answer (`safety.sql.rowLimit`); Genie itself returns at most about 5,000. */
  readonly rowLimit: number
  /** Delete each conversation once its answer (or final failure) is in (`workspace.deleteConversations`). */
  readonly deleteConversations: boolean
}

const opt = <A, I>(schema: Schema.Schema<A, I>) => Schema.optional(Schema.NullOr(schema))

const Started = Schema.Struct({ conversation_id: Schema.String, message_id: Schema.String })

const Attachment = Schema.Struct({
  attachment_id: opt(Schema.String),
  query: opt(Schema.Struct({ query: opt(Schema.String) })),
  text: opt(Schema.Struct({ content: opt(Schema.String), purpose: opt(Schema.String) }))
})
type Attachment = typeof Attachment.Type

const Message = Schema.Struct({
  status: Schema.String,
  created_timestamp: opt(Schema.Number),
  last_updated_timestamp: opt(Schema.Number),
  attachments: opt(Schema.Array(Attachment)),
  error: opt(Schema.Struct({ error: opt(Schema.String), type: opt(Schema.String) }))
})
type Message = typeof Message.Type

const QueryResult = Schema.Struct({ statement_response: opt(StatementResponse.StatementResponse) })

/** Statuses after which a message will not change; `QUERY_RESULT_EXPIRED` is a completed answer whose rows expired. */
const terminal: ReadonlySet<string> = new Set(["COMPLETED", "FAILED", "CANCELLED", "QUERY_RESULT_EXPIRED"])

/** `MessageErrorType`s of transient trouble on Genie's side: asking again may work. */
const transientTypes: ReadonlySet<string> = new Set([
  "CHAT_COMPLETION_CLIENT_TIMEOUT_EXCEPTION",
  "CHAT_COMPLETION_NETWORK_EXCEPTION",
  "DESCRIBE_QUERY_TIMEOUT",
  "GENERIC_CHAT_COMPLETION_SERVICE_EXCEPTION",
  "REPLY_PROCESS_TIMEOUT_EXCEPTION",
  "RETRYABLE_PROCESSING_EXCEPTION"
])

const messagePath = (p: Stages.PendingMessage) =>
  `/api/2.0/genie/spaces/${p.spaceId}/conversations/${p.conversationId}/messages/${p.messageId}`

/**
 * A failed REST call as a `GenieError`. Retryable failures after the question was accepted carry `pending`, so a
 * retry resumes polling instead of asking again.
 */
const fromRest =
  (pending?: Stages.PendingMessage) =>
  (error: DatabricksError | Errors.AuthFailed): Stages.GenieError => {
    if (error._tag === "AuthFailed") {
      return new Stages.GenieError({ reason: "Auth", message: error.message, retryable: false, rateLimited: false })
    }
    const reason: Stages.GenieErrorReason = error.rateLimited
      ? "RateLimited"
      : error.status === 401 || error.status === 403
        ? "Auth"
        : error.status === 404
          ? "NotFound"
          : error.retryable
            ? "Unavailable"
            : "BadRequest"
    return new Stages.GenieError({
      reason,
      message: describe(error),
      retryable: error.retryable,
      rateLimited: error.rateLimited,
      ...(error.status === 0 ? {} : { status: error.status }),
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      ...(pending !== undefined && error.retryable ? { pending } : {})
    })
  }

/** The answer's text: the text attachments after the last query (all of them without one), follow-up questions last. */
const textOf = (attachments: ReadonlyArray<Attachment>, lastQuery: number): string | undefined => {
  const texts = attachments.slice(lastQuery + 1).flatMap((a) => {
    const content = a.text?.content
    return typeof content === "string" && content !== ""
      ? [{ content, followUp: a.text?.purpose === "FOLLOW_UP_QUESTION" }]
      : []
  })
  const ordered = [...texts.filter((t) => !t.followUp), ...texts.filter((t) => t.followUp)]
  return ordered.length === 0 ? undefined : ordered.map((t) => t.content).join("\n\n")
}

/**
 * Creates the asker.
 *
 * **Details**
 * `ask` starts a conversation, waits `pollIntervalSeconds` before the first poll and backs off ×1.5 up to
 * `maxPollIntervalSeconds` (`pollSchedule: adaptive`: polls planned from the latencies of the run's earlier answers,
 * as Genie's timestamps tell them, `Polling.adaptive`). A failed or hung poll is made again at the next interval. On `COMPLETED` it takes the **last** query attachment (Genie may self-correct), reads
 * its rows through the attachment's query-result endpoint (re-running it with execute-query when the result
 * expired) and every further chunk. The whole call, requests included, has a deadline of `timeoutSeconds`: past it
 * the call fails with reason `Timeout` carrying the `pending` message, and `resume(pending)` polls that message
 * again without asking again. Nothing is retried here (the safety layer does that); `attempts` is always 1.
 * Conversations are deleted afterwards when `deleteConversations` is set, except while an answer is pending;
 * a failed delete is logged, never reported.
 *
 * @category constructors
 */
export const make = Effect.fn("GenieAsker.make")(function* (settings: Settings) {
  const rest = yield* RestClient
  const timeoutMs = settings.timeoutSeconds * 1000
  const firstPollMs = settings.pollIntervalSeconds * 1000
  const maxPollMs = Math.max(firstPollMs, settings.maxPollIntervalSeconds * 1000)
  // A status read answers in well under a second; one that takes this long is abandoned and made again.
  const pollRequestTimeoutMs = Math.max(maxPollMs, 10_000)
  const fixedSchedule = Polling.backoff({ first: Duration.millis(firstPollMs), max: Duration.millis(maxPollMs) })
  // Shared by every question this asker answers: the adaptive schedule plans polls from the run's latencies.
  const latencies = yield* Polling.makeEstimator()
  const messageSchedule =
    settings.pollSchedule === "adaptive"
      ? Polling.adaptive(latencies, { first: Duration.millis(firstPollMs), max: Duration.millis(maxPollMs) })
      : fixedSchedule

  const call = <A, I>(
    method: "GET" | "POST",
    path: string,
    schema: Schema.Schema<A, I>,
    pending?: Stages.PendingMessage
  ): Effect.Effect<A, Stages.GenieError> =>
    rest
      .request(method, path, method === "POST" ? { body: {} } : {})
      .pipe(Effect.flatMap(decodeBody(schema, `${method} ${path}`)), Effect.mapError(fromRest(pending)))

  /** Deletes the conversation when the profile says so; best effort, bounded, never failing the call. */
  const cleanup = (p: Stages.PendingMessage) =>
    settings.deleteConversations
      ? rest.request("DELETE", `/api/2.0/genie/spaces/${p.spaceId}/conversations/${p.conversationId}`).pipe(
          Effect.timeout(Duration.seconds(10)),
          Effect.catchAll((error) =>
            Effect.logDebug(`deleting Genie conversation ${p.conversationId} failed: ${error.message}`)
          )
        )
      : Effect.void

  /** The statement behind a query attachment, re-run when its result expired, followed until terminal. */
  const queryResult = (pending: Stages.PendingMessage, attachmentId: string, expired: boolean) =>
    Effect.gen(function* () {
      const path = `${messagePath(pending)}/attachments/${attachmentId}`
      let response = expired
        ? undefined
        : (yield* call("GET", `${path}/query-result`, QueryResult, pending)).statement_response
      if (response === undefined || response === null || StatementResponse.stateOf(response) === "CLOSED") {
        response = (yield* call("POST", `${path}/execute-query`, QueryResult, pending)).statement_response
      }
      if (response === undefined || response === null) return undefined
      const statementId = response.statement_id
      if (StatementResponse.terminalStates.has(StatementResponse.stateOf(response)) || !statementId) return response
      const statementPath = `/api/2.0/sql/statements/${statementId}`
      const polled = yield* Polling.poll(
        Effect.map(call("GET", statementPath, StatementResponse.StatementResponse, pending), (next) =>
          StatementResponse.terminalStates.has(StatementResponse.stateOf(next)) ? Polling.done(next) : Polling.pending()
        ),
        fixedSchedule
      )
      // The fixed schedule never ends and there is no deadline here (the caller's timeout bounds the call).
      return Option.getOrUndefined(polled)
    })

  /** The answer of a terminal message, or the typed failure of a FAILED or CANCELLED one. */
  const answerOf = (pending: Stages.PendingMessage, message: Message, startedAt: number) =>
    Effect.gen(function* () {
      if (message.status === "FAILED") {
        const type = message.error?.type ?? "UNKNOWN"
        const rateLimited = type.startsWith("RATE_LIMIT_EXCEEDED")
        // A query Genie wrote before failing (e.g. SQL_EXECUTION_EXCEPTION) helps diagnose the failure.
        const sql = (message.attachments ?? []).findLast((a) => typeof a.query?.query === "string")?.query?.query
        return yield* new Stages.GenieError({
          reason: "Failed",
          message: `Genie failed (${type}): ${message.error?.error ?? "no error message"}`,
          errorType: type,
          rateLimited,
          retryable: rateLimited || transientTypes.has(type),
          ...(typeof sql === "string" ? { sql } : {})
        })
      }
      if (message.status === "CANCELLED") {
        return yield* new Stages.GenieError({
          reason: "Cancelled",
          message: `Genie message ${pending.messageId} was cancelled`,
          retryable: false,
          rateLimited: false
        })
      }
      const attachments = message.attachments ?? []
      const lastQuery = attachments.findLastIndex((a) => typeof a.query?.query === "string")
      const text = textOf(attachments, lastQuery)
      const sql = attachments[lastQuery]?.query?.query ?? undefined
      const attachmentId = attachments[lastQuery]?.attachment_id ?? undefined
      const answer = (fields: Pick<Partial<Stages.GenieAnswer>, "status" | "result" | "error">) =>
        Effect.map(
          Clock.currentTimeMillis,
          (now) =>
            new Stages.GenieAnswer({
              status: "COMPLETED",
              conversationId: pending.conversationId,
              messageId: pending.messageId,
              attempts: 1,
              ...(sql === undefined ? {} : { sql }),
              ...(text === undefined ? {} : { text }),
              ...fields,
              elapsedMs: now - startedAt
            })
        )
      if (sql === undefined || attachmentId === undefined) return yield* answer({})
      const fetchStartedAt = yield* Clock.currentTimeMillis
      const response = yield* queryResult(pending, attachmentId, message.status === "QUERY_RESULT_EXPIRED")
      const state = response === undefined ? "MISSING" : StatementResponse.stateOf(response)
      if (response === undefined || state !== "SUCCEEDED") {
        const error = response?.status?.error
        return yield* answer({
          status: state === "CLOSED" || state === "MISSING" ? "QUERY_RESULT_EXPIRED" : "COMPLETED",
          error: {
            type: error?.error_code ?? `QUERY_RESULT_${state}`,
            message: error?.message ?? `the result of Genie's query is ${state}`
          }
        })
      }
      const result = yield* StatementResponse.readResultSet(rest, response, {
        rowLimit: settings.rowLimit,
        startedAt: fetchStartedAt
      }).pipe(Effect.mapError(fromRest(pending)))
      return yield* answer({ result })
    })

  /** How long a terminal message took, from Genie's own timestamps (both are the server's clock). */
  const recordLatency = (message: Message) => {
    const created = message.created_timestamp
    const updated = message.last_updated_timestamp
    // Only answered or failed messages: an expired result's timestamp is its expiry, not its answer.
    return (message.status === "COMPLETED" || message.status === "FAILED") &&
      typeof created === "number" &&
      typeof updated === "number"
      ? latencies.record(updated - created)
      : Effect.void
  }

  /** One status read: the terminal message, or pending (also when the read failed or hung: polls are idempotent). */
  const checkMessage = (pending: Stages.PendingMessage, onStatus: (status: string) => void) =>
    call("GET", messagePath(pending), Message, pending).pipe(
      Effect.timeoutFail({
        duration: Duration.millis(pollRequestTimeoutMs),
        onTimeout: () =>
          new Stages.GenieError({
            reason: "Unavailable",
            message: "a poll got no answer",
            retryable: true,
            rateLimited: false
          })
      }),
      Effect.map((message): Polling.Check<Message> => {
        onStatus(message.status)
        return terminal.has(message.status) ? Polling.done(message) : Polling.pending()
      }),
      // A failed or hung read is made again at the next poll, until the deadline. Only errors that another poll
      // cannot fix (auth, not found) end the wait early.
      Effect.catchIf(
        (error) => error.retryable,
        (error) => Effect.succeed(Polling.pending(error.retryAfterMs ?? 0))
      )
    )

  /**
   * Polls until the message is terminal and answers it, all before `startedAt + timeout`. An asked question follows
   * the profile's schedule; a resumed one is read at once and then backs off (its latency is past any plan).
   */
  const complete = (pending: Stages.PendingMessage, startedAt: number, resumed: boolean, keep = false) => {
    let lastStatus = "SUBMITTED"
    const poll = Polling.poll(
      checkMessage(pending, (status) => {
        lastStatus = status
      }),
      resumed ? fixedSchedule : messageSchedule,
      { immediately: resumed }
    ).pipe(
      // Neither schedule ends, so there is always a message; the deadline is the timeout below.
      Effect.flatMap((found) => (Option.isSome(found) ? Effect.succeed(found.value) : Effect.never)),
      Effect.tap(recordLatency),
      Effect.flatMap((message) => answerOf(pending, message, startedAt))
    )
    return Effect.flatMap(Clock.currentTimeMillis, (now) =>
      poll.pipe(
        Effect.timeoutFail({
          duration: Duration.millis(Math.max(0, startedAt + timeoutMs - now)),
          onTimeout: () =>
            new Stages.GenieError({
              reason: "Timeout",
              message:
                `no answer from Genie within ${settings.timeoutSeconds}s (message ${pending.messageId} is ` +
                `${lastStatus}); resume polls the same message`,
              retryable: true,
              rateLimited: false,
              pending
            })
        }),
        // An answered (or finally failed) question's conversation can go; a pending one is still needed.
        // Kept when the caller records the answer first and then calls `release`.
        Effect.tap(() => (keep ? Effect.void : cleanup(pending))),
        Effect.tapError((error) => (error.pending === undefined && !keep ? cleanup(pending) : Effect.void))
      )
    )
  }

  const ask = (spaceId: string, question: string, options?: Stages.AskOptions) =>
    Effect.gen(function* () {
      const startedAt = yield* Clock.currentTimeMillis
      const path = `/api/2.0/genie/spaces/${spaceId}/start-conversation`
      const started = yield* rest.request("POST", path, { body: { content: question } }).pipe(
        Effect.flatMap(decodeBody(Started, `POST ${path}`)),
        Effect.mapError(fromRest()),
        Effect.timeoutFail({
          duration: Duration.millis(timeoutMs),
          onTimeout: () =>
            new Stages.GenieError({
              reason: "Timeout",
              message: `Genie did not accept the question within ${settings.timeoutSeconds}s`,
              retryable: true,
              rateLimited: false
            })
        })
      )
      const pending = new Stages.PendingMessage({
        spaceId,
        conversationId: started.conversation_id,
        messageId: started.message_id
      })
      // Journaled before the answer is awaited: an interrupted run polls this message instead of asking again.
      if (options?.onAccepted !== undefined) yield* options.onAccepted(pending)
      return yield* complete(pending, startedAt, false, options?.keepConversation)
    })

  // A resumed message has had time to progress: look at it at once.
  const resume = (pending: Stages.PendingMessage, options?: Stages.AskOptions) =>
    Effect.flatMap(Clock.currentTimeMillis, (startedAt) =>
      complete(pending, startedAt, true, options?.keepConversation)
    )

  return Stages.Asker.of({ ask, resume, release: cleanup })
})

/**
 * The `Asker` over the Genie Conversation API.
 *
 * @category layers
 */
export const layer = (settings: Settings): Layer.Layer<Stages.Asker, never, RestClient> =>
  Layer.effect(Stages.Asker, make(settings))
