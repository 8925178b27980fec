/**
 * A score run's summary as the lines `genie-enhancer score` prints: the score over the scored benchmarks with its
 * interval, errors and exclusions apart, per category, verdicts, failure categories, the judge, timings.
 */
import type { Summary } from "./ScoreRun.js"

/** `0.4` → `40.0%`; no score → `n/a`. @category constructors */
export const percent = (x: number | null): string => (x === null ? "n/a" : `${(x * 100).toFixed(1)}%`)

/**
 * The summary of a score run, one line per string.
 *
 * @category constructors
 */
export const lines = (summary: Summary, dir: string): ReadonlyArray<string> => {
  const o = summary.overall
  const out: Array<string> = []
  out.push(
    `Score ${percent(o.score)} (${o.passed}/${o.scored} scored benchmarks passed; 95% CI ${percent(o.low)}–${percent(o.high)})` +
      `${o.errors === 0 ? "" : `, ${o.errors} could not be scored (errors, not in the score)`}` +
      `${summary.verdicts["excluded"] === undefined ? "" : `, ${summary.verdicts["excluded"]} excluded (expected SQL failed or refused)`}`
  )
  for (const [category, s] of Object.entries(summary.byCategory)) {
    out.push(`  ${category.padEnd(16)} ${percent(s.score).padStart(6)}  ${s.passed}/${s.scored}`)
  }
  const verdicts = Object.entries(summary.verdicts)
    .map(([v, n]) => `${v} ${n}`)
    .join(", ")
  out.push(`Verdicts: ${verdicts}${summary.resumed > 0 ? ` (${summary.resumed} from the earlier attempt)` : ""}`)
  const failures = Object.entries(summary.failureCategories)
  if (failures.length > 0) out.push(`Failure categories: ${failures.map(([c, n]) => `${c} ${n}`).join(", ")}`)
  if (summary.evaluation.neededJudge > 0) {
    out.push(
      `Inconclusive for the comparator: ${summary.evaluation.neededJudge} (judge decided ${summary.evaluation.judgeDecided})`
    )
  }
  const absorbed = summary.safety?.rateLimitedAbsorbed ?? 0
  const circuit = summary.safety?.circuitEvents.length ?? 0
  out.push(
    `Wall time ${(summary.wallMs / 1000).toFixed(1)}s · Genie attempts ${summary.attempts.total}` +
      `${absorbed > 0 ? ` · ${absorbed} rate-limit refusals absorbed` : ""}` +
      `${circuit > 0 ? ` · ${circuit} circuit events` : ""}`
  )
  out.push(`Run recorded in ${dir}`)
  return out
}
