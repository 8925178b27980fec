import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { Emulator } from "../src/index.js"
import { call } from "./support.js"

const tokenRequest = (
  host: string,
  clientId: string,
  secret: string,
  body = "grant_type=client_credentials&scope=all-apis"
) =>
  Effect.promise(async () => {
    const res = await fetch(`${host}/oidc/v1/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}`
      },
      body
    })
    return { status: res.status, json: (await res.json()) as Record<string, any> }
  })

describe("authentication", () => {
  it.scoped("REST endpoints need the PAT or an issued token: 401 UNAUTHENTICATED otherwise", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.start()
      assert.match(emulator.token, /^dapi[0-9a-f]{32}$/)
      const ok = yield* call(emulator, "GET", "/api/2.0/genie/spaces")
      assert.strictEqual(ok.status, 200)
      const none = yield* call(emulator, "GET", "/api/2.0/genie/spaces", { token: null })
      assert.deepStrictEqual([none.status, none.json.error_code], [401, "UNAUTHENTICATED"])
      const wrong = yield* call(emulator, "GET", "/api/2.0/sql/statements/x", { token: "dapi0000" })
      assert.deepStrictEqual([wrong.status, wrong.json.message], [401, "Invalid access token."])
      const serving = yield* call(emulator, "POST", "/serving-endpoints/chat/completions", { token: null, body: {} })
      assert.strictEqual(serving.status, 401)
      const unknown = yield* call(emulator, "GET", "/api/2.0/nope")
      assert.deepStrictEqual([unknown.status, unknown.json.error_code], [404, "ENDPOINT_NOT_FOUND"])
    })
  )

  it.scoped("OIDC discovery and client credentials issue tokens that expire on the clock", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.start({ tokenTtlSeconds: 600 })
      const discovery = yield* call(emulator, "GET", "/oidc/.well-known/oauth-authorization-server", { token: null })
      assert.strictEqual(discovery.json.token_endpoint, `${emulator.host}/oidc/v1/token`)
      const { clientId, clientSecret } = emulator.servicePrincipal
      const issued = yield* tokenRequest(emulator.host, clientId, clientSecret)
      assert.strictEqual(issued.status, 200)
      assert.deepStrictEqual(
        [issued.json.token_type, issued.json.expires_in, issued.json.scope],
        ["Bearer", 600, "all-apis"]
      )
      const withToken = call(emulator, "GET", "/api/2.0/genie/spaces", { token: issued.json.access_token })
      assert.strictEqual((yield* withToken).status, 200)
      yield* TestClock.adjust("10 minutes")
      const expired = yield* withToken
      assert.deepStrictEqual([expired.status, expired.json.error_code], [401, "UNAUTHENTICATED"])

      const badSecret = yield* tokenRequest(emulator.host, clientId, "wrong")
      assert.deepStrictEqual([badSecret.status, badSecret.json.error], [401, "invalid_client"])
      const badGrant = yield* tokenRequest(emulator.host, clientId, clientSecret, "grant_type=password")
      assert.deepStrictEqual([badGrant.status, badGrant.json.error], [400, "unsupported_grant_type"])
    })
  )
})
