import type * as ReportData from "../ReportData.js"
import { percent } from "./format.js"

/** Baseline (first) and final (last) iteration of an enhance run. */
export const endpoints = (
  enhance: ReportData.EnhanceSection
): { readonly first?: ReportData.Iteration; readonly last?: ReportData.Iteration } => {
  const sorted = [...enhance.iterations].sort((a, b) => a.index - b.index)
  const first = sorted[0]
  const last = sorted.at(-1)
  return { ...(first === undefined ? {} : { first }), ...(last === undefined ? {} : { last }) }
}

/** Benchmarks an enhance run fixed and broke, baseline iteration against the final one. */
export const enhanceChanges = (
  data: ReportData.ReportData
): { readonly fixed: ReadonlyArray<ReportData.Change>; readonly broke: ReadonlyArray<ReportData.Change> } => {
  if (data.enhance === undefined) return { fixed: [], broke: [] }
  const { first, last } = endpoints(data.enhance)
  if (first === undefined || last === undefined || first === last) return { fixed: [], broke: [] }
  const rows = new Map(data.benchmarks.map((r) => [r.id, r]))
  const before = new Map(first.results.map((r) => [r.benchmarkId, r.outcome]))
  const fixed: Array<ReportData.Change> = []
  const broke: Array<ReportData.Change> = []
  for (const r of last.results) {
    const old = before.get(r.benchmarkId)
    if (old === undefined || old === r.outcome) continue
    const row = rows.get(r.benchmarkId)
    const c: ReportData.Change = {
      id: r.benchmarkId,
      category: row?.category ?? "uncategorized",
      before: old,
      after: r.outcome,
      reasons: row?.reasons ?? [],
      ...(row?.question === undefined ? {} : { question: row.question })
    }
    if (r.outcome === "pass") fixed.push(c)
    else if (old === "pass") broke.push(c)
  }
  return { fixed, broke }
}

/** What a benchmark row says in one line, for failure messages and summaries. */
export const why = (row: ReportData.BenchmarkRow): string => {
  const parts = [
    row.reasons.length > 0 ? row.reasons.join(", ") : row.outcome,
    `decided by ${row.decidedBy}`,
    ...(row.failureCategory === undefined ? [] : [`failure category ${row.failureCategory}`])
  ]
  return parts.join("; ")
}

/** A one-line headline of what kind of run this is. */
export const title = (data: ReportData.ReportData): string => `Genie Enhancer ${data.run.kind} run ${data.run.runId}`

/** An iteration's short name: `base`, `#2`, or its label. */
export const iterationName = (i: ReportData.Iteration): string => i.label ?? (i.index === 0 ? "base" : `#${i.index}`)

/** `14.3% [2.6%–51.3%] (n=7)`; `n/a` without a score. */
export const scoreCI = (s: ReportData.Score | undefined): string =>
  s === undefined || s.score === null
    ? "n/a"
    : `${percent(s.score)}${s.low === null ? "" : ` [${percent(s.low)}–${percent(s.high)}]`} (n=${s.scored})`

/**
 * The benchmark × iteration matrix: iterations in order, and per benchmark its outcome in each (undefined: not
 * asked), benchmarks whose outcome changed first.
 */
export const matrixOf = (
  enhance: ReportData.EnhanceSection
): {
  readonly iterations: ReadonlyArray<ReportData.Iteration>
  readonly rows: ReadonlyArray<{
    readonly id: string
    readonly changed: boolean
    readonly outcomes: ReadonlyArray<ReportData.Outcome | undefined>
  }>
} => {
  const iterations = [...enhance.iterations].sort((a, b) => a.index - b.index)
  const byIt = iterations.map((i) => new Map(i.results.map((r) => [r.benchmarkId, r.outcome])))
  const ids = [...new Set(iterations.flatMap((i) => i.results.map((r) => r.benchmarkId)))]
  const rows = ids.map((id) => {
    const outcomes = byIt.map((m) => m.get(id))
    return { id, outcomes, changed: new Set(outcomes.filter((o) => o !== undefined)).size > 1 }
  })
  rows.sort((a, b) => Number(b.changed) - Number(a.changed) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return { iterations, rows }
}

/** Genie questions per stage of an enhance run (`baseline train 7, rescore 12, …`), in order of first use. */
export const questionsByStage = (enhance: ReportData.EnhanceSection): Array<{ name: string; count: number }> => {
  const counts = new Map<string, number>()
  for (const q of enhance.genieQuestions.questions) {
    const stage = q.stage ?? "other"
    counts.set(stage, (counts.get(stage) ?? 0) + 1)
  }
  return [...counts].map(([name, count]) => ({ name, count }))
}

/** An enhance run as plain text (for JUnit's `<system-out>`): scores with CIs, iterations, the matrix, fixes. */
export const enhanceText = (enhance: ReportData.EnhanceSection): string => {
  const { first, last } = endpoints(enhance)
  const { iterations, rows } = matrixOf(enhance)
  const accepted = enhance.fixes.filter((f) => f.decision === "accepted").length
  const lines = [
    `Train:   baseline ${scoreCI(first?.train)} -> best ${scoreCI(last?.train)}`,
    ...(enhance.holdout === undefined
      ? []
      : [`Holdout: baseline ${scoreCI(enhance.holdout.baseline)} -> best ${scoreCI(enhance.holdout.final)}`]),
    `Iterations: ${Math.max(0, iterations.length - 1)}${enhance.stopReason === undefined ? "" : `, stopped on ${enhance.stopReason}`}`,
    `Genie questions: ${enhance.genieQuestions.total} (${questionsByStage(enhance)
      .map((s) => `${s.name} ${s.count}`)
      .join(", ")})`,
    "",
    "Iteration  train / holdout / candidate / questions",
    ...iterations.map(
      (i) =>
        `  ${iterationName(i).padEnd(8)} ${scoreCI(i.train)} / ${i.holdout === undefined ? "-" : scoreCI(i.holdout)} / ${i.accepted === undefined ? "-" : i.accepted ? "accepted" : "rejected"} / ${i.genieQuestions ?? "-"}`
    ),
    "",
    `Benchmark x iteration (${iterations.map(iterationName).join(" ")}):`,
    ...rows.map((r) => `  ${r.changed ? "*" : " "} ${r.id}: ${r.outcomes.map((o) => o ?? "-").join(" ")}`),
    "",
    `Fixes: ${accepted} accepted, ${enhance.fixes.length - accepted} rejected`,
    ...enhance.fixes.map((f) => `  [${f.decision}] it${f.iteration} ${f.category} on ${f.target}: ${f.why}`)
  ]
  return lines.join("\n")
}
