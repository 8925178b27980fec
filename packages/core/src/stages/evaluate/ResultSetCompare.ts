/**
 * The deterministic result-set comparator: decides whether Genie's result equals the expected SQL's result, under
 * a benchmark's `ComparisonPolicy`, and says which rule decided and why. Cases the rules cannot settle honestly
 * (truncated results, values equal only across types, names that contradict the values) are `inconclusive`, never
 * a silent pass. The rules are documented in the package README ("Comparing results").
 *
 * This module is the public face and the search over column pairings; the parts live in `internal/`:
 * `CompareContext` (sides, column pairs, what the expected SQL says), `ColumnMatching` (pairings by value),
 * `ColumnNames` (names as evidence), `RowMatching` (rows, ties, order) and `Decision` (the verdict under one
 * pairing).
 */
import { Effect } from "effect"
import * as Benchmark from "../../model/Benchmark.js"
import type { ComparisonPolicy, RowMatching, RowOrder } from "../../model/Benchmark.js"
import { ConfigInvalid } from "../../model/Errors.js"
import * as Issue from "../../model/Issue.js"
import type { Evidence, ReasonCode } from "../../model/Results.js"
import * as ColumnMatching from "./internal/ColumnMatching.js"
import * as ColumnNames from "./internal/ColumnNames.js"
import * as CompareContext from "./internal/CompareContext.js"
import * as Decision from "./internal/Decision.js"
import type { Tolerance } from "./ValueCoercion.js"

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
  | "column-names"

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

const rank = { fail: 0, inconclusive: 1, pass: 2 } as const

const isResolved = (policy: ComparisonPolicy | ResolvedPolicy | undefined): policy is ResolvedPolicy =>
  policy !== undefined && "tolerance" in policy

/**
 * Names that contradict a value pairing: Genie's same-named columns traded values (a fail), or a column of the
 * expected name holds other values while the expected values sit under another name (inconclusive).
 */
const checkNames = (ctx: CompareContext.Context, mapping: ReadonlyArray<number>, result: Comparison): Comparison => {
  if (result.outcome === "fail") return result
  const conflict = ColumnNames.conflict(ctx.named, mapping)
  if (conflict === undefined) return result
  const e = (i: number) => JSON.stringify(ctx.expected.names[i])
  const a = (j: number) => JSON.stringify(ctx.actual.names[j])
  const holds = (i: number) => `Genie's ${a(mapping[i])} holds the expected ${e(i)}`
  const reasons: ReadonlyArray<ReasonCode> = [
    ...result.reasons.filter((r) => r !== "LLM_JUDGE"),
    "COLUMN_NAME_CONFLICT"
  ]
  if (conflict.trades.length > 0) {
    return {
      outcome: "fail",
      decidedBy: "column-names",
      reasons,
      evidence: {
        ...result.evidence,
        message: `the values match only with Genie's columns under each other's names: ${conflict.trades
          .flat()
          .map(holds)
          .join(", ")}`
      }
    }
  }
  const message = `names and values disagree: ${conflict.mixed
    .map((i) => `${holds(i)} while Genie's ${a(ctx.named[i]!)} holds other values`)
    .join(", ")}`
  return {
    outcome: "inconclusive",
    decidedBy: result.outcome === "pass" ? "column-names" : result.decidedBy,
    reasons,
    evidence: {
      ...result.evidence,
      message: result.evidence.message === undefined ? message : `${result.evidence.message}; ${message}`
    }
  }
}

/**
 * Compares Genie's result with the expected result.
 *
 * **Details**
 * Columns are paired by their values (names and positions only order the candidates), rows as a bag (or set),
 * values by column type with the policy's tolerance; a date returned as text equals the date. A pairing whose
 * same-named columns hold each other's values fails with `COLUMN_NAME_CONFLICT`. Row order matters as the policy
 * says: `auto` checks it only when the expected SQL's outermost query has ORDER BY, and then only on the sort keys
 * present in the output; rows tied on every ORDER BY key are interchangeable, in order and at a LIMIT. The returned
 * `decidedBy` names the rule and `reasons` use Genie's eval-run reason codes.
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
  const ctx = CompareContext.make(expected, actual, policy, options.expectedSql)
  const { expected: e, actual: a } = ctx
  const evidence: Evidence = Decision.baseEvidence(ctx)

  if (e.rows.length === 0 && a.rows.length === 0 && !e.truncated && !a.truncated) {
    return { outcome: "pass", decidedBy: "both-empty", reasons: ["BOTH_EMPTY"], evidence }
  }
  if (a.rows.length === 0 && !a.truncated) {
    return { outcome: "fail", decidedBy: "empty-result", reasons: ["EMPTY_RESULT"], evidence }
  }
  if (e.rows.length === 0 && !e.truncated) {
    return { outcome: "fail", decidedBy: "unexpected-rows", reasons: ["RESULT_EXTRA_ROWS"], evidence }
  }

  const relation: ColumnMatching.Relation =
    a.truncated && !e.truncated ? "actualWithin" : e.truncated && !a.truncated ? "expectedWithin" : "equal"
  // Several pairings can fit the column values; the most favourable decision among the first few wins, and a
  // pairing the names contradict never passes.
  let best: Comparison | undefined
  let tried = 0
  if (!(e.truncated && a.truncated)) {
    for (const mapping of ColumnMatching.mappings(ctx, relation)) {
      const result = checkNames(ctx, mapping, Decision.decide(ctx, mapping))
      if (result.outcome === "pass") return result
      // Between equal outcomes, names that contradict the values are the clearer explanation.
      const clearer = result.decidedBy === "column-names" && best?.decidedBy !== "column-names"
      if (
        best === undefined ||
        rank[result.outcome] > rank[best.outcome] ||
        (result.outcome === best.outcome && clearer)
      )
        best = result
      if (++tried >= MAX_MAPPINGS_TRIED) break
    }
  }
  if (best !== undefined) return best

  const mapping = ColumnMatching.bestEffortMapping(ctx)
  if (mapping.some((j) => j < 0)) {
    return {
      outcome: "fail",
      decidedBy: "column-match",
      reasons: ["RESULT_MISSING_COLUMNS"],
      evidence: { ...evidence, columnMapping: Decision.mappingEvidence(ctx, mapping) }
    }
  }
  return Decision.decide(ctx, mapping)
}
