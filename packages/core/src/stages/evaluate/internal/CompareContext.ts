/**
 * What one comparison works with: both sides with their columns coerced by declared type, the lazily computed
 * column pairs (with the cross-type coercions they needed), the names that match, and what the expected SQL says
 * about order and LIMIT (read with `SqlAnalysis`, i.e. `@polyglot-sql/sdk`).
 */
import * as SqlAnalysis from "../../../sql/SqlAnalysis.js"
import type { ResolvedPolicy, ResultRows } from "../ResultSetCompare.js"
import * as ValueCoercion from "../ValueCoercion.js"
import type { CoercedColumn } from "../ValueCoercion.js"
import * as ColumnNames from "./ColumnNames.js"

/** One result set, its columns coerced by their declared types. */
export interface Side {
  readonly names: ReadonlyArray<string>
  readonly types: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<string | null>>
  readonly truncated: boolean
  readonly own: ReadonlyArray<CoercedColumn>
  readonly values: (column: number) => ReadonlyArray<string | null>
  /**
   * A text column read as dates or timestamps, when every non-NULL value is one (memoised); ambiguous slashed dates
   * (`01/02/2024`) month first, or day first with `dayFirst`.
   */
  readonly asTemporal: (column: number, dayFirst?: boolean) => CoercedColumn | undefined
}

export const makeSide = (result: ResultRows, policy: ResolvedPolicy): Side => {
  const values = (column: number) => result.rows.map((row) => row[column] ?? null)
  const options = { caseInsensitiveStrings: policy.caseInsensitiveStrings }
  const own = result.columns.map(
    // A value the declared type cannot read (bad data) makes the column compare as raw text.
    (c, i) =>
      ValueCoercion.coerceColumn(values(i), c.typeName, undefined, options) ??
      ValueCoercion.coerceColumn(values(i), c.typeName, "other", options)!
  )
  const temporal = new Map<number, CoercedColumn | undefined>()
  const asTemporal = (column: number, dayFirst = false): CoercedColumn | undefined => {
    const key = dayFirst ? -1 - column : column
    if (!temporal.has(key)) {
      // Most text columns are not dates: one value tells, before the column is read.
      const first = result.rows.find((row) => row[column] != null)?.[column]
      const coerced =
        first != null && ValueCoercion.parseTemporal(first) === undefined
          ? undefined
          : ValueCoercion.coerceColumn(values(column), "TIMESTAMP", "temporal", { ...options, dayFirst })
      temporal.set(key, coerced)
    }
    return temporal.get(key)
  }
  return {
    names: result.columns.map((c) => c.name),
    types: result.columns.map((c) => c.typeName),
    rows: result.rows,
    truncated: result.truncated === true,
    own,
    values,
    asTemporal
  }
}

/**
 * How a pair of columns was made comparable: `none` (same family, or both read the same way), `temporal` (text on
 * one side read as dates or timestamps: equal values are equal whatever the declared type) or `text` (text read as
 * numbers or booleans: a type difference that leaves the verdict inconclusive).
 */
export type Conversion = "none" | "temporal" | "text"

/** The two columns of a candidate pairing, coerced to one family. */
export interface Pair {
  readonly e: CoercedColumn
  readonly a: CoercedColumn
  readonly conversion: Conversion
}

/** How row order is checked once the rows are known to be the same. */
export type OrderCheck =
  | { readonly _tag: "None" }
  | { readonly _tag: "Strict" }
  /** ORDER BY present: `keys` are the expected columns of its prefix present in the output (possibly none). */
  | { readonly _tag: "Keys"; readonly keys: ReadonlyArray<number> }
  /** Order may matter but the expected SQL could not be read. */
  | { readonly _tag: "Unknown" }

/** What the expected SQL says about row selection, for the LIMIT rules. */
export interface SqlShape {
  readonly limit: number | undefined
  /** Expected columns of the resolvable ORDER BY prefix; `undefined` when there is no ORDER BY. */
  readonly sortKeys: ReadonlyArray<number> | undefined
  /** Every ORDER BY key is an output column, so rows agreeing on `sortKeys` are fully tied. */
  readonly allKeysVisible: boolean
}

/** Everything one comparison works with, computed lazily and memoised. */
export interface Context {
  readonly expected: Side
  readonly actual: Side
  readonly policy: ResolvedPolicy
  readonly pair: (i: number, j: number) => Pair | undefined
  /** Expected column → the actual column of the same (normalised) name, when the names pair up unambiguously. */
  readonly named: ReadonlyArray<number | undefined>
  readonly order: OrderCheck
  readonly sql: SqlShape
}

const readSql = (expectedSql: string | undefined, expected: Side): { shape: SqlShape; readable: boolean } => {
  const analysis = expectedSql === undefined ? undefined : SqlAnalysis.analyze(expectedSql)
  if (analysis?._tag !== "Analyzed") {
    return { shape: { limit: undefined, sortKeys: undefined, allKeysVisible: false }, readable: false }
  }
  const { facts } = analysis
  if (facts.orderBy.length === 0) {
    return { shape: { limit: facts.limit, sortKeys: undefined, allKeysVisible: false }, readable: true }
  }
  const sortKeys: Array<number> = []
  for (const item of facts.orderBy) {
    const index = SqlAnalysis.outputIndex(facts, item, expected.names)
    if (index === undefined) break // only the prefix of sort keys present in the output can be checked
    sortKeys.push(index)
  }
  return {
    shape: { limit: facts.limit, sortKeys, allKeysVisible: sortKeys.length === facts.orderBy.length },
    readable: true
  }
}

const orderCheck = (
  policy: ResolvedPolicy,
  expectedSql: string | undefined,
  readable: boolean,
  shape: SqlShape
): OrderCheck => {
  if (policy.rowOrder === "ignore" || (expectedSql === undefined && policy.rowOrder === "auto")) return { _tag: "None" }
  if (policy.rowOrder === "strict") return { _tag: "Strict" }
  if (!readable) return { _tag: "Unknown" }
  return shape.sortKeys === undefined ? { _tag: "None" } : { _tag: "Keys", keys: shape.sortKeys }
}

const isText = (column: CoercedColumn) => column.family === "string" || column.family === "other"

/**
 * A text column read as dates to compare with a date column: month first, unless reading it day first agrees with
 * more of the other column's values (`05/06/2024` is 5 June when the expected dates say so).
 */
const textAsTemporal = (side: Side, column: number, other: CoercedColumn): CoercedColumn | undefined => {
  const monthFirst = side.asTemporal(column)
  if (monthFirst === undefined) return undefined
  const dayFirst = side.asTemporal(column, true)
  if (dayFirst === undefined || dayFirst.keys.every((k, r) => k === monthFirst.keys[r])) return monthFirst
  const wanted = new Set(other.keys)
  const agreeing = (c: CoercedColumn) => c.keys.reduce((n, k) => n + (wanted.has(k) ? 1 : 0), 0)
  return agreeing(dayFirst) > agreeing(monthFirst) ? dayFirst : monthFirst
}

const makePair = (expected: Side, actual: Side, policy: ResolvedPolicy) => {
  const memo = new Map<number, Pair | undefined>()
  const options = { caseInsensitiveStrings: policy.caseInsensitiveStrings }
  const compute = (i: number, j: number): Pair | undefined => {
    const e = expected.own[i]
    const a = actual.own[j]
    if (e.family === "null" || a.family === "null") return { e, a, conversion: "none" }
    if (e.family === a.family) {
      // Two text columns of dates compare as dates: `2024-06-30` and `06/30/2024` are one day.
      if (isText(e) && isText(a)) {
        const te = expected.asTemporal(i)
        const ta = te === undefined ? undefined : actual.asTemporal(j)
        if (te !== undefined && ta !== undefined) return { e: te, a: ta, conversion: "none" }
      }
      return { e, a, conversion: "none" }
    }
    // Only text can stand in for another type: a STRING column of numbers, dates or booleans.
    if (isText(e)) {
      const coerced =
        a.family === "temporal"
          ? textAsTemporal(expected, i, a)
          : ValueCoercion.coerceColumn(expected.values(i), actual.types[j], a.family, options)
      if (coerced !== undefined) return { e: coerced, a, conversion: a.family === "temporal" ? "temporal" : "text" }
    }
    if (isText(a)) {
      const coerced =
        e.family === "temporal"
          ? textAsTemporal(actual, j, e)
          : ValueCoercion.coerceColumn(actual.values(j), expected.types[i], e.family, options)
      if (coerced !== undefined) return { e, a: coerced, conversion: e.family === "temporal" ? "temporal" : "text" }
    }
    return undefined
  }
  return (i: number, j: number): Pair | undefined => {
    const key = i * 100_000 + j
    if (!memo.has(key)) memo.set(key, compute(i, j))
    return memo.get(key)
  }
}

/** Builds the context of one comparison. */
export const make = (
  expectedRows: ResultRows,
  actualRows: ResultRows,
  policy: ResolvedPolicy,
  expectedSql: string | undefined
): Context => {
  const expected = makeSide(expectedRows, policy)
  const actual = makeSide(actualRows, policy)
  const { shape, readable } = readSql(expectedSql, expected)
  return {
    expected,
    actual,
    policy,
    pair: makePair(expected, actual, policy),
    named: ColumnNames.match(expected.names, actual.names),
    order: orderCheck(policy, expectedSql, readable, shape),
    sql: shape
  }
}
