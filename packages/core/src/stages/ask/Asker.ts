/** ask: the stage contract, its error and the pending message a timed-out question leaves behind. */
import { Context, Schema } from "effect"
import type { Effect } from "effect"
import type { GenieAnswer } from "../../model/Results.js"

/**
 * A Genie message that was asked but whose answer is not in yet. After a timeout, poll it again with
 * `Asker.resume` instead of asking again, so a retry never duplicates a conversation.
 *
 * @category models
 */
export class PendingMessage extends Schema.Class<PendingMessage>("PendingMessage")({
  spaceId: Schema.String,
  conversationId: Schema.String,
  messageId: Schema.String
}) {}

/**
 * Why asking Genie failed. @category models
 */
export const GenieErrorReason = Schema.Literal(
  "RateLimited",
  "Timeout",
  "Failed",
  "Cancelled",
  "Unavailable",
  "Auth",
  "NotFound",
  "BadRequest"
)
/** @category models */
export type GenieErrorReason = typeof GenieErrorReason.Type

/**
 * Asking Genie failed: an HTTP error, a FAILED or CANCELLED message, or no answer in time.
 *
 * **Details**
 * Follows the retry conventions of `Errors.isRetryable` / `Errors.retryAfterMs` and `RateLimiter.isRateLimit`:
 * HTTP 429 and `RATE_LIMIT_EXCEEDED_*` messages are `rateLimited` and retryable; 5xx and timeouts are retryable;
 * auth, not-found and bad requests are not. A `Timeout` carries the `pending` message to resume.
 *
 * @category errors
 */
export class GenieError extends Schema.TaggedError<GenieError>()("GenieError", {
  reason: GenieErrorReason,
  message: Schema.String,
  retryable: Schema.Boolean,
  rateLimited: Schema.Boolean,
  retryAfterMs: Schema.optionalWith(Schema.Number, { exact: true }),
  /** HTTP status, when the failure was an HTTP error. */
  status: Schema.optionalWith(Schema.Number, { exact: true }),
  /** Genie's `MessageErrorType` of a FAILED message (`SQL_EXECUTION_EXCEPTION`, …). */
  errorType: Schema.optionalWith(Schema.String, { exact: true }),
  /** The SQL Genie wrote before failing (e.g. a query that failed on the warehouse), when there was one. */
  sql: Schema.optionalWith(Schema.String, { exact: true }),
  pending: Schema.optionalWith(PendingMessage, { exact: true })
}) {}

/**
 * Options of one `Asker.ask`.
 *
 * @category models
 */
export interface AskOptions {
  /**
   * Called once Genie has accepted the question (conversation and message ids known), before its answer is awaited.
   * The scorer journals it, so a run interrupted while the answer is pending resumes polling that message instead of
   * asking again. Must not fail.
   */
  readonly onAccepted?: (pending: PendingMessage) => Effect.Effect<void>
  /**
   * Leave the conversation in place once answered, even when the workspace settings say to delete it: the caller
   * records the answer first and then calls `Asker.release`, so an interruption in between can still read it.
   */
  readonly keepConversation?: boolean
}

/** ask: put one question to Genie in a new conversation and wait for its answer. @category services */
export class Asker extends Context.Tag("@genie-enhancer/core/Asker")<
  Asker,
  {
    readonly ask: (spaceId: string, question: string, options?: AskOptions) => Effect.Effect<GenieAnswer, GenieError>
    /** Waits again for a message that timed out, without asking again. */
    readonly resume: (pending: PendingMessage, options?: AskOptions) => Effect.Effect<GenieAnswer, GenieError>
    /** Deletes a conversation kept with `keepConversation` (when the settings say so); never fails. */
    readonly release?: (pending: PendingMessage) => Effect.Effect<void>
  }
>() {}
