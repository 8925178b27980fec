/**
 * Deterministic, stratified train/holdout split of benchmarks. Patterns are learned from the train split only; the
 * holdout split measures whether fixes generalise.
 */
import type { Benchmark, Split } from "./Benchmark.js"
import { stableHash } from "./Benchmark.js"

/** Options of {@link assign}. @category models */
export interface SplitOptions {
  /** Share of each category that goes to holdout, in [0, 1]. Default 0.2. */
  readonly holdoutRatio: number
  /** Changing the seed reshuffles which benchmarks are held out. Default `"genie-enhancer"`. */
  readonly seed: string
}

/** The options {@link assign} uses for what is not given. @category configuration */
export const defaultOptions: SplitOptions = { holdoutRatio: 0.2, seed: "genie-enhancer" }

/**
 * Gives every benchmark a split. The rule, per category:
 *
 * 1. A benchmark with an explicit `split` keeps it.
 * 2. The category's holdout quota is `Math.round(n × holdoutRatio)`, `n` counting every benchmark of the category
 *    (explicit ones included); explicit holdouts count toward the quota.
 * 3. The benchmarks without a split are ranked by `stableHash(seed + ":" + id)` (ties by id), and the first
 *    `quota − explicit holdouts` of them go to holdout, the rest to train.
 *
 * The result depends only on the ids, categories, explicit splits, ratio and seed: never on input order, time or
 * randomness. The output keeps the input order. Throws a `RangeError` (a defect) if the ratio is outside [0, 1].
 *
 * @category constructors
 */
export const assign = <B extends Benchmark>(
  benchmarks: ReadonlyArray<B>,
  options?: Partial<SplitOptions>
): ReadonlyArray<B & { readonly split: Split }> => {
  const { holdoutRatio, seed } = { ...defaultOptions, ...options }
  if (!(holdoutRatio >= 0 && holdoutRatio <= 1))
    throw new RangeError(`holdoutRatio must be in [0, 1], got ${holdoutRatio}`)
  // Indexes rather than objects: the same object may appear twice.
  const byCategory = new Map<string, Array<number>>()
  benchmarks.forEach((b, i) => byCategory.set(b.category, [...(byCategory.get(b.category) ?? []), i]))
  const holdout = new Set<number>()
  for (const members of byCategory.values()) {
    const quota = Math.round(members.length * holdoutRatio)
    const explicitHoldouts = members.filter((i) => benchmarks[i].split === "holdout").length
    const ranked = members
      .filter((i) => benchmarks[i].split === undefined)
      .map((i) => ({ i, id: benchmarks[i].id, rank: stableHash(`${seed}:${benchmarks[i].id}`) }))
      .sort((x, y) => compare(x.rank, y.rank) || compare(x.id, y.id))
    for (const { i } of ranked.slice(0, Math.max(0, quota - explicitHoldouts))) holdout.add(i)
  }
  return benchmarks.map((b, i) => ({ ...b, split: b.split ?? (holdout.has(i) ? "holdout" : "train") }))
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** Train/holdout totals, overall and per category (categories in order of first appearance). @category models */
export interface SplitCounts {
  readonly train: number
  readonly holdout: number
  readonly byCategory: Readonly<Record<string, { readonly train: number; readonly holdout: number }>>
}

/**
 * Counts benchmarks per split, overall and per category; pass the result of {@link assign}.
 *
 * @category constructors
 */
export const counts = (
  benchmarks: ReadonlyArray<Pick<Benchmark, "category"> & { readonly split: Split }>
): SplitCounts => {
  // A Map, not an object literal: a category may be called "__proto__".
  const byCategory = new Map<string, { train: number; holdout: number }>()
  let train = 0
  let holdout = 0
  for (const b of benchmarks) {
    const entry = byCategory.get(b.category) ?? { train: 0, holdout: 0 }
    byCategory.set(b.category, entry)
    entry[b.split]++
    if (b.split === "train") train++
    else holdout++
  }
  return { train, holdout, byCategory: Object.fromEntries(byCategory) }
}

declare const TrainSetBrand: unique symbol

/**
 * Benchmarks of the train split, and only those: the one input learning and fixing accept. Built only by
 * {@link trainSet}, so holdout benchmarks cannot reach a learner or fixer by mistake (the type says so, and the
 * constructor drops every benchmark whose split is not `train`).
 *
 * @category models
 */
export type TrainSet = ReadonlyArray<Benchmark & { readonly split: "train" }> & { readonly [TrainSetBrand]: true }

/**
 * The train benchmarks of a split (from {@link assign}, or benchmarks with explicit splits). Benchmarks without a
 * split are not train benchmarks: split first.
 *
 * @category constructors
 */
export const trainSet = (benchmarks: ReadonlyArray<Benchmark>): TrainSet =>
  benchmarks.filter((b): b is Benchmark & { readonly split: "train" } => b.split === "train") as unknown as TrainSet

/** What a command may score: one side of the split, or everything. @category models */
export type Selection = Split | "all"

/** The selections, for flags. @category configuration */
export const selections: ReadonlyArray<Selection> = ["all", "train", "holdout"]

/**
 * The benchmarks of one side of the split ({@link assign}: explicit splits, else the seeded one), or all of them.
 *
 * @category constructors
 */
export const select = <B extends Benchmark>(benchmarks: ReadonlyArray<B>, selection: Selection): ReadonlyArray<B> =>
  selection === "all" ? benchmarks : assign(benchmarks).filter((b) => b.split === selection)
