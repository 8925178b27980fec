/**
 * Test helpers for the safety layer: scripted outcomes, recorded call times and captured log lines.
 */
import { Clock, Effect, Logger, Ref } from "effect"
import { ProviderError } from "../../src/model/Errors.js"

/** A 5xx: retryable, counts against the breaker. */
export const serverError = new ProviderError({ provider: "test", reason: "Server", message: "boom", retryable: true })

/** A 429, optionally with `Retry-After`. */
export const rateLimited = (retryAfterMs?: number) =>
  new ProviderError({
    provider: "test",
    reason: "RateLimited",
    message: "too many requests",
    retryable: true,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs })
  })

/** A 400: not retryable, the caller's fault. */
export const badRequest = new ProviderError({
  provider: "test",
  reason: "BadRequest",
  message: "bad",
  retryable: false
})

/**
 * An effect that plays `steps` in order (the last one repeats) and records the clock time of every run.
 */
export const scripted = <A, E>(steps: ReadonlyArray<Effect.Effect<A, E>>) =>
  Effect.map(Ref.make<ReadonlyArray<number>>([]), (times) => ({
    effect: Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.flatMap(
        Ref.getAndUpdate(times, (t) => [...t, now]),
        (before) => steps[Math.min(before.length, steps.length - 1)]
      )
    ),
    /** The clock time of each run, in ms. */
    times: Ref.get(times)
  }))

/** Runs the effect with a logger that collects the message of every log line. */
export const captureLogs = <A, E, R>(effect: (lines: ReadonlyArray<string>) => Effect.Effect<A, E, R>) => {
  const lines: Array<string> = []
  const logger = Logger.make(({ message }) => {
    lines.push(Array.isArray(message) ? message.join(" ") : String(message))
  })
  return effect(lines).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
}
