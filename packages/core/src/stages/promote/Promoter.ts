/** promote: the stage contract. */
import { Context, Schema } from "effect"
import type { Effect } from "effect"
import type { StoredSpace } from "../../workspace/SpaceStore.js"
import type { StageFailed } from "../StageFailed.js"

/** @category models */
export class PromotionResult extends Schema.Class<PromotionResult>("PromotionResult")({
  promoted: Schema.Boolean,
  targetSpaceId: Schema.String,
  snapshotId: Schema.optional(Schema.String),
  reason: Schema.String
}) {}

/** How a candidate configuration may be promoted. @category models */
export interface PromotionPolicy {
  readonly minScore: number
  readonly requireHoldoutNotWorse: boolean
  readonly dryRun: boolean
}

/** promote: copy the winning dev configuration to production with a snapshot for rollback. @category services */
export class Promoter extends Context.Tag("@genie-enhancer/core/Promoter")<
  Promoter,
  {
    readonly promote: (
      candidate: StoredSpace,
      targetSpaceId: string,
      policy: PromotionPolicy
    ) => Effect.Effect<PromotionResult, StageFailed>
  }
>() {}
