import { assert, describe, it } from "@effect/vitest"
import { thrift } from "@databricks/sql"
import { Stages } from "@genie-enhancer/core"
import { createRequire } from "node:module"
import { DriverMapping } from "../src/index.js"

// The driver's own result decoder, error classes and 64-bit integers (CommonJS internals of @databricks/sql), so
// the mapping is checked against what the driver really produces.
const driverRequire = createRequire(createRequire(import.meta.url).resolve("@databricks/sql"))
type Ctor = new (...args: ReadonlyArray<any>) => any
const load = (path: string): Ctor => (driverRequire(path) as { default: Ctor }).default
const JsonResultHandler = load("./result/JsonResultHandler")
const OperationStateError = load("./errors/OperationStateError")
const RetryError = load("./errors/RetryError")
const StatusError = load("./errors/StatusError")
const AuthenticationError = load("./errors/AuthenticationError")
const Int64 = driverRequire("node-int64") as Ctor

const T = thrift.TCLIService_types
const { TTypeId } = T

const column = (name: string, type: number, position: number, qualifiers?: Record<string, number>) =>
  new T.TColumnDesc({
    columnName: name,
    position,
    typeDesc: new T.TTypeDesc({
      types: [
        new T.TTypeEntry({
          primitiveEntry: new T.TPrimitiveTypeEntry({
            type,
            ...(qualifiers === undefined
              ? {}
              : {
                  typeQualifiers: new T.TTypeQualifiers({
                    qualifiers: Object.fromEntries(
                      Object.entries(qualifiers).map(([k, v]) => [k, new T.TTypeQualifierValue({ i32Value: v })])
                    )
                  })
                })
          })
        })
      ]
    })
  })

/** A null bitmap: bit i set means row i is NULL. */
const nulls = (...rows: ReadonlyArray<number>) => Buffer.from([rows.reduce((bits, i) => bits | (1 << i), 0)])

describe("DriverMapping", () => {
  it("maps Thrift types to Databricks type names and type texts", () => {
    const mapped = [
      column("b", TTypeId.BOOLEAN_TYPE, 1),
      column("t", TTypeId.TINYINT_TYPE, 2),
      column("i", TTypeId.INT_TYPE, 3),
      column("l", TTypeId.BIGINT_TYPE, 4),
      column("d", TTypeId.DECIMAL_TYPE, 5, { precision: 38, scale: 2 }),
      column("s", TTypeId.STRING_TYPE, 6),
      column("v", TTypeId.VARCHAR_TYPE, 7, { characterMaximumLength: 10 }),
      column("c", TTypeId.CHAR_TYPE, 8, { characterMaximumLength: 3 }),
      column("dt", TTypeId.DATE_TYPE, 9),
      column("ts", TTypeId.TIMESTAMP_TYPE, 10),
      column("a", TTypeId.ARRAY_TYPE, 11),
      column("n", TTypeId.NULL_TYPE, 12),
      column("iv", TTypeId.INTERVAL_DAY_TIME_TYPE, 13)
    ].map(DriverMapping.columnOf)
    assert.deepStrictEqual(
      mapped.map((c) => [c.name, c.typeName, c.typeText]),
      [
        ["b", "BOOLEAN", "BOOLEAN"],
        ["t", "BYTE", "TINYINT"],
        ["i", "INT", "INT"],
        ["l", "LONG", "BIGINT"],
        ["d", "DECIMAL", "DECIMAL(38,2)"],
        ["s", "STRING", "STRING"],
        ["v", "STRING", "STRING"],
        ["c", "CHAR", "CHAR(3)"],
        ["dt", "DATE", "DATE"],
        ["ts", "TIMESTAMP", "TIMESTAMP"],
        ["a", "ARRAY", "ARRAY"],
        ["n", "NULL", "VOID"],
        ["iv", "INTERVAL", "INTERVAL DAY TO SECOND"]
      ]
    )
    const struct = DriverMapping.columnOf({
      columnName: "st",
      typeDesc: { types: [{ structEntry: { nameToTypePtr: {} } }] }
    })
    assert.deepStrictEqual([struct.typeName, struct.typeText], ["STRUCT", "STRUCT"])
  })

  it("rows the driver decodes from a column-based result become the statements API's strings", async () => {
    const schema = new T.TTableSchema({
      columns: [
        column("order_id", TTypeId.BIGINT_TYPE, 1),
        column("amount", TTypeId.DECIMAL_TYPE, 2, { precision: 10, scale: 2 }),
        column("region", TTypeId.STRING_TYPE, 3),
        column("order_date", TTypeId.DATE_TYPE, 4),
        column("paid", TTypeId.BOOLEAN_TYPE, 5),
        column("ratio", TTypeId.DOUBLE_TYPE, 6),
        column("tags", TTypeId.ARRAY_TYPE, 7)
      ]
    })
    const rowSet = new T.TRowSet({
      startRowOffset: new Int64(0),
      rows: [],
      columns: [
        new T.TColumn({ i64Val: new T.TI64Column({ values: [new Int64(1), new Int64(2)], nulls: nulls() }) }),
        new T.TColumn({ stringVal: new T.TStringColumn({ values: ["100.00", "50.50"], nulls: nulls() }) }),
        new T.TColumn({ stringVal: new T.TStringColumn({ values: ["EU", ""], nulls: nulls(1) }) }),
        new T.TColumn({ stringVal: new T.TStringColumn({ values: ["2025-06-01", "2025-06-02"], nulls: nulls() }) }),
        new T.TColumn({ boolVal: new T.TBoolColumn({ values: [true, false], nulls: nulls() }) }),
        new T.TColumn({ doubleVal: new T.TDoubleColumn({ values: [0.25, 1.5], nulls: nulls() }) }),
        new T.TColumn({ stringVal: new T.TStringColumn({ values: ['["a","b"]', "[]"], nulls: nulls() }) })
      ]
    })
    let served = false
    const source = {
      hasMore: () => Promise.resolve(!served),
      fetchNext: () => {
        served = true
        return Promise.resolve(rowSet)
      }
    }
    const handler = new JsonResultHandler({}, source, { schema })
    const driverRows = (await handler.fetchNext({ limit: 10 })) as Array<object>
    const columns = schema.columns.map(DriverMapping.columnOf)
    assert.deepStrictEqual(DriverMapping.rowsOf(columns, driverRows), [
      ["1", "100.00", "EU", "2025-06-01", "true", "0.25", '["a","b"]'],
      ["2", "50.50", null, "2025-06-02", "false", "1.5", "[]"]
    ])
  })

  it("formats the values of the Arrow path: exact numbers, dates, binary and nested values", () => {
    const col = (typeName: string, typeText: string) => new Stages.Column({ name: "x", typeName, typeText })
    assert.strictEqual(DriverMapping.cellToString(12345678901234567890n, col("LONG", "BIGINT")), "12345678901234567890")
    assert.strictEqual(
      DriverMapping.cellToString("12345678901234567.89", col("DECIMAL", "DECIMAL(38,2)")),
      "12345678901234567.89"
    )
    const instant = new Date("2025-06-01T12:30:00.000Z")
    assert.strictEqual(DriverMapping.cellToString(instant, col("DATE", "DATE")), "2025-06-01")
    assert.strictEqual(DriverMapping.cellToString(instant, col("TIMESTAMP", "TIMESTAMP")), "2025-06-01T12:30:00.000Z")
    assert.strictEqual(DriverMapping.cellToString(Buffer.from("hi"), col("BINARY", "BINARY")), "aGk=")
    assert.strictEqual(
      DriverMapping.cellToString({ a: 1n, b: [1, null] }, col("STRUCT", "STRUCT")),
      '{"a":"1","b":[1,null]}'
    )
    assert.isNull(DriverMapping.cellToString(undefined, col("STRING", "STRING")))
  })

  it("finds column names the driver cannot tell apart", () => {
    const named = (...names: ReadonlyArray<string>) =>
      names.map((name) => new Stages.Column({ name, typeName: "STRING" }))
    assert.deepStrictEqual(DriverMapping.duplicateNames(named("id", "name", "id", "x", "name", "id")), ["id", "name"])
    assert.deepStrictEqual(DriverMapping.duplicateNames(named("a", "b")), [])
  })

  it("classifies driver errors: statement errors are caller errors, transient ones retryable", () => {
    const failedStatement = DriverMapping.toSqlFailed(
      new OperationStateError("ERROR", {
        status: {},
        errorMessage: "[TABLE_OR_VIEW_NOT_FOUND] The table or view `nope` cannot be found.",
        sqlState: "42P01"
      })
    )
    assert.include(failedStatement, { sqlState: "42P01", callerError: true, retryable: false })
    assert.include(failedStatement.message, "TABLE_OR_VIEW_NOT_FOUND")

    const internal = DriverMapping.toSqlFailed(
      new OperationStateError("ERROR", { status: {}, errorMessage: "boom", sqlState: "XX000" })
    )
    assert.include(internal, { callerError: false, retryable: true })
    assert.include(DriverMapping.toSqlFailed(new OperationStateError("CANCELED")), { retryable: true })
    assert.include(DriverMapping.toSqlFailed(new RetryError("ATTEMPTS_EXCEEDED", { status: 429 })), {
      retryable: true,
      rateLimited: true
    })
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:443"), { code: "ECONNREFUSED" })
    assert.include(DriverMapping.toSqlFailed(refused), { retryable: true, callerError: false })
    assert.include(DriverMapping.toSqlFailed(new AuthenticationError("bad token")), { retryable: false })
    const syntax = DriverMapping.toSqlFailed(
      new StatusError({ statusCode: 3, errorMessage: "[PARSE_SYNTAX_ERROR] Syntax error. SQLSTATE: 42601" })
    )
    assert.include(syntax, { sqlState: "42601", callerError: true })
  })
})
