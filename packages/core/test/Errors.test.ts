import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import * as Errors from "../src/model/Errors.js"

describe("retryable errors", () => {
  const rateLimited = new Errors.ProviderError({
    provider: "openai",
    reason: "RateLimited",
    message: "429 Too Many Requests",
    retryable: true,
    retryAfterMs: 2000
  })

  it("isRetryable follows the retryable flag of any error", () => {
    assert.isTrue(Errors.isRetryable(rateLimited))
    assert.isFalse(Errors.isRetryable(new Errors.AuthFailed({ message: "bad token" })))
    assert.isFalse(Errors.isRetryable({ retryable: "yes" }))
    assert.isFalse(Errors.isRetryable(undefined))
  })

  it("retryAfterMs reads a finite, non-negative delay only", () => {
    assert.strictEqual(Errors.retryAfterMs(rateLimited), 2000)
    assert.isUndefined(Errors.retryAfterMs({ retryAfterMs: -1 }))
    assert.isUndefined(Errors.retryAfterMs({ retryAfterMs: Number.NaN }))
    assert.isUndefined(Errors.retryAfterMs(null))
  })

  it("a provider error survives a JSON round trip (run records keep it)", () => {
    const encoded = JSON.parse(JSON.stringify(Schema.encodeSync(Errors.ProviderError)(rateLimited))) as unknown
    assert.deepStrictEqual(Schema.decodeUnknownSync(Errors.ProviderError)(encoded), rateLimited)
  })
})
