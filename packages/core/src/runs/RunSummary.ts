/**
 * The summary of a scoring run (`results.json`): the score with its 95 % Wilson interval, per-category scores,
 * counts by verdict and failure category, timings, attempts, and what the safety layer absorbed.
 */
import type { Benchmark } from "../model/Benchmark.js"
import type { CircuitEvent } from "../safety/CircuitBreaker.js"
import type * as Safety from "../safety/Safety.js"
import type { BenchmarkResult } from "../stages/Stages.js"

/**
 * A proportion with its 95 % Wilson score interval.
 *
 * @category models
 */
export interface Score {
  readonly passed: number
  /**
   * Benchmarks that count: all but `excluded` (broken expected SQL is not Genie's fault) and `error` (Genie could not
   * be asked properly: not the space's answer).
   */
  readonly scored: number
  /** Benchmarks that could not be scored (`error`), reported apart from the score. */
  readonly errors: number
  /** `passed / scored`, or `null` when nothing counts. */
  readonly score: number | null
  readonly low: number | null
  readonly high: number | null
}

/**
 * Percentiles of a duration, in milliseconds.
 *
 * @category models
 */
export interface Timing {
  readonly count: number
  readonly p50: number | null
  readonly p95: number | null
  readonly max: number | null
}

/**
 * The run summary.
 *
 * @category models
 */
export interface RunSummary {
  readonly runId: string
  readonly spaceId: string
  readonly startedAt: string
  readonly finishedAt: string
  readonly wallMs: number
  readonly benchmarks: number
  /** Benchmarks with a result; fewer than `benchmarks` only when a run was cut short. */
  readonly finished: number
  readonly overall: Score
  readonly byCategory: Readonly<Record<string, Score>>
  readonly verdicts: Readonly<Record<string, number>>
  readonly failureCategories: Readonly<Record<string, number>>
  /** Benchmarks whose verdict the LLM judge decided. */
  readonly judged: number
  readonly timings: { readonly genie: Timing; readonly expectedSql: Timing }
  /** Genie attempts over all benchmarks, and how many benchmarks needed more than one. */
  readonly attempts: { readonly total: number; readonly retriedBenchmarks: number }
  readonly safety?: {
    readonly genie: Safety.Stats
    readonly sql: Safety.Stats
    readonly llm: Safety.Stats
    /** 429 / rate-limit refusals absorbed by slowing down. */
    readonly rateLimitedAbsorbed: number
    readonly circuitEvents: ReadonlyArray<CircuitEvent>
  }
}

/**
 * The 95 % Wilson score interval of `passed` out of `n` (better than the normal approximation for small `n` and
 * scores near 0 or 1).
 *
 * @category constructors
 */
export const wilson = (passed: number, n: number, z = 1.959964): { readonly low: number; readonly high: number } => {
  if (n === 0) return { low: 0, high: 1 }
  const p = passed / n
  const denominator = 1 + (z * z) / n
  const centre = p + (z * z) / (2 * n)
  const margin = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))
  return { low: Math.max(0, (centre - margin) / denominator), high: Math.min(1, (centre + margin) / denominator) }
}

const scoreOf = (results: ReadonlyArray<BenchmarkResult>): Score => {
  const counted = results.filter((r) => r.verdict.outcome !== "excluded" && r.verdict.outcome !== "error")
  const errors = results.filter((r) => r.verdict.outcome === "error").length
  const passed = counted.filter((r) => r.verdict.outcome === "pass").length
  if (counted.length === 0) return { passed, scored: 0, errors, score: null, low: null, high: null }
  const { low, high } = wilson(passed, counted.length)
  return { passed, scored: counted.length, errors, score: passed / counted.length, low, high }
}

const percentile = (sorted: ReadonlyArray<number>, q: number): number | null =>
  sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]

const timing = (values: ReadonlyArray<number>): Timing => {
  const sorted = [...values].sort((a, b) => a - b)
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    max: sorted.at(-1) ?? null
  }
}

const tally = (values: ReadonlyArray<string>): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1
  return counts
}

/**
 * Builds the summary from a run's results (journal order) and the benchmarks it was asked to score.
 *
 * @category constructors
 */
export const summarize = (input: {
  readonly runId: string
  readonly spaceId: string
  readonly startedAt: number
  readonly finishedAt: number
  readonly benchmarks: ReadonlyArray<Pick<Benchmark, "id" | "category">>
  readonly results: ReadonlyArray<BenchmarkResult>
  readonly safety?: {
    readonly genie: Safety.Stats
    readonly sql: Safety.Stats
    readonly llm: Safety.Stats
    readonly circuitEvents: ReadonlyArray<CircuitEvent>
  }
}): RunSummary => {
  const categoryOf = new Map(input.benchmarks.map((b) => [b.id, b.category]))
  const byCategory = new Map<string, Array<BenchmarkResult>>()
  for (const result of input.results) {
    const category = categoryOf.get(result.benchmarkId) ?? "uncategorized"
    byCategory.set(category, [...(byCategory.get(category) ?? []), result])
  }
  const answers = input.results.flatMap((r) => (r.answer === undefined ? [] : [r.answer]))
  return {
    runId: input.runId,
    spaceId: input.spaceId,
    startedAt: new Date(input.startedAt).toISOString(),
    finishedAt: new Date(input.finishedAt).toISOString(),
    wallMs: input.finishedAt - input.startedAt,
    benchmarks: input.benchmarks.length,
    finished: input.results.length,
    overall: scoreOf(input.results),
    byCategory: Object.fromEntries(
      [...byCategory].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, rs]) => [c, scoreOf(rs)])
    ),
    verdicts: tally(input.results.map((r) => r.verdict.outcome)),
    failureCategories: tally(
      input.results.flatMap((r) => (r.failureCategory === undefined ? [] : [r.failureCategory]))
    ),
    judged: input.results.filter((r) => r.verdict.judge !== undefined).length,
    timings: {
      genie: timing(answers.map((a) => a.elapsedMs)),
      expectedSql: timing(input.results.flatMap((r) => (r.expected === undefined ? [] : [r.expected.elapsedMs])))
    },
    attempts: {
      total: answers.reduce((n, a) => n + a.attempts, 0),
      retriedBenchmarks: answers.filter((a) => a.attempts > 1).length
    },
    ...(input.safety === undefined
      ? {}
      : {
          safety: {
            genie: input.safety.genie,
            sql: input.safety.sql,
            llm: input.safety.llm,
            rateLimitedAbsorbed: input.safety.genie.refusals + input.safety.sql.refusals + input.safety.llm.refusals,
            circuitEvents: input.safety.circuitEvents
          }
        })
  }
}
