/**
 * SQL-level diagnosis of a failed benchmark: compares Genie's query with the expected one (tables, joins, filters,
 * aggregates, grouping, output columns, ordering and limits, via `SqlAnalysis`) and names the failure category
 * the fix stage should act on, with the evidence ("expected filter orders.status = 'complete', Genie had none").
 */
import * as SqlAnalysis from "../../sql/SqlAnalysis.js"
import type { SqlFacts } from "../../sql/SqlAnalysis.js"
import type { Diagnosis, FailureCategory, Finding, ReasonCode } from "../Stages.js"

const list = (items: ReadonlyArray<string>) => items.join(", ")

const finding = (category: FailureCategory, message: string, expected?: string, actual?: string): Finding => ({
  category,
  message,
  ...(expected === undefined ? {} : { expected }),
  ...(actual === undefined ? {} : { actual })
})

/** Items of `a` not matched one-for-one in `b` (multiset difference). */
const minus = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): Array<string> => {
  const left = [...b]
  return a.filter((x) => {
    const i = left.indexOf(x)
    if (i < 0) return true
    left.splice(i, 1)
    return false
  })
}

const overlaps = (a: ReadonlyArray<string>, b: ReadonlyArray<string>) => a.some((x) => b.includes(x))

const tableFindings = (e: SqlFacts, g: SqlFacts): Array<Finding> => {
  const eTables = [...new Set(e.tables.map(SqlAnalysis.shortName))]
  const gTables = [...new Set(g.tables.map(SqlAnalysis.shortName))]
  const missing = eTables.filter((t) => !gTables.includes(t))
  const extra = gTables.filter((t) => !eTables.includes(t))
  const findings: Array<Finding> = []
  if (missing.length > 0 && extra.length > 0) {
    findings.push(
      finding("WRONG_TABLE", `expected table ${list(missing)}, Genie used ${list(extra)}`, list(missing), list(extra))
    )
  } else {
    for (const table of missing) {
      const join = e.joins.find((j) => j.tables.includes(table))
      findings.push(
        join === undefined
          ? finding("WRONG_TABLE", `expected table ${table}, Genie did not read it`, table)
          : finding(
              "MISSING_JOIN",
              `expected a join with ${table} (${join.condition || join.kind}), Genie had none`,
              join.condition || join.kind
            )
      )
    }
    for (const table of extra) {
      const join = g.joins.find((j) => j.tables.includes(table))
      findings.push(
        finding(
          "WRONG_JOIN",
          `Genie joined ${table}${join?.condition ? ` (${join.condition})` : ""}, which the expected query does not use`,
          undefined,
          join?.condition || table
        )
      )
    }
  }
  // Joins between tables both queries read.
  for (const join of e.joins) {
    if (!join.tables.every((t) => gTables.includes(t))) continue
    const same = g.joins.filter((j) => j.tables.join() === join.tables.join())
    const label = join.tables.join("–")
    if (same.length === 0) {
      findings.push(
        finding(
          "MISSING_JOIN",
          `expected join ${label} on ${join.condition || join.kind}, Genie had none`,
          join.condition
        )
      )
    } else if (!same.some((j) => j.condition === join.condition)) {
      findings.push(
        finding(
          "WRONG_JOIN",
          `expected join ${label} on ${join.condition}, Genie joined on ${same[0].condition}`,
          join.condition,
          same[0].condition
        )
      )
    } else if (!same.some((j) => j.condition === join.condition && j.kind === join.kind)) {
      findings.push(
        finding(
          "WRONG_JOIN",
          `expected a ${join.kind} join ${label}, Genie used ${same[0].kind}`,
          join.kind,
          same[0].kind
        )
      )
    }
  }
  return findings
}

const filterFindings = (e: SqlFacts, g: SqlFacts): Array<Finding> => {
  const findings: Array<Finding> = []
  const eSql = e.filters.map((f) => f.sql)
  const gSql = g.filters.map((f) => f.sql)
  const missing = e.filters.filter((f) => !gSql.includes(f.sql))
  const extra = g.filters.filter((f) => !eSql.includes(f.sql))
  const paired = new Set<string>()
  for (const f of missing) {
    const instead = extra.filter((x) => overlaps(x.columns, f.columns))
    instead.forEach((x) => paired.add(x.sql))
    findings.push(
      instead.length === 0
        ? finding("WRONG_FILTER", `expected filter ${f.sql}, Genie had none`, f.sql)
        : finding(
            "WRONG_FILTER",
            `expected filter ${f.sql}, Genie had ${instead.map((x) => x.sql).join(" AND ")}`,
            f.sql,
            instead.map((x) => x.sql).join(" AND ")
          )
    )
  }
  for (const x of extra) {
    if (!paired.has(x.sql)) {
      findings.push(
        finding("WRONG_FILTER", `Genie filtered ${x.sql}, which the expected query does not`, undefined, x.sql)
      )
    }
  }
  return findings
}

/** `SUM(orders.amount)` → `orders.amount`: what an aggregate is computed over. */
const argumentOf = (aggregate: string) => aggregate.slice(aggregate.indexOf("(") + 1, aggregate.lastIndexOf(")"))

const aggregateFindings = (e: SqlFacts, g: SqlFacts): Array<Finding> => {
  const missing = minus(e.aggregates, g.aggregates)
  const extra = minus(g.aggregates, e.aggregates)
  return missing.map((aggregate) => {
    // Prefer the Genie aggregate over the same argument (SUM vs AVG of one column), else pair in order.
    const sameArgument = extra.findIndex((x) => argumentOf(x) === argumentOf(aggregate))
    const index = sameArgument >= 0 ? sameArgument : extra.length > 0 ? 0 : -1
    if (index < 0) return finding("WRONG_AGGREGATION", `expected ${aggregate}, Genie had none`, aggregate)
    const [instead] = extra.splice(index, 1)
    return finding("WRONG_AGGREGATION", `expected ${aggregate}, Genie had ${instead}`, aggregate, instead)
  })
}

const groupingFindings = (e: SqlFacts, g: SqlFacts): Array<Finding> => {
  const eSet = [...new Set(e.groupBy)].sort()
  const gSet = [...new Set(g.groupBy)].sort()
  if (eSet.join("\n") === gSet.join("\n")) return []
  const expected = eSet.length === 0 ? "no GROUP BY" : `GROUP BY ${list(eSet)}`
  const actual = gSet.length === 0 ? "no GROUP BY" : `GROUP BY ${list(gSet)}`
  return [finding("WRONG_GROUPING", `expected ${expected}, Genie had ${actual}`, expected, actual)]
}

const orderText = (facts: SqlFacts) => facts.orderBy.map((o) => `${o.sql}${o.descending ? " DESC" : ""}`).join(", ")

const orderFindings = (e: SqlFacts, g: SqlFacts): Array<Finding> => {
  const findings: Array<Finding> = []
  const eOrder = orderText(e)
  const gOrder = orderText(g)
  if (eOrder !== "" && eOrder !== gOrder) {
    const actual = gOrder === "" ? "none" : `ORDER BY ${gOrder}`
    findings.push(
      finding("WRONG_ORDER_OR_LIMIT", `expected ORDER BY ${eOrder}, Genie had ${actual}`, `ORDER BY ${eOrder}`, actual)
    )
  }
  if (e.limit !== g.limit) {
    const expected = e.limit === undefined ? "no LIMIT" : `LIMIT ${e.limit}`
    const actual = g.limit === undefined ? "no LIMIT" : `LIMIT ${g.limit}`
    findings.push(finding("WRONG_ORDER_OR_LIMIT", `expected ${expected}, Genie had ${actual}`, expected, actual))
  }
  return findings
}

const columnFindings = (e: SqlFacts, g: SqlFacts): Array<Finding> => {
  if (g.outputs.some((o) => o.star) || e.outputs.some((o) => o.star)) return []
  const gSql = g.outputs.map((o) => o.sql)
  // Aggregated outputs are covered by the aggregation findings.
  return e.outputs
    .filter((o) => !o.aggregate && !gSql.includes(o.sql))
    .map((o) => finding("WRONG_COLUMNS", `expected output column ${o.sql}, Genie did not select it`, o.sql))
}

const priority: ReadonlyArray<FailureCategory> = [
  "WRONG_TABLE",
  "MISSING_JOIN",
  "WRONG_JOIN",
  "WRONG_FILTER",
  "WRONG_AGGREGATION",
  "WRONG_GROUPING",
  "WRONG_COLUMNS",
  "WRONG_ORDER_OR_LIMIT"
]

const reasonText: Record<"WRONG_ORDER_OR_LIMIT" | "WRONG_COLUMNS", string> = {
  WRONG_ORDER_OR_LIMIT: "the rows are right but their order differs from the expected ORDER BY",
  WRONG_COLUMNS: "the result lacks expected columns or adds columns the benchmark does not allow"
}

const onlyOrder: ReadonlySet<ReasonCode> = new Set(["ORDER_DIFFERENCE"])
const onlyColumns: ReadonlySet<ReasonCode> = new Set(["RESULT_MISSING_COLUMNS", "RESULT_EXTRA_COLUMNS"])

/**
 * The SQL-level differences between two analysed queries, unranked.
 *
 * @category constructors
 */
export const findings = (expected: SqlFacts, genie: SqlFacts): Array<Finding> => [
  ...tableFindings(expected, genie),
  ...filterFindings(expected, genie),
  ...aggregateFindings(expected, genie),
  ...groupingFindings(expected, genie),
  ...columnFindings(expected, genie),
  ...orderFindings(expected, genie)
]

/**
 * Diagnoses why Genie's query gave the wrong result.
 *
 * **Details**
 * The category is the first found in the order WRONG_TABLE, MISSING_JOIN, WRONG_JOIN, WRONG_FILTER,
 * WRONG_AGGREGATION, WRONG_GROUPING, WRONG_COLUMNS, WRONG_ORDER_OR_LIMIT (a wrong table explains the rest), except
 * that the verdict's reasons steer it: a result that only differs in order is WRONG_ORDER_OR_LIMIT, one that only
 * lacks or adds columns is WRONG_COLUMNS. Queries that look alike are `OTHER`, as is SQL that cannot be analysed.
 *
 * @category constructors
 */
export const diagnose = (expectedSql: string, genieSql: string, reasons: ReadonlyArray<ReasonCode> = []): Diagnosis => {
  const expected = SqlAnalysis.analyze(expectedSql)
  const genie = SqlAnalysis.analyze(genieSql)
  if (expected._tag === "Unparseable" || genie._tag === "Unparseable") {
    const which = expected._tag === "Unparseable" ? expected : (genie as { readonly message: string })
    const whose = expected._tag === "Unparseable" ? "the expected SQL" : "Genie's SQL"
    return { category: "OTHER", findings: [finding("OTHER", `${whose} could not be analysed: ${which.message}`)] }
  }
  const all = findings(expected.facts, genie.facts)
  const steer: keyof typeof reasonText | undefined =
    reasons.length > 0 && reasons.every((r) => onlyOrder.has(r))
      ? "WRONG_ORDER_OR_LIMIT"
      : reasons.length > 0 && reasons.every((r) => onlyColumns.has(r))
        ? "WRONG_COLUMNS"
        : undefined
  if (steer !== undefined) {
    const steered = all.filter((f) => f.category === steer)
    const rest = all.filter((f) => f.category !== steer)
    return {
      category: steer,
      findings: [...(steered.length > 0 ? steered : [finding(steer, reasonText[steer])]), ...rest]
    }
  }
  const category = priority.find((c) => all.some((f) => f.category === c))
  if (category === undefined) {
    return {
      category: "OTHER",
      findings: [
        finding(
          "OTHER",
          "the queries read the same tables with the same joins, filters, aggregates and grouping; the difference is in expressions or the data"
        )
      ]
    }
  }
  return { category, findings: all }
}
