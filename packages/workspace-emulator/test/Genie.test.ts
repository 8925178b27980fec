import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import type { GenieEngine as Engine } from "../src/index.js"
import { Emulator, GenieEngine } from "../src/index.js"
import { ask, call, pollMessage, salesDataset, salesSpace, totalByRegionSql } from "./support.js"

const answers = [
  {
    question: "Total sales by region?",
    sql: totalByRegionSql,
    text: "EU leads with 120.25.",
    title: "Sales by region",
    suggestedQuestions: ["And by customer?"]
  },
  { question: "Which sales?", text: "Do you mean orders or revenue?" },
  { question: "Break it", failed: { type: "CONTENT_FILTER_EXCEPTION" as const, message: "Blocked." } },
  { question: "Quirk", attachments: "none" as const },
  { question: "Missing table", sql: "SELECT * FROM main.sales.nope" },
  { question: "Drop it", sql: "DROP TABLE main.sales.orders" },
  {
    question: "Self-correct",
    sql: "SELECT COUNT(*) AS n FROM main.sales.orders",
    corrections: ["SELECT COUNT(*) FROM main.sales.order"]
  }
]

const startEmulator = (options: Emulator.Options = {}) =>
  Emulator.start({
    datasets: [salesDataset],
    spaces: [{ title: "Sales", description: "Sales KPIs", serializedSpace: salesSpace, answers }],
    ...options
  })

const base = (spaceId: string) => `/api/2.0/genie/spaces/${spaceId}`

describe("Genie conversation API", () => {
  it.scoped("answers with a query and a text attachment, and serves the rows through both result endpoints", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator()
      const spaceId = emulator.spaceIds[0]
      const { started, message } = yield* ask(emulator, spaceId, "  total sales BY region? ")
      assert.strictEqual(started.status, 200)
      assert.strictEqual(started.json.message.status, "SUBMITTED")
      assert.strictEqual(started.json.conversation.title, "  total sales BY region? ")
      assert.match(started.json.conversation_id, /^[0-9a-f]{32}$/)
      assert.strictEqual(message.json.status, "COMPLETED")
      const [query, text, suggested] = message.json.attachments
      assert.strictEqual(query.query.query, totalByRegionSql)
      assert.strictEqual(query.query.title, "Sales by region")
      assert.deepStrictEqual(query.query.query_result_metadata, { row_count: 3, is_truncated: false })
      assert.strictEqual(text.text.content, "EU leads with 120.25.")
      assert.deepStrictEqual(suggested.suggested_questions.questions, ["And by customer?"])

      const path = `${base(spaceId)}/conversations/${started.json.conversation_id}/messages/${started.json.message_id}`
      const result = yield* call(emulator, "GET", `${path}/attachments/${query.attachment_id}/query-result`)
      const response = result.json.statement_response
      assert.strictEqual(response.status.state, "SUCCEEDED")
      assert.deepStrictEqual(
        response.manifest.schema.columns.map((c: any) => [c.name, c.type_name]),
        [
          ["region", "STRING"],
          ["total", "DECIMAL"]
        ]
      )
      assert.deepStrictEqual(response.result.data_array, [
        ["APAC", "75.00"],
        ["EU", "120.25"],
        ["US", "50.50"]
      ])
      const statement = yield* call(emulator, "GET", `/api/2.0/sql/statements/${query.query.statement_id}`)
      assert.deepStrictEqual(statement.json.result.data_array, response.result.data_array)
    })
  )

  it.scoped("text-only replies, FAILED messages, COMPLETED without attachments and failing SQL", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator()
      const spaceId = emulator.spaceIds[0]
      const clarify = (yield* ask(emulator, spaceId, "Which sales?")).message.json
      assert.strictEqual(clarify.status, "COMPLETED")
      assert.deepStrictEqual(
        clarify.attachments.map((a: any) => Object.keys(a).sort()),
        [["attachment_id", "text"]]
      )
      assert.strictEqual(clarify.attachments[0].text.content, "Do you mean orders or revenue?")

      const failed = (yield* ask(emulator, spaceId, "Break it")).message.json
      assert.strictEqual(failed.status, "FAILED")
      assert.deepStrictEqual(failed.error, { error: "Blocked.", type: "CONTENT_FILTER_EXCEPTION" })

      const quirk = (yield* ask(emulator, spaceId, "Quirk")).message.json
      assert.strictEqual(quirk.status, "COMPLETED")
      assert.isUndefined(quirk.attachments)

      const missing = (yield* ask(emulator, spaceId, "Missing table")).message.json
      assert.strictEqual(missing.status, "FAILED")
      assert.strictEqual(missing.error.type, "SQL_EXECUTION_EXCEPTION")
      assert.include(missing.error.error, "TABLE_OR_VIEW_NOT_FOUND")
      assert.strictEqual(missing.attachments[0].query.query, "SELECT * FROM main.sales.nope")

      const drop = (yield* ask(emulator, spaceId, "Drop it")).message.json
      assert.strictEqual(drop.status, "FAILED")
      assert.include(drop.error.error, "INSUFFICIENT_PERMISSIONS")
      const count = yield* emulator.warehouse.query("SELECT COUNT(*) FROM main.sales.orders")
      assert.deepStrictEqual(count.rows, [["4"]])

      const corrected = (yield* ask(emulator, spaceId, "Self-correct")).message.json
      assert.strictEqual(corrected.status, "COMPLETED")
      assert.deepStrictEqual(
        corrected.attachments.map((a: any) => a.query.query),
        ["SELECT COUNT(*) FROM main.sales.order", "SELECT COUNT(*) AS n FROM main.sales.orders"]
      )

      const unscripted = (yield* ask(emulator, spaceId, "What is the meaning of life?")).message.json
      assert.strictEqual(unscripted.status, "COMPLETED")
      assert.property(unscripted.attachments[0], "text")
    })
  )

  it.scoped("passes the engine the space, question, history, catalog, seed and a read-only query function", () =>
    Effect.gen(function* () {
      const seen: Array<Engine.Question> = []
      const engine: Engine.GenieEngine = {
        name: "recording",
        answer: (question) =>
          Effect.gen(function* () {
            seen.push(question)
            const regions = yield* question.query("SELECT DISTINCT region FROM main.sales.orders ORDER BY 1")
            const refused = yield* Effect.flip(question.query("DELETE FROM main.sales.orders"))
            return GenieEngine.Reply.Sql({
              sql: `SELECT '${regions.rows.map((r) => r[0]).join(",")}' AS regions, '${refused.sqlState}' AS refused`,
              text: `turn ${question.history.length + 1}`
            })
          }).pipe(Effect.orDie)
      }
      const emulator = yield* startEmulator({ engines: () => engine, seed: 7 })
      const spaceId = emulator.spaceIds[0]
      const { started, message } = yield* ask(emulator, spaceId, "Regions?")
      assert.strictEqual(message.json.status, "COMPLETED")
      const conversationId = started.json.conversation_id
      const followUp = yield* call(emulator, "POST", `${base(spaceId)}/conversations/${conversationId}/messages`, {
        body: { content: "And again?" }
      })
      assert.strictEqual(followUp.json.status, "SUBMITTED")
      const second = yield* pollMessage(emulator, spaceId, conversationId, followUp.json.message_id)
      assert.strictEqual(second.json.attachments[1].text.content, "turn 2")

      const first = seen[0]
      assert.strictEqual(first.title, "Sales")
      assert.strictEqual(first.description, "Sales KPIs")
      assert.strictEqual(first.seed, 7)
      assert.strictEqual(first.space.data_sources?.tables?.length, 2)
      assert.deepStrictEqual(
        first.catalog.map((t) => [t.identifier, t.columns.map((c) => `${c.name}:${c.typeText}`).join(" ")]),
        [
          ["main.sales.customers", "customer_id:BIGINT name:STRING"],
          ["main.sales.orders", "order_id:BIGINT customer_id:BIGINT amount:DECIMAL(10,2) region:STRING order_date:DATE"]
        ]
      )
      assert.deepStrictEqual(seen[1].history, [
        { question: "Regions?", sql: "SELECT 'APAC,EU,US' AS regions, '42501' AS refused", text: "turn 1" }
      ])
      const rows = yield* call(
        emulator,
        "GET",
        `${base(spaceId)}/conversations/${conversationId}/messages/${followUp.json.message_id}/attachments/${second.json.attachments[0].attachment_id}/query-result`
      )
      assert.deepStrictEqual(rows.json.statement_response.result.data_array, [["APAC,EU,US", "42501"]])
    })
  )

  it.scoped("chooses the engine per space: resolver, then scripted answers, then the default engine", () =>
    Effect.gen(function* () {
      const named = (name: string): Engine.GenieEngine => ({
        name,
        answer: () => Effect.succeed(GenieEngine.Reply.Text({ text: name }))
      })
      const customId = "0123456789abcdef0123456789abcdef"
      const emulator = yield* startEmulator({
        spaces: [
          { title: "Scripted", serializedSpace: salesSpace, answers },
          { title: "Plain", serializedSpace: salesSpace },
          { id: customId, title: "Custom", serializedSpace: salesSpace }
        ],
        defaultEngine: named("default"),
        engines: (spaceId) => (spaceId === customId ? named("custom") : undefined)
      })
      const [scripted, plain, custom] = emulator.spaceIds as [string, string, string]
      const text = (spaceId: string, question: string) =>
        Effect.map(ask(emulator, spaceId, question), (r) => r.message.json.attachments[0].text.content as string)
      assert.strictEqual(yield* text(scripted, "Which sales?"), "Do you mean orders or revenue?")
      assert.strictEqual(yield* text(scripted, "Something else"), "default")
      assert.strictEqual(yield* text(plain, "Which sales?"), "default")
      assert.strictEqual(yield* text(custom, "Which sales?"), "custom")
    })
  )

  it.scoped("moves a message through the documented statuses on the emulator's clock", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator({ faults: { genie: { stepMs: 1000 } } })
      const spaceId = emulator.spaceIds[0]
      const started = yield* call(emulator, "POST", `${base(spaceId)}/start-conversation`, {
        body: { content: "Total sales by region?" }
      })
      const path = `${base(spaceId)}/conversations/${started.json.conversation_id}/messages/${started.json.message_id}`
      const statuses: Array<string> = []
      for (let i = 0; i < 6; i++) {
        // The answer is computed in the background; wait for it without moving the clock.
        const m = yield* call(emulator, "GET", path).pipe(
          Effect.repeat({ until: (r) => i < 4 || r.json.status !== "ASKING_AI", times: 200 })
        )
        statuses.push(m.json.status)
        if (m.json.status === "EXECUTING_QUERY") {
          assert.isUndefined(m.json.attachments[0].query.query_result_metadata)
          const pending = yield* call(
            emulator,
            "GET",
            `${path}/attachments/${m.json.attachments[0].attachment_id}/query-result`
          )
          assert.strictEqual(pending.json.statement_response.status.state, "RUNNING")
        }
        yield* TestClock.adjust("1 second")
      }
      assert.deepStrictEqual(statuses, [
        "SUBMITTED",
        "FETCHING_METADATA",
        "FILTERING_CONTEXT",
        "ASKING_AI",
        "EXECUTING_QUERY",
        "COMPLETED"
      ])
    })
  )

  it.scoped("expires query results after the TTL; execute-query runs the query again", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator({ genieResultTtl: "10 minutes" })
      const spaceId = emulator.spaceIds[0]
      const { started, message } = yield* ask(emulator, spaceId, "Total sales by region?")
      const query = message.json.attachments[0]
      const path = `${base(spaceId)}/conversations/${started.json.conversation_id}/messages/${started.json.message_id}`
      yield* TestClock.adjust("10 minutes")
      const expired = yield* call(emulator, "GET", path)
      assert.strictEqual(expired.json.status, "QUERY_RESULT_EXPIRED")
      const closed = yield* call(emulator, "GET", `${path}/attachments/${query.attachment_id}/query-result`)
      assert.strictEqual(closed.json.statement_response.status.state, "CLOSED")

      const rerun = yield* call(emulator, "POST", `${path}/attachments/${query.attachment_id}/execute-query`, {
        body: {}
      })
      assert.strictEqual(rerun.status, 200)
      assert.strictEqual(rerun.json.statement_response.status.state, "SUCCEEDED")
      assert.notStrictEqual(rerun.json.statement_response.statement_id, query.query.statement_id)
      assert.strictEqual(rerun.json.statement_response.result.data_array.length, 3)
      const refreshed = yield* call(emulator, "GET", path)
      assert.strictEqual(refreshed.json.status, "COMPLETED")
      assert.strictEqual(refreshed.json.attachments[0].query.statement_id, rerun.json.statement_response.statement_id)
    })
  )

  it.scoped("limits questions per minute per workspace with 429 RESOURCE_EXHAUSTED and Retry-After", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator({ faults: { genie: { questionsPerMinute: 2 } } })
      const spaceId = emulator.spaceIds[0]
      const post = call(emulator, "POST", `${base(spaceId)}/start-conversation`, { body: { content: "Which sales?" } })
      const first = yield* post
      assert.strictEqual(first.status, 200)
      yield* TestClock.adjust("20 seconds")
      assert.strictEqual((yield* post).status, 200)
      const limited = yield* post
      assert.strictEqual(limited.status, 429)
      assert.strictEqual(limited.json.error_code, "RESOURCE_EXHAUSTED")
      assert.strictEqual(limited.headers.get("retry-after"), "40")
      // Polling is not a question: it is answered while questions are limited.
      const polled = yield* pollMessage(emulator, spaceId, first.json.conversation_id, first.json.message_id)
      assert.strictEqual(polled.json.status, "COMPLETED")
      yield* TestClock.adjust("40 seconds")
      assert.strictEqual((yield* post).status, 200)
      const questions = yield* emulator.questions
      assert.deepStrictEqual(
        questions.map((q) => q.timestamp),
        [0, 20_000, 60_000]
      )
    })
  )

  it.scoped("lists and deletes conversations; unknown ids are 404 RESOURCE_DOES_NOT_EXIST", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator()
      const spaceId = emulator.spaceIds[0]
      const first = (yield* ask(emulator, spaceId, "Which sales?")).started.json
      yield* TestClock.adjust("1 second")
      const second = (yield* ask(emulator, spaceId, "Total sales by region?")).started.json
      const listed = yield* call(emulator, "GET", `${base(spaceId)}/conversations?page_size=1`)
      assert.deepStrictEqual(
        listed.json.conversations.map((c: any) => c.conversation_id),
        [second.conversation_id]
      )
      const next = yield* call(
        emulator,
        "GET",
        `${base(spaceId)}/conversations?page_size=1&page_token=${listed.json.next_page_token}`
      )
      assert.deepStrictEqual(
        next.json.conversations.map((c: any) => c.conversation_id),
        [first.conversation_id]
      )
      assert.isUndefined(next.json.next_page_token)
      assert.strictEqual((yield* emulator.conversations).length, 2)

      const deleted = yield* call(emulator, "DELETE", `${base(spaceId)}/conversations/${first.conversation_id}`)
      assert.deepStrictEqual([deleted.status, deleted.json], [200, {}])
      const gone = yield* call(
        emulator,
        "GET",
        `${base(spaceId)}/conversations/${first.conversation_id}/messages/${first.message_id}`
      )
      assert.deepStrictEqual([gone.status, gone.json.error_code], [404, "RESOURCE_DOES_NOT_EXIST"])
      const unknownSpace = yield* call(emulator, "POST", `${base("0".repeat(32))}/start-conversation`, {
        body: { content: "x" }
      })
      assert.strictEqual(unknownSpace.status, 404)
      const noContent = yield* call(emulator, "POST", `${base(spaceId)}/start-conversation`, { body: {} })
      assert.deepStrictEqual([noContent.status, noContent.json.error_code], [400, "INVALID_PARAMETER_VALUE"])

      yield* emulator.clearConversations
      assert.deepStrictEqual(yield* emulator.conversations, [])
      assert.strictEqual((yield* emulator.questions).length, 2)
    })
  )
})
