/**
 * Column matching: which Genie column stands for which expected column. Pairings are found by values (equal
 * results have equal column multisets); names and positions only order the candidates, and `ColumnNames` then
 * checks that a value pairing does not contradict the names.
 */
import type { ResolvedPolicy } from "../ResultSetCompare.js"
import * as ValueCoercion from "../ValueCoercion.js"
import type { CoercedColumn, Tolerance } from "../ValueCoercion.js"
import type { Context, Pair } from "./CompareContext.js"

/** How the two sides' rows relate: equal results, or one side a truncated part of the other. */
export type Relation = "equal" | "actualWithin" | "expectedWithin"

const countsMemo = new WeakMap<CoercedColumn, Map<string, number>>()
/** The multiset of a column's canonical keys (memoised). */
export const counts = (column: CoercedColumn): Map<string, number> => {
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

/**
 * Complete injective mappings expected column → actual column, most plausible first: no type conversion, then the
 * same (normalised) name, then the same position.
 */
export function* mappings(ctx: Context, relation: Relation): Generator<ReadonlyArray<number>> {
  const { expected, actual } = ctx
  const candidates = expected.names.map((_, i) => {
    const fitting: Array<{ j: number; rank: number }> = []
    actual.names.forEach((_, j) => {
      const pair = ctx.pair(i, j)
      if (pair === undefined || !columnsFit(pair, relation, ctx.policy)) return
      const rank = (pair.conversion === "none" ? 0 : 4) + (ctx.named[i] === j ? 0 : 2) + (i === j ? 0 : 1)
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
export const bestEffortMapping = (ctx: Context): Array<number> => {
  const { expected, actual } = ctx
  const scored: Array<{ i: number; j: number; score: number }> = []
  expected.names.forEach((_, i) =>
    actual.names.forEach((_, j) => {
      const pair = ctx.pair(i, j)
      if (pair === undefined) return
      const ce = counts(pair.e)
      let overlap = 0
      for (const [key, n] of counts(pair.a)) overlap += Math.min(n, ce.get(key) ?? 0)
      const score = overlap / Math.max(1, expected.rows.length, actual.rows.length) + (ctx.named[i] === j ? 0.5 : 0)
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
