import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Warehouse from "../src/Warehouse.js"

const now = Effect.succeed(new Date("2025-06-30T12:00:00Z"))

const setup = `
CREATE TABLE main.sales.orders (order_id BIGINT, amount DECIMAL(10,2), region STRING, order_date DATE, ts TIMESTAMP, ok BOOLEAN, score DOUBLE);
INSERT INTO main.sales.orders VALUES
  (1, 10.50, 'EU', DATE'2025-06-29', TIMESTAMP'2025-06-29 10:00:00', true, 0.5),
  (2, 3.25, 'US', DATE'2025-06-01', TIMESTAMP'2025-06-01 08:30:00', false, 12),
  (3, NULL, 'EU', DATE'2025-01-15', NULL, NULL, 1e20);
CREATE TABLE sandbox.kpi.daily AS SELECT * FROM main.sales.orders WHERE region = 'EU';
`

const makeLoaded = Effect.gen(function* () {
  const warehouse = yield* Warehouse.make({ now })
  yield* warehouse.runScript(setup, "databricks")
  return warehouse
})

describe("Warehouse", () => {
  it.scoped("holds Unity Catalog three-part names, including DuckDB's reserved catalog name main", () =>
    Effect.gen(function* () {
      const warehouse = yield* makeLoaded
      const result = yield* warehouse.query(
        "SELECT `region`, SUM(amount)::decimal(38,2) AS total, COUNT(*) AS n FROM `main`.sales.orders GROUP BY region ORDER BY region"
      )
      assert.deepStrictEqual(
        result.columns.map((c) => [c.name, c.typeName, c.typeText]),
        [
          ["region", "STRING", "STRING"],
          ["total", "DECIMAL", "DECIMAL(38,2)"],
          ["n", "LONG", "BIGINT"]
        ]
      )
      assert.deepStrictEqual(result.rows, [
        ["EU", "10.50", "2"],
        ["US", "3.25", "1"]
      ])
    })
  )

  it.scoped("writes values as Databricks JSON_ARRAY strings", () =>
    Effect.gen(function* () {
      const warehouse = yield* makeLoaded
      const result = yield* warehouse.query(
        "SELECT order_date, ts, ok, score, amount, ARRAY(1, 2) AS arr, NAMED_STRUCT('a', 1) AS s FROM main.sales.orders ORDER BY order_id"
      )
      assert.deepStrictEqual(result.rows[0], [
        "2025-06-29",
        "2025-06-29T10:00:00.000Z",
        "true",
        "0.5",
        "10.50",
        "[1,2]",
        '{"a":1}'
      ])
      assert.deepStrictEqual(result.rows[1]?.slice(3, 4), ["12.0"])
      assert.deepStrictEqual(result.rows[2]?.slice(1, 5), [null, null, "1.0E20", null])
      assert.strictEqual(result.columns[1]?.typeName, "TIMESTAMP")
    })
  )

  it.scoped("CURRENT_DATE follows the emulator's clock, not the machine's", () =>
    Effect.gen(function* () {
      const warehouse = yield* makeLoaded
      const result = yield* warehouse.query(
        "SELECT COUNT(*) FROM main.sales.orders WHERE order_date >= CURRENT_DATE - INTERVAL 7 DAYS"
      )
      assert.deepStrictEqual(result.rows, [["1"]])
      const today = yield* warehouse.query("SELECT CAST(current_date() AS STRING), CAST(now() AS DATE)")
      assert.deepStrictEqual(today.rows, [["2025-06-30", "2025-06-30"]])
    })
  )

  it.scoped("binds named parameters as typed literals", () =>
    Effect.gen(function* () {
      const warehouse = yield* makeLoaded
      const result = yield* warehouse.query(
        "SELECT order_id FROM main.sales.orders WHERE region = :region AND order_date >= :since ORDER BY 1",
        {
          parameters: [
            { name: "region", value: "EU" },
            { name: "since", value: "2025-01-01", type: "DATE" }
          ]
        }
      )
      assert.deepStrictEqual(result.rows, [["1"], ["3"]])
      const injected = yield* warehouse.query("SELECT :v AS v", {
        parameters: [{ name: "v", value: "x'; DROP TABLE t; --" }]
      })
      assert.deepStrictEqual(injected.rows, [["x'; DROP TABLE t; --"]])
      const unbound = yield* Effect.exit(warehouse.query("SELECT :missing"))
      assert.isTrue(Exit.isFailure(unbound))
    })
  )

  it.scoped("refuses anything but one read-only query, with Databricks error classes", () =>
    Effect.gen(function* () {
      const warehouse = yield* makeLoaded
      const refused = (sql: string) => Effect.flip(warehouse.query(sql))
      const ddl = yield* refused("DROP TABLE main.sales.orders")
      assert.strictEqual(ddl.errorClass, "INSUFFICIENT_PERMISSIONS")
      assert.strictEqual(ddl.sqlState, "42501")
      assert.strictEqual((yield* refused("INSERT INTO main.sales.orders (order_id) VALUES (9)")).sqlState, "42501")
      assert.strictEqual((yield* refused("SELECT 1; SELECT 2")).errorClass, "PARSE_SYNTAX_ERROR")
      assert.strictEqual((yield* refused("  ")).errorClass, "PARSE_EMPTY_STATEMENT")
      const missing = yield* refused("SELECT * FROM main.sales.nope")
      assert.strictEqual(missing.sqlState, "42P01")
      assert.include(missing.message, "[TABLE_OR_VIEW_NOT_FOUND]")
      assert.notInclude(missing.message, "__uc")
      assert.strictEqual((yield* refused("SELECT nope FROM main.sales.orders")).sqlState, "42703")
      assert.strictEqual((yield* refused("SELEC 1")).sqlState, "42601")
      const count = yield* warehouse.query("SELECT COUNT(*) FROM main.sales.orders")
      assert.deepStrictEqual(count.rows, [["3"]])
    })
  )

  it.live("interrupting a query stops it inside DuckDB (a 3-billion-row scan would take a minute)", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const warehouse = yield* Warehouse.make({ now })
        const scan = yield* Effect.fork(warehouse.query("SELECT COUNT(*) FROM range(3000000000) t(i) WHERE i % 7 = 3"))
        // Interrupt once the fiber waits on DuckDB (the scan is running in its worker thread), not after a sleep.
        while ((yield* scan.status)._tag !== "Suspended") yield* Effect.yieldNow()
        yield* Fiber.interrupt(scan)
        const after = yield* warehouse.query("SELECT 1")
        assert.deepStrictEqual(after.rows, [["1"]])
      })
    )
  )

  it.scoped("after lock, queries cannot read files", () =>
    Effect.gen(function* () {
      const warehouse = yield* makeLoaded
      yield* warehouse.lock
      const denied = yield* Effect.flip(warehouse.query("SELECT * FROM read_csv('/etc/hostname')"))
      assert.strictEqual(denied.sqlState, "42501")
    })
  )

  it.scoped("loads CSV files under three-part names with Databricks column types, and describes the catalog", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "emulator-wh-"))
      const csv = join(dir, "customers.csv")
      writeFileSync(csv, "customer_id,name,since,credit\n1,Ann,2024-01-02,10.5\n2,Bob,2024-03-04,7\n")
      const warehouse = yield* makeLoaded
      yield* warehouse.loadFile({
        table: "main.sales.customers",
        path: csv,
        format: "csv",
        columns: { customer_id: "BIGINT", credit: "DECIMAL(10,2)" }
      })
      yield* warehouse.lock
      const rows = yield* warehouse.query("SELECT name, credit FROM main.sales.customers ORDER BY customer_id")
      assert.deepStrictEqual(rows.rows, [
        ["Ann", "10.50"],
        ["Bob", "7.00"]
      ])
      const catalog = yield* warehouse.catalog
      assert.deepStrictEqual(
        catalog.map((t) => t.identifier),
        ["main.sales.customers", "main.sales.orders", "sandbox.kpi.daily"]
      )
      const customers = catalog.find((t) => t.name === "customers")!
      assert.deepStrictEqual(
        customers.columns.map((c) => [c.name, c.typeText]),
        [
          ["customer_id", "BIGINT"],
          ["name", "STRING"],
          ["since", "DATE"],
          ["credit", "DECIMAL(10,2)"]
        ]
      )
    })
  )

  it.scoped("a failing setup statement names its position", () =>
    Effect.gen(function* () {
      const warehouse = yield* Warehouse.make({ now })
      const failure = yield* Effect.flip(
        warehouse.runScript("CREATE TABLE main.a.b (x INT);\nINSERT INTO main.a.c VALUES (1);", "databricks")
      )
      assert.strictEqual(failure.statement, 2)
      assert.strictEqual(failure.failure.sqlState, "42P01")
    })
  )

  it.scoped("runs setup scripts written for DuckDB", () =>
    Effect.gen(function* () {
      const warehouse = yield* Warehouse.make({ now })
      yield* warehouse.runScript(
        "SELECT setseed(0.5); CREATE TABLE main.gen.numbers AS SELECT i AS n FROM range(5) t(i);",
        "duckdb"
      )
      const result = yield* warehouse.query("SELECT SUM(n) FROM main.gen.numbers")
      assert.deepStrictEqual(result.rows, [["10"]])
    })
  )
})
