import type * as ReportData from "../ReportData.js"

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
