import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { Transpile, Warehouse } from "../src/index.js"

const fixture = JSON.parse(
  readFileSync(new URL("../../core/test/fixtures/original-benchmarks-array.json", import.meta.url), "utf8")
) as ReadonlyArray<{ readonly id: string; readonly expected_sql: string }>

const now = new Date("2025-02-15T08:00:00Z")

// The tables the original tool's benchmarks read, with the columns they use.
const kpiTables = `
CREATE TABLE sandbox.agent_poc.poc_krafton_kpi_kad_ingame_summary_daily (event_date DATE, game_code STRING, country_code STRING, user_type STRING, device STRING, active_user BIGINT, cash_revenue DECIMAL(18,2), cash_paying_user BIGINT, online_ts_mins BIGINT);
CREATE TABLE sandbox.agent_poc.poc_krafton_kpi_kad_ingame_summary_weekly (start_date DATE, end_date DATE, week_start_day INT, game_code STRING, country_code STRING, active_user BIGINT, cash_revenue DECIMAL(18,2), cash_paying_user BIGINT);
CREATE TABLE sandbox.agent_poc.poc_krafton_kpi_kad_ingame_summary_monthly (start_date DATE, end_date DATE, game_code STRING, country_code STRING, active_user BIGINT, cash_revenue DECIMAL(18,2), cash_paying_user BIGINT);
CREATE TABLE sandbox.agent_poc.poc_meta_krafton_region (country_code STRING, krafton_region STRING);
CREATE TABLE sandbox.agent_poc.poc_krafton_traffic_kad_retention_daily (cohort_date DATE, game_code STRING, user_type STRING, day_plus INT, cohort_size BIGINT, retained_user BIGINT);
CREATE TABLE sandbox.agent_poc.poc_pubg_economy_gcoin_used_by_product_with_refund_daily (date DATE, platform STRING, sales_id STRING, product_id STRING, unit_sold BIGINT, paid_gcoin_used BIGINT);
CREATE TABLE sandbox.agent_poc.poc_meta_pubg_gcoin_items (platform STRING, sales_id STRING, product_id STRING, category STRING, sub_category STRING, product_name STRING, event_type STRING);
INSERT INTO sandbox.agent_poc.poc_krafton_kpi_kad_ingame_summary_daily VALUES
  (DATE'2025-02-14', 'inzoi', 'KR', 'Return', 'PC', 100, 250.50, 10, 3000),
  (DATE'2025-02-14', 'inzoi', 'KR', 'Exist', 'PC', 300, 500.00, 20, 9000),
  (DATE'2025-02-13', 'bro', 'US', 'New', 'Console', 50, 0.00, 0, 600),
  (DATE'2025-02-12', 'pubgm', 'KR', 'New', 'Mobile', 80, 90.00, 8, 1600);
INSERT INTO sandbox.agent_poc.poc_meta_krafton_region VALUES ('KR', 'Korea'), ('US', 'North America');
INSERT INTO sandbox.agent_poc.poc_krafton_traffic_kad_retention_daily VALUES
  (DATE'2025-01-20', 'bro', 'New', 7, 1000, 300), (DATE'2025-02-10', 'inzoi', 'New', 1, 500, 250);
INSERT INTO sandbox.agent_poc.poc_krafton_kpi_kad_ingame_summary_monthly VALUES
  (DATE'2025-01-01', DATE'2025-01-31', 'pubgm', 'KR', 1000, 5000.00, 100), (DATE'2025-01-01', DATE'2025-01-31', 'bro', 'US', 10, 0.00, 0);
`

const toDuckDb = (sql: string, options: Partial<Transpile.Options> = {}) =>
  Effect.map(Transpile.toDuckDb(sql, { mode: "query", now, ...options }), (statements) => statements[0].sql)

describe("Databricks SQL → DuckDB", () => {
  it.scoped("every expected_sql of the original tool's benchmarks transpiles and runs", () =>
    Effect.gen(function* () {
      assert.strictEqual(fixture.length, 12)
      const warehouse = yield* Warehouse.make({ now: Effect.succeed(now) })
      yield* warehouse.runScript(kpiTables, "databricks")
      const results = yield* Effect.forEach(fixture, (benchmark) =>
        Effect.map(warehouse.query(benchmark.expected_sql), (result) => [benchmark.id, result] as const)
      )
      const byId = new Map(results)
      for (const [id, result] of results) assert.isAbove(result.columns.length, 1, id)
      // Spot checks of semantics: try_divide, ::decimal, INTERVAL 7 DAYS relative to the pinned clock, joins.
      assert.deepStrictEqual(byId.get("kpi_001")?.rows, [["2025-02-14", "inzoi", "400", "750.50"]])
      assert.deepStrictEqual(
        byId.get("kpi_002")?.rows.map((r) => r.slice(1)),
        [["North America", "50", "0.00", "0.00", null, "0.0000"]]
      )
      // AVG of a DECIMAL is a DOUBLE in DuckDB (a DECIMAL in Databricks), hence "0.3" rather than "0.3000".
      assert.deepStrictEqual(byId.get("kpi_010")?.rows, [["event_period", "1", "0.3", "0.3000", "0.3000", "1000"]])
      assert.deepStrictEqual(byId.get("kpi_011")?.rows, [
        ["2025-01-01", "2025-01-31", "Korea", "5000.00", "100", "50.00"]
      ])
      assert.deepStrictEqual(byId.get("kpi_012")?.rows[0]?.slice(0, 3), ["2025-02-14", "2.51", "1.67"])
    })
  )

  it.effect("keeps string literals intact while renaming reserved catalogs and binding the clock", () =>
    Effect.gen(function* () {
      const sql = yield* toDuckDb(
        "SELECT 'main.sales.orders now()' AS s, current_date AS d\nFROM `main`.sales.orders o JOIN main.sales.c ON o.id = c.id"
      )
      assert.include(sql, "'main.sales.orders now()'")
      assert.include(sql, `"main__uc".sales.orders`)
      assert.include(sql, `"main__uc".sales.c`)
      assert.include(sql, "DATE '2025-02-15'")
      const ts = yield* toDuckDb("SELECT current_timestamp(), now(), o.now FROM t o")
      assert.include(ts, "TIMESTAMPTZ '2025-02-15 08:00:00.000+00', TIMESTAMPTZ '2025-02-15 08:00:00.000+00', o.now")
      assert.strictEqual(Transpile.databricksCatalog(Transpile.duckDbCatalog("main")), "main")
      assert.strictEqual(Transpile.duckDbCatalog("sandbox"), "sandbox")
      assert.strictEqual(
        Transpile.restoreCatalogNames('Table "main__uc.sales.x" does not exist'),
        'Table "main.sales.x" does not exist'
      )
    })
  )

  it.effect("binds :name parameters as typed literals and rejects unbound or positional markers", () =>
    Effect.gen(function* () {
      const sql = yield* toDuckDb("SELECT * FROM t WHERE a = :a AND b >= :b AND c::INT = 1", {
        parameters: [
          { name: "a", value: "it's" },
          { name: "b", value: "2025-01-01", type: "DATE" }
        ]
      })
      assert.include(sql, "CAST('it''s' AS VARCHAR)")
      assert.include(sql, "CAST('2025-01-01' AS DATE)")
      const unbound = yield* Effect.flip(toDuckDb("SELECT :missing"))
      assert.strictEqual(unbound.errorClass, "UNBOUND_SQL_PARAMETER")
      const positional = yield* Effect.flip(toDuckDb("SELECT * FROM t WHERE a = ?"))
      assert.strictEqual(positional.sqlState, "42P02")
      const badType = yield* Effect.flip(
        toDuckDb("SELECT :a", { parameters: [{ name: "a", value: "1", type: "ARRAY<INT>" }] })
      )
      assert.strictEqual(badType.errorClass, "INVALID_PARAMETER_MARKER_VALUE")
    })
  )

  it.effect("the loader accepts scripts: CREATE CATALOG / SCHEMA, DDL and DML, in either dialect", () =>
    Effect.gen(function* () {
      const statements = yield* Transpile.toDuckDb(
        "CREATE CATALOG IF NOT EXISTS main; CREATE SCHEMA IF NOT EXISTS main.sales; CREATE TABLE main.sales.t (a STRING); INSERT INTO main.sales.t VALUES ('x;y')",
        { mode: "load", now }
      )
      assert.deepStrictEqual(
        statements.map((s) => [s.createCatalog ?? "", s.names.map((n) => `${n.catalog}.${n.schema}`).join()]),
        [
          ["main", ""],
          ["", "main.sales"],
          ["", "main.sales"],
          ["", "main.sales"]
        ]
      )
      assert.include(statements[2].sql, `"main__uc".sales.t`)
      const duck = yield* Transpile.toDuckDb("SELECT 1; /* ; */ CREATE TABLE main.s.t AS SELECT today() AS d;", {
        mode: "load",
        dialect: "duckdb",
        now
      })
      assert.strictEqual(duck.length, 2)
      assert.include(duck[1].sql, `"main__uc".s.t AS SELECT DATE '2025-02-15'`)
    })
  )

  it.scoped("provides Databricks functions DuckDB lacks or defines differently", () =>
    Effect.gen(function* () {
      const warehouse = yield* Warehouse.make({ now: Effect.succeed(now) })
      const result = yield* warehouse.query(
        "SELECT dayofweek(DATE'2025-06-15'), weekday(DATE'2025-06-15'), initcap('hello wORLD'), array_join(array('a', 'b'), '-'), bround(2.5), format_number(1234.5, 2), get_json_object('{\"a\": 1}', '$.a')"
      )
      assert.deepStrictEqual(result.rows, [["1", "6", "Hello World", "a-b", "2.0", "1,234.50", "1"]])
    })
  )
})
