/**
 * An adaptive rate limiter for one endpoint: a token bucket that slows down when the server answers "too many
 * requests" and speeds up again gradually, so 429s cost time instead of failed benchmarks.
 *
 * **Details**
 * - Spacing: one token every `60 / perMinute` seconds (a bucket of capacity 1). A larger burst would overrun a
 *   server that counts requests in a sliding minute, as Genie's per-workspace question limit does.
 * - Adaptation (AIMD, as in TCP): every refusal pauses every caller until `Retry-After`. A refusal that repeats
 *   within a minute of the previous one, after its pause ended, halves the rate: the server's limit really is
 *   lower. An isolated refusal (a request that landed just inside the server's window) only pauses, so jitter does
 *   not cost throughput. Refusals that arrive during a pause were sent before it and change nothing more. After
 *   the pause the rate grows by a tenth of the configured rate per minute until it is back to the configured rate.
 * - Without a configured rate, calls are not spaced, but refusals still pause every caller.
 * - Acquiring never fails; it waits. Time comes from `Clock`, so `TestClock` drives it.
 */
import { Clock, Duration, Effect, Ref } from "effect"
import * as Errors from "../model/Errors.js"

/**
 * True for a rate-limit refusal (HTTP 429, `RESOURCE_EXHAUSTED`, Genie's `RATE_LIMIT_EXCEEDED_*`): a
 * `ProviderError` with `reason: "RateLimited"`, or any error carrying `rateLimited: true`. Such errors should also
 * carry `retryable: true` and, when the server sent one, `retryAfterMs`.
 *
 * @category error handling
 */
export const isRateLimit = (error: unknown): boolean => {
  if (typeof error !== "object" || error === null) return false
  const { reason, rateLimited } = error as { reason?: unknown; rateLimited?: unknown }
  return reason === "RateLimited" || rateLimited === true
}

/** Multiplicative decrease: halving finds an unknown server limit in a few refusals. */
const decrease = 0.5
/** A refusal within this long of the previous one means the rate is too high, not that one request was unlucky. */
const repeatWindowMs = 60_000
/** Additive increase per minute, as a fraction of the configured rate: full speed five minutes after a halving. */
const recovery = 0.1
/** The rate never drops below one call per minute. */
const minPerMinute = 1
/** The pause when a refusal names no `Retry-After`: one second, as the Databricks SDKs assume. */
const defaultPauseMs = 1000

/**
 * Refusals `run` absorbs per call before it passes the error on. A refused request did no work, so absorbing it
 * is safe and does not use up the caller's retry attempts.
 *
 * @category configuration
 */
export const maxRefusals = 10

/**
 * What a limiter has seen, for progress displays and run summaries.
 *
 * @category models
 */
export interface Stats {
  /** Rate-limit refusals (429s) received. */
  readonly refusals: number
  /** The rate allowed now, per minute; `undefined` when calls are not spaced. */
  readonly perMinute: number | undefined
}

/**
 * An adaptive token bucket for one endpoint.
 *
 * @category models
 */
export interface RateLimiter {
  readonly key: string
  /** Waits for a token (and for any pause to end). Never fails. */
  readonly acquire: Effect.Effect<void>
  /** Reports a refusal: slows down and pauses every caller until the error's `retryAfterMs` (default 1 s). */
  readonly throttle: (error: unknown) => Effect.Effect<void>
  /**
   * Takes a token, then runs the effect; a refusal (`isRateLimit`) throttles and, up to `maxRefusals` times per
   * call, runs the effect again once the pause is over.
   */
  readonly run: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  readonly stats: Effect.Effect<Stats>
}

/**
 * How a limiter spaces calls.
 *
 * @category configuration
 */
export interface Options {
  readonly key: string
  /** Calls per minute (profile `questionsPerMinute` for Genie); absent: calls are not spaced. */
  readonly perMinute?: number | undefined
}

interface State {
  /** Earliest time the next token may be taken. */
  readonly nextAt: number
  readonly pausedUntil: number
  /** The rate set by the last decrease, per minute; `undefined` until the first refusal. */
  readonly reducedTo: number | undefined
  /** When the rate starts growing back (the end of the last pause). */
  readonly recoverFrom: number
  readonly refusals: number
  readonly lastRefusalAt: number
}

/**
 * Creates a limiter with the configured rate and no pause.
 *
 * @category constructors
 */
export const make = Effect.fn("RateLimiter.make")(function* (options: Options) {
  const { key, perMinute } = options
  const state = yield* Ref.make<State>({
    nextAt: 0,
    pausedUntil: 0,
    reducedTo: undefined,
    recoverFrom: 0,
    refusals: 0,
    lastRefusalAt: Number.NEGATIVE_INFINITY
  })
  // One waiter at a time, in arrival order; it re-checks after sleeping because a refusal may have paused us.
  const turnstile = yield* Effect.makeSemaphore(1)

  const rateAt = (s: State, now: number): number | undefined =>
    perMinute === undefined || s.reducedTo === undefined
      ? perMinute
      : Math.min(perMinute, s.reducedTo + (perMinute * recovery * Math.max(0, now - s.recoverFrom)) / 60_000)

  const take = (s: State, now: number): readonly [number, State] => {
    const readyAt = Math.max(s.nextAt, s.pausedUntil)
    if (readyAt > now) return [readyAt - now, s]
    const rate = rateAt(s, now)
    return [0, rate === undefined ? s : { ...s, nextAt: now + 60_000 / rate }]
  }

  const acquire = turnstile.withPermits(1)(
    Effect.gen(function* () {
      for (;;) {
        const now = yield* Clock.currentTimeMillis
        const wait = yield* Ref.modify(state, (s) => take(s, now))
        if (wait === 0) return
        yield* Effect.sleep(Duration.millis(wait))
      }
    })
  )

  const throttle = (error: unknown) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const pauseMs = Errors.retryAfterMs(error) ?? defaultPauseMs
      const next = yield* Ref.updateAndGet(state, (s) => {
        // Refusals that arrive during a pause were sent before it: they extend the pause but slow us no further.
        const repeated = now >= s.pausedUntil && now - s.lastRefusalAt <= repeatWindowMs
        const current = repeated ? rateAt(s, now) : undefined
        const pausedUntil = Math.max(s.pausedUntil, now + pauseMs)
        return {
          ...s,
          refusals: s.refusals + 1,
          lastRefusalAt: now,
          reducedTo: current === undefined ? s.reducedTo : Math.max(minPerMinute, current * decrease),
          pausedUntil,
          // Growth back to the configured rate restarts only after a decrease.
          recoverFrom: current === undefined ? s.recoverFrom : pausedUntil
        }
      })
      const slower = next.reducedTo === undefined ? "" : `, slowing to ${Math.round(next.reducedTo * 10) / 10}/min`
      yield* Effect.logWarning(`Rate limited on ${key}: pausing ${pauseMs / 1000}s${slower}`).pipe(
        Effect.annotateLogs("rateLimiter", key)
      )
    })

  const run = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
    const attempt = (refused: number): Effect.Effect<A, E, R> =>
      Effect.zipRight(acquire, effect).pipe(
        Effect.tapError((error) => (isRateLimit(error) ? throttle(error) : Effect.void)),
        Effect.catchIf(
          (error) => isRateLimit(error) && refused < maxRefusals,
          () => attempt(refused + 1)
        )
      )
    return attempt(0)
  }

  const stats = Effect.flatMap(Clock.currentTimeMillis, (now) =>
    Effect.map(Ref.get(state), (s): Stats => ({ refusals: s.refusals, perMinute: rateAt(s, now) }))
  )

  const limiter: RateLimiter = { key, acquire, throttle, run, stats }
  return limiter
})
