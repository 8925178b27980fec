/**
 * The `sql-grounded` pattern learner (the default): mines joins, measures, filters, expressions, vocabulary,
 * values, date conventions and query shapes from the **train** benchmarks' expected SQL (parsed with
 * `@polyglot-sql/sdk`), their questions, the warehouse catalog and read-only profiling queries. Deterministic and
 * domain-agnostic: it reads benchmarks, never Genie's answers (verdicts only say which failures a pattern explains),
 * so simulator noise cannot change what it learns.
 */
import { Effect, Layer } from "effect"
import type { TrainSet } from "../../model/BenchmarkSplit.js"
import { definePlugin } from "../../plugins/Plugin.js"
import { Executor } from "../execute/Executor.js"
import { StageFailed } from "../StageFailed.js"
import * as Catalog from "./Catalog.js"
import * as Corpus from "./Corpus.js"
import * as Expressions from "./Expressions.js"
import * as Joins from "./Joins.js"
import * as Measures from "./Measures.js"
import type { Context, Options } from "./Mining.js"
import { defaultOptions } from "./Mining.js"
import type { LearnInput, PatternKind } from "./PatternLearner.js"
import { PatternBook, PatternKind as PatternKindSchema, PatternLearner } from "./PatternLearner.js"
import * as Predicates from "./Predicates.js"
import * as QueryShapes from "./QueryShapes.js"
import * as Vocabulary from "./Vocabulary.js"

export type { Options } from "./Mining.js"

// Patterns are listed in the order the kinds are declared.
const kindOrder: ReadonlyArray<PatternKind> = PatternKindSchema.literals

/**
 * Refuses anything but train benchmarks at the boundary, whatever the caller's types said (a `TrainSet` built by
 * a cast, or JavaScript callers).
 */
const ensureTrain = (train: TrainSet) => {
  const leaked = train.filter((b) => (b as { readonly split?: string }).split !== "train")
  return leaked.length === 0
    ? Effect.void
    : Effect.fail(
        new StageFailed({
          stage: "learn-patterns",
          message: `holdout benchmarks cannot be learnt from: ${leaked.map((b) => b.id).join(", ")} (split ${leaked.map((b) => b.split ?? "none").join(", ")})`,
          retryable: false
        })
      )
}

/** Tables a query counts the rows of on its own (`SELECT COUNT(*) FROM t`). */
const countedTables = (corpus: Corpus.Corpus): ReadonlyArray<string> => [
  ...new Set(
    corpus.items.flatMap((i) =>
      Object.values(i.tables).length === 1 && i.measures.some((m) => m.columns.length === 0)
        ? Object.values(i.tables)
        : []
    )
  )
]

/**
 * Learns a pattern book with the given executor (catalog and profiling queries).
 *
 * @category constructors
 */
export const learn = (executor: Executor["Type"], input: LearnInput, options: Partial<Options> = {}) =>
  Effect.gen(function* () {
    yield* ensureTrain(input.train)
    const opts: Options = { ...defaultOptions, ...options }
    const parsed = Corpus.parse(input.train)
    const fromSql = parsed.flatMap((p) => (p.analysis._tag === "Analyzed" ? p.analysis.facts.tables : []))
    const fromSpace = (input.space.data_sources?.tables ?? []).map((t) => t.identifier.toLowerCase())
    const catalog = yield* Catalog.describe(executor, [...fromSpace, ...fromSql])
    const corpus = Corpus.make(parsed, catalog)
    const trainIds = new Set(input.train.map((b) => b.id))
    const failures = new Map(
      (input.results ?? [])
        .filter((r) => trainIds.has(r.benchmarkId) && r.verdict.outcome !== "pass" && r.verdict.outcome !== "excluded")
        .map((r) => [r.benchmarkId, r] as const)
    )
    const ctx: Context = { corpus, catalog, space: input.space, failures, options: opts }
    const joins = yield* Joins.mine(ctx, executor)
    const measures = Measures.mine(ctx, yield* Catalog.keys(executor, catalog, countedTables(corpus)))
    const filters = Predicates.mineFilters(ctx, measures)
    const expressions = Expressions.mine(ctx)
    const vocabulary = Vocabulary.mine(ctx, measures, expressions, filters)
    const values = yield* Predicates.mineValues(ctx, executor)
    const dates = Predicates.mineDateConventions(ctx)
    const shapes = QueryShapes.mine(ctx, measures, (item) =>
      Vocabulary.explainedIndexes(ctx, item, measures, expressions, filters)
    )
    const patterns = [
      ...joins,
      ...measures,
      ...filters,
      ...expressions,
      ...vocabulary,
      ...values,
      ...dates,
      ...shapes
    ].sort((a, b) => kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    return new PatternBook({
      learner: "sql-grounded",
      trainBenchmarkIds: input.train.map((b) => b.id),
      patterns
    })
  }).pipe(
    Effect.catchAllDefect((defect) =>
      Effect.fail(
        new StageFailed({
          stage: "learn-patterns",
          message: `the sql-grounded learner failed: ${defect instanceof Error ? defect.message : String(defect)}`,
          retryable: false
        })
      )
    ),
    Effect.withSpan("SqlGroundedLearner.learn")
  )

/**
 * The `sql-grounded` learner as a `PatternLearner`; needs an `Executor` for the catalog and profiling queries.
 *
 * @category layers
 */
export const layer = (options: Partial<Options> = {}): Layer.Layer<PatternLearner, never, Executor> =>
  Layer.effect(
    PatternLearner,
    Effect.map(Executor, (executor) => PatternLearner.of({ learn: (input) => learn(executor, input, options) }))
  )

/** JSON Schema of the learner's options (`learn.options`). @category configuration */
export const optionsSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    maxCategoricalValues: {
      type: "integer",
      minimum: 1,
      description: "Distinct values up to which a string column is categorical."
    },
    sampleValues: { type: "integer", minimum: 1, description: "Distinct values read per categorical column." },
    minPrecision: {
      type: "number",
      minimum: 0,
      maximum: 1,
      description: "Share of a phrase's questions that must use an element."
    }
  }
} as const

/**
 * The plugin manifest of the built-in learner.
 *
 * @category layers
 */
export const plugin = definePlugin({
  id: "sql-grounded",
  version: "1.0.0",
  kind: "pattern-learner",
  description:
    "Mines joins, measures, filters, expressions, vocabulary, values, date conventions and query shapes from train SQL.",
  optionsSchema,
  layer: (options: Partial<Options>) => layer(options)
})
