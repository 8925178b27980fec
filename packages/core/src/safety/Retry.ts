/**
 * The retry schedule of the safety layer: capped exponential backoff with jitter, for retryable errors only,
 * waiting at least as long as the server asked (`Retry-After`); and `withinDeadline`, which retries one request
 * on such a schedule until a deadline rather than for a number of attempts.
 */
import { Duration, Effect, Option, Schedule } from "effect"
import * as Errors from "../model/Errors.js"
import * as Polling from "./Polling.js"

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
 * The waits alone: `baseDelay`, doubling each time, ±20 % jitter, never longer than `cap` (`maxDelay` by default).
 * It never ends; `schedule` bounds it by attempts, `withinDeadline` by a deadline.
 *
 * @category constructors
 */
export const backoff = (options: {
  readonly baseDelay: Duration.DurationInput
  readonly cap?: Duration.DurationInput | undefined
}): Schedule.Schedule<Duration.Duration> => {
  const cap = Duration.decode(options.cap ?? maxDelay)
  return Schedule.exponential(options.baseDelay).pipe(
    Schedule.jittered,
    Schedule.modifyDelay((_, delay) => Duration.min(delay, cap))
  )
}

/**
 * A schedule for `Effect.retry`: continues while the error is retryable (`Errors.isRetryable`) and tries remain;
 * the delay before the next try is `max(backoff, retryAfterMs)` when the error carries a `retryAfterMs`.
 *
 * @category constructors
 */
export const schedule = (options: Options): Schedule.Schedule<unknown, unknown> =>
  backoff(options).pipe(
    Schedule.intersect(Schedule.recurs(options.attempts - 1)),
    Schedule.intersect(Schedule.identity<unknown>()),
    Schedule.whileInput(Errors.isRetryable),
    Schedule.modifyDelay(([, error], delay) => Duration.max(delay, Duration.millis(Errors.retryAfterMs(error) ?? 0)))
  )

/**
 * Runs one request, and again after each transient failure, until it succeeds, `deadline` (epoch ms on `Clock`) is
 * reached or `tries` were made; then it fails with the last failure. Other failures end it at once.
 *
 * **Details**
 * Transient is `Errors.isRetryable` unless `while` says otherwise (a caller that leaves 429s to the rate limiter
 * excludes them). The waits are `schedule`'s (e.g. `backoff`, or a poll schedule for reads), at least the error's
 * `retryAfterMs`, and never past `deadline`: the last try is made at the deadline itself. The first try is made
 * at once, even past the deadline. Without a deadline it retries for as long as `schedule` lasts (a caller's
 * timeout around it bounds it). A hung try needs a timeout of its own inside `request`. `tries` bounds how long an
 * outage holds the caller before the safety layer's breaker hears of it.
 *
 * Use it only for requests that are safe to repeat (reads, or writes whose earlier try is known not to have taken
 * effect): the caller decides, since only it knows what a repeat does.
 *
 * @category combinators
 */
export const withinDeadline = <A, E, R, Out, R2>(
  request: Effect.Effect<A, E, R>,
  options: {
    readonly schedule: Schedule.Schedule<Out, unknown, R2>
    readonly deadline?: number | undefined
    /** At most this many tries, the first included (default: no limit but the deadline and the schedule). */
    readonly tries?: number | undefined
    readonly while?: ((error: E) => boolean) | undefined
  }
): Effect.Effect<A, E, R | R2> =>
  Effect.suspend(() => {
    let last = Option.none<E>()
    const check = Polling.tolerant(Effect.map(request, Polling.done), {
      isTransient: options.while ?? Errors.isRetryable,
      onTransient: (error) =>
        Effect.sync(() => {
          last = Option.some(error)
        })
    })
    const schedule: Schedule.Schedule<unknown, unknown, R2> =
      options.tries === undefined
        ? options.schedule
        : Schedule.intersect(options.schedule, Schedule.recurs(Math.max(0, options.tries - 1)))
    return Effect.flatMap(
      Polling.poll(check, schedule, { deadline: options.deadline, immediately: true }),
      (found): Effect.Effect<A, E> =>
        Option.isSome(found)
          ? Effect.succeed(found.value)
          : Option.match(last, {
              onNone: () => Effect.dieMessage("Retry.withinDeadline: the poll ended before the first try"),
              onSome: (error) => Effect.fail(error)
            })
    )
  })
