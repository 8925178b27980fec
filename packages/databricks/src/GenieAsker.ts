/**
 * The core `Asker` over the Genie Conversation API (databricks-api.md §2): start a conversation, poll its message
 * with backoff until it is terminal, then read the rows of the last query attachment.
 */
import { Polling, Retry, Stages } from "@genie-enhancer/core"
import type { Errors } from "@genie-enhancer/core"
import { Clock, Duration, Effect, Layer, Option, Schema } from "effect"
import type { DatabricksError, RequestOptions } from "./RestClient.js"
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
type Started = typeof Started.Type

const ConversationList = Schema.Struct({
  conversations: opt(
    Schema.Array(Schema.Struct({ conversation_id: Schema.String, created_timestamp: opt(Schema.Number) }))
  )
})

const MessageList = Schema.Struct({
  messages: opt(
    Schema.Array(Schema.Struct({ message_id: opt(Schema.String), id: opt(Schema.String), content: opt(Schema.String) }))
  )
})

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

/** A start-conversation answers in about a second (Genie only queues the question); one this slow is abandoned. */
const startRequestTimeoutMs = 30_000
/**
 * Tries of a start-conversation that fails transiently, 1 s apart doubling (1, 2, 4, 8 s, ±20 %): a refused request
 * costs Genie nothing, so the Databricks SDKs' 1 s is enough. Five tries that all meet independent faults of 15 %
 * happen once in 13,000; an outage still fails the call in ~15 s, so the breaker hears of it.
 */
const startRetry = { baseDelay: Duration.seconds(1), tries: 5 }
/** How far Genie's clock may be behind ours when a lost start-conversation is looked up by its creation time. */
const clockSkewMs = 30_000
/** The newest conversations looked at, and those of them whose messages are read, when looking one up. */
const lookupPageSize = 20
const lookupCandidates = 5

/**
 * Whether a failed start-conversation may have created the conversation anyway: a timeout, a dropped connection or
 * a 5xx other than 503 can come after Genie accepted the question. A 503 or 429 refuses the request unhandled.
 */
const mayHaveStarted = (error: Stages.GenieError): boolean => error.status !== 503

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
      : error.status === 0 && error.errorCode === "TIMEOUT"
        ? "Timeout"
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
 * again without asking again.
 *
 * Single requests that fail transiently (5xx, network, a hung request) are retried here, within that deadline, so
 * that one 503 does not cost a whole attempt of the question (the safety layer retries whole questions, with
 * `attempts`; `attempts` of an answer is always 1 here): reads (message polls, query results, statement polls,
 * chunks, execute-query) on the poll schedule, 429s included; start-conversation on the safety layer's backoff,
 * up to 5 tries, 429s excluded (they go to the rate limiter). A start-conversation that may have been handled although
 * its answer was lost is looked up before the question is asked again (see `start`).
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

  // Conversations this asker knows to be a question's own: a lookup never adopts them for another question.
  const claimed = new Set<string>()

  const call = <A, I>(
    method: "GET" | "POST",
    path: string,
    schema: Schema.Schema<A, I>,
    pending?: Stages.PendingMessage,
    options: RequestOptions = method === "POST" ? { body: {} } : {}
  ): Effect.Effect<A, Stages.GenieError> =>
    rest
      .request(method, path, { timeout: Duration.millis(pollRequestTimeoutMs), ...options })
      .pipe(Effect.flatMap(decodeBody(schema, `${method} ${path}`)), Effect.mapError(fromRest(pending)))

  /**
   * An idempotent read, made again after a transient failure (429 included) on the poll schedule until it succeeds
   * or a non-transient failure ends it; the question's deadline (the caller's timeout) bounds it. `onFailure` sees
   * each retried failure.
   */
  const read = <A>(request: Effect.Effect<A, Stages.GenieError>, onFailure: (error: Stages.GenieError) => void) =>
    Retry.withinDeadline(
      Effect.tapError(request, (error) => Effect.sync(() => onFailure(error))),
      { schedule: fixedSchedule }
    )

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

  /**
   * The statement behind a query attachment, re-run when its result expired, followed until terminal. Every request
   * here is a read or, for execute-query, re-runs Genie's read-only query: each is made again after a transient
   * failure, until the question's deadline (the caller's timeout) ends the wait with the message still pending.
   */
  const queryResult = (
    pending: Stages.PendingMessage,
    attachmentId: string,
    expired: boolean,
    onFailure: (error: Stages.GenieError) => void
  ) =>
    Effect.gen(function* () {
      const path = `${messagePath(pending)}/attachments/${attachmentId}`
      let response = expired
        ? undefined
        : (yield* read(call("GET", `${path}/query-result`, QueryResult, pending), onFailure)).statement_response
      if (response === undefined || response === null || StatementResponse.stateOf(response) === "CLOSED") {
        response = (yield* read(call("POST", `${path}/execute-query`, QueryResult, pending), onFailure))
          .statement_response
      }
      if (response === undefined || response === null) return undefined
      const statementId = response.statement_id
      if (StatementResponse.terminalStates.has(StatementResponse.stateOf(response)) || !statementId) return response
      const statementPath = `/api/2.0/sql/statements/${statementId}`
      const polled = yield* Polling.poll(
        Polling.tolerant(
          Effect.map(call("GET", statementPath, StatementResponse.StatementResponse, pending), (next) =>
            StatementResponse.terminalStates.has(StatementResponse.stateOf(next))
              ? Polling.done(next)
              : Polling.pending()
          ),
          { onTransient: (error) => Effect.sync(() => onFailure(error)) }
        ),
        fixedSchedule
      )
      // The fixed schedule never ends and there is no deadline here (the caller's timeout bounds the call).
      return Option.getOrUndefined(polled)
    })

  /** The answer of a terminal message, or the typed failure of a FAILED or CANCELLED one. */
  const answerOf = (
    pending: Stages.PendingMessage,
    message: Message,
    startedAt: number,
    onFailure: (error: Stages.GenieError) => void
  ) =>
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
      const response = yield* queryResult(pending, attachmentId, message.status === "QUERY_RESULT_EXPIRED", onFailure)
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
        startedAt: fetchStartedAt,
        retry: { schedule: fixedSchedule, requestTimeout: Duration.millis(pollRequestTimeoutMs) }
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

  /**
   * One status read: the terminal message, or pending (also when the read failed or hung: polls are idempotent).
   * A failed or hung read is made again at the next poll, until the deadline; only errors that another poll cannot
   * fix (auth, not found) end the wait early.
   */
  const checkMessage = (
    pending: Stages.PendingMessage,
    onStatus: (status: string) => void,
    onFailure: (error: Stages.GenieError) => void
  ) =>
    Polling.tolerant(
      Effect.map(call("GET", messagePath(pending), Message, pending), (message): Polling.Check<Message> => {
        onStatus(message.status)
        return terminal.has(message.status) ? Polling.done(message) : Polling.pending()
      }),
      { onTransient: (error) => Effect.sync(() => onFailure(error)) }
    )

  /**
   * Polls until the message is terminal and answers it, all before `startedAt + timeout`. An asked question follows
   * the profile's schedule; a resumed one is read at once and then backs off (its latency is past any plan).
   */
  const complete = (pending: Stages.PendingMessage, startedAt: number, resumed: boolean, keep = false) => {
    claimed.add(pending.conversationId)
    let lastStatus = "SUBMITTED"
    // The last failed request since the last successful one, for the timeout's message.
    let lastFailure: Stages.GenieError | undefined
    const onStatus = (status: string) => {
      lastStatus = status
      lastFailure = undefined
    }
    const onFailure = (error: Stages.GenieError) => {
      lastFailure = error
    }
    const poll = Polling.poll(checkMessage(pending, onStatus, onFailure), resumed ? fixedSchedule : messageSchedule, {
      immediately: resumed
    }).pipe(
      // Neither schedule ends, so there is always a message; the deadline is the timeout below.
      Effect.flatMap((found) => (Option.isSome(found) ? Effect.succeed(found.value) : Effect.never)),
      Effect.tap(recordLatency),
      Effect.flatMap((message) => answerOf(pending, message, startedAt, onFailure))
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
                `${lastStatus}${lastFailure === undefined ? "" : `; last request failed: ${lastFailure.message}`}); ` +
                "resume polls the same message",
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

  /**
   * The conversation a lost start-conversation created, if Genie has one: among this caller's newest conversations,
   * one created since `since` (less the clock skew) that no question of this asker owns, whose message is
   * `question`. A transient failure of the lookup fails (the caller tries again later); a workspace without the list
   * endpoints (404, 501) or another failure finds nothing.
   */
  const lookUp = (
    spaceId: string,
    question: string,
    since: number
  ): Effect.Effect<Option.Option<Started>, Stages.GenieError> =>
    Effect.gen(function* () {
      const base = `/api/2.0/genie/spaces/${spaceId}/conversations`
      const listed = yield* call("GET", base, ConversationList, undefined, { query: { page_size: lookupPageSize } })
      const candidates = (listed.conversations ?? [])
        .filter((c) => !claimed.has(c.conversation_id) && (c.created_timestamp ?? since) >= since - clockSkewMs)
        .slice(0, lookupCandidates)
      for (const c of candidates) {
        const messages = yield* call("GET", `${base}/${c.conversation_id}/messages`, MessageList)
        const asked = (messages.messages ?? []).find((m) => m.content?.trim() === question.trim())
        const messageId = asked?.message_id ?? asked?.id
        if (typeof messageId === "string")
          return Option.some({ conversation_id: c.conversation_id, message_id: messageId })
      }
      return Option.none()
    }).pipe(
      Effect.catchIf(
        (error) => !error.retryable,
        (error) =>
          Effect.as(Effect.logDebug(`cannot look up a lost Genie question: ${error.message}`), Option.none<Started>())
      ),
      // A 429 on a read says nothing about the question limit: retried like any transient failure, not throttled.
      Effect.mapError((error) =>
        error.rateLimited
          ? new Stages.GenieError({
              reason: "Unavailable",
              message: error.message,
              retryable: true,
              rateLimited: false,
              ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs })
            })
          : error
      )
    )

  /**
   * Asks the question: start-conversation, made again after a 5xx, a network failure or a hang (not after a 429:
   * the rate limiter around the call handles those), on the safety layer's backoff (`startRetry`) until `deadline`.
   *
   * Not asking twice: once Genie answers with the ids, the caller journals them (`onAccepted`) and every later
   * failure resumes that message instead of asking again. A try whose answer was lost (a timeout, a dropped
   * connection, a 5xx other than 503) may still have created the conversation, and its ids are then known to Genie
   * only. So before asking again after such a try, the question is looked up among this caller's newest
   * conversations (`lookUp`) and, when found, adopted instead of asked; only when it is not there (or the workspace
   * cannot list conversations) is it asked again. After a 503 it is asked again at once: the request was refused.
   */
  const start = (spaceId: string, question: string, since: number, deadline: number) =>
    Effect.suspend(() => {
      const path = `/api/2.0/genie/spaces/${spaceId}/start-conversation`
      let uncertain = false
      const post = Effect.flatMap(Clock.currentTimeMillis, (now) =>
        call("POST", path, Started, undefined, {
          body: { content: question },
          // No try starts after the deadline (`withinDeadline`) or outlasts it by more than a few seconds (the last
          // one, made at the deadline, still gets time to be answered; the safety policy allows 15 s of grace).
          timeout: Duration.millis(Math.min(startRequestTimeoutMs, Math.max(deadline - now, 5_000)))
        })
      ).pipe(
        Effect.tapError((error) =>
          Effect.sync(() => {
            uncertain ||= error.retryable && !error.rateLimited && mayHaveStarted(error)
          })
        )
      )
      const once = Effect.suspend(() =>
        uncertain
          ? Effect.flatMap(lookUp(spaceId, question, since), (found) =>
              Option.match(found, {
                onNone: () => post,
                onSome: (started) =>
                  Effect.as(
                    Effect.logInfo(`Genie had accepted the question ${started.message_id} whose answer was lost`),
                    started
                  )
              })
            )
          : post
      )
      return Retry.withinDeadline(once, {
        schedule: Retry.backoff({ baseDelay: startRetry.baseDelay }),
        deadline,
        tries: startRetry.tries,
        while: (error) => error.retryable && !error.rateLimited
      })
    })

  const ask = (spaceId: string, question: string, options?: Stages.AskOptions) =>
    Effect.gen(function* () {
      const startedAt = yield* Clock.currentTimeMillis
      const started = yield* start(spaceId, question, startedAt, startedAt + timeoutMs)
      claimed.add(started.conversation_id)
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
