/** learn-patterns: the stage contract and the pattern book it produces. */
import { Context, Schema } from "effect"
import type { Effect } from "effect"
import type { TrainSet } from "../../model/BenchmarkSplit.js"
import type { BenchmarkResult } from "../../model/Results.js"
import type { SerializedSpace } from "../../model/Space.js"
import type { StageFailed } from "../StageFailed.js"

/**
 * The kinds of pattern a learner mines from the train split.
 *
 * @category models
 */
export const PatternKind = Schema.Literal(
  "join",
  "measure",
  "filter",
  "expression",
  "vocabulary",
  "value",
  "date-convention",
  "query-shape"
)
/** @category models */
export type PatternKind = typeof PatternKind.Type

/**
 * A domain pattern mined from the train split, with the benchmarks that support it. `details` holds the
 * kind-specific payload (a join's tables and condition, a measure's normalised expression, a word and the SQL
 * element it maps to, …); learners document its shape per kind.
 *
 * @category models
 */
export class Pattern extends Schema.Class<Pattern>("Pattern")({
  /** Stable id: the same pattern mined twice has the same id. */
  id: Schema.String,
  kind: PatternKind,
  description: Schema.String,
  sql: Schema.optional(Schema.String),
  details: Schema.optional(Schema.Unknown),
  /** Train benchmarks whose expected SQL (or question) shows the pattern. */
  supportingBenchmarkIds: Schema.Array(Schema.String),
  /** Failed train benchmarks the pattern would explain, when verdicts were given. */
  explainsFailures: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] })
}) {}

/** Everything learnt from one train split: serialisable, so it can be printed, stored and fed to fixers. @category models */
export class PatternBook extends Schema.Class<PatternBook>("PatternBook")({
  /** The learner that wrote it (`sql-grounded`, or a plugin's id). */
  learner: Schema.optionalWith(Schema.String, { default: () => "unknown" }),
  /** Ids of the train benchmarks it was learnt from. */
  trainBenchmarkIds: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  patterns: Schema.Array(Pattern)
}) {}

/**
 * What a learner reads: the train split only (a `TrainSet`, so holdout benchmarks cannot be passed in), the current
 * space, and optionally the results of a score run of those benchmarks (verdicts and diagnoses).
 *
 * @category models
 */
export interface LearnInput {
  readonly train: TrainSet
  readonly space: SerializedSpace
  readonly results?: ReadonlyArray<BenchmarkResult>
}

/**
 * learn-patterns: mine the train split for domain patterns. Implementations read the warehouse (catalog, read-only
 * profiling queries) through services resolved in their layer, never through the call.
 *
 * @category services
 */
export class PatternLearner extends Context.Tag("@genie-enhancer/core/PatternLearner")<
  PatternLearner,
  {
    readonly learn: (input: LearnInput) => Effect.Effect<PatternBook, StageFailed>
  }
>() {}
