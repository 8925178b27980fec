import { FetchHttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { thrift } from "@databricks/sql"
import { Effect, Fiber, Layer, Redacted, TestClock } from "effect"
import type { DriverExecutor as Driver } from "../src/index.js"
import { DatabricksAuth, DriverExecutor } from "../src/index.js"
import { failureOf } from "./support.js"

const T = thrift.TCLIService_types

const schemaOf = (...columns: ReadonlyArray<readonly [string, number]>) => ({
  columns: columns.map(([columnName, type]) => ({
    columnName,
    typeDesc: { types: [{ primitiveEntry: { type } }] }
  }))
})

interface FakeOptions {
  readonly schema: ReturnType<typeof schemaOf>
  readonly rows: ReadonlyArray<object>
  readonly pageSize?: number
  readonly hang?: boolean
  readonly executeError?: Error
}

/** What a fake driver was asked to do, in order, and what it connected with. */
class Recorder {
  readonly events: Array<string> = []
  readonly connections: Array<Parameters<Driver.DriverClient["connect"]>[0]> = []
}

// Fakes of DBSQLClient, its session and operation. Their methods use `this`, as the real ones do, so calling a
// method detached from its object fails here as it would with the driver.
class FakeOperation implements Driver.DriverOperation {
  served = 0
  readonly recorder: Recorder
  readonly options: FakeOptions
  constructor(recorder: Recorder, options: FakeOptions) {
    this.recorder = recorder
    this.options = options
  }
  getSchema() {
    return Promise.resolve(this.options.schema)
  }
  hasMoreRows() {
    return Promise.resolve(this.served < this.options.rows.length)
  }
  fetchChunk({ maxRows }: { readonly maxRows: number }) {
    this.recorder.events.push(`fetch ${maxRows}`)
    if (this.options.hang === true) return new Promise<Array<object>>(() => undefined)
    const page = this.options.rows.slice(this.served, this.served + Math.min(maxRows, this.options.pageSize ?? maxRows))
    this.served += page.length
    return Promise.resolve([...page])
  }
  cancel() {
    return Promise.resolve(this.recorder.events.push("cancel operation"))
  }
  close() {
    return Promise.resolve(this.recorder.events.push("close operation"))
  }
}

class FakeSession implements Driver.DriverSession {
  readonly recorder: Recorder
  readonly options: FakeOptions
  constructor(recorder: Recorder, options: FakeOptions) {
    this.recorder = recorder
    this.options = options
  }
  executeStatement(sql: string, statementOptions: { readonly maxRows?: unknown }) {
    this.recorder.events.push(`execute ${sql} maxRows=${String(statementOptions.maxRows)}`)
    return this.options.executeError === undefined
      ? Promise.resolve(new FakeOperation(this.recorder, this.options))
      : Promise.reject(this.options.executeError)
  }
  close() {
    return Promise.resolve(this.recorder.events.push("close session"))
  }
}

class FakeClient implements Driver.DriverClient {
  readonly recorder: Recorder
  readonly options: FakeOptions
  constructor(recorder: Recorder, options: FakeOptions) {
    this.recorder = recorder
    this.options = options
  }
  connect(connection: Parameters<Driver.DriverClient["connect"]>[0]) {
    this.recorder.connections.push(connection)
    this.recorder.events.push("connect")
    return Promise.resolve(this)
  }
  openSession(request: Parameters<Driver.DriverClient["openSession"]>[0]) {
    this.recorder.events.push(`open session ${JSON.stringify(request.configuration)}`)
    return Promise.resolve(new FakeSession(this.recorder, this.options))
  }
  close() {
    return Promise.resolve(this.recorder.events.push("close client"))
  }
}

/**
 * A fake driver serving `rows` (objects keyed by column name) in pages of `pageSize`, recording every call.
 * `hang` makes fetching never answer, like a statement that runs on.
 */
const fakeDriver = (options: FakeOptions) => {
  const recorder = new Recorder()
  return {
    events: recorder.events,
    connections: recorder.connections,
    makeClient: () => new FakeClient(recorder, options)
  }
}

const executorWith = (makeClient: () => Driver.DriverClient, rowLimit = 100) =>
  DriverExecutor.make({ httpPath: "/sql/1.0/warehouses/abc", rowLimit, timeoutSeconds: 30, makeClient }).pipe(
    Effect.provide(
      DatabricksAuth.layer({
        host: "https://adb-1.2.azuredatabricks.net:8443",
        credentials: { type: "pat", token: Redacted.make("dapi-secret") }
      }).pipe(Layer.provide(FetchHttpClient.layer))
    )
  )

/** Lets the fake's promises settle until `done` holds. */
const until = (done: () => boolean) =>
  Effect.gen(function* () {
    for (let i = 0; i < 1000 && !done(); i++) {
      yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
    }
    assert.isTrue(done())
  })

const orders = schemaOf(["order_id", T.TTypeId.BIGINT_TYPE], ["region", T.TTypeId.STRING_TYPE])
const orderRows = [1, 2, 3, 4, 5].map((id) => ({ order_id: BigInt(id), region: id % 2 === 0 ? "US" : "EU" }))

describe("DriverExecutor", () => {
  it.effect("opens client, session and operation, reads the rows, and closes them in reverse order", () =>
    Effect.gen(function* () {
      const driver = fakeDriver({ schema: orders, rows: orderRows.slice(0, 2) })
      const executor = yield* executorWith(driver.makeClient)
      const result = yield* executor.execute("SELECT order_id, region FROM main.sales.orders")
      assert.deepStrictEqual(
        result.columns.map((c) => [c.name, c.typeName]),
        [
          ["order_id", "LONG"],
          ["region", "STRING"]
        ]
      )
      assert.deepStrictEqual(result.rows, [
        ["1", "EU"],
        ["2", "US"]
      ])
      assert.include(result, { truncated: false, rowCount: 2 })
      assert.deepStrictEqual(driver.events, [
        "connect",
        'open session {"STATEMENT_TIMEOUT":"30"}',
        "execute SELECT order_id, region FROM main.sales.orders maxRows=101",
        "fetch 101",
        "close operation",
        "close session",
        "close client"
      ])
      const [connection] = driver.connections
      assert.include(connection, {
        host: "adb-1.2.azuredatabricks.net",
        port: 8443,
        path: "/sql/1.0/warehouses/abc",
        authType: "custom",
        telemetryEnabled: false,
        preserveBigNumericPrecision: true,
        retryMaxAttempts: 1
      })
      // The driver authenticates through DatabricksAuth.
      const headers =
        connection?.authType === "custom" ? yield* Effect.promise(() => connection.provider.authenticate()) : {}
      assert.deepStrictEqual(headers, { Authorization: "Bearer dapi-secret" })
    })
  )

  it.effect("stops fetching at the row limit and marks the result truncated", () =>
    Effect.gen(function* () {
      const driver = fakeDriver({ schema: orders, rows: orderRows, pageSize: 2 })
      const executor = yield* executorWith(driver.makeClient, 3)
      const result = yield* executor.execute("SELECT order_id, region FROM main.sales.orders")
      assert.deepStrictEqual(
        result.rows.map((r) => r[0]),
        ["1", "2", "3"]
      )
      assert.isTrue(result.truncated)
      // Pages of 2 until one row past the limit is seen; the fifth row is never fetched.
      assert.deepStrictEqual(
        driver.events.filter((e) => e.startsWith("fetch")),
        ["fetch 4", "fetch 2"]
      )
    })
  )

  it.effect("a statement running past the timeout is cancelled and everything closed", () =>
    Effect.gen(function* () {
      const driver = fakeDriver({ schema: orders, rows: orderRows, hang: true })
      const executor = yield* executorWith(driver.makeClient)
      const fiber = yield* Effect.fork(executor.execute("SELECT order_id, region FROM main.sales.orders"))
      yield* until(() => driver.events.some((e) => e.startsWith("fetch")))
      yield* TestClock.adjust("30 seconds")
      const failed = failureOf(yield* Fiber.await(fiber))
      assert.include(failed, { _tag: "SqlFailed", retryable: true, callerError: false })
      assert.deepStrictEqual(driver.events.slice(-4), [
        "cancel operation",
        "close operation",
        "close session",
        "close client"
      ])
    })
  )

  it.effect("an interrupted call cancels its operation", () =>
    Effect.gen(function* () {
      const driver = fakeDriver({ schema: orders, rows: orderRows, hang: true })
      const executor = yield* executorWith(driver.makeClient)
      const fiber = yield* Effect.fork(executor.execute("SELECT order_id, region FROM main.sales.orders"))
      yield* until(() => driver.events.some((e) => e.startsWith("fetch")))
      yield* Fiber.interrupt(fiber)
      assert.deepStrictEqual(driver.events.slice(-4), [
        "cancel operation",
        "close operation",
        "close session",
        "close client"
      ])
    })
  )

  it.effect("maps a failed statement, refuses duplicate column names and unsafe SQL", () =>
    Effect.gen(function* () {
      const failing = fakeDriver({
        schema: orders,
        rows: [],
        executeError: Object.assign(new Error("[TABLE_OR_VIEW_NOT_FOUND] nope. SQLSTATE: 42P01"), {
          name: "Status Error"
        })
      })
      const failed = failureOf(
        yield* Effect.exit((yield* executorWith(failing.makeClient)).execute("SELECT * FROM nope"))
      )
      assert.include(failed, { _tag: "SqlFailed", sqlState: "42P01", callerError: true })
      assert.deepStrictEqual(failing.events.slice(-2), ["close session", "close client"])

      const twice = fakeDriver({ schema: schemaOf(["id", T.TTypeId.INT_TYPE], ["id", T.TTypeId.INT_TYPE]), rows: [] })
      const duplicate = failureOf(
        yield* Effect.exit((yield* executorWith(twice.makeClient)).execute("SELECT a.id, b.id FROM a JOIN b USING (k)"))
      )
      assert.include(duplicate.message, "several columns named id")

      const untouched = fakeDriver({ schema: orders, rows: [] })
      const refused = failureOf(
        yield* Effect.exit((yield* executorWith(untouched.makeClient)).execute("DELETE FROM main.sales.orders"))
      )
      assert.strictEqual(refused._tag, "UnsafeSql")
      assert.deepStrictEqual(untouched.events, [])
    })
  )

  it.live("with the real driver, an unreachable warehouse is a retryable failure", () =>
    Effect.gen(function* () {
      // Port 9 (discard) on loopback: nothing listens, so the connection is refused at once.
      const executor = yield* DriverExecutor.make({
        httpPath: "/sql/1.0/warehouses/abc",
        rowLimit: 10,
        timeoutSeconds: 30
      }).pipe(
        Effect.provide(
          DatabricksAuth.layer({
            host: "https://127.0.0.1:9",
            credentials: { type: "pat", token: Redacted.make("dapi-secret") }
          }).pipe(Layer.provide(FetchHttpClient.layer))
        )
      )
      const failed = failureOf(yield* Effect.exit(executor.execute("SELECT 1")))
      assert.include(failed, { _tag: "SqlFailed", retryable: true, callerError: false })
      assert.include(failed.message, "ECONNREFUSED")
      assert.notInclude(failed.message, "dapi-secret")
    })
  )
})
