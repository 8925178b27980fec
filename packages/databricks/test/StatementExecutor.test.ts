import { assert, describe, it } from "@effect/vitest"
import { FetchHttpClient } from "@effect/platform"
import { Effect, Fiber, Redacted, TestClock } from "effect"
import { DatabricksAuth, RestClient, StatementExecutor } from "../src/index.js"
import type { Sent } from "./RequestFaults.js"
import { faultyAdapter } from "./RequestFaults.js"
import { adapterFor, awaitSleep, failureOf, startEmulator, withAutoClock } from "./support.js"

const statementPosts = (sent: ReadonlyArray<{ readonly method: string; readonly path: string }>) =>
  sent.filter((r) => r.method === "POST" && r.path === "/api/2.0/sql/statements")

describe("StatementExecutor", () => {
  it.scoped("returns rows as strings with Databricks column types", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator()
      const { executor } = yield* adapterFor(emulator)
      const result = yield* executor.execute(
        "SELECT order_id, amount, region, order_date FROM main.sales.orders WHERE order_id <= 2 ORDER BY order_id"
      )
      assert.deepStrictEqual(
        result.columns.map((c) => [c.name, c.typeName, c.typeText]),
        [
          ["order_id", "LONG", "BIGINT"],
          ["amount", "DECIMAL", "DECIMAL(10,2)"],
          ["region", "STRING", "STRING"],
          ["order_date", "DATE", "DATE"]
        ]
      )
      assert.deepStrictEqual(result.rows, [
        ["1", "100.00", "EU", "2025-06-01"],
        ["2", "50.50", "US", "2025-06-02"]
      ])
      assert.include(result, { rowCount: 2, truncated: false })
    })
  )

  it.scoped("fetches every chunk, and cuts at the row limit", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator({ statementChunkRows: 2 })
      const { executor, sent } = yield* adapterFor(emulator)
      const all = yield* executor.execute("SELECT order_id FROM main.sales.orders ORDER BY order_id")
      assert.deepStrictEqual(all.rows, [["1"], ["2"], ["3"], ["4"], ["5"]])
      assert.include(all, { rowCount: 5, truncated: false })
      assert.deepStrictEqual(
        sent.filter((r) => r.path.includes("/result/chunks/")).map((r) => r.path.split("/").pop()),
        ["1", "2"]
      )

      const cut = yield* executor.execute("SELECT order_id FROM main.sales.orders ORDER BY order_id", { rowLimit: 3 })
      assert.deepStrictEqual(cut.rows, [["1"], ["2"], ["3"]])
      assert.isTrue(cut.truncated)
    })
  )

  it.scoped("a failing statement is a caller error with its SQLSTATE", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator()
      const { executor } = yield* adapterFor(emulator)
      const failed = failureOf(yield* Effect.exit(executor.execute("SELECT * FROM main.sales.nope")))
      assert.include(failed, { _tag: "SqlFailed", sqlState: "42P01", callerError: true, retryable: false })
      assert.include(failed.message, "TABLE_OR_VIEW_NOT_FOUND")
      assert.isString(failed._tag === "SqlFailed" ? failed.statementId : undefined)
    })
  )

  it.scoped("refuses DDL, DML, several statements and comment smuggling without sending them", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator()
      const { executor, sent } = yield* adapterFor(emulator)
      const unsafe = [
        "DROP TABLE main.sales.orders",
        "CREATE TABLE main.sales.x AS SELECT 1 AS a",
        "DELETE FROM main.sales.orders",
        "INSERT INTO main.sales.customers VALUES (99, 'Eve')",
        "UPDATE main.sales.orders SET amount = 0",
        "SELECT 1; DROP TABLE main.sales.orders",
        "SELECT 1 /* harmless */; DELETE FROM main.sales.orders -- tidy up",
        "SELECT * FROM main.sales.orders WHERE region = 'EU' */ ; DROP TABLE main.sales.orders; /*"
      ]
      for (const sql of unsafe) {
        const refused = failureOf(yield* Effect.exit(executor.execute(sql)))
        assert.strictEqual(refused._tag, "UnsafeSql", sql)
      }
      assert.deepStrictEqual(statementPosts(sent), [])
      const count = yield* emulator.warehouse.query("SELECT COUNT(*) FROM main.sales.orders")
      assert.deepStrictEqual(count.rows, [["5"]])

      // A comment that only looks like a second statement is one query.
      const one = yield* executor.execute("SELECT COUNT(*) AS n FROM main.sales.orders -- ; DROP TABLE x")
      assert.deepStrictEqual(one.rows, [["5"]])
      // Trusted SQL (the user's benchmark file) skips the guard; the warehouse still refuses writes.
      const trusted = failureOf(yield* Effect.exit(executor.execute("DROP TABLE main.sales.orders", { trusted: true })))
      assert.strictEqual(trusted._tag, "SqlFailed")
      assert.strictEqual(statementPosts(sent).length, 2)
    })
  )

  it.scoped("a statement still running at the timeout is cancelled", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator({ faults: { statements: { runMs: 120_000 } } })
      const { executor, idle, sent } = yield* adapterFor(emulator)
      const exit = yield* withAutoClock(executor.execute("SELECT 1 AS one", { timeoutSeconds: 20 }), idle)
      const failed = failureOf(exit)
      assert.include(failed, { _tag: "SqlFailed", retryable: true, callerError: false })
      const cancel = sent.find((r) => r.path.endsWith("/cancel"))
      assert.isDefined(cancel)
      assert.strictEqual(cancel?.at, 20_000)
      const id = failed._tag === "SqlFailed" ? failed.statementId : undefined
      assert.include(cancel?.path ?? "", `/${id}/cancel`)
    })
  )

  it.scoped("an interrupted call cancels its statement", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator({ faults: { statements: { runMs: 120_000 } } })
      const { executor, sent } = yield* adapterFor(emulator)
      const fiber = yield* Effect.fork(executor.execute("SELECT 1 AS one"))
      yield* awaitSleep(5000) // the server holds the submit for wait_timeout (5 s)
      yield* TestClock.adjust("5 seconds")
      yield* awaitSleep(5500) // the client waits 0.5 s before its first poll
      yield* Fiber.interrupt(fiber)
      const cancel = sent.find((r) => r.path.endsWith("/cancel"))
      assert.isDefined(cancel)
      const statementId = cancel?.path.split("/").at(-2) ?? ""
      const statement = yield* Effect.promise(() =>
        fetch(`${emulator.host}/api/2.0/sql/statements/${statementId}`, {
          headers: { authorization: `Bearer ${emulator.token}` }
        }).then((r) => r.json() as Promise<{ readonly status: { readonly state: string } }>)
      )
      assert.strictEqual(statement.status.state, "CANCELED")
    })
  )

  it.scoped("HTTP failures keep their classification; a missing warehouse says how to set one", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator({ faults: { statements: { throttleRate: 1, retryAfterSeconds: 2 } } })
      const { executor, idle, sent } = yield* adapterFor(emulator)
      // A 429 goes to the safety layer's rate limiter at once.
      assert.include(failureOf(yield* Effect.exit(executor.execute("SELECT 1"))), {
        retryable: true,
        rateLimited: true,
        retryAfterMs: 2000,
        callerError: false
      })
      // A 503 is submitted again until the call's timeout, then the last one is the failure.
      yield* emulator.setFaults({ statements: { errorRate: 1, errorStatus: 503 } })
      const before = statementPosts(sent).length
      const unavailable = failureOf(yield* withAutoClock(executor.execute("SELECT 1", { timeoutSeconds: 10 }), idle))
      assert.include(unavailable, { retryable: true, rateLimited: false })
      assert.include(unavailable.message, "HTTP 503")
      assert.isAtLeast(statementPosts(sent).length - before, 4)

      yield* emulator.setFaults({})
      const unknown = yield* adapterFor(emulator, { warehouseId: "0000000000000000" })
      const missing = failureOf(yield* Effect.exit(unknown.executor.execute("SELECT 1")))
      assert.include(missing, { retryable: false, callerError: false })
      assert.include(missing.message, "HTTP 404")

      const none = yield* StatementExecutor.make({ rowLimit: 10, timeoutSeconds: 10 }).pipe(
        Effect.provide(RestClient.layer),
        Effect.provide(
          DatabricksAuth.layer({
            host: emulator.host,
            credentials: { type: "pat", token: Redacted.make(emulator.token) }
          })
        ),
        Effect.provide(FetchHttpClient.layer)
      )
      const noWarehouse = failureOf(yield* Effect.exit(none.execute("SELECT 1")))
      assert.include(noWarehouse.message, "DATABRICKS_WAREHOUSE_ID")
    })
  )

  describe("single requests that fail", () => {
    const poll = /^\/api\/2\.0\/sql\/statements\/[^/]+$/
    const chunk = /\/result\/chunks\/\d+$/
    const submit = /^\/api\/2\.0\/sql\/statements$/
    const ordersSql = "SELECT order_id FROM main.sales.orders ORDER BY order_id"
    /** An emulator whose SQL engine has run a query (see GenieAsker.test.ts: the first one is slow in real time). */
    const warmEmulator = (options?: Parameters<typeof startEmulator>[0]) =>
      Effect.tap(startEmulator(options), (emulator) => Effect.orDie(emulator.warehouse.query(ordersSql)))
    const faultsOf = (sent: ReadonlyArray<Sent>, path: RegExp) =>
      sent.filter((r) => path.test(r.path)).map((r) => r.fault)

    it.scoped("a status poll that fails or hangs is made again; the statement's rows still arrive", () =>
      Effect.gen(function* () {
        const emulator = yield* warmEmulator({ faults: { statements: { runMs: 20_000 } } })
        const { executor, idle, sent } = yield* faultyAdapter(emulator, [
          { method: "GET", path: poll, faults: [503, "hang", 429] }
        ])
        const result = yield* Effect.flatten(withAutoClock(executor.execute(ordersSql), idle))
        assert.strictEqual(result.rows.length, 5)
        assert.deepStrictEqual(faultsOf(sent, poll).slice(0, 3), [503, "hang", 429])
        const polls = sent.filter((r) => poll.test(r.path))
        assert.isAtLeast(polls[2].at - polls[1].at, 10_000) // the hung poll is abandoned after 10 s
        assert.isAtLeast(polls[3].at - polls[2].at, 2000) // Retry-After of the 429
        assert.isFalse(sent.some((r) => r.path.endsWith("/cancel")))
      })
    )

    it.scoped("a chunk read that fails or hangs is made again; every row arrives", () =>
      Effect.gen(function* () {
        const emulator = yield* warmEmulator({ statementChunkRows: 2 })
        const { executor, idle, sent } = yield* faultyAdapter(emulator, [
          { method: "GET", path: chunk, faults: [503, "hang"] }
        ])
        const result = yield* Effect.flatten(withAutoClock(executor.execute(ordersSql), idle))
        assert.deepStrictEqual(result.rows, [["1"], ["2"], ["3"], ["4"], ["5"]])
        assert.deepStrictEqual(faultsOf(sent, chunk), [503, "hang", undefined, undefined])
      })
    )

    it.scoped("a submit answered 503 or 502 is sent again on the SQL backoff; trusted SQL only after a 503", () =>
      Effect.gen(function* () {
        const emulator = yield* warmEmulator()
        const { executor, idle, sent } = yield* faultyAdapter(emulator, [
          { method: "POST", path: submit, faults: [503, 502] }
        ])
        const result = yield* Effect.flatten(withAutoClock(executor.execute(ordersSql), idle))
        assert.strictEqual(result.rows.length, 5)
        const times = sent.filter((r) => submit.test(r.path)).map((r) => r.at)
        assert.strictEqual(times.length, 3)
        // 1 s, then 2 s (±20 % jitter): the safety layer's SQL backoff.
        const [first, second] = [times[1] - times[0], times[2] - times[1]]
        assert.isTrue(first >= 800 && first <= 1200, `first wait ${first}`)
        assert.isTrue(second >= 1600 && second <= 2400, `second wait ${second}`)

        // A 502 may come after the warehouse accepted the statement: SQL that may write is not sent twice.
        const writes = yield* faultyAdapter(emulator, [{ method: "POST", path: submit, faults: [502] }])
        const insert = "INSERT INTO main.sales.customers VALUES (99, 'Eve')"
        const trusted = failureOf(yield* withAutoClock(writes.executor.execute(insert, { trusted: true }), writes.idle))
        assert.include(trusted, { retryable: true })
        assert.include(trusted.message, "HTTP 502")
        assert.strictEqual(writes.sent.filter((r) => submit.test(r.path)).length, 1)
      })
    )

    it.scoped("permanent 4xx failures end the call at once", () =>
      Effect.gen(function* () {
        const emulator = yield* warmEmulator({ faults: { statements: { runMs: 20_000 } } })
        const { executor, idle, sent } = yield* faultyAdapter(emulator, [
          { method: "POST", path: submit, faults: [400] },
          { method: "GET", path: poll, faults: [403] }
        ])
        const bad = failureOf(yield* withAutoClock(executor.execute(ordersSql), idle))
        assert.include(bad, { retryable: false, callerError: true })
        assert.strictEqual(sent.filter((r) => submit.test(r.path)).length, 1)

        const denied = failureOf(yield* withAutoClock(executor.execute(ordersSql), idle))
        assert.include(denied, { retryable: false })
        assert.include(denied.message, "HTTP 403")
        assert.strictEqual(sent.filter((r) => poll.test(r.path)).length, 1)
      })
    )
  })
})
