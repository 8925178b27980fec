/** Errors of the enhancement loop. */
import { Schema } from "effect"

/**
 * An updated space did not serve its new configuration (etag and content), or did not answer the canary question,
 * within `loop.indexingWaitSeconds` (or within the questions `loop.budget.genieQuestions` left for the canary).
 *
 * @category errors
 */
export class SpaceNotReady extends Schema.TaggedError<SpaceNotReady>()("SpaceNotReady", {
  spaceId: Schema.String,
  waitedSeconds: Schema.Number,
  message: Schema.String,
  /** True when the canary used every question the run's budget left (not the deadline). */
  budget: Schema.optionalWith(Schema.Boolean, { exact: true })
}) {}

/**
 * The run cannot start: the production space or the benchmarks are not usable (every benchmark excluded, no train
 * benchmark, a space without configuration, dev spaces cannot be created).
 *
 * @category errors
 */
export class PreflightFailed extends Schema.TaggedError<PreflightFailed>()("PreflightFailed", {
  message: Schema.String
}) {}

/**
 * `--resume` names a run that cannot be continued (another space, not an enhancement run, already finished).
 *
 * @category errors
 */
export class ResumeRefused extends Schema.TaggedError<ResumeRefused>()("ResumeRefused", {
  runId: Schema.String,
  message: Schema.String
}) {}

/**
 * Applying a plan to a space failed (the pure apply refused the plan).
 *
 * @category errors
 */
export class ApplyFailed extends Schema.TaggedError<ApplyFailed>()("ApplyFailed", {
  message: Schema.String
}) {}
