import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Emulator } from "../src/index.js"
import { call } from "./support.js"

const schema = {
  type: "object",
  additionalProperties: false,
  required: ["verdict", "reasons", "score", "fix"],
  properties: {
    verdict: { type: "string", enum: ["pass", "fail"] },
    reasons: { type: "array", items: { type: "string" }, minItems: 2 },
    score: { type: "integer", minimum: 1 },
    fix: { $ref: "#/$defs/fix" }
  },
  $defs: { fix: { anyOf: [{ type: "null" }, { type: "object", properties: { sql: { type: "string" } } }] } }
}

describe("serving endpoints", () => {
  it.scoped("chat/completions answers json_schema requests with JSON that fits the schema", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.start()
      const response = yield* call(emulator, "POST", "/serving-endpoints/chat/completions", {
        body: {
          model: "databricks-claude-sonnet-4-6",
          messages: [{ role: "user", content: "Judge this." }],
          response_format: { type: "json_schema", json_schema: { name: "judge", schema, strict: true } }
        }
      })
      assert.strictEqual(response.status, 200)
      assert.strictEqual(response.json.object, "chat.completion")
      assert.strictEqual(response.json.model, "databricks-claude-sonnet-4-6")
      const content = JSON.parse(response.json.choices[0].message.content)
      assert.deepStrictEqual(content, {
        verdict: "pass",
        reasons: ["example", "example"],
        score: 1,
        fix: { sql: "example" }
      })
      assert.strictEqual(response.json.choices[0].finish_reason, "stop")
      assert.strictEqual(
        response.json.usage.total_tokens,
        response.json.usage.prompt_tokens + response.json.usage.completion_tokens
      )
    })
  )

  it.scoped("scripted completions, invocations, recorded requests and request errors", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.start({
        completions: [
          { endpoint: "judge", contains: "orders", content: { verdict: "fail" } },
          { content: "plain text" }
        ]
      })
      const invoke = (name: string, body: Record<string, unknown>) =>
        call(emulator, "POST", `/serving-endpoints/${name}/invocations`, { body })
      const scripted = yield* invoke("judge", {
        messages: [{ role: "user", content: [{ type: "text", text: "count orders" }] }]
      })
      assert.strictEqual(scripted.json.choices[0].message.content, '{"verdict":"fail"}')
      assert.strictEqual(scripted.json.model, "judge")
      const fallback = yield* invoke("judge", { messages: [{ role: "user", content: "other" }] })
      assert.strictEqual(fallback.json.choices[0].message.content, "plain text")
      const requests = yield* emulator.servingRequests
      assert.deepStrictEqual(
        requests.map((r) => r.endpoint),
        ["judge", "judge"]
      )

      const inputs = yield* invoke("judge", { inputs: { x: 1 } })
      assert.deepStrictEqual([inputs.status, inputs.json.message], [400, 'json: unknown field "inputs"'])
      const noName = yield* call(emulator, "POST", "/serving-endpoints/chat/completions", {
        body: {
          model: "m",
          messages: [{ role: "user", content: "x" }],
          response_format: { type: "json_schema", json_schema: { schema } }
        }
      })
      assert.deepStrictEqual(
        [noName.status, noName.json.message],
        [400, "Missing required parameter: 'response_format.json_schema.name'."]
      )
      const noMessages = yield* call(emulator, "POST", "/serving-endpoints/chat/completions", { body: { model: "m" } })
      assert.strictEqual(noMessages.status, 400)
    })
  )

  it.scoped("answers content as an array of blocks in reasoning-model mode", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.start({ faults: { serving: { contentAsArray: true } } })
      const response = yield* call(emulator, "POST", "/serving-endpoints/chat/completions", {
        body: { model: "databricks-gpt-oss-120b", messages: [{ role: "user", content: "hi" }] }
      })
      const content = response.json.choices[0].message.content
      assert.deepStrictEqual(
        content.map((c: any) => c.type),
        ["reasoning", "text"]
      )
      assert.strictEqual(content[1].text, "This is a scripted reply from the workspace emulator.")
    })
  )
})
