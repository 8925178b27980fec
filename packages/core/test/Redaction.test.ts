import { assert, describe, it } from "@effect/vitest"
import { Redacted } from "effect"
import * as Redaction from "../src/config/Redaction.js"

describe("Redaction", () => {
  it("removes every registered secret and any bearer credential from server text", () => {
    Redaction.register(Redacted.make("dapi0123456789abcdef"), "sk-test-secret-value", "short", undefined)
    const echoed =
      'error: {"headers":{"authorization":"Bearer dapi0123456789abcdef"},"key":"sk-test-secret-value"} token=dapi0123456789abcdef'
    const redacted = Redaction.redact(echoed)
    assert.notInclude(redacted, "dapi0123456789abcdef")
    assert.notInclude(redacted, "sk-test-secret-value")
    assert.include(redacted, "Bearer ***")
    assert.include(redacted, "token=***")
    assert.strictEqual(Redaction.redact("Bearer some-oauth-access-token-xyz"), "Bearer ***")
    assert.strictEqual(Redaction.redact("Basic statistics per region"), "Basic statistics per region")
    // Short values would redact ordinary words: not registered.
    assert.strictEqual(Redaction.redact("a short answer"), "a short answer")
    assert.isTrue(Redaction.containsSecret(echoed))
    assert.isFalse(Redaction.containsSecret(redacted))
  })

  it("registers secrets from the environment by name and redacts nested JSON", () => {
    Redaction.registerEnv({
      MY_SERVICE_API_KEY: "env-api-key-12345",
      DATABRICKS_CLIENT_SECRET: "dose-client-secret-1",
      HOME: "/home/someone-not-secret"
    })
    const value = Redaction.redactDeep({
      message: "rejected env-api-key-12345",
      list: ["dose-client-secret-1", 3],
      home: "/home/someone-not-secret"
    })
    assert.deepStrictEqual(value, { message: "rejected ***", list: ["***", 3], home: "/home/someone-not-secret" })
  })
})
