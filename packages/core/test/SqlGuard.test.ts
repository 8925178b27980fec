import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { readFileSync } from "node:fs"
import * as SqlGuard from "../src/sql/SqlGuard.js"

const originalBenchmarks = JSON.parse(
  readFileSync(new URL("fixtures/original-benchmarks-array.json", import.meta.url), "utf8")
) as ReadonlyArray<{ readonly expected_sql: string }>

const allowed = [
  "SELECT 1",
  "select * from main.retail.orders where status = 'completed'",
  "WITH a AS (SELECT 1 AS x) SELECT * FROM a",
  "VALUES (1), (2)",
  "(SELECT 1) UNION ALL (SELECT 2)",
  "SELECT 1 UNION SELECT 2 ORDER BY 1",
  "SHOW TABLES IN main.retail",
  "DESCRIBE main.retail.orders",
  "EXPLAIN SELECT 1",
  "SELECT a FROM t;",
  "SELECT 1 -- ; DROP TABLE x",
  "SELECT 1 /* ; DROP TABLE x */",
  "SELECT ';DROP TABLE x' AS s",
  "SELECT `order`, try_divide(a, b) FROM `main`.`retail`.`orders` WHERE order_date >= current_date() - INTERVAL 7 DAYS",
  "SELECT * FROM range(10)",
  "SELECT x FROM explode(array(1, 2)) AS t(x)",
  "SELECT d, upper(name), tag FROM t LATERAL VIEW explode(tags) x AS tag",
  "SELECT * FROM t JOIN u ON lower(t.a) = u.a",
  "SELECT date_trunc('month', d), count(*) FROM t GROUP BY 1"
]

const refused: ReadonlyArray<readonly [string, RegExp]> = [
  ["DROP TABLE main.retail.orders", /drop_table is not a read-only statement/],
  ["CREATE TABLE t AS SELECT 1", /create_table/],
  ["INSERT INTO t VALUES (1)", /insert/],
  ["UPDATE t SET a = 1", /update/],
  ["DELETE FROM t", /delete/],
  ["MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE", /merge/],
  ["SELECT 1; DROP TABLE x", /2 statements \(select, drop_table\)/],
  ["SELECT 1; SELECT 2", /2 statements/],
  ["SELECT * FROM (INSERT INTO t VALUES (1))", /contains a insert operation/],
  ["WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", /delete/],
  ["SELECT * INTO t FROM x", /select_into/],
  ["GRANT SELECT ON t TO u", /grant/],
  ["SET spark.sql.ansi.enabled = false", /set_statement/],
  ["USE CATALOG main", /use/],
  ["COPY t TO 'x.csv'", /copy/],
  ["OPTIMIZE t", /command/],
  ["ATTACH 'x.db' AS y", /attach/],
  ["", /no SQL statement/],
  ["SELEC 1", /does not parse/],
  // DuckDB-only functions that change state or read outside the space's tables (the emulator's engine)
  ["SELECT checkpoint()", /calls the function checkpoint\(\)/],
  ["SELECT setseed(0.5), random()", /setseed/],
  ["SELECT * FROM query('DROP TABLE t')", /query\(\)/],
  ["SELECT * FROM read_csv('/etc/passwd')", /read_csv/],
  ["SELECT * FROM t JOIN read_parquet('x.parquet') p ON t.a = p.a", /read_parquet/],
  ["SELECT * FROM glob('/home/*')", /glob/],
  ["SELECT (SELECT count(*) FROM query_table('t'))", /query_table/],
  ["SELECT nextval('s')", /nextval/],
  ["SELECT * FROM duckdb_settings()", /duckdb_settings/],
  ["SELECT * FROM some_unknown_tvf(1)", /the table function some_unknown_tvf\(\)/],
  // Databricks functions with side effects or outside reads
  ["SELECT secret('scope', 'key')", /secret/],
  ["SELECT * FROM read_files('s3://bucket/x')", /read_files/],
  ["SELECT http_request(conn => 'c', method => 'GET', path => '/')", /http_request/],
  ["SELECT reflect('java.lang.Runtime', 'getRuntime')", /reflect/],
  ["WITH q AS (SELECT * FROM query('SELECT 1')) SELECT * FROM q", /query\(\)/]
]

describe("SqlGuard", () => {
  it("lets single read-only queries through", () => {
    for (const sql of allowed) assert.isUndefined(SqlGuard.check(sql), sql)
  })

  it("refuses DDL, DML, session changes, several statements and what does not parse", () => {
    for (const [sql, reason] of refused) {
      const problem = SqlGuard.check(sql)
      assert.isDefined(problem, sql)
      assert.match(problem?.message ?? "", reason, sql)
    }
  })

  it("accepts every expected SQL of the original tool's benchmarks (real Databricks SQL)", () => {
    for (const { expected_sql } of originalBenchmarks) assert.isUndefined(SqlGuard.check(expected_sql), expected_sql)
  })

  it("classifies why SQL is refused", () => {
    assert.strictEqual(SqlGuard.check("SELEC 1")?.reason, "Unparseable")
    assert.strictEqual(SqlGuard.check("  ")?.reason, "Empty")
    assert.strictEqual(SqlGuard.check("SELECT 1; SELECT 2")?.reason, "MultipleStatements")
    assert.strictEqual(SqlGuard.check("SELECT * FROM (INSERT INTO t VALUES (1))")?.reason, "NotReadOnly")
    assert.isUndefined(SqlGuard.check("(SELECT 1)"))
  })

  it.effect("ensureReadOnly fails with a typed UnsafeSql and never returns the SQL", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* SqlGuard.ensureReadOnly("SELECT 1"), "SELECT 1")
      const exit = yield* Effect.exit(SqlGuard.ensureReadOnly("DROP TABLE t"))
      assert.isTrue(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag === "UnsafeSql")
    })
  )
})
