/** fix: the stage contract and the plan of typed fixes it produces. */
import { Context, Schema } from "effect"
import type { Effect } from "effect"
import type { SerializedSpace } from "../../model/Space.js"
import type { BenchmarkResult } from "../../model/Results.js"
import type { PatternBook } from "../learn-patterns/PatternLearner.js"
import type { StageFailed } from "../StageFailed.js"

/**
 * The nine fix categories: one for the text instruction, then add and delete for join specs, SQL snippets,
 * column/table metadata and example queries.
 *
 * @category models
 */
export const FixCategory = Schema.Literal(
  "instruction-fix",
  "join-spec-add",
  "join-spec-delete",
  "sql-snippet-add",
  "sql-snippet-delete",
  "metadata-add",
  "metadata-delete",
  "example-query-add",
  "example-query-delete"
)
/** @category models */
export type FixCategory = typeof FixCategory.Type

/** A single proposed configuration change. @category models */
export class Fix extends Schema.Class<Fix>("Fix")({
  category: FixCategory,
  /** JSON path in the serialized space the change targets. */
  target: Schema.String,
  /** The new value for adds and instruction fixes; absent for deletes. */
  value: Schema.optional(Schema.Unknown),
  rationale: Schema.String,
  sourceBenchmarkIds: Schema.Array(Schema.String)
}) {}

/** @category models */
export class Plan extends Schema.Class<Plan>("Plan")({
  fixes: Schema.Array(Fix)
}) {}

/** fix: turn failures and patterns into a validated plan of configuration changes. @category services */
export class Fixer extends Context.Tag("@genie-enhancer/core/Fixer")<
  Fixer,
  {
    readonly propose: (
      failures: ReadonlyArray<BenchmarkResult>,
      patterns: PatternBook,
      space: SerializedSpace
    ) => Effect.Effect<Plan, StageFailed>
  }
>() {}
