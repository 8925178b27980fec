/**
 * The retry schedule of the safety layer: capped exponential backoff with jitter, for retryable errors only,
 * waiting at least as long as the server asked (`Retry-After`).
 */
import { Duration, Schedule } from "effect"
import * as Errors from "../model/Errors.js"

/**
 * The longest backoff between two attempts: 30 s, cockatiel's default `maxDelay`. A server's `Retry-After` may ask
 * for longer and is honoured.
 *
 * @category configuration
 */
export const maxDelay: Duration.Duration = Duration.seconds(30)

/**
 * How often and how patiently to retry.
 *
 * @category configuration
 */
export interface Options {
  /** Total tries, the first included (profile `attempts`; 1 = no retry). */
  readonly attempts: number
  /** The wait before the second try; it doubles for each further one (±20 % jitter, capped at `maxDelay`). */
  readonly baseDelay: Duration.DurationInput
}

/**
 * A schedule for `Effect.retry`: continues while the error is retryable (`Errors.isRetryable`) and tries remain;
 * the delay before the next try is `max(backoff, retryAfterMs)` when the error carries a `retryAfterMs`.
 *
 * @category constructors
 */
export const schedule = (options: Options): Schedule.Schedule<unknown, unknown> =>
  Schedule.exponential(options.baseDelay).pipe(
    Schedule.jittered,
    Schedule.modifyDelay((_, delay) => Duration.min(delay, maxDelay)),
    Schedule.intersect(Schedule.recurs(options.attempts - 1)),
    Schedule.intersect(Schedule.identity<unknown>()),
    Schedule.whileInput(Errors.isRetryable),
    Schedule.modifyDelay(([, error], delay) => Duration.max(delay, Duration.millis(Errors.retryAfterMs(error) ?? 0)))
  )
