import { Errors, Redaction } from "@genie-enhancer/core"
import { Clock, Effect } from "effect"

/**
 * Runs one SDK request with the fiber's `AbortSignal`, so an interrupted effect (the safety layer's timeout, a
 * cancelled run) aborts the HTTP request and closes its socket. Failures are mapped with the time they happened,
 * which `Retry-After` dates are measured against; their messages are redacted (`Redaction.redact`).
 */
export const sdkCall = <A>(
  request: (signal: AbortSignal) => Promise<A>,
  toProviderError: (error: unknown, now: number) => Errors.ProviderError
): Effect.Effect<A, Errors.ProviderError> =>
  Effect.tryPromise({ try: request, catch: (error) => error }).pipe(
    Effect.catchAll((error) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        // A server may echo the request (its API key included) into the error: never keep a secret.
        const mapped = toProviderError(error, now)
        return Effect.fail(new Errors.ProviderError({ ...mapped, message: Redaction.redact(mapped.message) }))
      })
    )
  )
