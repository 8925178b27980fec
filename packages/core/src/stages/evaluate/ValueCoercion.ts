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

// Dates and timestamps as warehouses print them and as Genie's SQL may format them: ISO (`2024-06-30`,
// `2024-06-30T10:00:00.000+0000`), slashed or dotted (`2024/06/30`, `06/30/2024`, `30.06.2024`), with month names
// (`Jun 30, 2024`, `30 June 2024`, `Sun, 30 Jun 2024`), a 12-hour clock and a zone (`Z`, `UTC`, `GMT`, `+05:30`).
const isoPattern =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i
const yearFirst = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})/
const yearLast = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})/
const dayName = /^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+/i
const monthDayYear = /^([a-z]{3,9})\.?[\s-]+(\d{1,2})(?:st|nd|rd|th)?,?[\s-]+(\d{4})/i
const dayMonthYear = /^(\d{1,2})(?:st|nd|rd|th)?[\s-]+([a-z]{3,9})\.?,?[\s-]+(\d{4})/i
const yearMonthDay = /^(\d{4})[\s-]+([a-z]{3,9})\.?[\s-]+(\d{1,2})/i
const timePattern = /^(?:[T\s]+|,\s*)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:\s*([ap])\.?m\.?)?(?=$|[\sZz+-])/i
const zonePattern = /^\s*(?:(z)|(?:utc|gmt)?([+-])(\d{1,2})(?::?(\d{2}))?|(utc|gmt))$/i
const months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
const fullMonths = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december"
]

const monthOf = (name: string): number | undefined => {
  const lower = name.toLowerCase().replace(/\.$/, "")
  const index = lower.length === 3 ? months.indexOf(lower) : fullMonths.indexOf(lower)
  if (index >= 0) return index + 1
  return lower === "sept" ? 9 : undefined
}

const monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const daysIn = (year: number, month: number) =>
  month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : monthDays[month - 1]

const epochMicros = (
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  fraction: string,
  offsetMinutes: number
): number | undefined => {
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 60) {
    return undefined
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000
  return ms * 1000 + Number(fraction.padEnd(6, "0").slice(0, 6))
}

/** Options of {@link parseTemporal}. @category models */
export interface TemporalOptions {
  /**
   * How to read `01/02/2024`: `true` day first (1 February), `false` month first (2 January); either way a date
   * that does not fit the convention (`30/06/2024` month first) is not read. Unset: month first, and a part above 12
   * is the day.
   */
  readonly dayFirst?: boolean
}

/**
 * Epoch microseconds (UTC) of a date or timestamp written in any common format, or `undefined` when `text` is not
 * one; a timestamp without a zone is taken as UTC and a date as its UTC midnight.
 *
 * **Details**
 * ISO 8601 and the warehouse forms (`2024-06-30`, `2024-06-30 10:00:00`, `2024-06-30T10:00:00.000+0000`), slashed,
 * dashed or dotted dates (`2024/06/30`, `06/30/2024`, `30.06.2024`; see {@link TemporalOptions} for which
 * part is the day), month names (`Jun 30, 2024`, `30 June 2024`, `Sunday, 30 Jun 2024`), optionally followed by
 * a time (12- or 24-hour, fractional seconds) and a zone (`Z`, `UTC`, `GMT`, `+05:30`, `-0800`, `GMT+2`).
 *
 * @example
 * ```ts
 * ValueCoercion.parseTemporal("2024-06-30T12:00:00+02:00") === ValueCoercion.parseTemporal("Jun 30, 2024 10:00 AM")
 * ```
 *
 * @category constructors
 */
export const parseTemporal = (text: string, options: TemporalOptions = {}): number | undefined => {
  const trimmed = text.trim()
  // The warehouse's own form first: one expression, no allocation beyond the match.
  const iso = isoPattern.exec(trimmed)
  if (iso !== null) {
    const zone = iso[8]
    let offsetMinutes = 0
    if (zone !== undefined && !/^(z|utc)$/i.test(zone)) {
      const digits = zone.replace(":", "")
      const sign = digits.startsWith("-") ? -1 : 1
      offsetMinutes = sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || "0"))
    }
    const [year, month, day, hour, minute, second] = [iso[1], iso[2], iso[3], iso[4], iso[5], iso[6]].map((p) =>
      Number(p ?? 0)
    ) as [number, number, number, number, number, number]
    return epochMicros(year, month, day, hour, minute, second, iso[7] ?? "", offsetMinutes)
  }
  return parseOtherTemporal(trimmed.replace(dayName, ""), options.dayFirst)
}

const parseOtherTemporal = (text: string, dayFirst: boolean | undefined): number | undefined => {
  let year: number
  let month: number | undefined
  let day: number
  let m: RegExpExecArray | null
  if ((m = yearFirst.exec(text)) !== null) {
    ;[year, month, day] = [Number(m[1]), Number(m[3]), Number(m[4])]
  } else if ((m = yearLast.exec(text)) !== null) {
    const [first, second] = [Number(m[1]), Number(m[3])]
    // Without a convention, a part above 12 can only be the day.
    const dayIsFirst = dayFirst ?? first > 12
    ;[year, month, day] = dayIsFirst ? [Number(m[4]), second, first] : [Number(m[4]), first, second]
  } else if ((m = monthDayYear.exec(text)) !== null) {
    ;[year, month, day] = [Number(m[3]), monthOf(m[1]), Number(m[2])]
  } else if ((m = dayMonthYear.exec(text)) !== null) {
    ;[year, month, day] = [Number(m[3]), monthOf(m[2]), Number(m[1])]
  } else if ((m = yearMonthDay.exec(text)) !== null) {
    ;[year, month, day] = [Number(m[1]), monthOf(m[2]), Number(m[3])]
  } else {
    return undefined
  }
  if (month === undefined) return undefined
  let rest = text.slice(m[0].length)
  let [hour, minute, second, fraction] = [0, 0, 0, ""]
  const time = timePattern.exec(rest)
  if (time !== null) {
    ;[hour, minute, second, fraction] = [Number(time[1]), Number(time[2]), Number(time[3] ?? 0), time[4] ?? ""]
    const meridiem = time[5]?.toLowerCase()
    if (meridiem !== undefined) {
      if (hour < 1 || hour > 12) return undefined
      hour = (hour % 12) + (meridiem === "p" ? 12 : 0)
    }
    rest = rest.slice(time[0].length)
  }
  let offsetMinutes = 0
  if (rest.length > 0) {
    const zone = zonePattern.exec(rest)
    if (zone === null) return undefined
    if (zone[2] !== undefined) {
      offsetMinutes = (zone[2] === "-" ? -1 : 1) * (Number(zone[3]) * 60 + Number(zone[4] ?? 0))
    }
  }
  return epochMicros(year, month, day, hour, minute, second, fraction, offsetMinutes)
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
  /** Read slashed dates day first (`30/06/2024`); {@link coerceColumn} tries it itself when month first fails. */
  readonly dayFirst?: boolean
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
  // One convention for the whole column: month first, else (when that fails) day first.
  const temporalOptions: TemporalOptions = { dayFirst: options.dayFirst === true }
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
        const micros = parseTemporal(raw, temporalOptions)
        if (micros === undefined) {
          // `30/06/2024`: the whole column is day first, or it is not dates.
          if (temporalOptions.dayFirst !== true && parseTemporal(raw, { dayFirst: true }) !== undefined) {
            return coerceColumn(values, typeName, family, { ...options, dayFirst: true })
          }
          return undefined
        }
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
