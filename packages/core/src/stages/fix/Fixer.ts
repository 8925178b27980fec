/** fix: the stage contract and the plan of typed fixes it produces. */
import { Context, Schema } from "effect"
import type { Effect } from "effect"
import type { TrainSet } from "../../model/BenchmarkSplit.js"
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

/** How likely a fix is to break answers that work today. @category models */
export const FixRisk = Schema.Literal("low", "medium", "high")
/** @category models */
export type FixRisk = typeof FixRisk.Type

/**
 * A single proposed configuration change.
 *
 * **Details**
 * `id` is stable (derived from the category, target and change), so a fix rejected once is recognised when it is
 * proposed again. `change` is the category's typed payload (see the fix stage's README); `target` says in words or
 * as a path what it touches.
 *
 * @category models
 */
export class Fix extends Schema.Class<Fix>("Fix")({
  id: Schema.String,
  category: FixCategory,
  target: Schema.String,
  change: Schema.Unknown,
  rationale: Schema.String,
  /** Train benchmarks whose evidence supports the fix. */
  sourceBenchmarkIds: Schema.Array(Schema.String),
  /** Failed train benchmarks the fix is meant to repair. */
  targetsFailures: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  risk: Schema.optionalWith(FixRisk, { default: () => "low" as const }),
  /** The fixer that proposed it (`rules`, `llm`, a plugin id). */
  origin: Schema.optionalWith(Schema.String, { default: () => "unknown" })
}) {}

/** A fix that validation (or the workspace, or the loop) turned down, and why. @category models */
export class RejectedFix extends Schema.Class<RejectedFix>("RejectedFix")({
  fix: Fix,
  /** A short code (`UnknownColumn`, `WritesData`, `Leakage`, `Duplicate`, …) and a sentence. */
  code: Schema.String,
  reason: Schema.String
}) {}

/** @category models */
export class Plan extends Schema.Class<Plan>("Plan")({
  fixes: Schema.Array(Fix),
  /** Fixes the fixer or validation rejected, kept for the report. */
  rejected: Schema.optionalWith(Schema.Array(RejectedFix), { default: () => [] })
}) {}

/**
 * What a fixer reads: the failed (or all) train results, what was learnt, the space, the train split, and the ids of
 * fixes rejected earlier (not to be proposed again).
 *
 * @category models
 */
export interface FixInput {
  readonly failures: ReadonlyArray<BenchmarkResult>
  readonly patterns: PatternBook
  readonly space: SerializedSpace
  readonly train: TrainSet
  readonly excludeFixIds?: ReadonlySet<string>
  /** Fixes earlier fixers of the profile already proposed (`fix.fixers: [rules, llm]`): fill the rest. */
  readonly proposed?: ReadonlyArray<Fix>
}

/** fix: turn failures and patterns into a plan of configuration changes (validated separately). @category services */
export class Fixer extends Context.Tag("@genie-enhancer/core/Fixer")<
  Fixer,
  {
    readonly propose: (input: FixInput) => Effect.Effect<Plan, StageFailed>
  }
>() {}
