import { FetchHttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Redacted, TestClock } from "effect"
import * as DatabricksAuth from "../src/DatabricksAuth.js"
import { json, stubServer } from "./StubServer.js"

/** OIDC endpoints issuing numbered tokens to one service principal (`sp-id` / `sp-secret`). */
const oidcServer = Effect.suspend(() => {
  let issued = 0
  return Effect.map(
    stubServer((request, response, host) => {
      if (request.url === "/oidc/.well-known/oauth-authorization-server") {
        return json(response, 200, { token_endpoint: `${host}/oidc/v1/token`, authorization_endpoint: `${host}/x` })
      }
      const expected = `Basic ${Buffer.from("sp-id:sp-secret").toString("base64")}`
      if (request.headers.authorization !== expected || !request.body.includes("grant_type=client_credentials")) {
        return json(response, 401, { error: "invalid_client", error_description: "Client authentication failed" })
      }
      issued++
      json(response, 200, { access_token: `token-${issued}`, token_type: "Bearer", expires_in: 3600 })
    }),
    (server) => ({ host: server.host, tokenRequests: () => issued })
  )
})

const authFor = (host: string, secret: string) =>
  Effect.provide(
    DatabricksAuth.DatabricksAuth,
    DatabricksAuth.layer({
      host,
      credentials: { type: "oauth-m2m", clientId: "sp-id", clientSecret: Redacted.make(secret) }
    })
  ).pipe(Effect.provide(FetchHttpClient.layer))

describe("DatabricksAuth", () => {
  it.effect("a PAT is sent as a bearer token", () =>
    Effect.gen(function* () {
      const auth = yield* DatabricksAuth.DatabricksAuth
      assert.strictEqual(Redacted.value(yield* auth.authorization), "Bearer dapi-123")
    }).pipe(
      Effect.provide(
        DatabricksAuth.layer({ host: "https://h", credentials: { type: "pat", token: Redacted.make("dapi-123") } })
      ),
      Effect.provide(FetchHttpClient.layer)
    )
  )

  it.scoped("OAuth M2M: discovers, fetches once for concurrent callers, caches, refreshes before expiry", () =>
    Effect.gen(function* () {
      const oidc = yield* oidcServer
      const auth = yield* authFor(oidc.host, "sp-secret")
      const headers = yield* Effect.all(
        Array.from({ length: 5 }, () => auth.authorization),
        { concurrency: 5 }
      )
      assert.deepStrictEqual(new Set(headers.map(Redacted.value)), new Set(["Bearer token-1"]))
      assert.strictEqual(oidc.tokenRequests(), 1)
      yield* TestClock.adjust("58 minutes")
      assert.strictEqual(Redacted.value(yield* auth.authorization), "Bearer token-1")
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(Redacted.value(yield* auth.authorization), "Bearer token-2")
      yield* auth.invalidate
      assert.strictEqual(Redacted.value(yield* auth.authorization), "Bearer token-3")
      assert.strictEqual(oidc.tokenRequests(), 3)
    })
  )

  it.scoped("rejected client credentials fail with the server's error, without the secret", () =>
    Effect.gen(function* () {
      const oidc = yield* oidcServer
      const auth = yield* authFor(oidc.host, "wrong-secret")
      const exit = yield* Effect.exit(auth.authorization)
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit) && exit.cause._tag === "Fail") {
        assert.strictEqual(exit.cause.error._tag, "AuthFailed")
        assert.strictEqual(exit.cause.error.message, "invalid_client: Client authentication failed")
        assert.notInclude(JSON.stringify(exit.cause.error), "wrong-secret")
      }
    })
  )
})
