/** learn-patterns: the stage contract and the pattern book it produces. */
import { Context, Schema } from "effect"
import type { Effect } from "effect"
import type { Benchmark } from "../../model/Benchmark.js"
import type { SerializedSpace } from "../../model/Space.js"
import type { StageFailed } from "../StageFailed.js"

/**
 * A domain pattern mined from the train split: a join, a measure, a filter, a vocabulary→column mapping or a date
 * convention, with the benchmarks that support it.
 *
 * @category models
 */
export class Pattern extends Schema.Class<Pattern>("Pattern")({
  kind: Schema.Literal("join", "measure", "filter", "vocabulary", "date-convention"),
  description: Schema.String,
  sql: Schema.optional(Schema.String),
  supportingBenchmarkIds: Schema.Array(Schema.String)
}) {}

/** @category models */
export class PatternBook extends Schema.Class<PatternBook>("PatternBook")({
  patterns: Schema.Array(Pattern)
}) {}

/** learn-patterns: mine the train split for domain patterns. @category services */
export class PatternLearner extends Context.Tag("@genie-enhancer/core/PatternLearner")<
  PatternLearner,
  {
    readonly learn: (train: ReadonlyArray<Benchmark>, space: SerializedSpace) => Effect.Effect<PatternBook, StageFailed>
  }
>() {}
