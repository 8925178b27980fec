import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { Emulator } from "../src/index.js"
import { awaitSleeps, call, salesDataset } from "./support.js"

const base = "/api/2.0/sql/statements"

const startEmulator = (options: Emulator.Options = {}) =>
  Emulator.start({ datasets: [salesDataset], statementChunkRows: 2, ...options })

describe("SQL Statement Execution API", () => {
  it.scoped("executes a query and returns INLINE JSON_ARRAY chunks with next_chunk_index", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator()
      const executed = yield* call(emulator, "POST", base, {
        body: {
          warehouse_id: emulator.warehouseId,
          statement: "SELECT order_id, amount, order_date FROM `main`.`sales`.`orders` ORDER BY order_id",
          wait_timeout: "30s"
        }
      })
      assert.strictEqual(executed.status, 200)
      const json = executed.json
      assert.strictEqual(json.status.state, "SUCCEEDED")
      assert.deepStrictEqual(json.manifest.schema.columns, [
        { name: "order_id", position: 0, type_name: "LONG", type_text: "BIGINT" },
        {
          name: "amount",
          position: 1,
          type_name: "DECIMAL",
          type_text: "DECIMAL(10,2)",
          type_precision: 10,
          type_scale: 2
        },
        { name: "order_date", position: 2, type_name: "DATE", type_text: "DATE" }
      ])
      assert.deepStrictEqual(
        [json.manifest.total_chunk_count, json.manifest.total_row_count, json.manifest.truncated],
        [2, 4, false]
      )
      assert.deepStrictEqual(json.result.data_array, [
        ["1", "100.00", "2025-06-01"],
        ["2", "50.50", "2025-06-02"]
      ])
      assert.strictEqual(json.result.next_chunk_index, 1)
      const next = yield* call(emulator, "GET", json.result.next_chunk_internal_link)
      assert.deepStrictEqual(next.json.data_array, [
        ["3", "20.25", "2025-06-03"],
        ["4", "75.00", "2025-06-04"]
      ])
      assert.deepStrictEqual([next.json.row_offset, next.json.next_chunk_index], [2, undefined])
      const outOfRange = yield* call(emulator, "GET", `${base}/${json.statement_id}/result/chunks/2`)
      assert.strictEqual(outOfRange.status, 404)
      const again = yield* call(emulator, "GET", `${base}/${json.statement_id}`)
      assert.deepStrictEqual(again.json.result.data_array, json.result.data_array)
    })
  )

  it.scoped("applies row_limit, binds parameters and honours catalog/schema", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator()
      const limited = yield* call(emulator, "POST", base, {
        body: { warehouse_id: emulator.warehouseId, statement: "SELECT * FROM main.sales.orders", row_limit: 3 }
      })
      assert.deepStrictEqual([limited.json.manifest.total_row_count, limited.json.manifest.truncated], [3, true])
      const bound = yield* call(emulator, "POST", base, {
        body: {
          warehouse_id: emulator.warehouseId,
          statement: "SELECT COUNT(*) AS n FROM orders WHERE region = :region AND amount > :min",
          catalog: "main",
          schema: "sales",
          parameters: [
            { name: "region", value: "EU" },
            { name: "min", value: "50", type: "DECIMAL(10,2)" }
          ]
        }
      })
      assert.deepStrictEqual(bound.json.result.data_array, [["1"]])
      const inCatalog = (body: Record<string, unknown>) =>
        call(emulator, "POST", base, { body: { warehouse_id: emulator.warehouseId, ...body } })
      const catalogOnly = yield* inCatalog({
        statement: "SELECT initcap(region) FROM sales.orders LIMIT 1",
        catalog: "main"
      })
      assert.deepStrictEqual(catalogOnly.json.result.data_array, [["Eu"]])
      const noSchema = yield* inCatalog({ statement: "SELECT 1", catalog: "main", schema: "nope" })
      assert.strictEqual(noSchema.json.status.sql_state, "42704")
    })
  )

  it.scoped("reports SQL errors as FAILED with sql_state, and refuses anything but one read-only query", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator()
      const run = (statement: string) =>
        call(emulator, "POST", base, { body: { warehouse_id: emulator.warehouseId, statement } })
      const missing = yield* run("SELECT * FROM main.sales.nope")
      assert.strictEqual(missing.status, 200)
      assert.strictEqual(missing.json.status.state, "FAILED")
      assert.strictEqual(missing.json.status.error.error_code, "BAD_REQUEST")
      assert.match(missing.json.status.error.message, /^\[TABLE_OR_VIEW_NOT_FOUND\] .*SQLSTATE: 42P01$/)
      assert.strictEqual(missing.json.status.sql_state, "42P01")
      for (const statement of [
        "DELETE FROM main.sales.orders",
        "CREATE TABLE main.sales.x AS SELECT 1",
        "UPDATE main.sales.orders SET amount = 0",
        "ATTACH ':memory:' AS x"
      ]) {
        const refused = yield* run(statement)
        assert.strictEqual(refused.json.status.sql_state, "42501", statement)
      }
      assert.strictEqual((yield* run("SELECT 1; DROP TABLE main.sales.orders")).json.status.sql_state, "42601")
      const still = yield* run("SELECT COUNT(*) FROM main.sales.orders")
      assert.deepStrictEqual(still.json.result.data_array, [["4"]])
    })
  )

  it.scoped("rejects invalid requests with the error envelope", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator()
      const post = (body: Record<string, unknown>) =>
        call(emulator, "POST", base, { body: { warehouse_id: emulator.warehouseId, statement: "SELECT 1", ...body } })
      const badWait = yield* post({ wait_timeout: "3s" })
      assert.deepStrictEqual([badWait.status, badWait.json.error_code], [400, "INVALID_PARAMETER_VALUE"])
      assert.strictEqual((yield* post({ format: "ARROW_STREAM" })).status, 400)
      assert.strictEqual((yield* post({ disposition: "EXTERNAL_LINKS" })).status, 501)
      assert.strictEqual((yield* post({ warehouse_id: "0000000000000000" })).status, 404)
      assert.strictEqual((yield* post({ statement: "" })).status, 400)
      assert.strictEqual((yield* call(emulator, "GET", `${base}/nope`)).status, 404)
    })
  )

  it.scoped("moves PENDING → RUNNING → SUCCEEDED on the clock, waits up to wait_timeout, cancels and closes", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator({
        faults: { statements: { pendingMs: 1000, runMs: 9000 } },
        statementResultTtl: "1 hour"
      })
      const post = (body: Record<string, unknown>) =>
        call(emulator, "POST", base, {
          body: { warehouse_id: emulator.warehouseId, statement: "SELECT 42 AS answer", ...body }
        })
      const async = yield* post({ wait_timeout: "0s" })
      assert.strictEqual(async.json.status.state, "PENDING")
      const get = call(emulator, "GET", `${base}/${async.json.statement_id}`)
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* get).json.status.state, "RUNNING")
      yield* TestClock.adjust("8 seconds")
      assert.strictEqual((yield* get).json.status.state, "RUNNING")
      yield* TestClock.adjust("1 second")
      const done = yield* get
      assert.strictEqual(done.json.status.state, "SUCCEEDED")
      assert.deepStrictEqual(done.json.result.data_array, [["42"]])

      // Synchronous mode: the request returns when the statement finishes (10 s) or at wait_timeout.
      const waiting = yield* Effect.fork(post({ wait_timeout: "30s" }))
      yield* awaitSleeps()
      yield* TestClock.adjust("10 seconds")
      const sync = yield* Fiber.join(waiting)
      assert.strictEqual(sync.json.status.state, "SUCCEEDED")

      const canceling = yield* Effect.fork(post({ wait_timeout: "5s", on_wait_timeout: "CANCEL" }))
      yield* awaitSleeps()
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual((yield* Fiber.join(canceling)).json.status.state, "CANCELED")

      const running = yield* post({ wait_timeout: "0s" })
      const cancel = yield* call(emulator, "POST", `${base}/${running.json.statement_id}/cancel`, { body: {} })
      assert.deepStrictEqual([cancel.status, cancel.json], [200, {}])
      assert.strictEqual(
        (yield* call(emulator, "GET", `${base}/${running.json.statement_id}`)).json.status.state,
        "CANCELED"
      )

      yield* TestClock.adjust("1 hour")
      assert.deepStrictEqual((yield* get).json.status, { state: "CLOSED" })
    })
  )
})
