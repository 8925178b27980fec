import { assert, describe, it } from "@effect/vitest"
import type { Stages } from "@genie-enhancer/core"
import { Errors, Workspace } from "@genie-enhancer/core"
import { Deferred, Effect, Exit, Fiber, Layer, Redacted, Ref, Schema, TestClock } from "effect"
import * as Databricks from "../src/Databricks.js"
import type { Received, Respond } from "./stubServer.js"
import { providerError } from "./exits.js"
import { chatCompletion, openAiError, stubServer } from "./stubServer.js"

const question: Stages.CompletionRequest = { messages: [{ role: "user", content: "Is revenue net of returns?" }] }
const Verdict = Schema.Struct({ verdict: Schema.Literal("pass", "fail"), confidence: Schema.Number })

/**
 * A serving endpoint as Databricks runs it: `POST /serving-endpoints/chat/completions` with the endpoint name as
 * `model`, 400 when `response_format.json_schema.name` is missing, and (for `databricks-claude-*`) 400 on
 * `temperature`.
 */
const servingEndpoint =
  (reply: (request: Received, index: number) => Respond) =>
  (request: Received, index: number): Respond => {
    if (request.method !== "POST" || request.path !== "/serving-endpoints/chat/completions") {
      return openAiError(404, `no route ${request.path}`)
    }
    if (!String(request.headers.authorization ?? "").startsWith("Bearer dapi-"))
      return openAiError(401, "Invalid token")
    const format = request.body.response_format
    if (format?.type === "json_schema" && typeof format.json_schema?.name !== "string") {
      return openAiError(400, "Missing required parameter: 'response_format.json_schema.name'")
    }
    if (String(request.body.model).startsWith("databricks-claude") && request.body.temperature !== undefined) {
      return openAiError(400, `Model ${request.body.model} does not support the temperature parameter.`)
    }
    return reply(request, index)
  }

/** WorkspaceAuth whose token changes on every call, as OAuth refreshes would. */
const rotatingAuth = (host: string) =>
  Layer.effect(
    Workspace.WorkspaceAuth,
    Effect.map(Ref.make(0), (calls) => ({
      host,
      authorization: Ref.updateAndGet(calls, (n) => n + 1).pipe(Effect.map((n) => Redacted.make(`Bearer dapi-${n}`)))
    }))
  )

const model = (stubUrl: string, options: Partial<Databricks.DatabricksOptions> = {}) =>
  Databricks.make({ model: "databricks-claude-sonnet-4", ...options }).pipe(Effect.provide(rotatingAuth(stubUrl)))

describe("Databricks", () => {
  it.scoped("calls the endpoint by name with the workspace's current token on every call", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(servingEndpoint(() => ({ json: chatCompletion("Yes.") })))
      const llm = yield* model(stub.url, { model: "databricks-meta-llama-3-3-70b-instruct", temperature: 0.1 })
      const completion = yield* llm.complete(question)
      yield* llm.complete(question)
      assert.strictEqual(completion.text, "Yes.")
      assert.strictEqual(completion.usage.provider, "databricks")
      assert.strictEqual(completion.usage.model, "databricks-meta-llama-3-3-70b-instruct")
      assert.strictEqual(stub.requests[0]?.body.model, "databricks-meta-llama-3-3-70b-instruct")
      assert.strictEqual(stub.requests[0]?.body.temperature, 0.1)
      assert.deepStrictEqual(
        stub.requests.map((r) => r.headers.authorization),
        ["Bearer dapi-1", "Bearer dapi-2"]
      )
    })
  )

  it.scoped("sends json_schema with its name and decodes the reply", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(
        servingEndpoint(() => ({ json: chatCompletion('{"verdict":"pass","confidence":0.9}') }))
      )
      const llm = yield* model(stub.url)
      const result = yield* llm.completeJson(question, { name: "judge verdict", schema: Verdict })
      assert.deepStrictEqual(result.value, { verdict: "pass", confidence: 0.9 })
      assert.strictEqual(stub.requests[0]?.body.response_format.json_schema.name, "judge_verdict")
    })
  )

  it.scoped("drops temperature for a Claude endpoint that rejects it, once", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(servingEndpoint(() => ({ json: chatCompletion("ok") })))
      const llm = yield* model(stub.url, { temperature: 0.1 })
      yield* llm.complete(question)
      yield* llm.complete(question)
      assert.deepStrictEqual(
        stub.requests.map((r) => r.body.temperature),
        [0.1, undefined, undefined]
      )
    })
  )

  it.scoped("reads the text blocks of content sent as a list (reasoning models)", () =>
    Effect.gen(function* () {
      const blocks = [
        { type: "reasoning", summary: [{ type: "summary_text", text: "Thinking about verdicts…" }] },
        { type: "text", text: '{"verdict":"fail",' },
        { type: "text", text: '"confidence":0.4}' }
      ]
      const stub = yield* stubServer(servingEndpoint(() => ({ json: chatCompletion(blocks) })))
      const llm = yield* model(stub.url, { model: "databricks-gpt-oss-120b" })
      const result = yield* llm.completeJson(question, { name: "verdict", schema: Verdict })
      assert.deepStrictEqual(result.value, { verdict: "fail", confidence: 0.4 })
    })
  )

  it.scoped("repairs invalid JSON once", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(
        servingEndpoint((_, i) => ({
          json: chatCompletion(i === 0 ? "```json\n{verdict: pass}\n```" : '{"verdict":"pass","confidence":1}')
        }))
      )
      const llm = yield* model(stub.url)
      const result = yield* llm.completeJson(question, { name: "verdict", schema: Verdict })
      assert.strictEqual(result.value.verdict, "pass")
      assert.strictEqual(stub.requests.length, 2)
      assert.match(stub.requests[1]?.body.messages.at(-1).content, /not valid JSON/)
    })
  )

  it.scoped("429 with a fractional Retry-After, and 503, are retryable", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(
        servingEndpoint((_, i) =>
          i === 0
            ? openAiError(429, "REQUEST_LIMIT_EXCEEDED", { "retry-after": "1.5" })
            : openAiError(503, "Unavailable")
        )
      )
      const llm = yield* model(stub.url)
      const limited = providerError(yield* Effect.exit(llm.complete(question)))
      assert.strictEqual(limited.reason, "RateLimited")
      assert.strictEqual(limited.retryAfterMs, 1500)
      const unavailable = providerError(yield* Effect.exit(llm.complete(question)))
      assert.strictEqual(unavailable.reason, "Server")
      assert.isTrue(unavailable.retryable)
    })
  )

  it.scoped("a rejected token is Auth; a WorkspaceAuth failure is Auth without any request", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(() => openAiError(403, "Invalid access token"))
      const llm = yield* model(stub.url)
      const rejected = providerError(yield* Effect.exit(llm.complete(question)))
      assert.strictEqual(rejected.reason, "Auth")
      assert.include(rejected.message, stub.url)

      const broken = yield* Databricks.make({ model: "m" }).pipe(
        Effect.provide(
          Layer.succeed(Workspace.WorkspaceAuth, {
            host: stub.url,
            authorization: Effect.fail(new Errors.AuthFailed({ message: "OAuth refresh failed", host: stub.url }))
          })
        )
      )
      const error = providerError(yield* Effect.exit(broken.complete(question)))
      assert.strictEqual(error.reason, "Auth")
      assert.include(error.message, "OAuth refresh failed")
      assert.strictEqual(stub.requests.length, 1)
    })
  )

  it.scoped("a timeout around the call aborts the HTTP request", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(servingEndpoint(() => "hang"))
      const llm = yield* model(stub.url)
      const fiber = yield* Effect.fork(Effect.timeout(llm.complete(question), "2 minutes"))
      yield* Deferred.await(stub.hanging)
      yield* TestClock.adjust("2 minutes")
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag === "TimeoutException")
      yield* Deferred.await(stub.aborted)
    })
  )
})
