/**
 * Databricks column types and JSON_ARRAY value strings for DuckDB results, and Databricks type names for DuckDB
 * DDL (databricks-api.md §4: `type_name`, `type_text`, values as strings).
 */
import type { DuckDBType, DuckDBValue } from "@duckdb/node-api"
import {
  DuckDBBlobValue,
  DuckDBDecimalValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTypeId
} from "@duckdb/node-api"

/**
 * A column type as the Statement Execution API describes it: `type_name` (`LONG`, `DECIMAL`, …) and the full SQL
 * `type_text` (`BIGINT`, `DECIMAL(38,2)`, `ARRAY<INT>`).
 *
 * @category models
 */
export interface ColumnType {
  readonly typeName: string
  readonly typeText: string
  readonly typePrecision?: number
  readonly typeScale?: number
}

const simple = (typeName: string, typeText = typeName): ColumnType => ({ typeName, typeText })

/**
 * The Databricks type of a DuckDB result column.
 *
 * **Details**
 * DuckDB's `HUGEINT` (what `SUM(BIGINT)` returns) is reported as `BIGINT`, as Databricks types that sum; DuckDB's
 * `TIMESTAMP WITH TIME ZONE` is Databricks `TIMESTAMP` and plain `TIMESTAMP` is `TIMESTAMP_NTZ`.
 *
 * @category constructors
 */
export const fromDuckDb = (type: DuckDBType): ColumnType => {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return simple("BOOLEAN")
    case DuckDBTypeId.TINYINT:
      return simple("BYTE", "TINYINT")
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.UTINYINT:
      return simple("SHORT", "SMALLINT")
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.USMALLINT:
      return simple("INT")
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.HUGEINT:
      return simple("LONG", "BIGINT")
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.UHUGEINT:
      return { typeName: "DECIMAL", typeText: "DECIMAL(38,0)", typePrecision: 38, typeScale: 0 }
    case DuckDBTypeId.FLOAT:
      return simple("FLOAT")
    case DuckDBTypeId.DOUBLE:
      return simple("DOUBLE")
    case DuckDBTypeId.DECIMAL:
      return {
        typeName: "DECIMAL",
        typeText: `DECIMAL(${type.width},${type.scale})`,
        typePrecision: type.width,
        typeScale: type.scale
      }
    case DuckDBTypeId.DATE:
      return simple("DATE")
    case DuckDBTypeId.TIMESTAMP_TZ:
      return simple("TIMESTAMP")
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return simple("TIMESTAMP", "TIMESTAMP_NTZ")
    case DuckDBTypeId.BLOB:
      return simple("BINARY")
    case DuckDBTypeId.INTERVAL:
      return simple("INTERVAL", "INTERVAL DAY TO SECOND")
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return simple("ARRAY", `ARRAY<${fromDuckDb(type.valueType).typeText}>`)
    case DuckDBTypeId.MAP:
      return simple("MAP", `MAP<${fromDuckDb(type.keyType).typeText}, ${fromDuckDb(type.valueType).typeText}>`)
    case DuckDBTypeId.STRUCT:
      return simple(
        "STRUCT",
        `STRUCT<${type.entryNames.map((name, i) => `${name}: ${fromDuckDb(type.entryTypes[i]).typeText}`).join(", ")}>`
      )
    case DuckDBTypeId.SQLNULL:
      return simple("NULL", "VOID")
    default:
      // VARCHAR, UUID, ENUM, TIME, BIT, …: Databricks has no closer type than STRING.
      return simple("STRING")
  }
}

const duckDbNames: Readonly<Record<string, string>> = {
  STRING: "VARCHAR",
  VARCHAR: "VARCHAR",
  CHAR: "VARCHAR",
  INT: "INTEGER",
  INTEGER: "INTEGER",
  BIGINT: "BIGINT",
  LONG: "BIGINT",
  SMALLINT: "SMALLINT",
  SHORT: "SMALLINT",
  TINYINT: "TINYINT",
  BYTE: "TINYINT",
  DOUBLE: "DOUBLE",
  FLOAT: "FLOAT",
  REAL: "FLOAT",
  BOOLEAN: "BOOLEAN",
  DATE: "DATE",
  TIMESTAMP: "TIMESTAMPTZ",
  TIMESTAMP_NTZ: "TIMESTAMP",
  BINARY: "BLOB"
}

/**
 * The DuckDB type for a Databricks scalar type name (`STRING`, `BIGINT`, `DECIMAL(10,2)`, `TIMESTAMP`, …), or
 * undefined when the name is not a scalar Databricks type.
 *
 * @category constructors
 */
export const toDuckDb = (databricksType: string): string | undefined => {
  const text = databricksType.trim().toUpperCase()
  const decimal = /^(?:DECIMAL|DEC|NUMERIC)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$/.exec(text)
  if (decimal !== null) return `DECIMAL(${decimal[1] ?? "10"},${decimal[2] ?? "0"})`
  const varchar = /^(?:VARCHAR|CHAR)\s*\(\s*\d+\s*\)$/.test(text)
  return varchar ? "VARCHAR" : duckDbNames[text]
}

// --- values ------------------------------------------------------------------------------------------------------

/** `Double.toString` of Java (what Databricks prints): `12.0`, `0.5`, `1.0E20`, `1.0E-5`. */
const javaDouble = (x: number, digits?: number): string => {
  if (Number.isNaN(x)) return "NaN"
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity"
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0"
  const abs = Math.abs(x)
  if (abs >= 1e-3 && abs < 1e7) {
    const s = digits === undefined ? String(x) : String(Number(x.toPrecision(digits)))
    return s.includes(".") ? s : `${s}.0`
  }
  const [mantissa = "", exponent = ""] = (digits === undefined ? x.toExponential() : x.toExponential(digits - 1))
    .replace(/0+e/, "e")
    .replace(/\.e/, "e")
    .split("e")
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${exponent.replace("+", "")}`
}

/** Shortest decimal digits that round-trip a 32-bit float, as Java's `Float.toString`. */
const floatDigits = (x: number): number => {
  for (let digits = 1; digits < 9; digits++) {
    if (Math.fround(Number(x.toPrecision(digits))) === x) return digits
  }
  return 9
}

const iso = (micros: bigint): string => new Date(Number(micros / 1000n)).toISOString()

const toJsonText = (json: unknown): string => JSON.stringify(json)

/**
 * A DuckDB value as the JSON_ARRAY format writes it: a string for every non-null value (`"12.50"`, `"true"`,
 * `"2025-01-01"`, `"2025-01-01T08:11:12.500Z"`), JSON text for arrays, maps and structs, base64 for binary.
 *
 * **Details**
 * `json` is the value converted by DuckDB's JSON converter, used for nested types (maps arrive as key/value lists
 * and become objects).
 *
 * @category constructors
 */
export const formatValue = (type: DuckDBType, value: DuckDBValue, json: () => unknown): string | null => {
  if (value === null) return null
  switch (type.typeId) {
    case DuckDBTypeId.DOUBLE:
      return javaDouble(value as number)
    case DuckDBTypeId.FLOAT: {
      const x = value as number
      return Number.isFinite(x) && x !== 0 ? javaDouble(x, floatDigits(x)) : javaDouble(x)
    }
    case DuckDBTypeId.TIMESTAMP_TZ:
      return value instanceof DuckDBTimestampTZValue ? iso(value.micros) : String(value)
    case DuckDBTypeId.TIMESTAMP:
      return value instanceof DuckDBTimestampValue ? iso(value.micros).replace(/Z$/, "") : String(value)
    case DuckDBTypeId.BLOB:
      return value instanceof DuckDBBlobValue ? Buffer.from(value.bytes).toString("base64") : String(value)
    case DuckDBTypeId.DECIMAL:
      return value instanceof DuckDBDecimalValue ? value.toString() : String(value)
    case DuckDBTypeId.MAP: {
      const entries = json() as ReadonlyArray<{ readonly key: unknown; readonly value: unknown }>
      return toJsonText(Object.fromEntries(entries.map((e) => [String(e.key), e.value])))
    }
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
    case DuckDBTypeId.STRUCT:
      return toJsonText(json())
    default:
      return String(value)
  }
}
