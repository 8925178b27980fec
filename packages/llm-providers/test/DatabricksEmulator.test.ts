import { assert, describe, it } from "@effect/vitest"
import { Workspace } from "@genie-enhancer/core"
import { Emulator } from "@genie-enhancer/workspace-emulator"
import { Effect, Layer, Redacted, Schema } from "effect"
import * as Databricks from "../src/Databricks.js"

const Verdict = Schema.Struct({ verdict: Schema.Literal("pass", "fail"), confidence: Schema.Number })

describe("Databricks serving through the workspace emulator", () => {
  it.scoped("sends chat completions to the emulator's serving endpoint with the workspace token", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.start({
        completions: [
          { endpoint: "databricks-claude-sonnet-4", contains: "Judge", content: { verdict: "fail", confidence: 0.8 } }
        ]
      })
      const auth = Layer.succeed(Workspace.WorkspaceAuth, {
        host: emulator.host,
        authorization: Effect.succeed(Redacted.make(`Bearer ${emulator.token}`))
      })
      const llm = yield* Databricks.make({ model: "databricks-claude-sonnet-4" }).pipe(Effect.provide(auth))
      const judged = yield* llm.completeJson(
        { messages: [{ role: "user", content: "Judge these results." }], stage: "judge" },
        { name: "verdict", schema: Verdict }
      )
      assert.deepStrictEqual(judged.value, { verdict: "fail", confidence: 0.8 })
      assert.strictEqual(judged.usage.provider, "databricks")
      assert.isAbove(judged.usage.inputTokens, 0)
      const requests = yield* emulator.servingRequests
      assert.strictEqual(requests.length, 1)
      assert.strictEqual(requests[0]?.endpoint, "databricks-claude-sonnet-4")
      // Structured output as Databricks wants it: json_schema with a name.
      const format = requests[0]?.body["response_format"] as { json_schema?: { name?: string } } | undefined
      assert.strictEqual(format?.json_schema?.name, "verdict")
    })
  )

  it.scoped("a wrong token is an Auth error, not retryable", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.start({})
      const auth = Layer.succeed(Workspace.WorkspaceAuth, {
        host: emulator.host,
        authorization: Effect.succeed(Redacted.make("Bearer dapi-wrong"))
      })
      const llm = yield* Databricks.make({ model: "databricks-claude-sonnet-4" }).pipe(Effect.provide(auth))
      const error = yield* Effect.flip(llm.complete({ messages: [{ role: "user", content: "hi" }] }))
      assert.strictEqual(error.reason, "Auth")
      assert.isFalse(error.retryable)
      assert.notInclude(error.message, "dapi-wrong")
    })
  )
})
