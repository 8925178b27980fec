/**
 * The built-in `Promoter`: production is written only here, always after a snapshot and always with its etag.
 *
 * **Details**
 * `promote` reads production (configuration and etag) and saves it as a `before-promote` snapshot. If production
 * still equals the run's base, the candidate is written as is; otherwise the candidate is merged three ways
 * (base = production at the start, ours = candidate, theirs = production now, see `SpaceMerge`) and conflicts abort
 * with a report before anything is written. The update carries the etag just read, so an edit landing between the
 * read and the write fails the promotion (reason `Conflict`) instead of being overwritten. `rollback` is the same
 * guarded write of a snapshot, after saving production as a `before-rollback` snapshot.
 */
import { Effect, Layer, Option } from "effect"
import type { SerializedSpace } from "../../model/Space.js"
import { diff } from "../../model/SpaceDiff.js"
import { HistoryStore, newSnapshotId, nowIso } from "../../runs/HistoryStore.js"
import { SpaceStore } from "../../workspace/SpaceStore.js"
import type { PromotionInput } from "./Promoter.js"
import { Promoter, PromotionConflict, PromotionRefused, PromotionResult, RollbackResult } from "./Promoter.js"
import { formatConflicts, merge } from "./SpaceMerge.js"

const make = Effect.gen(function* () {
  const store = yield* SpaceStore
  const history = yield* HistoryStore

  const snapshot = (spaceId: string, kind: string, space: SerializedSpace, etag?: string, runId?: string) =>
    Effect.gen(function* () {
      const snapshotId = yield* newSnapshotId(spaceId)
      yield* history.saveSnapshot({
        snapshotId,
        spaceId,
        kind,
        takenAt: yield* nowIso,
        space,
        ...(etag === undefined ? {} : { etag }),
        ...(runId === undefined ? {} : { runId })
      })
      return snapshotId
    })

  const current = (spaceId: string) =>
    Effect.flatMap(store.get(spaceId), (got) =>
      got.space === undefined
        ? Effect.fail(
            new PromotionRefused({ spaceId, message: `space ${spaceId} returned no configuration (needs CAN EDIT)` })
          )
        : Effect.succeed({ ...got, space: got.space })
    )

  const promote = Effect.fn("Promoter.promote")(function* (input: PromotionInput) {
    const spaceId = input.targetSpaceId
    const now = yield* current(spaceId)
    const changed = !diff(input.base, now.space).identical
    let target: SerializedSpace = input.candidate
    let theirsChanged: ReadonlyArray<string> = []
    if (changed) {
      const merged = merge(input.base, input.candidate, now.space)
      if (merged._tag === "Conflicts") {
        return yield* new PromotionConflict({
          spaceId,
          paths: merged.conflicts.map((c) => c.path),
          report: formatConflicts(merged.conflicts),
          message:
            `production space ${spaceId} changed during the run in ${merged.conflicts.length} place` +
            `${merged.conflicts.length === 1 ? "" : "s"} the enhancement also changed; nothing was written:\n` +
            formatConflicts(merged.conflicts)
        })
      }
      target = merged.space
      theirsChanged = merged.theirsChanged
    }
    if (diff(now.space, target).identical) {
      return new PromotionResult({
        promoted: false,
        targetSpaceId: spaceId,
        merged: changed,
        theirsChanged,
        ...(now.etag === undefined ? {} : { etag: now.etag }),
        reason: "production already has this configuration; nothing to write"
      })
    }
    if (input.dryRun === true) {
      return new PromotionResult({
        promoted: false,
        targetSpaceId: spaceId,
        merged: changed,
        theirsChanged,
        reason: changed ? "dry run: would merge and write" : "dry run: would write"
      })
    }
    const snapshotId = yield* snapshot(spaceId, "before-promote", now.space, now.etag, input.runId)
    const written = yield* store.update(spaceId, target, now.etag === undefined ? {} : { etag: now.etag })
    const promotedSnapshotId = yield* snapshot(spaceId, "promoted", target, written.etag, input.runId)
    return new PromotionResult({
      promoted: true,
      targetSpaceId: spaceId,
      snapshotId,
      promotedSnapshotId,
      merged: changed,
      theirsChanged,
      ...(written.etag === undefined ? {} : { etag: written.etag }),
      reason: changed
        ? `promoted, merged with ${theirsChanged.length} change${theirsChanged.length === 1 ? "" : "s"} made to production during the run`
        : "promoted"
    })
  })

  const rollback = Effect.fn("Promoter.rollback")(function* (spaceId: string, snapshotId?: string) {
    const chosen =
      snapshotId === undefined
        ? Option.fromNullable((yield* history.snapshots(spaceId)).find((s) => s.kind === "before-promote"))
        : yield* history.snapshot(snapshotId)
    if (Option.isNone(chosen)) {
      return yield* new PromotionRefused({
        spaceId,
        message:
          snapshotId === undefined
            ? `no promotion of space ${spaceId} in the history (${history.location}); name a snapshot with --to`
            : `no snapshot ${snapshotId} in the history (${history.location})`
      })
    }
    if (chosen.value.spaceId !== spaceId) {
      return yield* new PromotionRefused({
        spaceId,
        message: `snapshot ${chosen.value.snapshotId} is of space ${chosen.value.spaceId}, not ${spaceId}`
      })
    }
    const now = yield* current(spaceId)
    const beforeSnapshotId = yield* snapshot(spaceId, "before-rollback", now.space, now.etag)
    const written = yield* store.update(spaceId, chosen.value.space, now.etag === undefined ? {} : { etag: now.etag })
    yield* snapshot(spaceId, "rolled-back", chosen.value.space, written.etag)
    return new RollbackResult({
      spaceId,
      restoredSnapshotId: chosen.value.snapshotId,
      beforeSnapshotId,
      ...(written.etag === undefined ? {} : { etag: written.etag })
    })
  })

  return Promoter.of({ promote, rollback })
})

/**
 * The promoter over the workspace's spaces and the run history.
 *
 * @category layers
 */
export const layer: Layer.Layer<Promoter, never, SpaceStore | HistoryStore> = Layer.effect(Promoter, make)
