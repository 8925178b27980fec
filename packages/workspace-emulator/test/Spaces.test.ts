import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { Emulator } from "../src/index.js"
import { call, salesSpace } from "./support.js"

const base = "/api/2.0/genie/spaces"

describe("Genie spaces API", () => {
  it.scoped("creates, gets, lists, updates and trashes spaces", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.start()
      assert.deepStrictEqual(emulator.spaceIds, [])
      const created = yield* call(emulator, "POST", base, {
        body: {
          warehouse_id: emulator.warehouseId,
          title: "Sales",
          description: "KPIs",
          serialized_space: JSON.stringify(salesSpace)
        }
      })
      assert.strictEqual(created.status, 200)
      const id = created.json.space_id
      assert.match(id, /^[0-9a-f]{32}$/)
      assert.strictEqual(created.json.create_time, "1970-01-01T00:00:00Z")

      const withoutSpace = yield* call(emulator, "GET", `${base}/${id}`)
      assert.isUndefined(withoutSpace.json.serialized_space)
      const got = yield* call(emulator, "GET", `${base}/${id}?include_serialized_space=true`)
      assert.isString(got.json.serialized_space)
      assert.include(got.json.serialized_space, '\n  "version": 2')
      assert.deepStrictEqual(
        JSON.parse(got.json.serialized_space).data_sources.tables[1].identifier,
        "main.sales.orders"
      )

      const listed = yield* call(emulator, "GET", base)
      assert.deepStrictEqual(
        listed.json.spaces.map((s: any) => [s.space_id, s.title, "serialized_space" in s]),
        [[id, "Sales", false]]
      )

      yield* TestClock.adjust("1 hour")
      const description = yield* call(emulator, "PATCH", `${base}/${id}`, {
        body: { description: "New", etag: got.json.etag }
      })
      assert.strictEqual(description.status, 200)
      assert.strictEqual(description.json.description, "New")
      assert.strictEqual(description.json.update_time, "1970-01-01T01:00:00Z")
      assert.notStrictEqual(description.json.etag, got.json.etag)

      const stale = yield* call(emulator, "PATCH", `${base}/${id}`, { body: { title: "Old", etag: got.json.etag } })
      assert.deepStrictEqual([stale.status, stale.json.error_code], [409, "ABORTED"])

      const replaced = { version: 2, data_sources: { tables: [{ identifier: "main.sales.orders" }] } }
      const updated = yield* call(emulator, "PATCH", `${base}/${id}`, {
        body: { serialized_space: JSON.stringify(replaced) }
      })
      assert.deepStrictEqual(JSON.parse(updated.json.serialized_space), replaced)
      assert.strictEqual(updated.json.title, "Sales")

      const trashed = yield* call(emulator, "DELETE", `${base}/${id}`)
      assert.deepStrictEqual([trashed.status, trashed.json], [200, {}])
      const after = yield* call(emulator, "GET", `${base}/${id}`)
      assert.deepStrictEqual([after.status, after.json.error_code], [404, "RESOURCE_DOES_NOT_EXIST"])
      assert.deepStrictEqual((yield* call(emulator, "GET", base)).json.spaces, [])
    })
  )

  it.scoped("validates serialized_space like the API", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.start()
      const create = (body: Record<string, unknown>) =>
        call(emulator, "POST", base, { body: { warehouse_id: emulator.warehouseId, ...body } })

      const unknown = yield* create({
        serialized_space: JSON.stringify({
          ...salesSpace,
          instructions: {
            sql_snippets: { filters: [{ id: "3a1b2c3d4e5f60718293a4b5c6d7e8f9", sql: ["x"], instructions: ["y"] }] }
          }
        })
      })
      assert.strictEqual(unknown.status, 400)
      assert.strictEqual(unknown.json.error_code, "INVALID_PARAMETER_VALUE")
      assert.match(
        unknown.json.message,
        /^Invalid serialized_space: Cannot find field: instructions in message .*Filter$/
      )

      const badId = yield* create({
        serialized_space: JSON.stringify({
          version: 2,
          instructions: { text_instructions: [{ id: "nope", content: ["x"] }] }
        })
      })
      assert.strictEqual(badId.status, 400)
      assert.include(badId.json.message, "$.instructions.text_instructions[0].id")

      const notJson = yield* create({ serialized_space: "{nope" })
      assert.include(notJson.json.message, "invalid JSON at line 1")

      const noWarehouse = yield* call(emulator, "POST", base, {
        body: { serialized_space: JSON.stringify(salesSpace) }
      })
      assert.deepStrictEqual(
        [noWarehouse.status, noWarehouse.json.message],
        [400, "Missing required field: warehouse_id"]
      )
      const otherWarehouse = yield* call(emulator, "POST", base, {
        body: { warehouse_id: "0123456789abcdef", serialized_space: JSON.stringify(salesSpace) }
      })
      assert.strictEqual(otherWarehouse.status, 400)

      const malformed = yield* call(emulator, "POST", base, {
        rawBody: "not json",
        headers: { "content-type": "application/json" }
      })
      assert.deepStrictEqual([malformed.status, malformed.json.error_code], [400, "MALFORMED_REQUEST"])
    })
  )

  it.scoped("registers spaces from the library with fixed ids and reports invalid ones as ConfigInvalid", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.start()
      const id = yield* emulator.registerSpace({
        id: "01f0f5c840c118b9824acd167525a768",
        title: "Fixed",
        serializedSpace: salesSpace
      })
      assert.strictEqual(id, "01f0f5c840c118b9824acd167525a768")
      const got = yield* call(emulator, "GET", `${base}/${id}`)
      assert.strictEqual(got.json.title, "Fixed")
      const invalid = yield* Effect.flip(emulator.registerSpace({ title: "Bad", serializedSpace: '{"version": 3}' }))
      assert.strictEqual(invalid._tag, "ConfigInvalid")
      assert.strictEqual(invalid.source, "Bad")
      assert.strictEqual(invalid.issues[0]?.path, "$.version")
      const duplicate = yield* Effect.flip(emulator.registerSpace({ id, title: "Again", serializedSpace: salesSpace }))
      assert.include(duplicate.issues[0]?.message, "already exists")
    })
  )
})
