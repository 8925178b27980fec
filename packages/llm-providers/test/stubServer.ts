/**
 * A loopback HTTP server that speaks whatever wire protocol a test scripts, records what it received, and can hang
 * a request to observe the client aborting it.
 */
import { Deferred, Effect } from "effect"
import type { Scope } from "effect"
import { createServer } from "node:http"
import type { IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"

export interface Received {
  readonly method: string
  readonly path: string
  readonly headers: IncomingHttpHeaders
  readonly body: any
}

export interface Reply {
  readonly status?: number
  readonly headers?: Readonly<Record<string, string>>
  readonly json?: unknown
  /** Node adds a `Date` header unless told not to. */
  readonly sendDate?: boolean
}

/** A reply, or `"hang"`: never answer, to observe the client giving up. */
export type Respond = Reply | "hang"

export interface Stub {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly requests: Array<Received>
  /** Completed when a request the handler chose to hang has arrived. */
  readonly hanging: Deferred.Deferred<void>
  /** Completed when the client closed a hanging request's connection. */
  readonly aborted: Deferred.Deferred<void>
}

/** Starts a stub for the scope; `handler` sees each request and its index. */
export const stubServer = (
  handler: (request: Received, index: number) => Respond
): Effect.Effect<Stub, never, Scope.Scope> =>
  Effect.gen(function* () {
    const hanging = yield* Deferred.make<void>()
    const aborted = yield* Deferred.make<void>()
    const requests: Array<Received> = []
    const server = createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8")
        const received: Received = {
          method: req.method ?? "",
          path: req.url ?? "",
          headers: req.headers,
          body: text === "" ? undefined : JSON.parse(text)
        }
        requests.push(received)
        const respond = handler(received, requests.length - 1)
        if (respond === "hang") {
          res.on("close", () => Deferred.unsafeDone(aborted, Effect.void))
          Deferred.unsafeDone(hanging, Effect.void)
          return
        }
        res.sendDate = respond.sendDate ?? true
        res.writeHead(respond.status ?? 200, { "content-type": "application/json", ...respond.headers })
        res.end(respond.json === undefined ? "" : JSON.stringify(respond.json))
      })
    })
    yield* Effect.acquireRelease(
      Effect.async<void>((resume) => {
        server.listen(0, "127.0.0.1", () => resume(Effect.void))
      }),
      () =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    const { port } = server.address() as AddressInfo
    return { url: `http://127.0.0.1:${port}`, requests, hanging, aborted }
  })

/** A URL where nothing listens: a port we bound and released. */
export const deadUrl: Effect.Effect<string> = Effect.scoped(
  Effect.map(
    stubServer(() => ({})),
    (stub) => stub.url
  )
)

/** An OpenAI chat completion (also what Databricks serving endpoints return). */
export const chatCompletion = (content: unknown, usage = { prompt: 11, completion: 7 }) => ({
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1_760_000_000,
  model: "stub-model",
  choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
  usage: {
    prompt_tokens: usage.prompt,
    completion_tokens: usage.completion,
    total_tokens: usage.prompt + usage.completion
  }
})

/** An OpenAI-style error body. */
export const openAiError = (status: number, message: string, headers: Record<string, string> = {}): Reply => ({
  status,
  headers,
  json: { error: { message, type: "invalid_request_error", code: null } }
})
