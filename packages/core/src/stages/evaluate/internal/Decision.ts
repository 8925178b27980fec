/**
 * Deciding under one complete column mapping: truncation, row differences (with the LIMIT rules: an unordered
 * LIMIT, a LIMIT cut through a tie), row order, extra columns and type differences, each with its evidence.
 */
import type { CellDifference, ColumnMatch, Evidence, ReasonCode } from "../../../model/Results.js"
import type { Comparison, Rule } from "../ResultSetCompare.js"
import * as ValueCoercion from "../ValueCoercion.js"
import type { Context, Pair } from "./CompareContext.js"
import * as RowMatching from "./RowMatching.js"
import type { RowMatch } from "./RowMatching.js"

const MAX_DIFFERENCES = 5
const MAX_SAMPLE_ROWS = 3

/** Shapes of both sides: what every verdict reports. */
export const baseEvidence = (ctx: Context): Evidence => ({
  expectedRows: ctx.expected.rows.length,
  actualRows: ctx.actual.rows.length,
  expectedColumns: ctx.expected.names,
  actualColumns: ctx.actual.names
})

/** The column mapping as evidence; columns matched across declared types are marked. */
export const mappingEvidence = (ctx: Context, mapping: ReadonlyArray<number>): ReadonlyArray<ColumnMatch> =>
  mapping.map((j, i) => {
    const typeDifference = j >= 0 && (ctx.pair(i, j)?.conversion ?? "none") !== "none"
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

const withMessage = (evidence: Evidence, notes: ReadonlyArray<string>): Evidence =>
  notes.length === 0 ? evidence : { ...evidence, message: notes.join("; ") }

/** Decides under one complete mapping (every expected column paired). */
export const decide = (ctx: Context, mapping: ReadonlyArray<number>): Comparison => {
  const { expected, actual, policy } = ctx
  const pairs = mapping.map((j, i) => ctx.pair(i, j)!)
  const nE = expected.rows.length
  const nA = actual.rows.length
  const match = RowMatching.matchRows(pairs, nE, nA, policy)
  const keys = ctx.order._tag === "Keys" ? ctx.order.keys : []
  const sortKeys = ctx.sql.sortKeys ?? []
  const keyNames = sortKeys.map((k) => expected.names[k]).join(", ")
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
  const notes: Array<string> = []

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

  // Rows swapped within a tie at the LIMIT: a right answer, noted.
  let limitTie = false
  let detail: Evidence = evidence
  if (match.missing.length > 0 || match.extra.length > 0) {
    const single =
      match.missing.length === 1 &&
      match.extra.length === 1 &&
      RowMatching.cellsDiffering(pairs, match.missing[0], match.extra[0], policy) === 1
    const reasons: Array<ReasonCode> = single
      ? ["SINGLE_CELL_DIFFERENCE"]
      : [
          ...(match.missing.length > 0 ? (["RESULT_MISSING_ROWS"] as const) : []),
          ...(match.extra.length > 0 ? (["RESULT_EXTRA_ROWS"] as const) : [])
        ]
    detail = {
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
      if (sortKeys.length > 0 && RowMatching.mismatchInTie(pairs, sortKeys, match, nE - 1, policy)) {
        if (!ctx.sql.allKeysVisible) {
          // A later ORDER BY key is not in the output: it may have broken the tie, so a swap may be wrong.
          return {
            outcome: "inconclusive",
            decidedBy: "limit-tie",
            reasons: [...reasons, "LIMIT_TIE"],
            evidence: {
              ...detail,
              message: `the rows that differ tie on ${keyNames} at the LIMIT ${ctx.sql.limit}, but an ORDER BY key not in the output may break the tie`
            }
          }
        }
        limitTie = true
        notes.push(
          `${match.missing.length} expected and ${match.extra.length} Genie rows differ only within a tie on ${keyNames} at the LIMIT ${ctx.sql.limit}; either pick is right`
        )
      }
    }
    if (!limitTie) return { outcome: "fail", decidedBy: equalityRule, reasons, evidence: detail }
  }

  // Same rows (up to a tie at the LIMIT). Now the order, where it matters.
  const swapped: RowMatch = limitTie ? match : { missing: [], extra: [] }
  const positional = () => RowMatching.firstPositionalDifference(pairs, nE, policy, swapped)
  let rule: Rule = limitTie ? "limit-tie" : equalityRule
  const orderFail = (decidedBy: Rule, row: number, outcome: "fail" | "inconclusive"): Comparison => ({
    outcome,
    decidedBy,
    reasons: ["ORDER_DIFFERENCE"],
    evidence: { ...detail, message: `rows are the same but the order differs from row ${row}` }
  })
  // One row has no order; under set semantics duplicates make positions incomparable.
  const comparableOrder = nE > 1 && (policy.rows === "bag" || nE === nA)
  if (ctx.order._tag === "Strict" && comparableOrder) {
    const row = positional()
    if (row >= 0) return orderFail("strict-order", row, "fail")
    if (!limitTie) rule = "strict-order"
  } else if (ctx.order._tag === "Keys" && ctx.order.keys.length > 0 && comparableOrder) {
    for (let r = 0; r < nE; r++) {
      if (!RowMatching.keysEqualAt(pairs, keys, r, r, policy)) return orderFail("ordered-prefix", r, "fail")
    }
    if (!limitTie) {
      rule = "ordered-prefix"
      const row = positional()
      if (row >= 0) notes.push(`rows tied on ${keyNames} come in another order from row ${row}; a tie has no order`)
    }
  } else if ((ctx.order._tag === "Keys" || ctx.order._tag === "Unknown") && comparableOrder) {
    // The sort keys are not in the output (or the SQL could not be read): rows tied on them may legitimately
    // come in any order, so a different order is not proof of a wrong answer.
    const row = positional()
    if (row >= 0) return orderFail("order-unverifiable", row, "inconclusive")
  }

  const converted = pairs.flatMap((p, i) => (p.conversion === "temporal" ? [expected.names[i]] : []))
  if (converted.length > 0) notes.push(`dates returned as text compared as dates (${converted.join(", ")})`)
  const tieReasons: ReadonlyArray<ReasonCode> = limitTie ? ["LIMIT_TIE"] : []
  const extraReasons: ReadonlyArray<ReasonCode> = extraColumns ? ["RESULT_EXTRA_COLUMNS"] : []
  if (extraColumns && !policy.allowExtraColumns) {
    return {
      outcome: "fail",
      decidedBy: "column-match",
      reasons: ["RESULT_EXTRA_COLUMNS"],
      evidence: withMessage(detail, notes)
    }
  }
  if (pairs.some((p) => p.conversion === "text")) {
    return {
      outcome: "inconclusive",
      decidedBy: "type-difference",
      reasons: ["COLUMN_TYPE_DIFFERENCE", ...tieReasons, ...extraReasons],
      evidence: {
        ...detail,
        message: ["values are equal only after converting between column types", ...notes].join("; ")
      }
    }
  }
  return {
    outcome: "pass",
    decidedBy: rule,
    reasons: [...tieReasons, ...extraReasons],
    evidence: withMessage(detail, notes)
  }
}
