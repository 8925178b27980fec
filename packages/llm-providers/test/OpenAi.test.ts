import { assert, describe, it } from "@effect/vitest"
import { Errors, Stages } from "@genie-enhancer/core"
import { ConfigProvider, Deferred, Effect, Exit, Fiber, Redacted, Schema, TestClock } from "effect"
import * as OpenAi from "../src/OpenAi.js"
import { chatCompletion, deadUrl, openAiError, stubServer } from "./stubServer.js"
import { failureOf, providerError } from "./exits.js"

const key = "sk-test-0123456789"
const apiKey = Redacted.make(key)
const question: Stages.CompletionRequest = {
  system: "You answer with numbers.",
  messages: [{ role: "user", content: "How many legs has a spider?" }],
  stage: "judge"
}
const Answer = Schema.Struct({ answer: Schema.Number, unit: Schema.String })
const answerOutput = { name: "answer", description: "The answer.", schema: Answer }

describe("OpenAi", () => {
  it.scoped("sends a chat completion and reports usage and cost", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(() => ({ json: chatCompletion("Eight.", { prompt: 1000, completion: 500 }) }))
      const llm = yield* OpenAi.make({
        model: "gpt-test",
        baseUrl: `${stub.url}/v1`,
        apiKey,
        temperature: 0.1,
        maxTokens: 300,
        prices: { "gpt-test": { inputPerMillion: 2, outputPerMillion: 8 } }
      })
      const completion = yield* llm.complete(question)
      assert.strictEqual(completion.text, "Eight.")
      assert.deepStrictEqual(completion.usage, {
        inputTokens: 1000,
        outputTokens: 500,
        latencyMs: 0,
        provider: "openai",
        model: "gpt-test",
        costUsd: 0.006
      })
      const [request] = stub.requests
      assert.strictEqual(request?.path, "/v1/chat/completions")
      assert.strictEqual(request?.headers.authorization, `Bearer ${key}`)
      assert.deepStrictEqual(request?.body, {
        model: "gpt-test",
        messages: [
          { role: "system", content: "You answer with numbers." },
          { role: "user", content: "How many legs has a spider?" }
        ],
        temperature: 0.1,
        max_completion_tokens: 300
      })
    })
  )

  it.scoped("asks for structured output natively and decodes it", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(() => ({ json: chatCompletion('{"answer":8,"unit":"legs"}') }))
      const llm = yield* OpenAi.make({ model: "gpt-test", baseUrl: stub.url, apiKey })
      const result = yield* llm.completeJson(question, answerOutput)
      assert.deepStrictEqual(result.value, { answer: 8, unit: "legs" })
      assert.strictEqual(result.text, '{"answer":8,"unit":"legs"}')
      assert.deepStrictEqual(stub.requests[0]?.body.response_format, {
        type: "json_schema",
        json_schema: {
          name: "answer",
          description: "The answer.",
          strict: true,
          schema: {
            type: "object",
            required: ["answer", "unit"],
            properties: { answer: { type: "number" }, unit: { type: "string" } },
            additionalProperties: false
          }
        }
      })
    })
  )

  it.scoped("sends one repair turn after invalid JSON, with the bad output and what is wrong", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer((_, i) => ({
        json: chatCompletion(i === 0 ? '{"answer": 8, "unit": ' : '{"answer":8,"unit":"legs"}', {
          prompt: 10,
          completion: 5
        })
      }))
      const llm = yield* OpenAi.make({ model: "gpt-test", baseUrl: stub.url, apiKey })
      const result = yield* llm.completeJson(question, answerOutput)
      assert.deepStrictEqual(result.value, { answer: 8, unit: "legs" })
      assert.strictEqual(result.usage.inputTokens, 20)
      assert.strictEqual(result.usage.outputTokens, 10)
      assert.strictEqual(stub.requests.length, 2)
      const messages = stub.requests[1]?.body.messages
      assert.deepStrictEqual(messages[2], { role: "assistant", content: '{"answer": 8, "unit": ' })
      assert.match(messages[3].content, /not valid JSON/)
      assert.deepStrictEqual(stub.requests[1]?.body.response_format, stub.requests[0]?.body.response_format)
    })
  )

  it.scoped("fails with InvalidOutput keeping the raw text when the repair is invalid too", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer((_, i) => ({ json: chatCompletion(i === 0 ? "eight" : '{"answer":"eight"}') }))
      const llm = yield* OpenAi.make({ model: "gpt-test", baseUrl: stub.url, apiKey })
      const error = providerError(yield* Effect.exit(llm.completeJson(question, answerOutput)))
      assert.strictEqual(error.reason, "InvalidOutput")
      assert.isFalse(error.retryable)
      assert.strictEqual(error.rawOutput, '{"answer":"eight"}')
      assert.match(error.message, /does not match the schema/)
      assert.match(stub.requests[1]?.body.messages[3].content, /not valid JSON/)
    })
  )

  it.scoped("429 is RateLimited and retryable, with Retry-After in seconds", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(() => openAiError(429, "Rate limit reached", { "retry-after": "2" }))
      const llm = yield* OpenAi.make({ model: "gpt-test", baseUrl: stub.url, apiKey })
      const error = providerError(yield* Effect.exit(llm.complete(question)))
      assert.strictEqual(error.reason, "RateLimited")
      assert.isTrue(error.retryable)
      assert.strictEqual(error.retryAfterMs, 2000)
      assert.strictEqual(error.status, 429)
      assert.strictEqual(stub.requests.length, 1, "the SDK must not retry on its own")
    })
  )

  it.scoped("a Retry-After HTTP date is measured against the clock when the response has no Date", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2026-10-21T07:28:00Z"))
      const stub = yield* stubServer(() => ({
        ...openAiError(429, "slow down", { "retry-after": "Wed, 21 Oct 2026 07:28:30 GMT" }),
        sendDate: false
      }))
      const llm = yield* OpenAi.make({ model: "gpt-test", baseUrl: stub.url, apiKey })
      const error = providerError(yield* Effect.exit(llm.complete(question)))
      assert.strictEqual(error.retryAfterMs, 30_000)
    })
  )

  it.scoped("500 is a retryable Server error", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(() => openAiError(500, "The server had an error"))
      const llm = yield* OpenAi.make({ model: "gpt-test", baseUrl: stub.url, apiKey })
      const error = providerError(yield* Effect.exit(llm.complete(question)))
      assert.strictEqual(error.reason, "Server")
      assert.isTrue(error.retryable)
      assert.strictEqual(stub.requests.length, 1)
    })
  )

  it.scoped("401 is Auth, not retryable, and never echoes the key", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(() => openAiError(401, `Incorrect API key provided: ${key}`))
      const llm = yield* OpenAi.make({ model: "gpt-test", baseUrl: stub.url, apiKey })
      const error = providerError(yield* Effect.exit(llm.complete(question)))
      assert.strictEqual(error.reason, "Auth")
      assert.isFalse(error.retryable)
      assert.include(error.message, "OPENAI_API_KEY")
      assert.notInclude(JSON.stringify(error), key)
    })
  )

  it.scoped("400 is a BadRequest, not retryable", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(() => openAiError(400, "Invalid schema for response_format"))
      const llm = yield* OpenAi.make({ model: "gpt-test", baseUrl: stub.url, apiKey })
      const error = providerError(yield* Effect.exit(llm.completeJson(question, answerOutput)))
      assert.strictEqual(error.reason, "BadRequest")
      assert.isFalse(error.retryable)
      assert.include(error.message, "Invalid schema for response_format")
    })
  )

  it.effect("a refused connection is a retryable Network error", () =>
    Effect.gen(function* () {
      const llm = yield* OpenAi.make({ model: "gpt-test", baseUrl: yield* deadUrl, apiKey })
      const error = providerError(yield* Effect.exit(llm.complete(question)))
      assert.strictEqual(error.reason, "Network")
      assert.isTrue(error.retryable)
    })
  )

  it.scoped("a timeout around the call aborts the HTTP request", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(() => "hang")
      const llm = yield* OpenAi.make({ model: "gpt-test", baseUrl: stub.url, apiKey })
      const fiber = yield* Effect.fork(Effect.timeout(llm.complete(question), "30 seconds"))
      yield* Deferred.await(stub.hanging)
      yield* TestClock.adjust("30 seconds")
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag === "TimeoutException")
      // Completes only when the server sees the client close the connection.
      yield* Deferred.await(stub.aborted)
    })
  )

  it.scoped("drops temperature for a model that rejects it, and keeps it dropped", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer((request) =>
        request.body.temperature === undefined
          ? { json: chatCompletion("ok") }
          : openAiError(400, "Unsupported value: 'temperature' does not support 0.1 with this model.")
      )
      const llm = yield* OpenAi.make({ model: "o-test", baseUrl: stub.url, apiKey, temperature: 0.1 })
      assert.strictEqual((yield* llm.complete(question)).text, "ok")
      assert.strictEqual((yield* llm.complete(question)).text, "ok")
      assert.deepStrictEqual(
        stub.requests.map((r) => r.body.temperature),
        [0.1, undefined, undefined]
      )
    })
  )
})

describe("OpenAi.layerConfig", () => {
  const withEnv = (env: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromJson(env))
  const ask = Effect.flatMap(Stages.LanguageModel, (llm) => llm.complete(question))

  it.effect("openai without OPENAI_API_KEY fails with Auth naming the variable", () =>
    Effect.gen(function* () {
      const error = providerError(
        yield* Effect.exit(ask.pipe(Effect.provide(OpenAi.layerConfig({ model: "gpt-test" })), withEnv({})))
      )
      assert.strictEqual(error.reason, "Auth")
      assert.include(error.message, "OPENAI_API_KEY")
    })
  )

  it.scoped("openai-compatible honours OPENAI_BASE_URL, uses max_tokens, and sends no key when none is set", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(() => ({ json: chatCompletion("hi") }))
      const layer = OpenAi.layerConfig({ model: "llama3", provider: "openai-compatible", maxTokens: 50 })
      const completion = yield* ask.pipe(Effect.provide(layer), withEnv({ OPENAI_BASE_URL: `${stub.url}/v1` }))
      assert.strictEqual(completion.text, "hi")
      assert.strictEqual(completion.usage.provider, "openai-compatible")
      assert.strictEqual(stub.requests[0]?.path, "/v1/chat/completions")
      assert.isUndefined(stub.requests[0]?.headers.authorization)
      assert.strictEqual(stub.requests[0]?.body.max_tokens, 50)
    })
  )

  it.scoped("openai uses OPENAI_API_KEY and a profile baseUrl over OPENAI_BASE_URL", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(() => ({ json: chatCompletion("hi") }))
      const layer = OpenAi.layerConfig({ model: "gpt-test", baseUrl: stub.url })
      yield* ask.pipe(
        Effect.provide(layer),
        withEnv({ OPENAI_API_KEY: key, OPENAI_BASE_URL: "http://127.0.0.1:1/unused" })
      )
      assert.strictEqual(stub.requests[0]?.headers.authorization, `Bearer ${key}`)
    })
  )

  it.effect("openai-compatible without any base URL is a ConfigInvalid at $.llm.baseUrl", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        ask.pipe(Effect.provide(OpenAi.layerConfig({ model: "llama3", provider: "openai-compatible" })), withEnv({}))
      )
      const error = failureOf(exit)
      assert.instanceOf(error, Errors.ConfigInvalid)
      assert.strictEqual(error.issues[0]?.path, "$.llm.baseUrl")
    })
  )
})
