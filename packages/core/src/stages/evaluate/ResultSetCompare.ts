/**
 * The deterministic result-set comparator: decides whether Genie's result equals the expected SQL's result, under
 * a benchmark's `ComparisonPolicy`, and says which rule decided and why. Cases the rules cannot settle honestly
 * (truncated results, ties at a LIMIT, values equal only across types) are `inconclusive`, never a silent pass.
 * The rules are documented in the package README ("Comparing results").
 */
import { Effect } from "effect"
import * as Benchmark from "../../model/Benchmark.js"
import type { ComparisonPolicy, RowMatching, RowOrder } from "../../model/Benchmark.js"
import { ConfigInvalid } from "../../model/Errors.js"
import * as Issue from "../../model/Issue.js"
import * as SqlAnalysis from "../../sql/SqlAnalysis.js"
import type { CellDifference, ColumnMatch, Evidence, ReasonCode } from "../Stages.js"
import * as ValueCoercion from "./ValueCoercion.js"
import type { CoercedColumn, Tolerance } from "./ValueCoercion.js"

/** A result set as the comparator needs it (a `Stages.ResultSet` fits). @category models */
export interface ResultRows {
  readonly columns: ReadonlyArray<{ readonly name: string; readonly typeName: string }>
  readonly rows: ReadonlyArray<ReadonlyArray<string | null>>
  /** The warehouse cut the result: more rows exist than `rows` holds. */
  readonly truncated?: boolean
}

/** A comparison policy with every default filled in. @category models */
export interface ResolvedPolicy {
  readonly rowOrder: RowOrder
  readonly rows: RowMatching
  readonly allowExtraColumns: boolean
  readonly tolerance: Tolerance
  readonly caseInsensitiveStrings: boolean
}

/**
 * The defaults: order from the expected SQL, bag semantics, extra columns allowed, relative tolerance 1e-6 and
 * absolute 1e-9, exact strings.
 *
 * @category configuration
 */
export const defaultPolicy: ResolvedPolicy = {
  rowOrder: "auto",
  rows: "bag",
  allowExtraColumns: true,
  tolerance: { relative: 1e-6, absolute: 1e-9 },
  caseInsensitiveStrings: false
}

/**
 * Fills a policy from layered partial policies (later wins), e.g. profile defaults then the benchmark's own.
 *
 * @category constructors
 */
export const resolvePolicy = (...policies: ReadonlyArray<ComparisonPolicy | undefined>): ResolvedPolicy =>
  policies.reduce<ResolvedPolicy>(
    (acc, p) =>
      p === undefined
        ? acc
        : {
            rowOrder: p.row_order ?? acc.rowOrder,
            rows: p.rows ?? acc.rows,
            allowExtraColumns: p.allow_extra_columns ?? acc.allowExtraColumns,
            tolerance: {
              relative: p.relative_tolerance ?? acc.tolerance.relative,
              absolute: p.absolute_tolerance ?? acc.tolerance.absolute
            },
            caseInsensitiveStrings: p.case_insensitive_strings ?? acc.caseInsensitiveStrings
          },
    defaultPolicy
  )

/**
 * Parses a comparison policy given as JSON text (e.g. `--policy '{"row_order":"strict"}'`), validated like the
 * `comparison` field of a benchmark file: unknown keys (with a did-you-mean), wrong types and out-of-range
 * tolerances are reported at their path.
 *
 * @category constructors
 */
export const parsePolicy = Effect.fn("ResultSetCompare.parsePolicy")(function* (
  text: string,
  source: string = "--policy"
) {
  const value = yield* Effect.try({
    try: (): unknown => JSON.parse(text),
    catch: () =>
      new ConfigInvalid({ source, issues: [Issue.error("InvalidJson", "$", "not valid JSON; expected an object")] })
  })
  // One schema for both places a policy is written: check it as a benchmark's `comparison`.
  const prefix = "$.benchmarks[0].comparison"
  const wrapper = { id: "p", question: "q", expected_sql: "SELECT 1", category: "c", difficulty: "easy" }
  const issues = Benchmark.validate({ apiVersion: 1, benchmarks: [{ ...wrapper, comparison: value }] })
    .filter((i) => i.path.startsWith(prefix))
    .map((i) => ({ ...i, path: `$${i.path.slice(prefix.length)}` }))
  if (issues.length > 0) return yield* new ConfigInvalid({ source, issues })
  return value as ComparisonPolicy
})

/**
 * The rules a comparison can be decided by (a verdict's `decidedBy`).
 *
 * @category models
 */
export type Rule =
  | "both-empty"
  | "empty-result"
  | "unexpected-rows"
  | "column-match"
  | "scalar"
  | "bag-equality"
  | "set-equality"
  | "ordered-prefix"
  | "strict-order"
  | "order-unverifiable"
  | "truncated"
  | "limit-tie"
  | "unordered-limit"
  | "type-difference"

/** The comparator's decision. @category models */
export interface Comparison {
  readonly outcome: "pass" | "fail" | "inconclusive"
  readonly decidedBy: Rule
  readonly reasons: ReadonlyArray<ReasonCode>
  readonly evidence: Evidence
}

/** Options of {@link compare}. @category models */
export interface CompareOptions {
  readonly policy?: ComparisonPolicy | ResolvedPolicy
  /** The expected SQL: its outermost ORDER BY and LIMIT drive the `auto` order rule and the LIMIT-tie rule. */
  readonly expectedSql?: string
}

const MAX_MAPPINGS_TRIED = 32
const MAX_DIFFERENCES = 5
const MAX_SAMPLE_ROWS = 3
// Above this many residual row pairs, rows equal within a tolerance are paired by sorting instead of by search.
const MAX_PAIRWISE = 400_000
const SEPARATOR = "\u0001"

interface Side {
  readonly names: ReadonlyArray<string>
  readonly types: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<string | null>>
  readonly truncated: boolean
  readonly own: ReadonlyArray<CoercedColumn>
  readonly values: (column: number) => ReadonlyArray<string | null>
}

const makeSide = (result: ResultRows, policy: ResolvedPolicy): Side => {
  const values = (column: number) => result.rows.map((row) => row[column] ?? null)
  const options = { caseInsensitiveStrings: policy.caseInsensitiveStrings }
  return {
    names: result.columns.map((c) => c.name),
    types: result.columns.map((c) => c.typeName),
    rows: result.rows,
    truncated: result.truncated === true,
    // A value the declared type cannot read (bad data) makes the column compare as raw text.
    own: result.columns.map(
      (c, i) =>
        ValueCoercion.coerceColumn(values(i), c.typeName, undefined, options) ??
        ValueCoercion.coerceColumn(values(i), c.typeName, "other", options)!
    ),
    values
  }
}

/** The two columns of a candidate pairing, coerced to one family. */
interface Pair {
  readonly e: CoercedColumn
  readonly a: CoercedColumn
  readonly typeDifference: boolean
}

/** Everything one comparison works with, computed lazily and memoised. */
interface Context {
  readonly expected: Side
  readonly actual: Side
  readonly policy: ResolvedPolicy
  readonly pair: (i: number, j: number) => Pair | undefined
  readonly order: OrderCheck
  readonly sql: SqlShape
}

/** How row order is checked once the rows are known to be the same. */
type OrderCheck =
  | { readonly _tag: "None" }
  | { readonly _tag: "Strict" }
  /** ORDER BY present: `keys` are the expected columns of its prefix present in the output (possibly none). */
  | { readonly _tag: "Keys"; readonly keys: ReadonlyArray<number> }
  /** Order may matter but the expected SQL could not be read. */
  | { readonly _tag: "Unknown" }

/** What the expected SQL says about row selection, for the LIMIT rules. */
interface SqlShape {
  readonly limit: number | undefined
  /** Expected columns of the resolvable ORDER BY prefix; `undefined` when there is no ORDER BY. */
  readonly sortKeys: ReadonlyArray<number> | undefined
}

const readSql = (expectedSql: string | undefined, expected: Side): { shape: SqlShape; readable: boolean } => {
  const analysis = expectedSql === undefined ? undefined : SqlAnalysis.analyze(expectedSql)
  if (analysis?._tag !== "Analyzed") return { shape: { limit: undefined, sortKeys: undefined }, readable: false }
  const { facts } = analysis
  if (facts.orderBy.length === 0) return { shape: { limit: facts.limit, sortKeys: undefined }, readable: true }
  const sortKeys: Array<number> = []
  for (const item of facts.orderBy) {
    const index = SqlAnalysis.outputIndex(facts, item, expected.names)
    if (index === undefined) break // only the prefix of sort keys present in the output can be checked
    sortKeys.push(index)
  }
  return { shape: { limit: facts.limit, sortKeys }, readable: true }
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

const makePair = (expected: Side, actual: Side, policy: ResolvedPolicy) => {
  const memo = new Map<number, Pair | undefined>()
  const options = { caseInsensitiveStrings: policy.caseInsensitiveStrings }
  const compute = (i: number, j: number): Pair | undefined => {
    const e = expected.own[i]
    const a = actual.own[j]
    if (e.family === a.family || e.family === "null" || a.family === "null") return { e, a, typeDifference: false }
    // Only text can stand in for another type: a STRING column of numbers, dates or booleans.
    if (e.family === "string" || e.family === "other") {
      const coerced = ValueCoercion.coerceColumn(expected.values(i), actual.types[j], a.family, options)
      if (coerced !== undefined) return { e: coerced, a, typeDifference: true }
    }
    if (a.family === "string" || a.family === "other") {
      const coerced = ValueCoercion.coerceColumn(actual.values(j), expected.types[i], e.family, options)
      if (coerced !== undefined) return { e, a: coerced, typeDifference: true }
    }
    return undefined
  }
  return (i: number, j: number): Pair | undefined => {
    const key = i * 100_000 + j
    if (!memo.has(key)) memo.set(key, compute(i, j))
    return memo.get(key)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Column matching
// ---------------------------------------------------------------------------------------------------------------

type Relation = "equal" | "actualWithin" | "expectedWithin"

const countsMemo = new WeakMap<CoercedColumn, Map<string, number>>()
const counts = (column: CoercedColumn): Map<string, number> => {
  let map = countsMemo.get(column)
  if (map === undefined) {
    map = new Map()
    for (const key of column.keys) map.set(key, (map.get(key) ?? 0) + 1)
    countsMemo.set(column, map)
  }
  return map
}

const sortedMemo = new WeakMap<CoercedColumn, Float64Array>()
const sortedNumbers = (column: CoercedColumn): Float64Array => {
  let sorted = sortedMemo.get(column)
  if (sorted === undefined) {
    sorted = column.numbers!.filter((_, i) => column.keys[i] !== ValueCoercion.NULL_KEY).sort()
    sortedMemo.set(column, sorted)
  }
  return sorted
}

/** Whether sorted `small` can be matched element by element into sorted `big` within the tolerance. */
const withinSorted = (small: Float64Array, big: Float64Array, tolerance: Tolerance, set: boolean): boolean => {
  let j = 0
  for (let i = 0; i < small.length; i++) {
    if (set && i > 0 && small[i] === small[i - 1]) continue
    while (j < big.length && !ValueCoercion.close(small[i], big[j], tolerance) && big[j] < small[i]) j++
    if (j >= big.length || !ValueCoercion.close(small[i], big[j], tolerance)) return false
    if (!set) j++
  }
  return true
}

/**
 * A necessary condition for a column pairing: equal results have equal column multisets (sets under `set`
 * semantics); a truncated side's visible values must be contained in the other side's.
 */
const columnsFit = (pair: Pair, relation: Relation, policy: ResolvedPolicy): boolean => {
  const set = policy.rows === "set"
  const ce = counts(pair.e)
  const ca = counts(pair.a)
  const contains = (big: Map<string, number>, small: Map<string, number>) => {
    for (const [key, n] of small) if ((big.get(key) ?? 0) < (set ? 1 : n)) return false
    return true
  }
  const exact =
    relation === "actualWithin"
      ? contains(ce, ca)
      : relation === "expectedWithin"
        ? contains(ca, ce)
        : (set || ce.size === ca.size) && contains(ce, ca) && contains(ca, ce)
  if (exact) return true
  if (!(pair.e.approximate || pair.a.approximate) || pair.e.numbers === undefined || pair.a.numbers === undefined) {
    return false
  }
  const nullsE = ce.get(ValueCoercion.NULL_KEY) ?? 0
  const nullsA = ca.get(ValueCoercion.NULL_KEY) ?? 0
  const se = sortedNumbers(pair.e)
  const sa = sortedNumbers(pair.a)
  const t = policy.tolerance
  if (relation === "actualWithin")
    return (set ? nullsA === 0 || nullsE > 0 : nullsA <= nullsE) && withinSorted(sa, se, t, set)
  if (relation === "expectedWithin")
    return (set ? nullsE === 0 || nullsA > 0 : nullsE <= nullsA) && withinSorted(se, sa, t, set)
  if (set) return nullsE > 0 === nullsA > 0 && withinSorted(se, sa, t, true) && withinSorted(sa, se, t, true)
  return nullsE === nullsA && se.length === sa.length && withinSorted(se, sa, t, false)
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

/** Complete injective mappings expected column → actual column, most plausible first (names break ties). */
function* mappings(ctx: Context, relation: Relation): Generator<ReadonlyArray<number>> {
  const { expected, actual } = ctx
  const candidates = expected.names.map((name, i) => {
    const fitting: Array<{ j: number; rank: number }> = []
    actual.names.forEach((other, j) => {
      const pair = ctx.pair(i, j)
      if (pair === undefined || !columnsFit(pair, relation, ctx.policy)) return
      const rank = (pair.typeDifference ? 4 : 0) + (sameName(name, other) ? 0 : 2) + (i === j ? 0 : 1)
      fitting.push({ j, rank })
    })
    return fitting.sort((x, y) => x.rank - y.rank || x.j - y.j).map((c) => c.j)
  })
  const order = expected.names.map((_, i) => i).sort((x, y) => candidates[x].length - candidates[y].length)
  const mapping = new Array<number>(expected.names.length).fill(-1)
  const used = new Set<number>()
  function* search(k: number): Generator<ReadonlyArray<number>> {
    if (k === order.length) {
      yield [...mapping]
      return
    }
    const i = order[k]
    for (const j of candidates[i]) {
      if (used.has(j)) continue
      used.add(j)
      mapping[i] = j
      yield* search(k + 1)
      used.delete(j)
    }
    mapping[i] = -1
  }
  yield* search(0)
}

/**
 * When no pairing fits every column: pair by value overlap and name, then the rest by position among compatible
 * columns, so differences are reported as cell differences rather than missing columns where possible.
 */
const bestEffortMapping = (ctx: Context): Array<number> => {
  const { expected, actual } = ctx
  const scored: Array<{ i: number; j: number; score: number }> = []
  expected.names.forEach((name, i) =>
    actual.names.forEach((other, j) => {
      const pair = ctx.pair(i, j)
      if (pair === undefined) return
      const ce = counts(pair.e)
      let overlap = 0
      for (const [key, n] of counts(pair.a)) overlap += Math.min(n, ce.get(key) ?? 0)
      const score = overlap / Math.max(1, expected.rows.length, actual.rows.length) + (sameName(name, other) ? 0.5 : 0)
      if (score > 0) scored.push({ i, j, score })
    })
  )
  scored.sort((x, y) => y.score - x.score || x.i - y.i || x.j - y.j)
  const mapping = new Array<number>(expected.names.length).fill(-1)
  const used = new Set<number>()
  for (const { i, j } of scored) {
    if (mapping[i] !== -1 || used.has(j)) continue
    mapping[i] = j
    used.add(j)
  }
  mapping.forEach((m, i) => {
    if (m !== -1) return
    const j = actual.names.findIndex((_, j) => !used.has(j) && ctx.pair(i, j) !== undefined)
    if (j >= 0) {
      mapping[i] = j
      used.add(j)
    }
  })
  return mapping
}

// ---------------------------------------------------------------------------------------------------------------
// Row matching under one mapping
// ---------------------------------------------------------------------------------------------------------------

interface RowMatch {
  /** Expected rows with no counterpart. */
  readonly missing: ReadonlyArray<number>
  /** Actual rows with no counterpart. */
  readonly extra: ReadonlyArray<number>
}

const rowKeys = (columns: ReadonlyArray<CoercedColumn>, n: number): Array<string> => {
  const keys = new Array<string>(n)
  for (let r = 0; r < n; r++) {
    let key = ""
    for (let c = 0; c < columns.length; c++) key += (c === 0 ? "" : SEPARATOR) + columns[c].keys[r]
    keys[r] = key
  }
  return keys
}

const firstOccurrences = (keys: ReadonlyArray<string>): Array<number> => {
  const seen = new Set<string>()
  const rows: Array<number> = []
  keys.forEach((key, r) => {
    if (seen.has(key)) return
    seen.add(key)
    rows.push(r)
  })
  return rows
}

const matchRows = (pairs: ReadonlyArray<Pair>, nE: number, nA: number, policy: ResolvedPolicy): RowMatch => {
  const es = pairs.map((p) => p.e)
  const as = pairs.map((p) => p.a)
  const keysE = rowKeys(es, nE)
  const keysA = rowKeys(as, nA)
  const set = policy.rows === "set"
  const rowsE = set ? firstOccurrences(keysE) : keysE.map((_, r) => r)
  const rowsA = set ? firstOccurrences(keysA) : keysA.map((_, r) => r)

  const pending = new Map<string, Array<number>>()
  for (const r of rowsE) {
    const list = pending.get(keysE[r])
    if (list === undefined) pending.set(keysE[r], [r])
    else list.push(r)
  }
  let extra: Array<number> = []
  for (const r of rowsA) {
    const list = pending.get(keysA[r])
    if (list !== undefined && list.length > 0) list.pop()
    else extra.push(r)
  }
  let missing = [...pending.values()].flat().sort((x, y) => x - y)
  if (missing.length === 0 || extra.length === 0 || !pairs.some((p) => p.e.approximate || p.a.approximate)) {
    return { missing, extra }
  }

  // Exact keys differ but numbers may be equal within the tolerance.
  const close = (re: number, ra: number) =>
    pairs.every((p) => ValueCoercion.cellsEqual(p.e, re, p.a, ra, policy.tolerance))
  const stillMissing: Array<number> = []
  if (missing.length * extra.length <= MAX_PAIRWISE) {
    const taken = new Uint8Array(extra.length)
    for (const re of missing) {
      const k = extra.findIndex((ra, idx) => taken[idx] === 0 && close(re, ra))
      if (k < 0) stillMissing.push(re)
      else taken[k] = 1
    }
    extra = extra.filter((_, idx) => taken[idx] === 0)
  } else {
    const byRow = (cols: ReadonlyArray<CoercedColumn>) => (x: number, y: number) => {
      for (const c of cols) {
        const d = ValueCoercion.compareCells(c, x, c, y)
        if (d !== 0) return d
      }
      return 0
    }
    const sortedE = [...missing].sort(byRow(es))
    const sortedA = [...extra].sort(byRow(as))
    const leftover: Array<number> = []
    let j = 0
    for (const re of sortedE) {
      while (j < sortedA.length && !close(re, sortedA[j]) && compareAcross(pairs, re, sortedA[j]) > 0) {
        leftover.push(sortedA[j])
        j++
      }
      if (j < sortedA.length && close(re, sortedA[j])) j++
      else stillMissing.push(re)
    }
    extra = [...leftover, ...sortedA.slice(j)].sort((x, y) => x - y)
  }
  missing = stillMissing
  return { missing, extra }
}

const compareAcross = (pairs: ReadonlyArray<Pair>, re: number, ra: number): number => {
  for (const p of pairs) {
    const d = ValueCoercion.compareCells(p.e, re, p.a, ra)
    if (d !== 0) return d
  }
  return 0
}

const rowsEqualAt = (pairs: ReadonlyArray<Pair>, re: number, ra: number, policy: ResolvedPolicy) =>
  pairs.every((p) => ValueCoercion.cellsEqual(p.e, re, p.a, ra, policy.tolerance))

// ---------------------------------------------------------------------------------------------------------------
// Deciding
// ---------------------------------------------------------------------------------------------------------------

const baseEvidence = (ctx: Context): Evidence => ({
  expectedRows: ctx.expected.rows.length,
  actualRows: ctx.actual.rows.length,
  expectedColumns: ctx.expected.names,
  actualColumns: ctx.actual.names
})

const mappingEvidence = (ctx: Context, mapping: ReadonlyArray<number>): ReadonlyArray<ColumnMatch> =>
  mapping.map((j, i) => {
    const typeDifference = j >= 0 && ctx.pair(i, j)?.typeDifference === true
    return {
      expected: ctx.expected.names[i],
      actual: j >= 0 ? ctx.actual.names[j] : null,
      ...(typeDifference ? { typeDifference } : {})
    }
  })

const differencesOf = (
  ctx: Context,
  mapping: ReadonlyArray<number>,
  pairs: ReadonlyArray<Pair>,
  match: RowMatch
): Array<CellDifference> => {
  const byValues = (x: number, y: number, side: "e" | "a") => {
    for (const p of pairs) {
      const d = ValueCoercion.compareCells(p[side], x, p[side], y)
      if (d !== 0) return d
    }
    return 0
  }
  const missing = [...match.missing].sort((x, y) => byValues(x, y, "e"))
  const extra = [...match.extra].sort((x, y) => byValues(x, y, "a"))
  const differences: Array<CellDifference> = []
  for (let k = 0; k < Math.min(missing.length, extra.length) && differences.length < MAX_DIFFERENCES; k++) {
    const re = missing[k]
    const ra = extra[k]
    pairs.forEach((p, i) => {
      if (differences.length >= MAX_DIFFERENCES || ValueCoercion.cellsEqual(p.e, re, p.a, ra, ctx.policy.tolerance)) {
        return
      }
      differences.push({
        row: re,
        column: ctx.expected.names[i],
        expected: ctx.expected.rows[re]?.[i] ?? null,
        actual: ctx.actual.rows[ra]?.[mapping[i]] ?? null
      })
    })
  }
  return differences
}

const cellsDiffering = (pairs: ReadonlyArray<Pair>, re: number, ra: number, policy: ResolvedPolicy) =>
  pairs.filter((p) => !ValueCoercion.cellsEqual(p.e, re, p.a, ra, policy.tolerance)).length

/** Whether every mismatched row ties with the last expected row on the sort keys (a LIMIT cut through a tie). */
const mismatchInTie = (ctx: Context, pairs: ReadonlyArray<Pair>, keys: ReadonlyArray<number>, match: RowMatch) => {
  const last = ctx.expected.rows.length - 1
  const sameKeyE = (r: number) =>
    keys.every((k) => ValueCoercion.cellsEqual(pairs[k].e, r, pairs[k].e, last, ctx.policy.tolerance))
  const sameKeyA = (r: number) =>
    keys.every((k) => ValueCoercion.cellsEqual(pairs[k].e, last, pairs[k].a, r, ctx.policy.tolerance))
  return match.missing.every(sameKeyE) && match.extra.every(sameKeyA)
}

/** Decides under one complete mapping (every expected column paired). */
const decide = (ctx: Context, mapping: ReadonlyArray<number>): Comparison => {
  const { expected, actual, policy } = ctx
  const pairs = mapping.map((j, i) => ctx.pair(i, j)!)
  const nE = expected.rows.length
  const nA = actual.rows.length
  const match = matchRows(pairs, nE, nA, policy)
  const keys = ctx.order._tag === "Keys" ? ctx.order.keys : []
  const sortKeys = ctx.sql.sortKeys ?? []
  const evidence: Evidence = {
    ...baseEvidence(ctx),
    columnMapping: mappingEvidence(ctx, mapping),
    missingRows: match.missing.length,
    extraRows: match.extra.length,
    ...(sortKeys.length > 0 ? { orderKeys: sortKeys.map((k) => expected.names[k]) } : {})
  }
  const scalar = expected.names.length === 1 && nE === 1
  const equalityRule: Rule = scalar ? "scalar" : policy.rows === "set" ? "set-equality" : "bag-equality"
  const extraColumns = actual.names.length > mapping.length
  const typeDifference = pairs.some((p) => p.typeDifference)

  if (expected.truncated || actual.truncated) {
    const fail = (reason: ReasonCode, message: string): Comparison => ({
      outcome: "fail",
      decidedBy: "truncated",
      reasons: [reason, "TRUNCATED_RESULT"],
      evidence: { ...evidence, message }
    })
    if (actual.truncated && !expected.truncated) {
      if (match.extra.length > 0) return fail("RESULT_EXTRA_ROWS", "visible Genie rows that the expected result lacks")
      if (match.missing.length === 0)
        return fail("RESULT_EXTRA_ROWS", "Genie's result holds every expected row and more")
    }
    if (expected.truncated && !actual.truncated) {
      if (match.missing.length > 0)
        return fail("RESULT_MISSING_ROWS", "visible expected rows that Genie's result lacks")
      if (match.extra.length === 0)
        return fail("RESULT_MISSING_ROWS", "the expected result holds every Genie row and more")
    }
    return {
      outcome: "inconclusive",
      decidedBy: "truncated",
      reasons: ["TRUNCATED_RESULT"],
      evidence: { ...evidence, message: "a truncated result cannot be compared in full" }
    }
  }

  if (match.missing.length > 0 || match.extra.length > 0) {
    const single =
      match.missing.length === 1 &&
      match.extra.length === 1 &&
      cellsDiffering(pairs, match.missing[0], match.extra[0], policy) === 1
    const reasons: Array<ReasonCode> = single
      ? ["SINGLE_CELL_DIFFERENCE"]
      : [
          ...(match.missing.length > 0 ? (["RESULT_MISSING_ROWS"] as const) : []),
          ...(match.extra.length > 0 ? (["RESULT_EXTRA_ROWS"] as const) : [])
        ]
    const detail: Evidence = {
      ...evidence,
      differences: differencesOf(ctx, mapping, pairs, match),
      sampleMissingRows: match.missing.slice(0, MAX_SAMPLE_ROWS).map((r) => expected.rows[r]),
      sampleExtraRows: match.extra.slice(0, MAX_SAMPLE_ROWS).map((r) => actual.rows[r])
    }
    // A LIMIT keeps an arbitrary subset when the order does not fix one: different rows may both be right.
    if (ctx.sql.limit !== undefined && nE === ctx.sql.limit && nA === nE) {
      if (ctx.sql.sortKeys === undefined) {
        return {
          outcome: "inconclusive",
          decidedBy: "unordered-limit",
          reasons: [...reasons, "UNORDERED_LIMIT"],
          evidence: detail
        }
      }
      if (sortKeys.length > 0 && mismatchInTie(ctx, pairs, sortKeys, match)) {
        return { outcome: "inconclusive", decidedBy: "limit-tie", reasons: [...reasons, "LIMIT_TIE"], evidence: detail }
      }
    }
    return { outcome: "fail", decidedBy: equalityRule, reasons, evidence: detail }
  }

  // Same rows. Now the order, where it matters.
  const positional = () => {
    for (let r = 0; r < nE; r++) if (!rowsEqualAt(pairs, r, r, policy)) return r
    return -1
  }
  let rule: Rule = equalityRule
  const orderFail = (decidedBy: Rule, row: number, outcome: "fail" | "inconclusive"): Comparison => ({
    outcome,
    decidedBy,
    reasons: ["ORDER_DIFFERENCE"],
    evidence: { ...evidence, message: `rows are the same but the order differs from row ${row}` }
  })
  // One row has no order; under set semantics duplicates make positions incomparable.
  const comparableOrder = nE > 1 && (policy.rows === "bag" || nE === nA)
  if (ctx.order._tag === "Strict" && comparableOrder) {
    const row = positional()
    if (row >= 0) return orderFail("strict-order", row, "fail")
    rule = "strict-order"
  } else if (ctx.order._tag === "Keys" && ctx.order.keys.length > 0 && comparableOrder) {
    for (let r = 0; r < nE; r++) {
      const same = keys.every((k) => ValueCoercion.cellsEqual(pairs[k].e, r, pairs[k].a, r, policy.tolerance))
      if (!same) return orderFail("ordered-prefix", r, "fail")
    }
    rule = "ordered-prefix"
  } else if ((ctx.order._tag === "Keys" || ctx.order._tag === "Unknown") && comparableOrder) {
    // The sort keys are not in the output (or the SQL could not be read): rows tied on them may legitimately
    // come in any order, so a different order is not proof of a wrong answer.
    const row = positional()
    if (row >= 0) return orderFail("order-unverifiable", row, "inconclusive")
  }

  if (extraColumns && !policy.allowExtraColumns) {
    return { outcome: "fail", decidedBy: "column-match", reasons: ["RESULT_EXTRA_COLUMNS"], evidence }
  }
  if (typeDifference) {
    return {
      outcome: "inconclusive",
      decidedBy: "type-difference",
      reasons: ["COLUMN_TYPE_DIFFERENCE", ...(extraColumns ? (["RESULT_EXTRA_COLUMNS"] as const) : [])],
      evidence: { ...evidence, message: "values are equal only after converting between column types" }
    }
  }
  return { outcome: "pass", decidedBy: rule, reasons: extraColumns ? ["RESULT_EXTRA_COLUMNS"] : [], evidence }
}

const rank = { fail: 0, inconclusive: 1, pass: 2 } as const

const isResolved = (policy: ComparisonPolicy | ResolvedPolicy | undefined): policy is ResolvedPolicy =>
  policy !== undefined && "tolerance" in policy

/**
 * Compares Genie's result with the expected result.
 *
 * **Details**
 * Columns are matched by their values (names only break ties), rows as a bag (or set), values by column type
 * with the policy's tolerance. Row order matters as the policy says: `auto` checks it only when the expected SQL's
 * outermost query has ORDER BY, and then only on the sort keys present in the output. The returned `decidedBy`
 * names the rule and `reasons` use Genie's eval-run reason codes.
 *
 * @example
 * ```ts
 * const c = ResultSetCompare.compare(expected, actual, { expectedSql: "SELECT … ORDER BY total DESC" })
 * c.outcome // "pass" | "fail" | "inconclusive"
 * ```
 *
 * @category constructors
 */
export const compare = (expected: ResultRows, actual: ResultRows, options: CompareOptions = {}): Comparison => {
  const policy = isResolved(options.policy) ? options.policy : resolvePolicy(options.policy)
  const e = makeSide(expected, policy)
  const a = makeSide(actual, policy)
  const { shape, readable } = readSql(options.expectedSql, e)
  const order = orderCheck(policy, options.expectedSql, readable, shape)
  const ctx: Context = { expected: e, actual: a, policy, pair: makePair(e, a, policy), order, sql: shape }
  const evidence = baseEvidence(ctx)

  if (e.rows.length === 0 && a.rows.length === 0 && !e.truncated && !a.truncated) {
    return { outcome: "pass", decidedBy: "both-empty", reasons: ["BOTH_EMPTY"], evidence }
  }
  if (a.rows.length === 0 && !a.truncated) {
    return { outcome: "fail", decidedBy: "empty-result", reasons: ["EMPTY_RESULT"], evidence }
  }
  if (e.rows.length === 0 && !e.truncated) {
    return { outcome: "fail", decidedBy: "unexpected-rows", reasons: ["RESULT_EXTRA_ROWS"], evidence }
  }

  const relation: Relation =
    a.truncated && !e.truncated ? "actualWithin" : e.truncated && !a.truncated ? "expectedWithin" : "equal"
  // Several pairings can fit the column values; the most favourable decision among the first few wins.
  let best: Comparison | undefined
  let tried = 0
  if (!(e.truncated && a.truncated)) {
    for (const mapping of mappings(ctx, relation)) {
      const result = decide(ctx, mapping)
      if (result.outcome === "pass") return result
      if (best === undefined || rank[result.outcome] > rank[best.outcome]) best = result
      if (++tried >= MAX_MAPPINGS_TRIED) break
    }
  }
  if (best !== undefined) return best

  const mapping = bestEffortMapping(ctx)
  if (mapping.some((j) => j < 0)) {
    return {
      outcome: "fail",
      decidedBy: "column-match",
      reasons: ["RESULT_MISSING_COLUMNS"],
      evidence: { ...evidence, columnMapping: mappingEvidence(ctx, mapping) }
    }
  }
  return decide(ctx, mapping)
}
