/**
 * The JUnit XML report: one test suite per category, one test case per benchmark, so CI systems (GitHub Actions
 * test reporters, GitLab, Jenkins, Azure DevOps) list benchmarks natively. A failing or inconclusive verdict is a
 * `<failure>` with its reasons, an `error` verdict (Genie could not be asked) an `<error>`, an `excluded` one (the
 * expected SQL failed) `<skipped>`. With `--against`, a benchmark that passed in the baseline and no longer does
 * says so in its failure message. For an enhance run the test cases are the best configuration's benchmarks, and the
 * summary suite carries baseline → best train and holdout (with CIs), iterations, stop reason, fixes and Genie
 * questions as properties, and the iterations, benchmark × iteration matrix and fixes with their why as output.
 */
import { duration, xml } from "./internal/format.js"
import type * as ReportData from "./ReportData.js"
import { endpoints, enhanceText, why } from "./internal/derive.js"

const seconds = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(3)

const details = (row: ReportData.BenchmarkRow): string => {
  const lines = [
    ...(row.question === undefined ? [] : [`Question: ${row.question}`]),
    `Verdict: ${row.outcome} (${why(row)})`,
    ...(row.evidence?.message === undefined ? [] : [`Evidence: ${row.evidence.message}`]),
    ...(row.evidence?.expectedRows === undefined
      ? []
      : [`Rows: expected ${row.evidence.expectedRows}, Genie ${row.evidence.actualRows ?? 0}`]),
    ...(row.diagnosis?.findings ?? []).map((f) => `${f.category}: ${f.message}`),
    ...(row.judge === undefined ? [] : [`Judge (${row.judge.verdict}): ${row.judge.explanation}`]),
    ...(row.expectedSql === undefined ? [] : ["", "Expected SQL:", row.expectedSql]),
    ...(row.genie?.sql === undefined ? [] : ["", "Genie SQL:", row.genie.sql]),
    ...(row.genie?.error === undefined ? [] : [`Genie error (${row.genie.error.type}): ${row.genie.error.message}`])
  ]
  return lines.join("\n")
}

const testcase = (row: ReportData.BenchmarkRow, regression: ReportData.Change | undefined): string => {
  const name = row.question === undefined ? row.id : `${row.id}: ${row.question}`
  const open = `    <testcase name="${xml(name)}" classname="genie.${xml(row.category)}" time="${seconds(row.genie?.elapsedMs)}">`
  const message = `${regression === undefined ? "" : `regression (was ${regression.before}): `}${why(row)}`
  switch (row.outcome) {
    case "pass":
      return `${open}</testcase>`
    case "excluded":
      return `${open}\n      <skipped message="${xml(`excluded: ${why(row)}`)}"/>\n    </testcase>`
    case "error":
      return `${open}\n      <error message="${xml(message)}" type="${xml(row.genie?.status ?? "error")}">${xml(details(row))}</error>\n    </testcase>`
    default:
      return `${open}\n      <failure message="${xml(message)}" type="${xml(row.outcome === "inconclusive" ? "inconclusive" : (row.failureCategory ?? row.reasons[0] ?? "fail"))}">${xml(details(row))}</failure>\n    </testcase>`
  }
}

/** Counts of one group of rows, as JUnit names them. */
const counts = (rows: ReadonlyArray<ReportData.BenchmarkRow>) => ({
  tests: rows.length,
  failures: rows.filter((r) => r.outcome === "fail" || r.outcome === "inconclusive").length,
  errors: rows.filter((r) => r.outcome === "error").length,
  skipped: rows.filter((r) => r.outcome === "excluded").length,
  time: seconds(rows.reduce((n, r) => n + (r.genie?.elapsedMs ?? 0), 0))
})

const attrs = (c: ReturnType<typeof counts>) =>
  `tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}" time="${c.time}"`

const fixed4 = (x: number | null | undefined) => (x === null || x === undefined ? "n/a" : x.toFixed(4))
const ci4 = (s: ReportData.Score | undefined) =>
  s === undefined || s.low === null ? "n/a" : `${s.low.toFixed(4)}-${(s.high ?? 0).toFixed(4)}`

/** An enhance run's headline numbers as summary properties. */
const enhanceProperties = (e: ReportData.EnhanceSection | undefined): Array<[string, string]> => {
  if (e === undefined) return []
  const { first, last } = endpoints(e)
  const accepted = e.fixes.filter((f) => f.decision === "accepted").length
  return [
    ["enhance.train.baseline", fixed4(first?.train?.score)],
    ["enhance.train.baseline.ci95", ci4(first?.train)],
    ["enhance.train.best", fixed4(last?.train?.score)],
    ["enhance.train.best.ci95", ci4(last?.train)],
    ...(e.holdout === undefined
      ? []
      : ([
          ["enhance.holdout.baseline", fixed4(e.holdout.baseline?.score)],
          ["enhance.holdout.baseline.ci95", ci4(e.holdout.baseline)],
          ["enhance.holdout.best", fixed4(e.holdout.final?.score)],
          ["enhance.holdout.best.ci95", ci4(e.holdout.final)]
        ] satisfies Array<[string, string]>)),
    ["enhance.iterations", String(Math.max(0, e.iterations.length - 1))],
    ...(e.stopReason === undefined ? [] : [["enhance.stopReason", e.stopReason] satisfies [string, string]]),
    ["enhance.fixes.accepted", String(accepted)],
    ["enhance.fixes.rejected", String(e.fixes.length - accepted)],
    ["enhance.genieQuestions", String(e.genieQuestions.total)]
  ]
}

/**
 * Renders the JUnit XML report.
 *
 * @category renderers
 */
export const render = (data: ReportData.ReportData): string => {
  const regressions = new Map((data.comparison?.broke ?? []).map((c) => [c.id, c]))
  const categories = new Map<string, Array<ReportData.BenchmarkRow>>()
  for (const row of data.benchmarks) categories.set(row.category, [...(categories.get(row.category) ?? []), row])
  const suiteName = `genie-enhancer ${data.run.kind} ${data.run.runId}`
  const suites = [...categories].map(([category, rows]) =>
    [
      `  <testsuite name="${xml(`${suiteName} / ${category}`)}" ${attrs(counts(rows))} timestamp="${xml(data.run.startedAt.replace(/Z$/, ""))}">`,
      ...rows.map((r) => testcase(r, regressions.get(r.id))),
      "  </testsuite>"
    ].join("\n")
  )
  const o = data.score.overall
  const properties = [
    ["space", data.run.spaceId],
    ["profile", data.run.profile],
    ["accuracy", o.score === null ? "n/a" : o.score.toFixed(4)],
    ["ci95", o.low === null ? "n/a" : `${o.low.toFixed(4)}-${(o.high ?? 0).toFixed(4)}`],
    ["wall", duration(data.run.wallMs)],
    ...(data.comparison === undefined
      ? []
      : [
          ["baseline", data.comparison.baseline.runId],
          ["delta", data.comparison.delta === null ? "n/a" : data.comparison.delta.toFixed(4)]
        ]),
    ...enhanceProperties(data.enhance)
  ]
  // Properties sit in a suite of their own so every CI parser keeps them; that suite has no test case. An enhance
  // run adds its iterations, benchmark × iteration matrix and fixes as the suite's output.
  const info = [
    `  <testsuite name="${xml(`${suiteName} / summary`)}" tests="0" failures="0" errors="0" skipped="0" time="0.000">`,
    "    <properties>",
    ...properties.map(([k, v]) => `      <property name="${xml(k)}" value="${xml(v)}"/>`),
    "    </properties>",
    ...(data.enhance === undefined ? [] : [`    <system-out>${xml(enhanceText(data.enhance))}</system-out>`]),
    "  </testsuite>"
  ]
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(suiteName)}" ${attrs(counts(data.benchmarks))}>`,
    ...info,
    ...suites,
    "</testsuites>",
    ""
  ].join("\n")
}
