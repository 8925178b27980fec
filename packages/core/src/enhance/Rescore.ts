/**
 * How a candidate's train rescore is asked: in which order, and in waves small enough that the paired evidence is
 * checked (`Acceptance.futile`) before more questions go out.
 *
 * **Details**
 * Genie questions are the cost that matters, and a question already sent is paid for even when the candidate turns
 * out to be futile before its answer arrives. So a candidate is asked in waves: each wave is at most the Genie
 * concurrency, and never longer than the number of questions after which the candidate would be futile if every
 * answer came back unchanged (a benchmark that failed on the best space still fails, one that passed still passes).
 * A useless candidate then stops exactly when acceptance becomes impossible, while a promising one keeps full
 * concurrency.
 *
 * The order puts the most informative questions first:
 * 1. failing benchmarks, those the fixes target first (where the gains should come from), with passing benchmarks
 *    related to the fixes interleaved (one after every {@link regressionStride} failing ones; those related to the
 *    riskiest fixes — declared risk, deletions — first), so a fix that breaks what already worked is caught in the
 *    first waves;
 * 2. the passing benchmarks unrelated to the fixes.
 * Changed outcomes are confirmed (asked again on both spaces) as the loop needs them: a loss at once, since it may
 * end the candidate; gains at the end, and only as many as acceptance needs ({@link gainsToConfirm}).
 *
 * "Related" is shared vocabulary between what a fix changes (its target and the text of its change) and a
 * benchmark's question and expected SQL, weighted by rarity across the benchmarks, so words every benchmark uses
 * (the catalog and schema names) relate nothing.
 */
import type { Benchmark } from "../model/Benchmark.js"
import type { Fix } from "../stages/fix/Fixer.js"
import * as Acceptance from "./Acceptance.js"

/**
 * Failing benchmarks asked between two related passing ones: a quarter of the early questions check for regressions.
 *
 * @category configuration
 */
export const regressionStride = 3

// SQL and common English words carry no subject: a fix whose change holds SQL or a sentence would otherwise relate
// to every benchmark.
const stopWords = new Set(
  (
    "select from where group order having limit join inner left right full outer cross using and not null case " +
    "when then else end distinct count sum avg min max cast date interval with union all true false desc asc " +
    "between like exists current_date coalesce round extract year month day over partition rows the for are was " +
    "what which who how many much each per that this these those there their them they you your our its has have " +
    "had can could should would will did does show list give tell use used only also any into than top"
  ).split(" ")
)

/**
 * Lower-case words of three letters or more (identifiers split on dots, not on underscores), minus SQL and common
 * English words.
 *
 * @category constructors
 */
export const words = (text: string): ReadonlySet<string> =>
  new Set((text.toLowerCase().match(/[a-z_][a-z0-9_]*/g) ?? []).filter((w) => w.length >= 3 && !stopWords.has(w)))

/** The text a fix changes: its target and every string value of its change (keys are the space's format). */
const fixText = (fix: Fix): string => {
  const out: Array<string> = [fix.target]
  const walk = (value: unknown): void => {
    if (typeof value === "string") out.push(value)
    else if (Array.isArray(value)) value.forEach(walk)
    else if (value !== null && typeof value === "object") Object.values(value).forEach(walk)
  }
  walk(fix.change)
  return out.join(" ")
}

/**
 * How related each benchmark is to a fix: the summed rarity (`log(N / df)`) of the words they share. Zero: nothing
 * in common (or only words every benchmark has).
 *
 * @category constructors
 */
export const relatedness = (
  fixes: ReadonlyArray<Fix>,
  benchmarks: ReadonlyArray<Benchmark>
): ReadonlyArray<ReadonlyMap<string, number>> => {
  const vocab = new Map(benchmarks.map((b) => [b.id, words(`${b.question} ${b.expected_sql}`)]))
  const df = new Map<string, number>()
  for (const ws of vocab.values()) for (const w of ws) df.set(w, (df.get(w) ?? 0) + 1)
  const n = benchmarks.length
  return fixes.map((fix) => {
    const changed = words(fixText(fix))
    return new Map(
      benchmarks.map((b) => {
        let score = 0
        for (const w of vocab.get(b.id) ?? []) if (changed.has(w)) score += Math.log(n / (df.get(w) ?? n))
        return [b.id, score]
      })
    )
  })
}

/** How likely a fix is to break what works: its declared risk, and a deletion at least high. */
const riskRank = (fix: Fix): number =>
  Math.max(fix.risk === "high" ? 2 : fix.risk === "medium" ? 1 : 0, fix.category.endsWith("-delete") ? 2 : 0)

/**
 * The order in which a candidate's train benchmarks are asked (see the module's details). Passing benchmarks
 * related to the riskiest fixes are checked first; among equals, the more related first.
 *
 * @category constructors
 */
export const order = (
  benchmarks: ReadonlyArray<Benchmark>,
  options: { readonly passing: (benchmarkId: string) => boolean; readonly fixes: ReadonlyArray<Fix> }
): ReadonlyArray<Benchmark> => {
  const targeted = new Set(options.fixes.flatMap((f) => [...f.targetsFailures, ...f.sourceBenchmarkIds]))
  const related = relatedness(options.fixes, benchmarks)
  const total = (b: Benchmark) => related.reduce((sum, m) => sum + (m.get(b.id) ?? 0), 0)
  // The risk of the riskiest fix the benchmark is related to (-1: none).
  const exposure = (b: Benchmark) =>
    related.reduce((top, m, i) => ((m.get(b.id) ?? 0) > 0 ? Math.max(top, riskRank(options.fixes[i])) : top), -1)
  // Stable sorts: equal benchmarks keep the benchmark file's order.
  const byRelated = (list: ReadonlyArray<Benchmark>) => [...list].sort((a, b) => total(b) - total(a))
  const failing = benchmarks.filter((b) => !options.passing(b.id))
  const asked = [
    ...byRelated(failing.filter((b) => targeted.has(b.id))),
    ...byRelated(failing.filter((b) => !targeted.has(b.id)))
  ]
  const passing = byRelated(benchmarks.filter((b) => options.passing(b.id)))
  const checks = passing.filter((b) => exposure(b) >= 0).sort((a, b) => exposure(b) - exposure(a))
  const unrelated = passing.filter((b) => exposure(b) < 0)
  const mixed: Array<Benchmark> = []
  let next = 0
  asked.forEach((b, i) => {
    mixed.push(b)
    if ((i + 1) % regressionStride === 0 && next < checks.length) mixed.push(checks[next++])
  })
  return [...mixed, ...checks.slice(next), ...unrelated]
}

/**
 * How many of the upcoming questions can be asked before the paired evidence must be looked at again: the number
 * after which the candidate would be futile if every answer came back unchanged, at most `limit` (the Genie
 * concurrency, or what the budget leaves). At least 1 while something is upcoming.
 *
 * @category constructors
 */
export const waveSize = (
  pairs: ReadonlyArray<Acceptance.PartialPair>,
  upcoming: ReadonlyArray<string>,
  settings: Acceptance.Settings,
  limit: number
): number => {
  const max = Math.min(limit, upcoming.length)
  if (max <= 1) return Math.max(0, max)
  const current = new Map(pairs.map((p) => [p.benchmarkId, p]))
  for (let i = 0; i < max; i++) {
    const p = current.get(upcoming[i])
    if (p === undefined) continue
    const passes = p.before.asked > 0 && p.before.passed * 2 > p.before.asked ? 1 : 0
    current.set(p.benchmarkId, {
      ...p,
      after: { passed: p.after.passed + passes, asked: p.after.asked + 1 },
      remainingAsks: Math.max(0, p.remainingAsks - 1)
    })
    if (Acceptance.futile([...current.values()], settings)) return i + 1
  }
  return max
}

/**
 * Benchmarks whose gain was seen once and not confirmed yet: of these, how many (in the given order) must be
 * confirmed for the candidate to be accepted even if every other one were noise (0: it already is; all of them
 * when even that does not suffice, and the candidate cannot be accepted in the worst case).
 *
 * **Details**
 * A gain that was not confirmed counts in the worst case as no change (the candidate's outcome is taken to be the
 * best space's). Confirming more than this buys nothing: the decision is accepted either way.
 *
 * @category constructors
 */
export const gainsToConfirm = (
  pairs: ReadonlyArray<Acceptance.Pair>,
  unconfirmed: ReadonlyArray<string>,
  settings: Acceptance.Settings
): number => {
  const worst = (confirmed: number) => {
    const doubtful = new Set(unconfirmed.slice(confirmed))
    return Acceptance.decide(
      pairs.map((p) => (doubtful.has(p.benchmarkId) ? { ...p, after: p.before } : p)),
      settings
    ).accepted
  }
  for (let m = 0; m <= unconfirmed.length; m++) if (worst(m)) return m
  return unconfirmed.length
}
