import { Effect } from "effect"
import type { IncomingMessage, ServerResponse } from "node:http"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

/** A request as the stub saw it. */
export interface SeenRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingMessage["headers"]
  readonly body: string
}

export type Handler = (request: SeenRequest, response: ServerResponse, host: string) => void

/** A loopback HTTP server for one test (scoped): records requests and answers with `handler`. */
export const stubServer = (handler: Handler) =>
  Effect.acquireRelease(
    Effect.async<{ readonly host: string; readonly requests: Array<SeenRequest>; readonly close: () => void }>(
      (resume) => {
        const requests: Array<SeenRequest> = []
        const server = createServer((req, res) => {
          let body = ""
          req.on("data", (chunk: Buffer) => (body += chunk.toString()))
          req.on("end", () => {
            const seen = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body }
            requests.push(seen)
            handler(seen, res, `http://127.0.0.1:${(server.address() as AddressInfo).port}`)
          })
        })
        server.listen(0, "127.0.0.1", () =>
          resume(
            Effect.succeed({
              host: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
              requests,
              close: () => {
                server.closeAllConnections()
                server.close()
              }
            })
          )
        )
      }
    ),
    (server) => Effect.sync(server.close)
  )

/** Writes a JSON answer. */
export const json = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  response.writeHead(status, { "content-type": "application/json", ...headers })
  response.end(JSON.stringify(body))
}
