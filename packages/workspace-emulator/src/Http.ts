/**
 * A small JSON HTTP server on 127.0.0.1 (`node:http`) whose handlers are effects: each request runs in a fiber of
 * the emulator (so Effect's `Clock` and `TestClock` apply), is interrupted when the client goes away, and every
 * fiber is interrupted when the server's scope closes.
 */
import { Data, Effect, Exit, FiberId, FiberSet } from "effect"
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from "node:http"
import { createServer } from "node:http"
import * as ApiError from "./ApiError.js"
import type { Family } from "./Faults.js"

/** An incoming request with its body read. @category models */
export interface Request {
  readonly method: string
  readonly path: string
  readonly params: Readonly<Record<string, string>>
  readonly query: URLSearchParams
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/** A response: a JSON body (or raw text when `body` is a string and a content type is given). @category models */
export interface Response {
  readonly status: number
  readonly body: unknown
  readonly headers?: Readonly<Record<string, string>>
}

/** A 200 (or other status) JSON response. @category constructors */
export const json = (body: unknown, status = 200, headers?: Readonly<Record<string, string>>): Response =>
  headers === undefined ? { status, body } : { status, body, headers }

/** An endpoint. @category models */
export interface Route {
  readonly method: "GET" | "POST" | "PATCH" | "DELETE"
  readonly pattern: RegExp
  readonly names: ReadonlyArray<string>
  readonly family: Family
  /** Whether the endpoint needs `Authorization: Bearer …` (every REST endpoint but OIDC). */
  readonly auth: boolean
  readonly handle: (request: Request) => Effect.Effect<Response, ApiError.ApiError>
}

/**
 * Declares an endpoint; `path` segments written `:name` become `request.params.name`.
 *
 * @category constructors
 */
export const route = (
  method: Route["method"],
  path: string,
  family: Family,
  handle: Route["handle"],
  options?: { readonly auth?: boolean }
): Route => {
  const names: Array<string> = []
  const source = path
    .split("/")
    .map((segment) => {
      if (!segment.startsWith(":")) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
      names.push(segment.slice(1))
      return "([^/]+)"
    })
    .join("/")
  return { method, pattern: new RegExp(`^${source}$`), names, family, auth: options?.auth ?? true, handle }
}

/**
 * The JSON object body of a request; anything else is 400 `MALFORMED_REQUEST`.
 *
 * @category constructors
 */
export const jsonBody: (request: Request) => Effect.Effect<Record<string, unknown>, ApiError.ApiError> = Effect.fn(
  "Http.jsonBody"
)(function* (request: Request) {
  if (request.body.trim() === "") return {}
  const value = yield* Effect.try({
    try: (): unknown => JSON.parse(request.body),
    catch: () => ApiError.malformed("Could not parse request object: the body is not valid JSON.")
  })
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return yield* ApiError.malformed("Could not parse request object: expected a JSON object.")
  }
  return value as Record<string, unknown>
})

/**
 * Finds the route of a request and runs it; `before` runs first (authentication, injected faults). Unknown paths
 * answer 404 `ENDPOINT_NOT_FOUND`; typed errors become the Databricks error envelope; defects become 500.
 *
 * @category constructors
 */
export const dispatch =
  (routes: ReadonlyArray<Route>, before: (route: Route, request: Request) => Effect.Effect<void, ApiError.ApiError>) =>
  (request: Request): Effect.Effect<Response> => {
    for (const r of routes) {
      if (r.method !== request.method) continue
      const m = r.pattern.exec(request.path)
      if (m === null) continue
      const params = Object.fromEntries(r.names.map((name, i) => [name, decodeURIComponent(m[i + 1] ?? "")]))
      return before(r, request).pipe(
        Effect.zipRight(r.handle({ ...request, params })),
        Effect.catchAll((e) => Effect.succeed(json(ApiError.envelope(e), e.status, e.headers))),
        Effect.catchAllDefect((defect) =>
          Effect.succeed(json({ error_code: "INTERNAL_ERROR", message: `The emulator failed: ${String(defect)}` }, 500))
        )
      )
    }
    return Effect.succeed(
      json({ error_code: "ENDPOINT_NOT_FOUND", message: `No API found for '${request.method} ${request.path}'` }, 404)
    )
  }

/**
 * The server could not listen (e.g. the port is taken).
 *
 * @category errors
 */
export class ListenFailed extends Data.TaggedError("ListenFailed")<{ readonly port: number; readonly reason: string }> {
  override get message(): string {
    return `cannot listen on 127.0.0.1:${this.port}: ${this.reason}`
  }
}

const write = (res: ServerResponse, response: Response): void => {
  const text = typeof response.body === "string" ? response.body : JSON.stringify(response.body)
  res.writeHead(response.status, { "content-type": "application/json", ...response.headers })
  res.end(text)
}

/**
 * Serves `handler` on 127.0.0.1 (`port` 0 picks a free port) until the scope closes; returns the bound port.
 *
 * @category constructors
 */
export const listen = Effect.fn("Http.listen")(function* (
  port: number,
  handler: (request: Request) => Effect.Effect<Response>
) {
  const run = yield* FiberSet.makeRuntime<never>()
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Array<Buffer> = []
    // A client that aborts while sending its body: nothing to answer.
    req.on("error", () => res.destroy())
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1")
      const fiber = run(
        handler({
          method: req.method ?? "GET",
          path: url.pathname,
          params: {},
          query: url.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks).toString("utf8")
        })
      )
      fiber.addObserver((exit) => {
        if (res.writableEnded || res.destroyed) return
        if (Exit.isSuccess(exit)) write(res, exit.value)
        else res.destroy()
      })
      res.on("close", () => {
        // The client gave up (or the server is stopping): stop the work, e.g. an injected hang.
        if (!res.writableEnded) fiber.unsafeInterruptAsFork(FiberId.none)
      })
    })
  }
  const server = yield* Effect.acquireRelease(
    Effect.async<Server, ListenFailed>((resume) => {
      const s = createServer(onRequest)
      s.once("error", (e) => resume(Effect.fail(new ListenFailed({ port, reason: e.message }))))
      s.listen(port, "127.0.0.1", () => resume(Effect.succeed(s)))
    }),
    (s) =>
      Effect.async<void>((resume) => {
        s.close(() => resume(Effect.void))
        s.closeAllConnections()
      })
  )
  const address = server.address()
  return typeof address === "object" && address !== null ? address.port : port
})
