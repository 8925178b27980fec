import { assert, describe, it } from "@effect/vitest"
import type { Stages } from "@genie-enhancer/core"
import { Errors } from "@genie-enhancer/core"
import { Effect, Fiber, Schema, TestClock } from "effect"
import { parseRetryAfter } from "../src/internal/httpErrors.js"
import * as Structured from "../src/internal/structured.js"
import * as Provider from "../src/Provider.js"
import * as Scripted from "../src/Scripted.js"
import { failureOf } from "./exits.js"

const ask = (content: string, stage?: string): Stages.CompletionRequest => ({
  messages: [{ role: "user", content }],
  ...(stage === undefined ? {} : { stage })
})

class Fix extends Schema.Class<Fix>("Fix")({ target: Schema.String, note: Schema.optional(Schema.String) }) {}

describe("Provider.make", () => {
  it.effect("latency comes from the Clock", () =>
    Effect.gen(function* () {
      const llm = yield* Provider.make({
        provider: "slow",
        options: { model: "m" },
        send: () => Effect.as(Effect.sleep("1500 millis"), { text: "done", inputTokens: 1, outputTokens: 1 })
      })
      const fiber = yield* Effect.fork(llm.complete(ask("q")))
      yield* TestClock.adjust("1500 millis")
      const completion = yield* Fiber.join(fiber)
      assert.strictEqual(completion.usage.latencyMs, 1500)
    })
  )

  it.effect("applies the option defaults and lets the request override them", () =>
    Effect.gen(function* () {
      const calls: Array<Provider.ProviderCall> = []
      const llm = yield* Scripted.make(
        (call) => {
          calls.push(call)
          return "ok"
        },
        { temperature: 0.3, maxTokens: 100 }
      )
      yield* llm.complete(ask("a"))
      yield* llm.complete({ ...ask("b"), temperature: 0, maxTokens: 5 })
      assert.deepStrictEqual(
        calls.map((c) => [c.request.temperature, c.request.maxTokens]),
        [
          [0.3, 100],
          [0, 5]
        ]
      )
    })
  )

  it.effect("accepts JSON fenced in Markdown", () =>
    Effect.gen(function* () {
      const llm = yield* Scripted.make(['```json\n{"target":"$.x"}\n```'])
      const result = yield* llm.completeJson(ask("q"), { name: "fix", schema: Fix })
      assert.strictEqual(result.value.target, "$.x")
      assert.instanceOf(result.value, Fix)
    })
  )

  it.effect("a provider failure during the repair turn is that failure, not InvalidOutput", () =>
    Effect.gen(function* () {
      const limited = new Errors.ProviderError({
        provider: "scripted",
        reason: "RateLimited",
        message: "429",
        retryable: true
      })
      const llm = yield* Scripted.make(["not json", limited])
      const error = failureOf(yield* Effect.exit(llm.completeJson(ask("q"), { name: "fix", schema: Fix })))
      assert.strictEqual(error?.reason, "RateLimited")
    })
  )
})

describe("structured output schemas", () => {
  it("inlines a Schema class's top-level $ref and marks optional fields as not strict", () => {
    const prepared = Structured.prepare(Fix)
    assert.strictEqual(prepared.jsonSchema["type"], "object")
    assert.isUndefined(prepared.jsonSchema["$ref"])
    assert.isUndefined(prepared.jsonSchema["$schema"])
    assert.isFalse(prepared.strict)
    assert.isFalse(prepared.wrapped)
  })

  it("wraps a non-object root under `value`", () => {
    const prepared = Structured.prepare(Schema.Array(Schema.Number))
    assert.isTrue(prepared.wrapped)
    assert.deepStrictEqual(prepared.jsonSchema, {
      type: "object",
      required: ["value"],
      properties: { value: { type: "array", items: { type: "number" } } },
      additionalProperties: false
    })
    assert.isTrue(prepared.strict)
  })

  it.effect("sends a valid name for any output name", () =>
    Effect.gen(function* () {
      const names: Array<string | undefined> = []
      const llm = yield* Scripted.make((call) => {
        names.push(call.output?.name)
        return { json: { target: "t" } }
      })
      yield* llm.completeJson(ask("q"), { name: "judge verdict/v1", schema: Fix })
      assert.deepStrictEqual(names, ["judge_verdict_v1"])
    })
  )
})

describe("Retry-After", () => {
  const headers = (values: Record<string, string>) => new Headers(values)
  it("reads seconds, fractional seconds and retry-after-ms", () => {
    assert.strictEqual(parseRetryAfter(headers({ "retry-after": "3" }), 0), 3000)
    assert.strictEqual(parseRetryAfter(headers({ "retry-after": "0.25" }), 0), 250)
    assert.strictEqual(parseRetryAfter(headers({ "retry-after-ms": "120", "retry-after": "1" }), 0), 120)
  })
  it("reads an HTTP date, never negative, and ignores garbage", () => {
    const now = Date.parse("2026-10-21T07:28:00Z")
    assert.strictEqual(parseRetryAfter(headers({ "retry-after": "Wed, 21 Oct 2026 07:28:10 GMT" }), now), 10_000)
    assert.strictEqual(parseRetryAfter(headers({ "retry-after": "Wed, 21 Oct 2026 07:27:00 GMT" }), now), 0)
    assert.isUndefined(parseRetryAfter(headers({ "retry-after": "soon" }), now))
    assert.isUndefined(parseRetryAfter(headers({}), now))
  })
})

describe("Scripted", () => {
  it.effect("a list answers in call order and then fails naming the call", () =>
    Effect.gen(function* () {
      const llm = yield* Scripted.make(["one", { json: { target: "t" } }])
      assert.strictEqual((yield* llm.complete(ask("a"))).text, "one")
      assert.strictEqual((yield* llm.completeJson(ask("b"), { name: "fix", schema: Fix })).value.target, "t")
      const error = failureOf(yield* Effect.exit(llm.complete(ask("c", "learn"))))
      assert.strictEqual(error?.reason, "BadRequest")
      assert.include(error?.message, '"learn"')
    })
  )

  it.effect("a map answers by output name or stage; a list entry is used in order (here: invalid, then repaired)", () =>
    Effect.gen(function* () {
      const llm = yield* Scripted.make({ fix: ["{oops", { json: { target: "t" } }], learn: "patterns" })
      const fix = yield* llm.completeJson(ask("q"), { name: "fix", schema: Fix })
      assert.strictEqual(fix.value.target, "t")
      assert.strictEqual((yield* llm.complete(ask("a", "learn"))).text, "patterns")
      assert.strictEqual((yield* llm.complete(ask("b", "learn"))).text, "patterns")
    })
  )

  it.effect("a scripted error is the call's failure; usage is estimated deterministically", () =>
    Effect.gen(function* () {
      const auth = new Errors.ProviderError({ provider: "scripted", reason: "Auth", message: "no", retryable: false })
      const llm = yield* Scripted.make([auth, "12345678"])
      assert.strictEqual(failureOf(yield* Effect.exit(llm.complete(ask("x")))), auth)
      const usage = (yield* llm.complete(ask("abcd"))).usage
      assert.deepStrictEqual([usage.inputTokens, usage.outputTokens, usage.provider], [1, 2, "scripted"])
    })
  )
})
