/**
 * JSON over HTTPS to a Databricks workspace: the `Authorization` header, the error envelope (databricks-api.md §1)
 * mapped to one typed error, a per-request timeout, and a single retry after an OAuth token was rejected. Retries
 * for rate limits and server errors are not done here: only the caller knows whether a request is safe to repeat,
 * so the adapters (for single requests) and the safety layer (for whole calls) do them, reading `retryable` and
 * `retryAfterMs`.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import type { HttpClientResponse } from "@effect/platform"
import { Redaction } from "@genie-enhancer/core"
import type { Errors } from "@genie-enhancer/core"
import { Clock, Context, Duration, Effect, Layer, Redacted, Schema } from "effect"
import { DatabricksAuth } from "./DatabricksAuth.js"

/**
 * A workspace REST call that failed: the HTTP status, the envelope's `error_code` and `message`.
 *
 * **Details**
 * `retryable` is true for 429, 5xx (but 501) and network failures; `rateLimited` for 429 /
 * `RESOURCE_EXHAUSTED` / `REQUEST_LIMIT_EXCEEDED` (the safety layer then slows down); `retryAfterMs` from the
 * `Retry-After` header (integer seconds, as Databricks sends, or an HTTP date). `status` 0 means no response.
 *
 * @category errors
 */
export class DatabricksError extends Schema.TaggedError<DatabricksError>()("DatabricksError", {
  status: Schema.Number,
  errorCode: Schema.String,
  message: Schema.String,
  /** `GET /api/2.0/genie/spaces/{id}`: the method and path, never the query string or body. */
  endpoint: Schema.String,
  retryable: Schema.Boolean,
  rateLimited: Schema.Boolean,
  retryAfterMs: Schema.optionalWith(Schema.Number, { exact: true })
}) {}

/**
 * One line for messages: `GET /api/2.0/x answered HTTP 404 RESOURCE_DOES_NOT_EXIST: …`, or the network failure.
 *
 * @category error handling
 */
export const describe = (error: DatabricksError): string =>
  error.status === 0
    ? `${error.endpoint}: ${error.message}`
    : `${error.endpoint} answered HTTP ${error.status} ${error.errorCode}: ${error.message}`

/**
 * A request that got no answer within `afterMs` and was abandoned: status 0, `TIMEOUT`, retryable. The server may
 * still have handled it.
 *
 * @category constructors
 */
export const timedOut = (endpoint: string, afterMs: number): DatabricksError =>
  new DatabricksError({
    status: 0,
    errorCode: "TIMEOUT",
    message: `no answer within ${Math.round(afterMs / 100) / 10}s`,
    endpoint,
    retryable: true,
    rateLimited: false
  })

/**
 * Decodes a response body with `schema`; a body of another shape is a non-retryable `INVALID_RESPONSE` error naming
 * the endpoint and what did not match.
 *
 * @category constructors
 */
export const decodeBody =
  <A, I>(schema: Schema.Schema<A, I>, endpoint: string) =>
  (body: unknown): Effect.Effect<A, DatabricksError> =>
    Schema.decodeUnknown(schema)(body).pipe(
      Effect.mapError(
        (error) =>
          new DatabricksError({
            status: 200,
            errorCode: "INVALID_RESPONSE",
            message: `unexpected response: ${error.message}`,
            endpoint,
            retryable: false,
            rateLimited: false
          })
      )
    )

/**
 * Query parameters and JSON body of a request.
 *
 * @category models
 */
export interface RequestOptions {
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>
  readonly body?: unknown
  /**
   * Abandons the request (interrupting it) when no answer arrived in time: a retryable `DatabricksError` with
   * status 0 and error code `TIMEOUT`. Without one, only the caller's deadline ends a hung request.
   */
  readonly timeout?: Duration.DurationInput
}

/**
 * Calls the workspace's REST API and returns the parsed JSON body (`{}` for an empty body).
 *
 * @category services
 */
export class RestClient extends Context.Tag("@genie-enhancer/databricks/RestClient")<
  RestClient,
  {
    readonly host: string
    readonly request: (
      method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE",
      path: string,
      options?: RequestOptions
    ) => Effect.Effect<unknown, DatabricksError | Errors.AuthFailed>
  }
>() {}

const rateLimitCodes: ReadonlySet<string> = new Set(["RESOURCE_EXHAUSTED", "REQUEST_LIMIT_EXCEEDED"])

const statusCodes: Readonly<Record<number, string>> = {
  400: "BAD_REQUEST",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "RESOURCE_CONFLICT",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL_ERROR",
  501: "NOT_IMPLEMENTED",
  503: "TEMPORARILY_UNAVAILABLE",
  504: "DEADLINE_EXCEEDED"
}

/**
 * Milliseconds to wait from a `Retry-After` value: integer seconds or an HTTP date (relative to `now`).
 *
 * @category constructors
 */
export const parseRetryAfter = (value: string | undefined, now: number): number | undefined => {
  if (value === undefined || value.trim() === "") return undefined
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** The envelope's `error_code` and `message`, falling back to legacy `{error}`, `CODE: message` text and status. */
const describeFailure = (status: number, text: string): { readonly errorCode: string; readonly message: string } => {
  const fallbackCode = statusCodes[status] ?? (status >= 500 ? "INTERNAL_ERROR" : "UNKNOWN")
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  if (typeof body === "object" && body !== null) {
    const b = body as { readonly error_code?: unknown; readonly message?: unknown; readonly error?: unknown }
    const code = typeof b.error_code === "string" ? b.error_code : fallbackCode
    const message = typeof b.message === "string" ? b.message : typeof b.error === "string" ? b.error : ""
    return { errorCode: code, message: message === "" ? `HTTP ${status}` : message }
  }
  const plain = /^([A-Z_]{3,}): (.+)$/s.exec(text.trim())
  if (plain !== null) return { errorCode: plain[1], message: plain[2] }
  // An HTML error page or other text: keep the status, not a page of markup.
  return { errorCode: fallbackCode, message: `HTTP ${status}` }
}

const toError = (endpoint: string, response: HttpClientResponse.HttpClientResponse, text: string, now: number) => {
  // A server may echo the request (its Authorization header included) into the error: never keep a secret.
  const { errorCode, message } = describeFailure(response.status, Redaction.redact(text))
  const rateLimited = response.status === 429 || rateLimitCodes.has(errorCode)
  const retryAfterMs = parseRetryAfter(response.headers["retry-after"], now)
  return new DatabricksError({
    status: response.status,
    errorCode,
    message,
    endpoint,
    rateLimited,
    retryable: rateLimited || (response.status >= 500 && response.status !== 501),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs })
  })
}

const make = Effect.gen(function* () {
  const auth = yield* DatabricksAuth
  const client = yield* HttpClient.HttpClient

  const attempt = (method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE", path: string, options: RequestOptions) =>
    Effect.gen(function* () {
      const endpoint = `${method} ${path}`
      const authorization = yield* auth.authorization
      Redaction.register(Redacted.value(authorization).replace(/^\S+\s+/, ""))
      let request = HttpClientRequest.make(method)(`${auth.host}${path}`).pipe(
        HttpClientRequest.setHeader("authorization", Redacted.value(authorization)),
        HttpClientRequest.acceptJson
      )
      for (const [key, value] of Object.entries(options.query ?? {})) {
        if (value !== undefined) request = HttpClientRequest.setUrlParam(request, key, String(value))
      }
      if (options.body !== undefined)
        request = yield* HttpClientRequest.bodyJson(request, options.body).pipe(Effect.orDie)
      const response = yield* client.execute(request).pipe(
        Effect.mapError(
          (cause) =>
            new DatabricksError({
              status: 0,
              errorCode: "NETWORK_ERROR",
              message: `cannot reach ${auth.host}: ${Redaction.redact(cause.message)}`,
              endpoint,
              retryable: true,
              rateLimited: false
            })
        )
      )
      const text = yield* response.text.pipe(Effect.orElseSucceed(() => ""))
      if (response.status >= 200 && response.status < 300) {
        return text.trim() === ""
          ? {}
          : yield* Effect.try({
              try: (): unknown => JSON.parse(text),
              catch: () =>
                new DatabricksError({
                  status: response.status,
                  errorCode: "INVALID_RESPONSE",
                  message: "the workspace answered with a body that is not JSON",
                  endpoint,
                  retryable: false,
                  rateLimited: false
                })
            })
      }
      return yield* toError(endpoint, response, text, yield* Clock.currentTimeMillis)
    })

  const request = (method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE", path: string, options: RequestOptions = {}) => {
    const answered = attempt(method, path, options).pipe(
      // An OAuth token can be revoked or expire early: fetch a new one and try once more.
      Effect.catchIf(
        (e): e is DatabricksError => auth.refreshable && e._tag === "DatabricksError" && e.status === 401,
        () => Effect.zipRight(auth.invalidate, attempt(method, path, options))
      )
    )
    if (options.timeout === undefined) return answered
    const afterMs = Duration.toMillis(options.timeout)
    return Effect.timeoutFail(answered, {
      duration: options.timeout,
      onTimeout: () => timedOut(`${method} ${path}`, afterMs)
    })
  }

  return { host: auth.host, request }
})

/**
 * The REST client over `DatabricksAuth` and an `HttpClient`.
 *
 * @category layers
 */
export const layer: Layer.Layer<RestClient, never, DatabricksAuth | HttpClient.HttpClient> = Layer.effect(
  RestClient,
  make
)
