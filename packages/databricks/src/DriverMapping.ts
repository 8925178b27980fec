/**
 * What the `@databricks/sql` driver returns, in the adapter's terms: Thrift column types as Databricks `type_name` /
 * `type_text`, JavaScript values as the strings the Statement Execution API would send, and driver errors as
 * `SqlFailed`. Pure functions, so they are tested without a warehouse.
 */
import { Stages } from "@genie-enhancer/core"
import { thrift } from "@databricks/sql"
import * as SqlErrors from "./SqlErrors.js"

/** A Thrift `TTypeEntry`: a primitive type (with qualifiers such as a decimal's precision) or a complex one. */
interface TypeEntry {
  readonly primitiveEntry?: {
    readonly type: number
    readonly typeQualifiers?: { readonly qualifiers: Readonly<Record<string, { readonly i32Value?: number }>> }
  }
  readonly arrayEntry?: unknown
  readonly mapEntry?: unknown
  readonly structEntry?: unknown
  readonly userDefinedTypeEntry?: unknown
}

/**
 * A column as the driver's `getSchema()` describes it (Thrift `TColumnDesc`).
 *
 * @category models
 */
export interface DriverColumn {
  readonly columnName: string
  readonly typeDesc: { readonly types: ReadonlyArray<TypeEntry> }
}

const T = thrift.TCLIService_types.TTypeId

/** Thrift type → Databricks `type_name` (databricks-api.md §4) and the SQL spelling used in `type_text`. */
const names: Readonly<Record<number, readonly [typeName: string, typeText: string]>> = {
  [T.BOOLEAN_TYPE]: ["BOOLEAN", "BOOLEAN"],
  [T.TINYINT_TYPE]: ["BYTE", "TINYINT"],
  [T.SMALLINT_TYPE]: ["SHORT", "SMALLINT"],
  [T.INT_TYPE]: ["INT", "INT"],
  [T.BIGINT_TYPE]: ["LONG", "BIGINT"],
  [T.FLOAT_TYPE]: ["FLOAT", "FLOAT"],
  [T.DOUBLE_TYPE]: ["DOUBLE", "DOUBLE"],
  [T.STRING_TYPE]: ["STRING", "STRING"],
  [T.VARCHAR_TYPE]: ["STRING", "STRING"],
  [T.CHAR_TYPE]: ["CHAR", "CHAR"],
  [T.TIMESTAMP_TYPE]: ["TIMESTAMP", "TIMESTAMP"],
  [T.DATE_TYPE]: ["DATE", "DATE"],
  [T.BINARY_TYPE]: ["BINARY", "BINARY"],
  [T.DECIMAL_TYPE]: ["DECIMAL", "DECIMAL"],
  [T.ARRAY_TYPE]: ["ARRAY", "ARRAY"],
  [T.MAP_TYPE]: ["MAP", "MAP"],
  [T.STRUCT_TYPE]: ["STRUCT", "STRUCT"],
  [T.UNION_TYPE]: ["STRING", "STRING"],
  [T.USER_DEFINED_TYPE]: ["USER_DEFINED_TYPE", "USER_DEFINED_TYPE"],
  [T.NULL_TYPE]: ["NULL", "VOID"],
  [T.INTERVAL_YEAR_MONTH_TYPE]: ["INTERVAL", "INTERVAL YEAR TO MONTH"],
  [T.INTERVAL_DAY_TIME_TYPE]: ["INTERVAL", "INTERVAL DAY TO SECOND"]
}

/**
 * The core `Column` of a driver column: `DECIMAL` with `DECIMAL(p,s)`, `BIGINT` as `LONG`, complex types by kind.
 *
 * @category constructors
 */
export const columnOf = (column: DriverColumn): Stages.Column => {
  const entry = column.typeDesc.types[0]
  const primitive = entry?.primitiveEntry
  if (primitive === undefined) {
    const kind = entry?.arrayEntry
      ? "ARRAY"
      : entry?.mapEntry
        ? "MAP"
        : entry?.structEntry
          ? "STRUCT"
          : entry?.userDefinedTypeEntry
            ? "USER_DEFINED_TYPE"
            : "STRING"
    return new Stages.Column({ name: column.columnName, typeName: kind, typeText: kind })
  }
  const [typeName, typeText] = names[primitive.type] ?? ["STRING", "STRING"]
  const qualifiers = primitive.typeQualifiers?.qualifiers ?? {}
  const precision = qualifiers["precision"]?.i32Value
  const scale = qualifiers["scale"]?.i32Value
  const length = qualifiers["characterMaximumLength"]?.i32Value
  const text =
    typeName === "DECIMAL" && precision !== undefined
      ? `DECIMAL(${precision},${scale ?? 0})`
      : typeName === "CHAR" && length !== undefined
        ? `CHAR(${length})`
        : typeText
  return new Stages.Column({ name: column.columnName, typeName, typeText: text })
}

const json = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v))

/** The scale of a `DECIMAL(p,s)` type text. */
const scaleOf = (column: Stages.Column): number | undefined => {
  const match = /^DECIMAL\(\d+,\s*(\d+)\)$/i.exec(column.typeText ?? "")
  return match === null ? undefined : Number(match[1])
}

/**
 * A value as the Statement Execution API's `JSON_ARRAY` would send it: `null` for NULL, otherwise a string —
 * `BIGINT`s and exact decimals as the driver gives them (`preserveBigNumericPrecision`), a decimal the driver turned
 * into a number with its scale's digits, dates as `YYYY-MM-DD`, timestamps in ISO 8601, binary as base64, arrays,
 * maps and structs as JSON.
 *
 * @category constructors
 */
export const cellToString = (value: unknown, column: Stages.Column): string | null => {
  if (value === null || value === undefined) return null
  if (typeof value === "string") return value
  if (typeof value === "number") {
    const scale = column.typeName === "DECIMAL" ? scaleOf(column) : undefined
    return scale === undefined || !Number.isFinite(value) ? String(value) : value.toFixed(scale)
  }
  if (typeof value === "bigint" || typeof value === "boolean") return String(value)
  if (value instanceof Date) return column.typeName === "DATE" ? value.toISOString().slice(0, 10) : value.toISOString()
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64")
  return json(value)
}

/**
 * Rows as the driver returns them (one object per row, keyed by column name) as arrays in column order.
 *
 * @category constructors
 */
export const rowsOf = (
  columns: ReadonlyArray<Stages.Column>,
  rows: ReadonlyArray<object>
): Array<ReadonlyArray<string | null>> =>
  rows.map((row) => {
    const record = row as Readonly<Record<string, unknown>>
    return columns.map((c) => cellToString(record[c.name], c))
  })

/**
 * Column names that occur more than once: the driver keys row values by name, so such columns cannot be read
 * apart.
 *
 * @category constructors
 */
export const duplicateNames = (columns: ReadonlyArray<Stages.Column>): Array<string> => {
  const seen = new Set<string>()
  return [...new Set(columns.map((c) => c.name).filter((name) => seen.has(name) || !seen.add(name)))]
}

/** Error codes that mean the connection, not the SQL, failed. */
const networkCodes: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ESOCKETTIMEDOUT"
])

interface DriverErrorShape {
  readonly name?: unknown
  readonly message?: unknown
  readonly code?: unknown
  readonly errorCode?: unknown
  readonly payload?: unknown
  readonly response?: {
    readonly errorMessage?: unknown
    readonly displayMessage?: unknown
    readonly sqlState?: unknown
  }
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined)

/**
 * A driver failure as `SqlFailed`.
 *
 * **Details**
 * `OperationStateError` `ERROR` carries the server's message and SQLSTATE (classified like the Statement Execution
 * API's failures); `CANCELED`, `CLOSED` and `TIMEOUT` states and the driver's exhausted retries (`RetryError`) are
 * retryable, as are connection failures (`ECONNREFUSED`, …); `AuthenticationError` and anything else are not.
 *
 * @category error handling
 */
export const toSqlFailed = (error: unknown): Stages.SqlFailed => {
  const e = (typeof error === "object" && error !== null ? error : { message: String(error) }) as DriverErrorShape
  const message = text(e.message) ?? "the SQL driver failed"
  const failed = (fields: { readonly message: string; readonly retryable: boolean; readonly rateLimited?: boolean }) =>
    new Stages.SqlFailed({ rateLimited: false, callerError: false, ...fields })
  switch (e.errorCode) {
    case "ERROR":
      return SqlErrors.statementFailed({
        message: text(e.response?.errorMessage) ?? text(e.response?.displayMessage) ?? message,
        sqlState: text(e.response?.sqlState)
      })
    case "CANCELED":
    case "CLOSED":
    case "TIMEOUT":
      return failed({ message: `the statement ended ${e.errorCode}: ${message}`, retryable: true })
    case "ATTEMPTS_EXCEEDED":
    case "TIMEOUT_EXCEEDED": {
      const status = (e.payload as { readonly status?: unknown } | undefined)?.status
      return failed({
        message: `the SQL driver gave up (${e.errorCode}): ${message}`,
        retryable: true,
        rateLimited: status === 429
      })
    }
  }
  if (typeof e.code === "string" && networkCodes.has(e.code)) {
    return failed({ message: `cannot reach the SQL warehouse: ${message}`, retryable: true })
  }
  if (e.name === "Status Error") return SqlErrors.statementFailed({ message })
  return failed({ message, retryable: false })
}
