/**
 * Noise-aware acceptance of a candidate configuration: paired per-benchmark outcomes (the same train benchmarks on
 * the best space and on the candidate), an exact one-sided paired test (McNemar or sign), and the profile's gates.
 *
 * **Details**
 * Genie is not deterministic, so one better score is not evidence. A candidate is accepted only when
 * 1. the benchmarks it fixed outnumber the ones it broke significantly: the exact one-sided p-value of the paired
 *    test is at most `alpha`;
 * 2. its score gain is at least `gates.minImprovement`;
 * 3. it broke at most `gates.maxNewFailures` benchmarks that passed on the best space.
 * With `loop.repeats` > 1 each side's outcome of a benchmark is its pass rate over the repeats: McNemar pairs the
 * majority outcomes (a tie is no evidence either way), the sign test the signs of the rate differences.
 *
 * `futile` tells the loop when to stop rescoring a candidate early: when even the best case for the benchmarks not
 * yet scored (every one that failed on the best space now passes, every one that passed still passes) would not be
 * accepted, nothing the remaining questions can say makes it acceptable.
 */
import type { AcceptanceSettings, GateSettings } from "../config/Profile.js"

/**
 * One side's outcome of one benchmark: asks that passed out of asks that counted (error and excluded verdicts do not
 * count).
 *
 * @category models
 */
export interface Tally {
  readonly passed: number
  readonly asked: number
}

/**
 * A benchmark's outcome on the best space and on the candidate.
 *
 * @category models
 */
export interface Pair {
  readonly benchmarkId: string
  readonly before: Tally
  readonly after: Tally
}

/**
 * What the paired test and the gates said.
 *
 * @category models
 */
export interface Decision {
  readonly accepted: boolean
  /** A sentence: why it was accepted or which condition failed. */
  readonly reason: string
  /** Benchmarks that failed before and pass now (fail → pass). */
  readonly gains: ReadonlyArray<string>
  /** Benchmarks that passed before and fail now (pass → fail): the new failures. */
  readonly losses: ReadonlyArray<string>
  /** Exact one-sided p-value of the paired test (1 without discordant pairs). */
  readonly pValue: number
  /** Mean pass rate over the paired benchmarks, before and after. */
  readonly scoreBefore: number
  readonly scoreAfter: number
  /** Benchmarks with an outcome on both sides. */
  readonly paired: number
}

/**
 * The settings acceptance reads (the profile's `loop.acceptance` and `loop.gates`).
 *
 * @category models
 */
export interface Settings {
  readonly acceptance: AcceptanceSettings
  readonly gates: Pick<GateSettings, "minImprovement" | "maxNewFailures">
}

const rate = (t: Tally): number => (t.asked === 0 ? 0 : t.passed / t.asked)

/** +1 pass, -1 fail, 0 no majority (or nothing counted). */
const majority = (t: Tally): number => (t.asked === 0 || t.passed * 2 === t.asked ? 0 : t.passed * 2 > t.asked ? 1 : -1)

/**
 * P(X ≥ k) for X ~ Binomial(n, 1/2): the exact one-sided p-value of McNemar's and the sign test.
 *
 * @category constructors
 */
export const binomialTail = (k: number, n: number): number => {
  if (k <= 0) return 1
  if (k > n) return 0
  // Sum in log space: n can reach thousands with repeats.
  let logChoose = 0
  let total = 0
  for (let i = 0; i <= n; i++) {
    if (i > 0) logChoose += Math.log(n - i + 1) - Math.log(i)
    if (i >= k) total += Math.exp(logChoose - n * Math.LN2)
  }
  return Math.min(1, total)
}

/**
 * Gains and losses of paired outcomes under the settings' test: McNemar compares majority outcomes, the sign test
 * the direction of each benchmark's pass-rate change.
 *
 * @category constructors
 */
export const discordant = (
  pairs: ReadonlyArray<Pair>,
  test: AcceptanceSettings["test"]
): { readonly gains: ReadonlyArray<string>; readonly losses: ReadonlyArray<string> } => {
  const gains: Array<string> = []
  const losses: Array<string> = []
  for (const p of pairs) {
    if (p.before.asked === 0 || p.after.asked === 0) continue
    const direction =
      test === "mcnemar"
        ? majority(p.before) < 0 && majority(p.after) > 0
          ? 1
          : majority(p.before) > 0 && majority(p.after) < 0
            ? -1
            : 0
        : Math.sign(rate(p.after) - rate(p.before))
    if (direction > 0) gains.push(p.benchmarkId)
    else if (direction < 0) losses.push(p.benchmarkId)
  }
  return { gains, losses }
}

const percent = (x: number) => `${(x * 100).toFixed(1)}%`

/**
 * Decides on a candidate from its paired outcomes.
 *
 * @category constructors
 */
export const decide = (pairs: ReadonlyArray<Pair>, settings: Settings): Decision => {
  const counted = pairs.filter((p) => p.before.asked > 0 && p.after.asked > 0)
  const { gains, losses } = discordant(counted, settings.acceptance.test)
  const pValue = binomialTail(gains.length, gains.length + losses.length)
  const mean = (side: "before" | "after") =>
    counted.length === 0 ? 0 : counted.reduce((sum, p) => sum + rate(p[side]), 0) / counted.length
  const scoreBefore = mean("before")
  const scoreAfter = mean("after")
  const base = { gains, losses, pValue, scoreBefore, scoreAfter, paired: counted.length }
  const { alpha, test } = settings.acceptance
  const { maxNewFailures, minImprovement } = settings.gates
  const change = `${percent(scoreBefore)} → ${percent(scoreAfter)}, +${gains.length}/−${losses.length}`
  if (losses.length > maxNewFailures) {
    return {
      ...base,
      accepted: false,
      reason: `breaks ${losses.length} benchmark${losses.length === 1 ? "" : "s"} that passed (at most ${maxNewFailures} allowed): ${losses.join(", ")}`
    }
  }
  // A tiny epsilon: a gain of exactly minImprovement must pass despite floating-point rounding.
  if (scoreAfter - scoreBefore < minImprovement - 1e-12 || gains.length === 0) {
    return {
      ...base,
      accepted: false,
      reason: `no improvement of at least ${percent(minImprovement)} (${change})`
    }
  }
  if (pValue > alpha) {
    return {
      ...base,
      accepted: false,
      reason: `not significant: ${test} p = ${pValue.toFixed(3)} > α = ${alpha} (${change})`
    }
  }
  return { ...base, accepted: true, reason: `better: ${test} p = ${pValue.toFixed(3)} ≤ α = ${alpha} (${change})` }
}

/**
 * A benchmark being scored on the candidate: its outcome so far and the asks still to come.
 *
 * @category models
 */
export interface PartialPair extends Pair {
  readonly remainingAsks: number
}

/**
 * The decision in the best case for what is not scored yet: every remaining ask passes (a benchmark that failed
 * before becomes a gain, one that passed stays a pass).
 *
 * @category constructors
 */
export const bestCase = (pairs: ReadonlyArray<PartialPair>, settings: Settings): Decision =>
  decide(
    pairs.map((p) => ({
      benchmarkId: p.benchmarkId,
      before: p.before,
      after: { passed: p.after.passed + p.remainingAsks, asked: p.after.asked + p.remainingAsks }
    })),
    settings
  )

/**
 * True when no outcome of the asks still to come can make the candidate acceptable: the loop stops asking.
 *
 * **Details**
 * If even the best case (see {@link bestCase}) is rejected, the rest cannot help: gains only come from benchmarks
 * not yet scored, and new failures only accumulate, so a candidate over `maxNewFailures` is futile at once.
 *
 * @category constructors
 */
export const futile = (pairs: ReadonlyArray<PartialPair>, settings: Settings): boolean =>
  !bestCase(pairs, settings).accepted

/**
 * Tallies of results: pass counts per benchmark (a pass verdict passes; fail and inconclusive fail; error and
 * excluded do not count).
 *
 * @category constructors
 */
export const tally = (
  outcomes: ReadonlyArray<{ readonly benchmarkId: string; readonly outcome: string }>
): ReadonlyMap<string, Tally> => {
  const out = new Map<string, Tally>()
  for (const o of outcomes) {
    if (o.outcome === "error" || o.outcome === "excluded") {
      if (!out.has(o.benchmarkId)) out.set(o.benchmarkId, { passed: 0, asked: 0 })
      continue
    }
    const t = out.get(o.benchmarkId) ?? { passed: 0, asked: 0 }
    out.set(o.benchmarkId, { passed: t.passed + (o.outcome === "pass" ? 1 : 0), asked: t.asked + 1 })
  }
  return out
}

/**
 * Score with a 95% Wilson interval over tallies (each benchmark weighs one, at its pass rate).
 *
 * @category constructors
 */
export const score = (
  tallies: Iterable<Tally>
): { readonly score: number; readonly low: number; readonly high: number; readonly n: number } => {
  const rates = [...tallies].filter((t) => t.asked > 0).map(rate)
  const n = rates.length
  if (n === 0) return { score: 0, low: 0, high: 0, n }
  const p = rates.reduce((a, b) => a + b, 0) / n
  const z = 1.959964
  const denominator = 1 + (z * z) / n
  const centre = (p + (z * z) / (2 * n)) / denominator
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator
  return { score: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half), n }
}
