import { Schema } from "effect"

/**
 * A stage could not produce its output. `retryable` tells the safety layer whether another attempt may help.
 *
 * @category errors
 */
export class StageFailed extends Schema.TaggedError<StageFailed>()("StageFailed", {
  stage: Schema.String,
  message: Schema.String,
  retryable: Schema.Boolean
}) {}
