import { FetchHttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Redacted } from "effect"
import * as DatabricksAuth from "../src/DatabricksAuth.js"
import * as RestClient from "../src/RestClient.js"
import type { Handler } from "./StubServer.js"
import { json, stubServer } from "./StubServer.js"

const clientFor = (host: string, credentials: Parameters<typeof DatabricksAuth.layer>[0]["credentials"]) =>
  Effect.provide(
    RestClient.RestClient,
    RestClient.layer.pipe(
      Layer.provide(DatabricksAuth.layer({ host, credentials })),
      Layer.provide(FetchHttpClient.layer)
    )
  )

const pat = { type: "pat", token: Redacted.make("dapi-test") } as const

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit) || exit.cause._tag !== "Fail") throw new Error("expected a failure")
  return exit.cause.error
}

const withStub = (handler: Handler) =>
  Effect.gen(function* () {
    const server = yield* stubServer(handler)
    return { server, client: yield* clientFor(server.host, pat) }
  })

describe("RestClient", () => {
  it.scoped("never keeps a token a server echoes back in its error body", () =>
    Effect.gen(function* () {
      const token = "dapi-echoed-secret-0123456789"
      const server = yield* stubServer((request, response) =>
        json(response, 500, {
          error_code: "INTERNAL_ERROR",
          message: `cannot serve request with headers ${JSON.stringify(request.headers)}; token ${token}`
        })
      )
      const client = yield* clientFor(server.host, { type: "pat", token: Redacted.make(token) })
      const error = failureOf(yield* Effect.exit(client.request("GET", "/api/2.0/x")))
      assert.strictEqual(error._tag, "DatabricksError")
      assert.notInclude(error.message, token)
      assert.include(error.message, "Bearer ***")
      assert.include(error.message, "token ***")
    })
  )

  it.scoped("sends the bearer token, query parameters and JSON body; parses JSON and empty bodies", () =>
    Effect.gen(function* () {
      const { server, client } = yield* withStub((request, response) =>
        request.method === "DELETE" ? response.end() : json(response, 200, { ok: true })
      )
      assert.deepStrictEqual(
        yield* client.request("POST", "/api/2.0/x", { query: { page_size: 2, skip: undefined }, body: { a: 1 } }),
        { ok: true }
      )
      assert.deepStrictEqual(yield* client.request("DELETE", "/api/2.0/x/1"), {})
      const [post] = server.requests
      assert.strictEqual(post?.url, "/api/2.0/x?page_size=2")
      assert.strictEqual(post?.headers.authorization, "Bearer dapi-test")
      assert.strictEqual(post?.body, '{"a":1}')
    })
  )

  it.scoped("maps the error envelope, 429 with Retry-After, legacy and HTML bodies", () =>
    Effect.gen(function* () {
      const { client } = yield* withStub((request, response) => {
        switch (request.url) {
          case "/404":
            return json(response, 404, {
              error_code: "RESOURCE_DOES_NOT_EXIST",
              message: "Genie space x does not exist."
            })
          case "/429":
            return json(
              response,
              429,
              { error_code: "RESOURCE_EXHAUSTED", message: "slow down" },
              { "retry-after": "7" }
            )
          case "/legacy":
            return json(response, 400, { error: "bad thing" })
          case "/plain":
            response.writeHead(400, { "content-type": "text/plain" })
            return response.end("INVALID_PARAMETER_VALUE: Cannot find field: x in message y")
          default:
            response.writeHead(502, { "content-type": "text/html" })
            return response.end("<html><body>Bad gateway</body></html>")
        }
      })
      const error = (path: string) => Effect.map(Effect.exit(client.request("GET", path)), failureOf)
      const notFound = yield* error("/404")
      assert.include(notFound, {
        status: 404,
        errorCode: "RESOURCE_DOES_NOT_EXIST",
        retryable: false,
        endpoint: "GET /404"
      })
      const limited = yield* error("/429")
      assert.include(limited, { status: 429, rateLimited: true, retryable: true, retryAfterMs: 7000 })
      assert.include(yield* error("/legacy"), { errorCode: "BAD_REQUEST", message: "bad thing", retryable: false })
      assert.include(yield* error("/plain"), {
        errorCode: "INVALID_PARAMETER_VALUE",
        message: "Cannot find field: x in message y"
      })
      assert.include(yield* error("/html"), { status: 502, message: "HTTP 502", retryable: true })
    })
  )

  it.scoped("a connection failure is a retryable network error", () =>
    Effect.gen(function* () {
      const server = yield* stubServer((_request, response) => json(response, 200, {}))
      server.close()
      const client = yield* clientFor(server.host, pat)
      const error = failureOf(yield* Effect.exit(client.request("GET", "/api/2.0/x")))
      assert.include(error, { status: 0, errorCode: "NETWORK_ERROR", retryable: true })
    })
  )

  it.scoped("with OAuth, a rejected token is replaced once and the call repeated", () =>
    Effect.gen(function* () {
      let issued = 0
      const server = yield* stubServer((request, response, host) => {
        if (request.url === "/oidc/.well-known/oauth-authorization-server") {
          return json(response, 200, { token_endpoint: `${host}/oidc/v1/token` })
        }
        if (request.url === "/oidc/v1/token") {
          issued++
          return json(response, 200, { access_token: `t${issued}`, expires_in: 3600 })
        }
        // The first token was revoked server-side.
        return request.headers.authorization === "Bearer t1"
          ? json(response, 401, { error_code: "UNAUTHENTICATED", message: "Token expired" })
          : json(response, 200, { token: request.headers.authorization })
      })
      const client = yield* clientFor(server.host, {
        type: "oauth-m2m",
        clientId: "sp",
        clientSecret: Redacted.make("s")
      })
      assert.deepStrictEqual(yield* client.request("GET", "/api/2.0/x"), { token: "Bearer t2" })
      assert.strictEqual(issued, 2)
    })
  )

  it.scoped("with a PAT, a 401 is final", () =>
    Effect.gen(function* () {
      const { server, client } = yield* withStub((_request, response) =>
        json(response, 401, { error_code: "UNAUTHENTICATED", message: "Invalid access token." })
      )
      const error = failureOf(yield* Effect.exit(client.request("GET", "/api/2.0/x")))
      assert.include(error, { status: 401, retryable: false })
      assert.strictEqual(server.requests.length, 1)
    })
  )

  it("parses Retry-After as seconds or an HTTP date", () => {
    assert.strictEqual(RestClient.parseRetryAfter("3", 0), 3000)
    assert.strictEqual(RestClient.parseRetryAfter("Thu, 01 Jan 1970 00:00:10 GMT", 4000), 6000)
    assert.isUndefined(RestClient.parseRetryAfter("soon", 0))
    assert.isUndefined(RestClient.parseRetryAfter(undefined, 0))
  })
})
