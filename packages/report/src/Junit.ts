/**
 * The JUnit XML report: one test suite per category, one test case per benchmark, so CI systems (GitHub Actions
 * test reporters, GitLab, Jenkins, Azure DevOps) list benchmarks natively. A failing or inconclusive verdict is a
 * `<failure>` with its reasons, an `error` verdict (Genie could not be asked) an `<error>`, an `excluded` one (the
 * expected SQL failed) `<skipped>`. With `--against`, a benchmark that passed in the baseline and no longer does
 * says so in its failure message.
 */
import { duration, xml } from "./internal/format.js"
import type * as ReportData from "./ReportData.js"
import { why } from "./internal/derive.js"

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
        ])
  ]
  // Properties sit in a suite of their own so every CI parser keeps them; that suite has no test case.
  const info = [
    `  <testsuite name="${xml(`${suiteName} / summary`)}" tests="0" failures="0" errors="0" skipped="0" time="0.000">`,
    "    <properties>",
    ...properties.map(([k, v]) => `      <property name="${xml(k)}" value="${xml(v)}"/>`),
    "    </properties>",
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
