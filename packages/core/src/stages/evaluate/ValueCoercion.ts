/**
 * Coercion of warehouse values (JSON_ARRAY strings or null) into comparable canonical forms, by Databricks column
 * type: numbers compare numerically (with a tolerance for approximate values), dates and timestamps as UTC
 * instants, booleans as booleans, strings exactly (optionally case-insensitively), complex values as canonical
 * JSON.
 */

/**
 * The comparison families of Databricks types. Values compare within one family; across families only after a
 * STRING column has been coerced to the other side's family (a type difference).
 *
 * @category models
 */
export type TypeFamily = "numeric" | "boolean" | "temporal" | "string" | "complex" | "other" | "null"

/** Numeric tolerance: values `a`, `b` are close when `|a − b| ≤ absolute + relative × max(|a|, |b|)`. @category models */
export interface Tolerance {
  readonly relative: number
  readonly absolute: number
}

/**
 * One column coerced for comparison.
 *
 * **Details**
 * `keys` are exact canonical keys (equal keys mean equal values); `numbers` hold numeric values (epoch
 * microseconds for temporal values, `NaN` for NULL) so approximate columns can be compared with a tolerance.
 *
 * @category models
 */
export interface CoercedColumn {
  readonly family: TypeFamily
  readonly keys: ReadonlyArray<string>
  readonly numbers: Float64Array | undefined
  /** True when the tolerance applies: FLOAT/DOUBLE columns, or numeric columns holding non-integral values. */
  readonly approximate: boolean
}

/** The canonical key of NULL; no canonical key of a real value can contain U+0000. @category constructors */
export const NULL_KEY = "\u0000"

const families: ReadonlyArray<readonly [TypeFamily, ReadonlyArray<string>]> = [
  [
    "numeric",
    [
      "BYTE",
      "TINYINT",
      "SHORT",
      "SMALLINT",
      "INT",
      "INTEGER",
      "LONG",
      "BIGINT",
      "FLOAT",
      "REAL",
      "DOUBLE",
      "DECIMAL",
      "DEC",
      "NUMERIC",
      "HUGEINT",
      "UBIGINT",
      "UINTEGER",
      "USMALLINT",
      "UTINYINT"
    ]
  ],
  ["boolean", ["BOOLEAN", "BOOL"]],
  ["temporal", ["DATE", "TIMESTAMP", "TIMESTAMP_NTZ", "TIMESTAMP_LTZ", "DATETIME", "TIMESTAMPTZ"]],
  ["string", ["STRING", "VARCHAR", "CHAR", "TEXT"]],
  ["complex", ["ARRAY", "MAP", "STRUCT", "VARIANT", "JSON"]],
  ["null", ["NULL", "VOID"]]
]
const familyByType = new Map(families.flatMap(([family, names]) => names.map((n) => [n, family] as const)))
const approximateTypes: ReadonlySet<string> = new Set(["FLOAT", "REAL", "DOUBLE"])

/** `decimal(10,2)` → `DECIMAL`, `timestamp with time zone` → `TIMESTAMP`. */
const baseType = (typeName: string): string => {
  const upper = typeName.trim().toUpperCase()
  if (upper.startsWith("TIMESTAMP WITH")) return "TIMESTAMPTZ"
  return (/^[A-Z_]+/.exec(upper) ?? [""])[0]
}

/**
 * The family of a Databricks `type_name` (`LONG`, `DECIMAL`) or SQL type text (`bigint`, `decimal(10,2)`).
 * Unknown types (BINARY, INTERVAL, user-defined) compare as raw text.
 *
 * @category constructors
 */
export const familyOf = (typeName: string): TypeFamily => familyByType.get(baseType(typeName)) ?? "other"

const integerText = /^[+-]?\d+$/
const decimalText = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i
const specialText = /^[+-]?(nan|infinity)$/i

/** Canonical numeric key and value, or `undefined` when `text` is not a decimal number (nor NaN/Infinity). */
const parseNumber = (text: string): { readonly key: string; readonly value: number } | undefined => {
  const trimmed = text.trim()
  // BigInt keeps integers beyond 2^53 exact (DECIMAL(38,0) ids, LONG sums).
  if (integerText.test(trimmed)) return { key: BigInt(trimmed).toString(), value: Number(trimmed) }
  if (specialText.test(trimmed)) {
    if (/nan/i.test(trimmed)) return { key: "NaN", value: Number.NaN }
    const value = trimmed.startsWith("-") ? -Infinity : Infinity
    return { key: String(value), value }
  }
  if (!decimalText.test(trimmed)) return undefined
  const value = Number(trimmed)
  // "1.50" and "1.5" are one value; an integral "2.0" is the integer 2.
  const integral = Number.isInteger(value) && Math.abs(value) > Number.MAX_SAFE_INTEGER
  return { key: integral ? BigInt(value).toString() : String(value), value }
}

const temporalPattern =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i

/** Epoch microseconds (UTC) of a date or timestamp; a timestamp without a zone is taken as UTC. */
const parseTemporal = (text: string): number | undefined => {
  const m = temporalPattern.exec(text.trim())
  if (m === null) return undefined
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((p) => Number(p ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number
  ]
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined
  const zone = m[8]
  let offsetMinutes = 0
  if (zone !== undefined && !/^(z|utc)$/i.test(zone)) {
    const digits = zone.replace(":", "")
    const sign = digits.startsWith("-") ? -1 : 1
    offsetMinutes = sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || "0"))
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000
  const micros = Number((m[7] ?? "").padEnd(6, "0").slice(0, 6))
  return ms * 1000 + micros
}

const parseBoolean = (text: string): string | undefined => {
  const lower = text.trim().toLowerCase()
  return lower === "true" || lower === "false" ? lower : undefined
}

const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`
  }
  return JSON.stringify(value)
}

const parseComplex = (text: string): string => {
  try {
    // Map and struct keys are unordered; arrays keep their order.
    return canonicalJson(JSON.parse(text))
  } catch {
    return text
  }
}

/** Options of {@link coerceColumn}. @category models */
export interface CoerceOptions {
  readonly caseInsensitiveStrings?: boolean
}

/**
 * Coerces a column's values as the given family. Fails (returns `undefined`) when a non-NULL value cannot be read
 * as that family, which is how a STRING column is tested for holding numbers, dates or booleans.
 *
 * @category constructors
 */
export const coerceColumn = (
  values: ReadonlyArray<string | null>,
  typeName: string,
  family: TypeFamily = familyOf(typeName),
  options: CoerceOptions = {}
): CoercedColumn | undefined => {
  const keys = new Array<string>(values.length)
  const numeric = family === "numeric" || family === "temporal"
  const numbers = numeric ? new Float64Array(values.length) : undefined
  let approximate = family === "numeric" && approximateTypes.has(baseType(typeName))
  for (let i = 0; i < values.length; i++) {
    const raw = values[i]
    if (raw === null || raw === undefined) {
      keys[i] = NULL_KEY
      if (numbers !== undefined) numbers[i] = Number.NaN
      continue
    }
    switch (family) {
      case "numeric": {
        const parsed = parseNumber(raw)
        if (parsed === undefined) return undefined
        keys[i] = parsed.key
        numbers![i] = parsed.value
        if (!Number.isInteger(parsed.value)) approximate = true
        break
      }
      case "temporal": {
        const micros = parseTemporal(raw)
        if (micros === undefined) return undefined
        keys[i] = String(micros)
        numbers![i] = micros
        break
      }
      case "boolean": {
        const parsed = parseBoolean(raw)
        if (parsed === undefined) return undefined
        keys[i] = parsed
        break
      }
      case "string":
        keys[i] = options.caseInsensitiveStrings === true ? raw.toLowerCase() : raw
        break
      case "complex":
        keys[i] = parseComplex(raw)
        break
      case "null":
        return undefined // a NULL-typed column holds nothing but NULL
      case "other":
        keys[i] = raw
        break
    }
  }
  return { family, keys, numbers, approximate: approximate && family === "numeric" }
}

/**
 * True when two numbers are equal within the tolerance; NaN equals NaN (as in GROUP BY).
 *
 * @category constructors
 */
export const close = (a: number, b: number, tolerance: Tolerance): boolean => {
  if (a === b) return true
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b)
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false
  return Math.abs(a - b) <= tolerance.absolute + tolerance.relative * Math.max(Math.abs(a), Math.abs(b))
}

/**
 * True when cell `i` of column `a` equals cell `j` of column `b`: equal canonical keys, or — when either column is
 * approximate — numbers within the tolerance. NULL equals only NULL.
 *
 * @category constructors
 */
export const cellsEqual = (a: CoercedColumn, i: number, b: CoercedColumn, j: number, tolerance: Tolerance): boolean => {
  const ka = a.keys[i]
  const kb = b.keys[j]
  if (ka === kb) return true
  if (ka === NULL_KEY || kb === NULL_KEY) return false
  if (!(a.approximate || b.approximate) || a.numbers === undefined || b.numbers === undefined) return false
  return close(a.numbers[i], b.numbers[j], tolerance)
}

/**
 * Orders two cells of numeric-or-keyed columns: NULL first, numbers numerically, other keys by code unit. Used to
 * pair rows that are equal within a tolerance but have different exact keys.
 *
 * @category constructors
 */
export const compareCells = (a: CoercedColumn, i: number, b: CoercedColumn, j: number): number => {
  const ka = a.keys[i]
  const kb = b.keys[j]
  if (ka === kb) return 0
  if (ka === NULL_KEY) return -1
  if (kb === NULL_KEY) return 1
  if (a.numbers !== undefined && b.numbers !== undefined) {
    const x = a.numbers[i]
    const y = b.numbers[j]
    if (x !== y && !(Number.isNaN(x) && Number.isNaN(y))) return Number.isNaN(x) ? -1 : Number.isNaN(y) ? 1 : x - y
  }
  return ka < kb ? -1 : ka > kb ? 1 : 0
}
