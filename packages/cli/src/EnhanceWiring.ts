/**
 * Wiring of the enhancement commands (`enhance`, `promote`, `rollback`, `history`): which layers
 * they run on. Kept in one place so the composition root can take it over.
 */
import {
  Benchmark,
  BenchmarkSplit,
  Enhance,
  Errors,
  HistoryStore,
  Issue,
  Promotion,
  Stages
} from "@genie-enhancer/core"
import { ProfileLoader } from "@genie-enhancer/core"
import type { EnhanceErrors, RunStore, Safety } from "@genie-enhancer/core"
import { HistoryDb } from "@genie-enhancer/history"
import { Reports } from "@genie-enhancer/report"
import { Effect } from "effect"
import type { TargetInfo } from "./WorkspaceTarget.js"

/** A missing flag. */
export const usage = (flag: string, message: string) =>
  new Errors.ConfigInvalid({ source: flag, issues: [Issue.error("Required", "$", message)] })

/** The history database of a runs directory. */
export const historyLayer = (runsDir: string) => HistoryDb.layer(HistoryDb.fileIn(runsDir))

/**
 * The space's own SQL warehouse, for a run with none configured (as `score`'s preflight falls back to it); a space
 * that names none is a usage error.
 */
export const spaceWarehouse = (spaceId: string) =>
  Effect.gen(function* () {
    const space = yield* Effect.flatMap(Stages.SpaceStore, (store) => store.get(spaceId))
    if (space.warehouseId === "") {
      return yield* usage(
        "--warehouse-id",
        `a SQL warehouse is required: none is configured and space ${spaceId} names none (set --warehouse-id or DATABRICKS_WAREHOUSE_ID)`
      )
    }
    return space.warehouseId
  })

/**
 * The profile override that makes a run use the space's own warehouse: every stage that runs SQL (preflight,
 * scoring, the learner's catalog queries, plan validation) is built with the configured warehouse, so `enhance`
 * builds its services again with this one when {@link runEnhance} answers `NeedsWarehouse`.
 */
export const warehouseOverride = (spaceId: string, warehouseId: string): ProfileLoader.Override => ({
  path: ["workspace", "warehouseId"],
  value: warehouseId,
  source: `the SQL warehouse of space ${spaceId}`
})

/**
 * `enhance`: runs (or resumes) the loop, promotes when asked and allowed, then writes `report.html` and `report.md`
 * into the run directory (a report that cannot be written does not fail the run: `reportNote` says why). With no
 * SQL warehouse configured it runs nothing and answers the space's own (`NeedsWarehouse`): run it again with
 * {@link warehouseOverride}.
 */
export const runEnhance = (options: {
  readonly info: TargetInfo
  readonly resolved: ProfileLoader.ResolvedProfile
  readonly space: string | undefined
  readonly benchmarks: string | undefined
  readonly promote: boolean
  readonly keep: boolean
  readonly resume: string | undefined
  readonly say: (message: string) => Effect.Effect<void>
}) =>
  Effect.gen(function* () {
    const { info, resolved } = options
    const profile = resolved.profile
    const benchmarksFile = options.benchmarks
    if (benchmarksFile === undefined) {
      return yield* usage("--benchmarks", "a benchmark file is required with the databricks target")
    }
    const spaceId = options.space ?? info.spaceIds?.[0]
    if (spaceId === undefined) return yield* usage("--space", "a space id is required with the databricks target")
    if (info.warehouseId === undefined) {
      return { _tag: "NeedsWarehouse" as const, spaceId, warehouseId: yield* spaceWarehouse(spaceId) }
    }
    const file = yield* Benchmark.load(benchmarksFile)
    const outcome = yield* Effect.scoped(
      Enhance.run({
        productionSpaceId: spaceId,
        benchmarks: BenchmarkSplit.assign(file.benchmarks),
        benchmarksFile,
        loop: profile.loop,
        profile: resolved.name,
        scorer: profile.scorer.plugin,
        target: info.target === "local" ? "local" : info.host,
        warehouseId: info.warehouseId,
        keep: options.keep,
        ...(options.resume === undefined ? {} : { resume: options.resume }),
        onProgress: options.say
      })
    )
    const promotion = options.promote && outcome.promotable.allowed ? yield* promote(outcome) : undefined
    const reportNote = yield* Reports.writeRunReportsNote(outcome.dir, {
      sendRows: profile.evaluate.sendRows,
      ...(promotion === undefined ? {} : { promotion: { promoted: promotion.promoted, reason: promotion.reason } })
    })
    return { _tag: "Ran" as const, outcome, promotion, reportNote }
    // The composition provides plan validation (with the profile's decorators and train-leakage guard).
  }).pipe(Effect.provide(historyLayer(options.resolved.profile.runs.dir)))

/** Promotes a finished run's best configuration (needs the history and the space store). */
const promote = (outcome: Enhance.Outcome) =>
  Effect.gen(function* () {
    const promoter = yield* Stages.Promoter
    const history = yield* HistoryStore.HistoryStore
    const result = yield* promoter.promote({
      targetSpaceId: outcome.productionSpaceId,
      base: outcome.baseSpace,
      candidate: outcome.bestSpace,
      runId: outcome.runId
    })
    const run = yield* history.run(outcome.runId)
    if (run._tag === "Some" && result.promotedSnapshotId !== undefined) {
      yield* history.upsertRun({ ...run.value, promotedSnapshotId: result.promotedSnapshotId })
    }
    return result
  }).pipe(Effect.provide(Promotion.layer))

/** `promote --run <id>`: the run's summary, its gates, then the promotion. */
export const runPromote = (options: {
  readonly resolved: ProfileLoader.ResolvedProfile
  readonly runId: string
  readonly force: boolean
}) =>
  Effect.gen(function* () {
    const outcome = yield* Enhance.readOutcome(options.runId)
    if (!outcome.promotable.allowed && !options.force) {
      return yield* new Stages.PromotionRefused({
        spaceId: outcome.productionSpaceId,
        message: `run ${options.runId} cannot be promoted: ${outcome.promotable.reason} (--force to promote anyway)`
      })
    }
    return yield* promote(outcome)
  }).pipe(Effect.provide(historyLayer(options.resolved.profile.runs.dir)))

/**
 * Said by `promote` and `rollback` on the local target: its emulator lives only as long as the command, so what
 * they wrote to the space is gone when they end (their snapshots stay in the history).
 */
export const localIsThrowaway = (what: "promotion" | "rollback") =>
  `the local target's emulator served this ${what} and stopped with the command: the space's change is not kept ` +
  "(its snapshots are in the history). To keep changes, run `genie-enhancer emulator start` and use --target databricks."

/** `rollback --space <id> [--to <snapshot>]`. */
export const runRollback = (options: {
  readonly resolved: ProfileLoader.ResolvedProfile
  readonly spaceId: string
  readonly to: string | undefined
}) =>
  Effect.flatMap(Stages.Promoter, (p) => p.rollback(options.spaceId, options.to)).pipe(
    Effect.provide(Promotion.layer),
    Effect.provide(historyLayer(options.resolved.profile.runs.dir))
  )

/** Failures these programs may end with, besides the workspace's and the history's (named for declarations). */
export type EnhanceFailure =
  EnhanceErrors.PreflightFailed | EnhanceErrors.ResumeRefused | RunStore.RunStoreError | Safety.CallTimeout

/** `history …`: runs a program on the history of the profile's runs directory (no workspace needed). */
export const withHistory = <A, E>(
  options: { readonly profile: string | undefined; readonly configDir: string },
  program: (history: HistoryStore.HistoryStore["Type"]) => Effect.Effect<A, E>
) =>
  Effect.gen(function* () {
    const resolved = yield* ProfileLoader.resolve({
      ...(options.profile === undefined ? {} : { profile: options.profile }),
      configDir: options.configDir,
      env: process.env
    })
    return yield* Effect.flatMap(HistoryStore.HistoryStore, program).pipe(
      Effect.provide(historyLayer(resolved.profile.runs.dir))
    )
  })
