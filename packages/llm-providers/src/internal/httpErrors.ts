/**
 * HTTP status → `ProviderError`, shared by the per-provider error mappers so every provider classifies a 429 or a
 * 503 the same way for the safety layer.
 */
import { Errors } from "@genie-enhancer/core"

/**
 * Milliseconds a `Retry-After` header asks us to wait: delay-seconds (`"2"`, `"1.5"`; Databricks sends floats) or
 * an HTTP date. A date is measured against the response's own `Date` header when present (no clock skew between
 * us and the server), else against `now`.
 */
export const parseRetryAfter = (headers: Headers | undefined, now: number): number | undefined => {
  // OpenAI also sends `retry-after-ms`, which is more precise than whole seconds.
  const ms = Number(headers?.get("retry-after-ms") ?? Number.NaN)
  if (Number.isFinite(ms) && ms >= 0) return ms
  const value = headers?.get("retry-after")?.trim()
  if (value === undefined || value === "") return undefined
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000)
  const at = Date.parse(value)
  if (Number.isNaN(at)) return undefined
  const date = Date.parse(headers?.get("date") ?? "")
  return Math.max(0, at - (Number.isNaN(date) ? now : date))
}

/** What a mapper knows about a failed HTTP response. */
export interface HttpFailure {
  readonly provider: string
  readonly status: number
  readonly headers: Headers | undefined
  /** The server's explanation; dropped for 401/403, whose bodies may echo part of the key. */
  readonly detail: string
  /** The environment variable or service holding the credentials, named in Auth messages. */
  readonly credentials: string
  readonly now: number
}

/**
 * Classifies a failed response: 429 → `RateLimited` (with `Retry-After`), 401/403 → `Auth`, 408 → `Timeout`,
 * 5xx (and 529 "overloaded") → `Server`, other 4xx → `BadRequest`. Only the first, third and fourth are retryable.
 */
export const fromStatus = (failure: HttpFailure): Errors.ProviderError => {
  const { provider, status, detail } = failure
  const base = { provider, status }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(failure.headers, failure.now)
    return new Errors.ProviderError({
      ...base,
      reason: "RateLimited",
      retryable: true,
      message: `${provider} rate limit (HTTP 429)${retryAfterMs === undefined ? "" : `, retry after ${retryAfterMs} ms`}: ${detail}`,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs })
    })
  }
  if (status === 401 || status === 403) {
    return new Errors.ProviderError({
      ...base,
      reason: "Auth",
      retryable: false,
      message: `${provider} rejected the credentials (HTTP ${status}); check ${failure.credentials}`
    })
  }
  if (status === 408) {
    return new Errors.ProviderError({
      ...base,
      reason: "Timeout",
      retryable: true,
      message: `${provider} timed out (HTTP 408)`
    })
  }
  if (status >= 500) {
    const retryAfterMs = parseRetryAfter(failure.headers, failure.now)
    return new Errors.ProviderError({
      ...base,
      reason: "Server",
      retryable: true,
      message: `${provider} server error (HTTP ${status}): ${detail}`,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs })
    })
  }
  return new Errors.ProviderError({
    ...base,
    reason: "BadRequest",
    retryable: false,
    message: `${provider} rejected the request (HTTP ${status}): ${detail}`
  })
}

/** A failure before any response: connection refused, reset, DNS. Retryable. */
export const network = (provider: string, cause: unknown): Errors.ProviderError =>
  new Errors.ProviderError({
    provider,
    reason: "Network",
    retryable: true,
    message: `cannot reach ${provider}: ${describe(cause)}`
  })

/** The SDK's own timeout (a backstop; the safety layer's per-attempt timeout normally fires first). */
export const timeout = (provider: string): Errors.ProviderError =>
  new Errors.ProviderError({ provider, reason: "Timeout", retryable: true, message: `${provider} request timed out` })

const describe = (cause: unknown): string => {
  if (!(cause instanceof Error)) return String(cause)
  // undici hides the useful part (ECONNREFUSED …) in `cause`.
  const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : ""
  return `${cause.message}${inner}`
}
