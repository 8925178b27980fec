/**
 * Row matching under one column mapping: which expected rows have no counterpart in Genie's result and which Genie
 * rows have none in the expected one (bag or set semantics, numbers within the tolerance), and the tie and order
 * checks built on rows.
 */
import type { ResolvedPolicy } from "../ResultSetCompare.js"
import * as ValueCoercion from "../ValueCoercion.js"
import type { CoercedColumn } from "../ValueCoercion.js"
import type { Pair } from "./CompareContext.js"

// Above this many residual row pairs, rows equal within a tolerance are paired by sorting instead of by search.
const MAX_PAIRWISE = 400_000
const SEPARATOR = "\u0001"

/** The rows one mapping leaves unmatched. */
export interface RowMatch {
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

/** Orders an expected row against an actual row, column by column. */
const compareAcross = (pairs: ReadonlyArray<Pair>, re: number, ra: number): number => {
  for (const p of pairs) {
    const d = ValueCoercion.compareCells(p.e, re, p.a, ra)
    if (d !== 0) return d
  }
  return 0
}

/** Matches rows by exact canonical keys, then (for approximate columns) within the tolerance. */
export const matchRows = (pairs: ReadonlyArray<Pair>, nE: number, nA: number, policy: ResolvedPolicy): RowMatch => {
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
  const close = (re: number, ra: number) => rowsEqualAt(pairs, re, ra, policy)
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

/** Whether expected row `re` equals actual row `ra` in every paired column. */
export const rowsEqualAt = (pairs: ReadonlyArray<Pair>, re: number, ra: number, policy: ResolvedPolicy) =>
  pairs.every((p) => ValueCoercion.cellsEqual(p.e, re, p.a, ra, policy.tolerance))

/** Whether expected row `re` and actual row `ra` agree on the given (expected) key columns. */
export const keysEqualAt = (
  pairs: ReadonlyArray<Pair>,
  keys: ReadonlyArray<number>,
  re: number,
  ra: number,
  policy: ResolvedPolicy
) => keys.every((k) => ValueCoercion.cellsEqual(pairs[k].e, re, pairs[k].a, ra, policy.tolerance))

/** How many paired cells of expected row `re` and actual row `ra` differ. */
export const cellsDiffering = (pairs: ReadonlyArray<Pair>, re: number, ra: number, policy: ResolvedPolicy) =>
  pairs.filter((p) => !ValueCoercion.cellsEqual(p.e, re, p.a, ra, policy.tolerance)).length

/**
 * Whether every unmatched row ties with the last expected row on the sort keys: a LIMIT cut through a group of rows
 * the ORDER BY does not tell apart, so either side's pick from that group is as good.
 */
export const mismatchInTie = (
  pairs: ReadonlyArray<Pair>,
  keys: ReadonlyArray<number>,
  match: RowMatch,
  lastExpected: number,
  policy: ResolvedPolicy
) => {
  const sameKeyE = (r: number) =>
    keys.every((k) => ValueCoercion.cellsEqual(pairs[k].e, r, pairs[k].e, lastExpected, policy.tolerance))
  const sameKeyA = (r: number) => keysEqualAt(pairs, keys, lastExpected, r, policy)
  return match.missing.every(sameKeyE) && match.extra.every(sameKeyA)
}

/**
 * The first position where the rows differ (`-1`: none). Positions holding an unmatched expected row and an
 * unmatched actual row (rows swapped within a tie) count as equal.
 */
export const firstPositionalDifference = (
  pairs: ReadonlyArray<Pair>,
  n: number,
  policy: ResolvedPolicy,
  swapped: RowMatch = { missing: [], extra: [] }
): number => {
  const missing = new Set(swapped.missing)
  const extra = new Set(swapped.extra)
  for (let r = 0; r < n; r++) {
    if (missing.has(r) && extra.has(r)) continue
    if (!rowsEqualAt(pairs, r, r, policy)) return r
  }
  return -1
}
