/** promote: the stage contract — put an enhanced configuration into production safely, and take it back. */
import { Context, Schema } from "effect"
import type { Effect } from "effect"
import type { SerializedSpace } from "../../model/Space.js"
import type { HistoryStoreError } from "../../runs/HistoryStore.js"
import type { SpaceStoreError } from "../../workspace/SpaceStore.js"

/** @category models */
export class PromotionResult extends Schema.Class<PromotionResult>("PromotionResult")({
  promoted: Schema.Boolean,
  targetSpaceId: Schema.String,
  /** Production as it was just before the write: what `rollback` restores. */
  snapshotId: Schema.optional(Schema.String),
  /** Production after the write. */
  promotedSnapshotId: Schema.optional(Schema.String),
  /** Production changed during the run and the enhanced configuration was merged into it. */
  merged: Schema.Boolean,
  /** What production changed meanwhile (paths), kept by the merge. */
  theirsChanged: Schema.Array(Schema.String),
  etag: Schema.optional(Schema.String),
  reason: Schema.String
}) {}

/** @category models */
export class RollbackResult extends Schema.Class<RollbackResult>("RollbackResult")({
  spaceId: Schema.String,
  /** The snapshot restored. */
  restoredSnapshotId: Schema.String,
  /** Production just before the rollback (so a rollback can be rolled back). */
  beforeSnapshotId: Schema.String,
  etag: Schema.optional(Schema.String)
}) {}

/**
 * Both the run and someone else changed the same parts of production: nothing was written. `report` shows each
 * conflicting value on the three sides.
 *
 * @category errors
 */
export class PromotionConflict extends Schema.TaggedError<PromotionConflict>()("PromotionConflict", {
  spaceId: Schema.String,
  paths: Schema.Array(Schema.String),
  report: Schema.String,
  message: Schema.String
}) {}

/**
 * Promotion or rollback was refused before anything was written (a gate failed, no snapshot to restore).
 *
 * @category errors
 */
export class PromotionRefused extends Schema.TaggedError<PromotionRefused>()("PromotionRefused", {
  spaceId: Schema.String,
  message: Schema.String
}) {}

/**
 * What to promote: the enhanced configuration, and production as it was when the run started (the merge base).
 *
 * @category models
 */
export interface PromotionInput {
  readonly targetSpaceId: string
  readonly candidate: SerializedSpace
  /** Production's configuration when the run started. */
  readonly base: SerializedSpace
  readonly runId?: string
  /** Compute everything (snapshot, merge) but write nothing. */
  readonly dryRun?: boolean
}

/** What may go wrong in promotion and rollback. @category errors */
export type PromotionError = PromotionConflict | PromotionRefused | SpaceStoreError | HistoryStoreError

/**
 * promote: snapshot production, then update it with its etag (three-way merge when it changed since the run
 * started); rollback: restore a snapshot, etag-guarded.
 *
 * @category services
 */
export class Promoter extends Context.Tag("@genie-enhancer/core/Promoter")<
  Promoter,
  {
    readonly promote: (input: PromotionInput) => Effect.Effect<PromotionResult, PromotionError>
    /** Restores `snapshotId`, or the snapshot taken before the latest promotion of the space. */
    readonly rollback: (spaceId: string, snapshotId?: string) => Effect.Effect<RollbackResult, PromotionError>
  }
>() {}
