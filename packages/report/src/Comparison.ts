/**
 * What changed between two runs of the same benchmarks (`report <run> --against <baseline>`): benchmarks fixed
 * and broken, other outcome changes, and the score delta overall and per category.
 */
import type * as ReportData from "./ReportData.js"

const change = (
  row: ReportData.BenchmarkRow,
  before: ReportData.Outcome
): { -readonly [K in keyof ReportData.Change]: ReportData.Change[K] } => ({
  id: row.id,
  category: row.category,
  before,
  after: row.outcome,
  reasons: row.reasons,
  ...(row.question === undefined ? {} : { question: row.question })
})

/**
 * Compares `current` with `baseline` (matched by benchmark id).
 *
 * @category constructors
 */
export const compare = (current: ReportData.ReportData, baseline: ReportData.ReportData): ReportData.Comparison => {
  const before = new Map(baseline.benchmarks.map((r) => [r.id, r]))
  const here = new Set(current.benchmarks.map((r) => r.id))
  const fixed: Array<ReportData.Change> = []
  const broke: Array<ReportData.Change> = []
  const changed: Array<ReportData.Change> = []
  let unchangedPass = 0
  let unchangedOther = 0
  const onlyHere: Array<string> = []
  for (const row of current.benchmarks) {
    const old = before.get(row.id)
    if (old === undefined) {
      onlyHere.push(row.id)
      continue
    }
    if (old.outcome === row.outcome) {
      if (row.outcome === "pass") unchangedPass++
      else unchangedOther++
    } else if (row.outcome === "pass") fixed.push(change(row, old.outcome))
    else if (old.outcome === "pass") broke.push(change(row, old.outcome))
    else changed.push(change(row, old.outcome))
  }
  const a = current.score.overall.score
  const b = baseline.score.overall.score
  const categories = [
    ...new Set([...current.score.byCategory.map((g) => g.name), ...baseline.score.byCategory.map((g) => g.name)])
  ].sort()
  const scoreIn = (groups: ReadonlyArray<ReportData.Group>, name: string) =>
    groups.find((g) => g.name === name)?.score ?? null
  return {
    baseline: {
      runId: baseline.run.runId,
      spaceId: baseline.run.spaceId,
      startedAt: baseline.run.startedAt,
      overall: baseline.score.overall
    },
    delta: a === null || b === null ? null : a - b,
    fixed,
    broke,
    changed,
    unchangedPass,
    unchangedOther,
    onlyHere,
    onlyInBaseline: baseline.benchmarks.filter((r) => !here.has(r.id)).map((r) => r.id),
    byCategory: categories.map((name) => ({
      name,
      before: scoreIn(baseline.score.byCategory, name),
      after: scoreIn(current.score.byCategory, name)
    }))
  }
}

/**
 * `current` with its comparison against `baseline` filled in.
 *
 * @category constructors
 */
export const withBaseline = (
  current: ReportData.ReportData,
  baseline: ReportData.ReportData
): ReportData.ReportData => ({
  ...current,
  comparison: compare(current, baseline)
})
