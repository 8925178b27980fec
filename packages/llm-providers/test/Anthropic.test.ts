import { assert, describe, it } from "@effect/vitest"
import { Stages } from "@genie-enhancer/core"
import { ConfigProvider, Deferred, Effect, Exit, Fiber, Redacted, Schema, TestClock } from "effect"
import * as Anthropic from "../src/Anthropic.js"
import type { Reply } from "./stubServer.js"
import { providerError } from "./exits.js"
import { stubServer } from "./stubServer.js"

const key = "sk-ant-test-0123456789"
const apiKey = Redacted.make(key)
const question: Stages.CompletionRequest = {
  system: "You answer with numbers.",
  messages: [{ role: "user", content: "How many legs has a spider?" }]
}
const Answer = Schema.Struct({ answer: Schema.Number, unit: Schema.String })
const answerOutput = { name: "answer", schema: Answer }

const message = (content: ReadonlyArray<unknown>, usage = { input: 12, output: 6 }) => ({
  id: "msg_1",
  type: "message",
  role: "assistant",
  model: "claude-test",
  content,
  stop_reason: "end_turn",
  stop_sequence: null,
  usage: {
    input_tokens: usage.input,
    output_tokens: usage.output,
    cache_creation_input_tokens: null,
    cache_read_input_tokens: 4
  }
})
const toolUse = (input: unknown) => ({ type: "tool_use", id: "toolu_1", name: "answer", input })
const anthropicError = (status: number, type: string, text: string, headers: Record<string, string> = {}): Reply => ({
  status,
  headers,
  json: { type: "error", error: { type, message: text } }
})

describe("Anthropic", () => {
  it.scoped("sends a message and counts cached prompt tokens as input", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(() => ({ json: message([{ type: "text", text: "Eight." }]) }))
      const llm = yield* Anthropic.make({ model: "claude-test", baseUrl: stub.url, apiKey, temperature: 0.2 })
      const completion = yield* llm.complete(question)
      assert.strictEqual(completion.text, "Eight.")
      assert.strictEqual(completion.usage.inputTokens, 16)
      assert.strictEqual(completion.usage.outputTokens, 6)
      assert.strictEqual(completion.usage.provider, "anthropic")
      const [request] = stub.requests
      assert.strictEqual(request?.path, "/v1/messages")
      // @anthropic-ai/sdk 1.x sends the key as a bearer token.
      assert.strictEqual(request?.headers.authorization, `Bearer ${key}`)
      assert.deepStrictEqual(request?.body, {
        model: "claude-test",
        max_tokens: 4096,
        system: "You answer with numbers.",
        messages: [{ role: "user", content: "How many legs has a spider?" }],
        temperature: 0.2
      })
    })
  )

  it.scoped("structured output is a forced tool call whose input is the value", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(() => ({ json: message([toolUse({ answer: 8, unit: "legs" })]) }))
      const llm = yield* Anthropic.make({ model: "claude-test", baseUrl: stub.url, apiKey })
      const result = yield* llm.completeJson(question, answerOutput)
      assert.deepStrictEqual(result.value, { answer: 8, unit: "legs" })
      const body = stub.requests[0]?.body
      assert.deepStrictEqual(body.tool_choice, { type: "tool", name: "answer" })
      assert.strictEqual(body.tools[0].name, "answer")
      assert.deepStrictEqual(body.tools[0].input_schema.required, ["answer", "unit"])
    })
  )

  it.scoped("a list output is wrapped in an object tool input and unwrapped again", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(() => ({ json: message([{ ...toolUse({ value: ["a", "b"] }), name: "labels" }]) }))
      const llm = yield* Anthropic.make({ model: "claude-test", baseUrl: stub.url, apiKey })
      const result = yield* llm.completeJson(question, { name: "labels", schema: Schema.Array(Schema.String) })
      assert.deepStrictEqual(result.value, ["a", "b"])
      assert.strictEqual(stub.requests[0]?.body.tools[0].input_schema.type, "object")
    })
  )

  it.scoped("repairs a tool input that does not match the schema", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer((_, i) => ({
        json: message([toolUse(i === 0 ? { answer: "eight" } : { answer: 8, unit: "legs" })])
      }))
      const llm = yield* Anthropic.make({ model: "claude-test", baseUrl: stub.url, apiKey })
      const result = yield* llm.completeJson(question, answerOutput)
      assert.deepStrictEqual(result.value, { answer: 8, unit: "legs" })
      const messages = stub.requests[1]?.body.messages
      assert.deepStrictEqual(messages[1], { role: "assistant", content: '{"answer":"eight"}' })
      assert.match(messages[2].content, /does not match the schema/)
    })
  )

  it.scoped("invalid twice is InvalidOutput with the raw output", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(() => ({ json: message([{ type: "text", text: "I cannot answer." }]) }))
      const llm = yield* Anthropic.make({ model: "claude-test", baseUrl: stub.url, apiKey })
      const error = providerError(yield* Effect.exit(llm.completeJson(question, answerOutput)))
      assert.strictEqual(error.reason, "InvalidOutput")
      assert.strictEqual(error.rawOutput, "I cannot answer.")
      assert.strictEqual(stub.requests.length, 2)
    })
  )

  it.scoped("429 is RateLimited with Retry-After", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(() => anthropicError(429, "rate_limit_error", "Too many", { "retry-after": "7" }))
      const llm = yield* Anthropic.make({ model: "claude-test", baseUrl: stub.url, apiKey })
      const error = providerError(yield* Effect.exit(llm.complete(question)))
      assert.strictEqual(error.reason, "RateLimited")
      assert.isTrue(error.retryable)
      assert.strictEqual(error.retryAfterMs, 7000)
      assert.strictEqual(stub.requests.length, 1)
    })
  )

  it.scoped("a Retry-After date is measured against the response's Date header", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(() =>
        anthropicError(429, "rate_limit_error", "Too many", {
          date: "Wed, 21 Oct 2026 07:28:00 GMT",
          "retry-after": "Wed, 21 Oct 2026 07:28:05 GMT"
        })
      )
      const llm = yield* Anthropic.make({ model: "claude-test", baseUrl: stub.url, apiKey })
      assert.strictEqual(providerError(yield* Effect.exit(llm.complete(question))).retryAfterMs, 5000)
    })
  )

  it.scoped("500 and 529 (overloaded) are retryable Server errors", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer((_, i) =>
        i === 0 ? anthropicError(500, "api_error", "Internal") : anthropicError(529, "overloaded_error", "Overloaded")
      )
      const llm = yield* Anthropic.make({ model: "claude-test", baseUrl: stub.url, apiKey })
      for (const status of [500, 529]) {
        const error = providerError(yield* Effect.exit(llm.complete(question)))
        assert.strictEqual(error.reason, "Server")
        assert.strictEqual(error.status, status)
        assert.isTrue(error.retryable)
      }
    })
  )

  it.scoped("401 is Auth naming ANTHROPIC_API_KEY", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(() => anthropicError(401, "authentication_error", `invalid x-api-key ${key}`))
      const llm = yield* Anthropic.make({ model: "claude-test", baseUrl: stub.url, apiKey })
      const error = providerError(yield* Effect.exit(llm.complete(question)))
      assert.strictEqual(error.reason, "Auth")
      assert.isFalse(error.retryable)
      assert.include(error.message, "ANTHROPIC_API_KEY")
      assert.notInclude(JSON.stringify(error), key)
    })
  )

  it.scoped("a timeout around the call aborts the HTTP request", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(() => "hang")
      const llm = yield* Anthropic.make({ model: "claude-test", baseUrl: stub.url, apiKey })
      const fiber = yield* Effect.fork(Effect.timeout(llm.complete(question), "1 minute"))
      yield* Deferred.await(stub.hanging)
      yield* TestClock.adjust("1 minute")
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag === "TimeoutException")
      yield* Deferred.await(stub.aborted)
    })
  )

  it.scoped("layerConfig reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL; without a key it fails with Auth", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(() => ({ json: message([{ type: "text", text: "hi" }]) }))
      const ask = Effect.flatMap(Stages.LanguageModel, (llm) => llm.complete(question)).pipe(
        Effect.provide(Anthropic.layerConfig({ model: "claude-test" }))
      )
      const env = (map: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromJson(map))
      const completion = yield* ask.pipe(env({ ANTHROPIC_API_KEY: key, ANTHROPIC_BASE_URL: stub.url }))
      assert.strictEqual(completion.text, "hi")
      const error = providerError(yield* Effect.exit(ask.pipe(env({ ANTHROPIC_BASE_URL: stub.url }))))
      assert.strictEqual(error.reason, "Auth")
      assert.include(error.message, "ANTHROPIC_API_KEY")
      assert.strictEqual(stub.requests.length, 1)
    })
  )
})
