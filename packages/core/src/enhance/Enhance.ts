/**
 * The enhancement loop: from a production space and its benchmarks to a better configuration on a dev space, with
 * every decision recorded.
 *
 * **Details**
 * 1. Preflight: production is read (its configuration is the merge base of a later promotion); every expected SQL
 *    runs once and is cached in the run store (a failing or empty one excludes its benchmark, reported); two dev
 *    spaces are created from production's `serialized_space` (proving the workspace allows it), tracked by id.
 * 2. Baseline: train and holdout are scored on the dev *best* space (`loop.repeats` asks each).
 * 3. Iterations: learn (train only) → plan → validate → apply to the best configuration → write it to the dev
 *    *working* space → wait until the space serves it → rescore train on it (the most informative questions first,
 *    in waves, stopping as soon as the paired outcomes can no longer make it acceptable: see `Rescore`) → accept
 *    (copy to the dev *best* space) or reject. A changed outcome is asked again on both spaces (a loss at once, gains
 *    at the end and only as many as acceptance needs). A rejected plan that broke benchmarks is bisected to find the
 *    harmful fixes; rejected fix ids are remembered and never proposed again.
 * 4. Stop on the target (train), `maxIterations`, a plateau, or a budget (Genie questions, LLM tokens or dollars,
 *    wall time); the reason is reported. The question budget holds: no question is started that would exceed it
 *    (the final holdout's questions are kept aside from the start, and a budget below the baseline fails the
 *    preflight).
 * 5. Final: the holdout is scored once on the best space. The holdout never accepts or rejects a fix; it gates
 *    promotion (`gates.holdoutMustNotDrop`).
 *
 * Dev spaces are trashed when the run ends, also on failure and interruption (scope finalizers), unless `keep`.
 * Everything is journaled (`Checkpoint`), so `resume` continues at the step the run reached.
 */
import { FileSystem, Path } from "@effect/platform"
import { Clock, Effect, Option, Ref, Schema, Stream } from "effect"
import type { Cause } from "effect"
import type { Benchmark } from "../model/Benchmark.js"
import { trainSet } from "../model/BenchmarkSplit.js"
import type { LoopSettings } from "../config/Profile.js"
import type { SerializedSpace } from "../model/Space.js"
import { diff } from "../model/SpaceDiff.js"
import type { BenchmarkResult } from "../model/Results.js"
import { UsageLedger } from "../llm/UsageLedger.js"
import type { Report as UsageReport } from "../llm/UsageLedger.js"
import { HistoryStore, newSnapshotId, nowIso } from "../runs/HistoryStore.js"
import type { HistoryStoreError } from "../runs/HistoryStore.js"
import type { FixRecord, ResultRecord, RunRecord } from "../runs/HistoryStore.js"
import { RunStore, RunStoreError } from "../runs/RunStore.js"
import { Safety } from "../safety/Safety.js"
import { PlanValidator } from "../stages/apply/PlanValidator.js"
import { Asker } from "../stages/ask/Asker.js"
import { Executor } from "../stages/execute/Executor.js"
import type { Fix, RejectedFix } from "../stages/fix/Fixer.js"
import { Fixer, Plan } from "../stages/fix/Fixer.js"
import { PatternBook, PatternLearner } from "../stages/learn-patterns/PatternLearner.js"
import { Scorer } from "../stages/score/Scorer.js"
import { SpaceStore } from "../workspace/SpaceStore.js"
import type { SpaceStoreError, StoredSpace } from "../workspace/SpaceStore.js"
import * as Acceptance from "./Acceptance.js"
import * as Checkpoint from "./Checkpoint.js"
import { ApplyFailed as ApplyFailedError, PreflightFailed, ResumeRefused } from "./EnhanceErrors.js"
import type { ApplyFailed, SpaceNotReady } from "./EnhanceErrors.js"
import * as Readiness from "./Readiness.js"
import * as Rescore from "./Rescore.js"
import * as PlanApply from "../stages/apply/PlanApply.js"

/**
 * The apply stage's `PlanApply.apply` as an `ApplyPlan` (a thrown error becomes `ApplyFailed`).
 *
 * @category constructors
 */
export const defaultApply: ApplyPlan = (space, plan) =>
  Effect.try({
    try: () => PlanApply.apply(space, plan),
    catch: (e) => new ApplyFailedError({ message: e instanceof Error ? e.message : String(e) })
  })

/**
 * Applies a plan to a configuration (pure; the apply stage's `PlanApply.apply`).
 *
 * @category models
 */
export type ApplyPlan = (space: SerializedSpace, plan: Plan) => Effect.Effect<SerializedSpace, ApplyFailed>

/**
 * What a run needs besides its services.
 *
 * @category models
 */
export interface Input {
  readonly productionSpaceId: string
  /** Benchmarks with their split assigned (`BenchmarkSplit.assign`). */
  readonly benchmarks: ReadonlyArray<Benchmark>
  readonly benchmarksFile: string
  readonly loop: LoopSettings
  /** Recorded with the run. */
  readonly profile: string
  readonly scorer: string
  /** `local` or the workspace host. */
  readonly target: string
  /** The SQL warehouse expected SQL runs on (and the key of its cache). */
  readonly warehouseId: string
  /** Default: the apply stage's pure `PlanApply.apply`. */
  readonly apply?: ApplyPlan
  /** Keep the dev spaces when the run ends. */
  readonly keep?: boolean
  /** Continue this run. */
  readonly resume?: string
  /** Progress lines for the user. */
  readonly onProgress?: (message: string) => Effect.Effect<void>
}

/** A score with its 95% Wilson interval, over benchmarks (each at its pass rate over repeats). @category models */
export interface ScoreCI {
  readonly score: number
  readonly low: number
  readonly high: number
  readonly n: number
}

/** One candidate tried. @category models */
export interface CandidateSummary {
  readonly iteration: number
  readonly candidate: string
  readonly fixIds: ReadonlyArray<string>
  readonly accepted: boolean
  readonly reason: string
  readonly pValue: number
  readonly gains: ReadonlyArray<string>
  readonly losses: ReadonlyArray<string>
  readonly genieQuestions: number
  readonly stoppedEarly: boolean
  /** Train score of the best configuration and of the candidate (absent when the candidate was not rescored). */
  readonly scoreBefore?: number
  readonly scoreAfter?: number
}

/** A fix and the decision about it. @category models */
export interface FixOutcome {
  readonly id: string
  readonly category: string
  readonly target: string
  readonly iteration: number
  readonly status: "accepted" | "rejected" | "invalid"
  readonly reason: string
}

/** Why the loop stopped. @category models */
export type StopReason =
  | "target"
  | "maxIterations"
  | "plateau"
  | "budget:genieQuestions"
  | "budget:llmTokens"
  | "budget:llmCostUsd"
  | "budget:wallSeconds"

/**
 * What a finished run reports.
 *
 * @category models
 */
export interface Outcome {
  readonly runId: string
  readonly dir: string
  readonly productionSpaceId: string
  readonly devSpaces: { readonly working: string; readonly best: string; readonly kept: boolean }
  readonly excluded: ReadonlyArray<{ readonly benchmarkId: string; readonly reason: string }>
  readonly baseline: { readonly train: ScoreCI; readonly holdout: ScoreCI }
  readonly best: { readonly train: ScoreCI; readonly holdout: ScoreCI }
  readonly candidates: ReadonlyArray<CandidateSummary>
  readonly fixes: ReadonlyArray<FixOutcome>
  readonly stopReason: StopReason
  readonly iterations: number
  /** The best configuration's train score after each iteration (`[0]`: after iteration 1). */
  readonly trainByIteration: ReadonlyArray<ScoreCI>
  readonly genieQuestions: {
    readonly total: number
    readonly baseline: number
    readonly iterations: ReadonlyArray<number>
    readonly final: number
    /** Questions of the iterations per accepted fix (null without accepted fixes). */
    readonly perAcceptedFix: number | null
  }
  /** Expected SQL run by this process (preflight only: scoring reads them from the cache). */
  readonly expectedSqlExecutions: number
  readonly holdoutDropped: boolean
  readonly promotable: { readonly allowed: boolean; readonly reason: string }
  readonly finishedAt: string
  /** From the start of the run (its first attempt, when resumed) to its end. */
  readonly wallMs: number
  /** Wall time per stage, in the order the stages first ran (this process's time: a resumed run counts its own). */
  readonly stageTimes: ReadonlyArray<{ readonly stage: string; readonly ms: number }>
  /** Language-model usage of this process, per stage (absent without a usage ledger). */
  readonly llm?: UsageReport
  readonly bestSpace: SerializedSpace
  readonly baseSpace: SerializedSpace
  readonly baseSnapshotId: string
}

// ---------------------------------------------------------------------------------------------------------------
// Recorded step values (the journal stores them encoded).

const StartStep = Schema.Struct({
  startedAt: Schema.String,
  startedMs: Schema.Number,
  title: Schema.String,
  warehouseId: Schema.String,
  etag: Schema.optionalWith(Schema.String, { exact: true }),
  space: Schema.Unknown,
  baseSnapshotId: Schema.String
})
const Excluded = Schema.Array(Schema.Struct({ benchmarkId: Schema.String, reason: Schema.String }))
const DevSpacesStep = Schema.Struct({ working: Schema.String, best: Schema.String })
const Validated = Schema.Struct({ plan: Plan })
const Candidate = Schema.Struct({ space: Schema.Unknown, error: Schema.optionalWith(Schema.String, { exact: true }) })
const Deployed = Schema.Struct({
  error: Schema.optionalWith(Schema.String, { exact: true }),
  canaryQuestions: Schema.Number
})
const Done = Schema.Struct({ ok: Schema.Boolean })

interface State {
  bestSpace: SerializedSpace
  /** Train tallies of the best configuration. */
  bestTallies: Map<string, Acceptance.Tally>
  bestResults: Map<string, BenchmarkResult>
  rejected: Set<string>
  candidates: Array<CandidateSummary>
  fixes: Array<FixOutcome>
  questions: number
  expectedExecutions: number
  /** What each dev space is known to hold (undefined: unknown, check before use). */
  deployed: Map<string, SerializedSpace | undefined>
}

const isOutcome = (r: BenchmarkResult) => r.verdict.outcome

/** What can fail inside an iteration. */
type TryError = RunStoreError | SpaceStoreError | SpaceNotReady | HistoryStoreError

/**
 * Runs (or resumes) an enhancement run.
 *
 * @category constructors
 */
export const run = Effect.fn("Enhance.run")(function* (input: Input) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const store = yield* SpaceStore
  const scorer = yield* Scorer
  const executor = yield* Executor
  const asker = yield* Asker
  const safety = yield* Safety
  const learner = yield* PatternLearner
  const fixer = yield* Fixer
  const validator = yield* PlanValidator
  const runs = yield* RunStore
  const history = yield* HistoryStore
  const ledger = yield* Effect.serviceOption(UsageLedger)
  const loop = input.loop
  const say = (message: string) => (input.onProgress === undefined ? Effect.void : input.onProgress(message))
  // Time per stage: `const t = yield* Clock.currentTimeMillis` before a stage, `yield* lap("stage", t)` after it.
  const stageMs = new Map<string, number>()
  const lap = (stage: string, since: number) =>
    Effect.map(Clock.currentTimeMillis, (now) => {
      stageMs.set(stage, (stageMs.get(stage) ?? 0) + now - since)
    })

  // --- the run directory and its journal --------------------------------------------------------------------
  const runId =
    input.resume === undefined
      ? (yield* runs.start({
          spaceId: input.productionSpaceId,
          benchmarksFile: input.benchmarksFile,
          profile: input.profile,
          scorer: input.scorer,
          target: input.target
        })).runId
      : input.resume
  if (input.resume !== undefined) {
    const earlier = yield* runs.read(input.resume)
    if (earlier.meta.spaceId !== input.productionSpaceId) {
      return yield* new ResumeRefused({
        runId,
        message: `run ${runId} enhanced space ${earlier.meta.spaceId}, not ${input.productionSpaceId}`
      })
    }
  }
  const dir = path.join(runs.dir, "runs", runId)
  const journal = yield* Checkpoint.open(dir)
  if (input.resume !== undefined) {
    if (Option.isNone(journal.recorded("start", StartStep))) {
      return yield* new ResumeRefused({ runId, message: `run ${runId} is not an enhancement run (no enhance.jsonl)` })
    }
    if (Option.isSome(journal.notes("finished"))) {
      return yield* new ResumeRefused({ runId, message: `run ${runId} already finished; start a new run` })
    }
  }

  // --- 1. preflight ---------------------------------------------------------------------------------------------
  const preflightStart = yield* Clock.currentTimeMillis
  const start = yield* journal.step(
    "start",
    StartStep,
    Effect.gen(function* () {
      const production = yield* store.get(input.productionSpaceId)
      if (production.space === undefined) {
        return yield* new PreflightFailed({
          message: `space ${input.productionSpaceId} returned no configuration (serialized_space needs CAN EDIT)`
        })
      }
      const baseSnapshotId = yield* newSnapshotId(input.productionSpaceId)
      const takenAt = yield* nowIso
      yield* history.saveSnapshot({
        snapshotId: baseSnapshotId,
        spaceId: input.productionSpaceId,
        runId,
        kind: "run-start",
        takenAt,
        space: production.space,
        ...(production.etag === undefined ? {} : { etag: production.etag })
      })
      return {
        startedAt: takenAt,
        startedMs: yield* Clock.currentTimeMillis,
        title: production.title,
        warehouseId: production.warehouseId,
        space: production.space,
        baseSnapshotId,
        ...(production.etag === undefined ? {} : { etag: production.etag })
      }
    })
  )
  const baseSpace = start.space as SerializedSpace
  const runRecord = (extra: Partial<RunRecord>): RunRecord => ({
    runId,
    kind: "enhance",
    spaceId: input.productionSpaceId,
    startedAt: start.startedAt,
    status: "running",
    profile: input.profile,
    benchmarksFile: input.benchmarksFile,
    target: input.target,
    genieQuestions: 0,
    fixesAccepted: 0,
    fixesRejected: 0,
    baseSnapshotId: start.baseSnapshotId,
    ...extra
  })
  yield* history.upsertRun(runRecord({}))

  const state: State = {
    bestSpace: baseSpace,
    bestTallies: new Map(),
    bestResults: new Map(),
    rejected: new Set(),
    candidates: [],
    fixes: [],
    questions: 0,
    expectedExecutions: 0,
    deployed: new Map()
  }
  // Questions of earlier attempts (resume): the answers they journaled.
  state.questions = Checkpoint.countScored(journal)
  const status = yield* Ref.make<Partial<RunRecord>>({})
  // The run's row says how it ended, also when it failed or was interrupted.
  yield* Effect.addFinalizer((exit) =>
    Effect.flatMap(Ref.get(status), (extra) =>
      extra.status === "finished"
        ? Effect.void
        : Effect.flatMap(nowIso, (finishedAt) =>
            history
              .upsertRun(
                runRecord({
                  ...extra,
                  finishedAt,
                  status: exit._tag === "Failure" && !isInterruptedOnly(exit.cause) ? "failed" : "interrupted",
                  genieQuestions: state.questions
                })
              )
              .pipe(Effect.ignore)
          )
    )
  )

  const excluded = yield* journal.step(
    "preflight",
    Excluded,
    Effect.gen(function* () {
      yield* say(`Preflight: running ${input.benchmarks.length} expected SQL queries once (cached for the run)`)
      return yield* Effect.forEach(
        input.benchmarks,
        (b) =>
          Effect.gen(function* () {
            const cached = yield* runs.cachedExpected(input.warehouseId, b.expected_sql)
            const result = Option.isSome(cached)
              ? Option.some(cached.value)
              : yield* safety.sql
                  .run(executor.execute(b.expected_sql, { trusted: true, warehouseId: input.warehouseId }))
                  .pipe(
                    Effect.tap((rs) =>
                      Effect.zipRight(
                        Effect.sync(() => state.expectedExecutions++),
                        runs.cacheExpected(input.warehouseId, b.expected_sql, rs)
                      )
                    ),
                    Effect.map(Option.some),
                    Effect.catchAll((e) =>
                      Effect.sync(() => {
                        state.expectedExecutions++
                        return Option.none<never>()
                      }).pipe(Effect.tap(() => say(`  excluded ${b.id}: the expected SQL failed: ${e.message}`)))
                    )
                  )
            if (Option.isNone(result)) return [{ benchmarkId: b.id, reason: "the expected SQL failed" }]
            if (result.value.rowCount === 0) return [{ benchmarkId: b.id, reason: "the expected SQL returns no rows" }]
            return []
          }),
        { concurrency: 4 }
      ).pipe(Effect.map((lists) => lists.flat()))
    })
  )
  yield* lap("preflight", preflightStart)
  const excludedIds = new Set(excluded.map((e) => e.benchmarkId))
  const usable = input.benchmarks.filter((b) => !excludedIds.has(b.id))
  const train = trainSet(usable)
  const holdout = usable.filter((b) => b.split === "holdout")
  if (train.length === 0) {
    return yield* new PreflightFailed({
      message: `no usable train benchmark (${excluded.length} excluded, ${holdout.length} holdout)`
    })
  }
  const baselineCost = (train.length + holdout.length) * loop.repeats
  if (loop.budget.genieQuestions !== undefined && baselineCost > loop.budget.genieQuestions) {
    return yield* new PreflightFailed({
      message: `loop.budget.genieQuestions (${loop.budget.genieQuestions}) does not cover the baseline: ${train.length} train and ${holdout.length} holdout benchmarks × ${loop.repeats} repeat(s) = ${baselineCost} questions`
    })
  }

  // --- dev spaces ---------------------------------------------------------------------------------------------
  const devStart = yield* Clock.currentTimeMillis
  const createDev = (role: "working" | "best") =>
    store.create({
      title: `${start.title} [genie-enhancer ${role} ${runId}]`,
      description: `Dev ${role} space of genie-enhancer run ${runId} for space ${input.productionSpaceId}. Deleted when the run ends; \`genie-enhancer spaces cleanup\` removes leftovers.`,
      warehouseId: start.warehouseId,
      space: baseSpace
    })
  const recordedDev = Option.orElse(
    Option.flatMap(journal.notes("devSpaces"), (v) => Schema.decodeUnknownOption(DevSpacesStep)(v)),
    () => journal.recorded("devSpaces", DevSpacesStep)
  )
  const devSpaces = yield* Effect.acquireRelease(
    Effect.gen(function* () {
      if (Option.isSome(recordedDev)) {
        // Resume: reuse the dev spaces that still exist, recreate the others (their content is checked before use).
        const ids = { ...recordedDev.value }
        for (const role of ["working", "best"] as const) {
          const alive = yield* store.get(ids[role]).pipe(
            Effect.as(true),
            Effect.catchIf(
              (e) => e.reason === "NotFound",
              () => Effect.succeed(false)
            )
          )
          if (!alive) {
            ids[role] = (yield* createDev(role)).spaceId
            yield* say(`Recreated the dev ${role} space: ${ids[role]}`)
          }
          state.deployed.set(ids[role], undefined)
        }
        yield* journal.note("devSpaces", ids)
        return ids
      }
      const working = yield* createDev("working")
      yield* journal.note("devSpaces", { working: working.spaceId, best: "" })
      const best = yield* createDev("best").pipe(
        Effect.tapError(() => store.trash(working.spaceId).pipe(Effect.ignore))
      )
      const ids = yield* journal.step(
        "devSpaces",
        DevSpacesStep,
        Effect.succeed({ working: working.spaceId, best: best.spaceId })
      )
      yield* journal.note("devSpaces", ids)
      state.deployed.set(ids.working, baseSpace)
      state.deployed.set(ids.best, baseSpace)
      return ids
    }).pipe(
      Effect.mapError((e) =>
        e._tag === "SpaceStoreError"
          ? new PreflightFailed({
              message: `cannot create the dev spaces (does the workspace allow it?): ${e.message}`
            })
          : e
      )
    ),
    (ids) =>
      input.keep === true
        ? journal.note("devSpacesKept", ids).pipe(Effect.ignore)
        : Effect.forEach([ids.working, ids.best], (id) =>
            store.trash(id).pipe(
              Effect.catchIf(
                (e) => e.reason === "NotFound",
                () => Effect.void
              ),
              Effect.tapError((e) => say(`Could not trash dev space ${id}: ${e.message}`)),
              Effect.ignore
            )
          ).pipe(Effect.zipRight(journal.note("devSpacesTrashed", ids).pipe(Effect.ignore)))
  )
  yield* lap("dev spaces", devStart)
  yield* say(`Dev spaces: working ${devSpaces.working}, best ${devSpaces.best}`)
  yield* history.upsertRun(runRecord({ workingSpaceId: devSpaces.working, bestSpaceId: devSpaces.best }))
  yield* Ref.update(status, (s) => ({ ...s, workingSpaceId: devSpaces.working, bestSpaceId: devSpaces.best }))

  /**
   * Makes a dev space hold `space`: written (and waited for) only when it does not already. The canary question may
   * use `canaryQuestions` questions at most (the budget's share).
   */
  const ensureDeployed = (spaceId: string, space: SerializedSpace, canaryQuestions = Number.POSITIVE_INFINITY) =>
    Effect.gen(function* () {
      const known = state.deployed.get(spaceId)
      if (known !== undefined && diff(known, space).identical) return 0
      const current = yield* store.get(spaceId)
      if (current.space !== undefined && diff(current.space, space).identical) {
        state.deployed.set(spaceId, space)
        return 0
      }
      const written = yield* store.update(spaceId, space)
      const waited = yield* Readiness.waitUntilServed({
        spaceId,
        space,
        timeoutSeconds: loop.indexingWaitSeconds,
        ...(written.etag === undefined ? {} : { etag: written.etag }),
        ...(loop.canaryQuestion === undefined ? {} : { canaryQuestion: loop.canaryQuestion }),
        ...(Number.isFinite(canaryQuestions) ? { maxQuestions: canaryQuestions } : {}),
        onQuestion: Effect.sync(() => {
          state.questions++
        })
      }).pipe(Effect.provideService(SpaceStore, store), Effect.provideService(Asker, asker))
      state.deployed.set(spaceId, space)
      return waited.questions
    })

  // --- budgets --------------------------------------------------------------------------------------------------
  // Questions kept for the end: the final holdout, and a canary question for each write to the best space.
  const finalReserve = holdout.length * loop.repeats + (loop.canaryQuestion === undefined ? 0 : 1)
  /** Genie questions the iterations may still start (infinite without a question budget). */
  const questionsLeft = (): number =>
    loop.budget.genieQuestions === undefined
      ? Number.POSITIVE_INFINITY
      : loop.budget.genieQuestions - finalReserve - state.questions
  const budgetHit: Effect.Effect<Option.Option<StopReason>> = Effect.gen(function* () {
    const b = loop.budget
    if (questionsLeft() <= 0) return Option.some("budget:genieQuestions" as const)
    if (b.wallSeconds !== undefined) {
      const now = yield* Clock.currentTimeMillis
      if (now - start.startedMs >= b.wallSeconds * 1000) return Option.some("budget:wallSeconds" as const)
    }
    if (Option.isSome(ledger) && (b.llmTokens !== undefined || b.llmCostUsd !== undefined)) {
      const total = (yield* ledger.value.report).total
      if (b.llmTokens !== undefined && total.inputTokens + total.outputTokens >= b.llmTokens) {
        return Option.some("budget:llmTokens" as const)
      }
      if (b.llmCostUsd !== undefined && total.costUsd >= b.llmCostUsd) return Option.some("budget:llmCostUsd" as const)
    }
    return Option.none()
  })

  // --- scoring --------------------------------------------------------------------------------------------------
  const toRecords = (pass: string, spaceId: string, results: ReadonlyArray<{ r: BenchmarkResult; repeat: number }>) =>
    results.map(({ r, repeat }): ResultRecord => ({
      runId,
      pass,
      spaceId,
      benchmarkId: r.benchmarkId,
      split: input.benchmarks.find((b) => b.id === r.benchmarkId)?.split ?? "train",
      repeat,
      outcome: r.verdict.outcome,
      decidedBy: r.verdict.decidedBy,
      reasons: r.verdict.reasons,
      ...(r.failureCategory === undefined ? {} : { failureCategory: r.failureCategory }),
      ...(r.answer?.sql === undefined ? {} : { genieSql: r.answer.sql })
    }))

  /**
   * Scores benchmarks on a space once (one repeat), journaled under `pass`, until `onResult` says stop. With
   * `nextWave`, the benchmarks still to ask go out in waves of the size it answers (0: stop), each asked only once
   * the previous one's answers are in; without, all at once.
   */
  const scoreOnce = (
    pass: string,
    spaceId: string,
    benchmarks: ReadonlyArray<Benchmark>,
    onResult: (r: BenchmarkResult) => Effect.Effect<boolean, TryError>,
    nextWave?: (upcoming: ReadonlyArray<Benchmark>) => Effect.Effect<number>
  ) =>
    Effect.gen(function* () {
      const done = journal.scored(pass)
      for (const r of done) {
        if (yield* onResult(r)) return true
      }
      const skip = new Set(done.map((r) => r.benchmarkId))
      let todo = benchmarks.filter((b) => !skip.has(b.id))
      const stop = yield* Ref.make(false)
      while (todo.length > 0) {
        const size = nextWave === undefined ? todo.length : Math.min(todo.length, yield* nextWave(todo))
        if (size <= 0) return true
        const wave = todo.slice(0, size)
        todo = todo.slice(size)
        yield* scorer
          .score(wave, {
            spaceId,
            warehouseId: input.warehouseId,
            expectedCache: { warehouseId: input.warehouseId },
            onProgress: (event) => (event.stage === "asking" ? Effect.sync(() => state.questions++) : Effect.void)
          })
          .pipe(
            Stream.mapEffect((r) =>
              Effect.zipRight(
                journal.appendScored(pass, spaceId, r),
                Effect.flatMap(onResult(r), (s) => Ref.set(stop, s))
              )
            ),
            Stream.takeUntilEffect(() => Ref.get(stop)),
            Stream.runDrain
          )
        if (yield* Ref.get(stop)) return true
      }
      return false
    })

  /** Scores with repeats; returns per-benchmark tallies and results. */
  const scoreSplit = (pass: string, spaceId: string, benchmarks: ReadonlyArray<Benchmark>) =>
    Effect.gen(function* () {
      const before = state.questions
      const collected: Array<{ r: BenchmarkResult; repeat: number }> = []
      for (let repeat = 1; repeat <= loop.repeats; repeat++) {
        yield* scoreOnce(`${pass}/r${repeat}`, spaceId, benchmarks, (r) =>
          Effect.sync(() => {
            collected.push({ r, repeat })
            return false
          })
        )
      }
      yield* history.putResults(runId, pass, toRecords(pass, spaceId, collected))
      return {
        tallies: new Map(
          Acceptance.tally(collected.map(({ r }) => ({ benchmarkId: r.benchmarkId, outcome: isOutcome(r) })))
        ),
        results: new Map(collected.map(({ r }) => [r.benchmarkId, r])),
        questions: state.questions - before
      }
    })

  const ci = (tallies: ReadonlyMap<string, Acceptance.Tally>): ScoreCI => Acceptance.score(tallies.values())

  // --- 2. baseline ----------------------------------------------------------------------------------------------
  const questionsBeforeBaseline = state.questions
  yield* say(`Baseline: scoring ${train.length} train and ${holdout.length} holdout benchmarks (×${loop.repeats})`)
  const baselineStart = yield* Clock.currentTimeMillis
  const baselineTrain = yield* scoreSplit("baseline/train", devSpaces.best, train)
  const baselineHoldout = yield* scoreSplit("baseline/holdout", devSpaces.best, holdout)
  yield* lap("baseline", baselineStart)
  state.bestTallies = baselineTrain.tallies
  state.bestResults = baselineTrain.results
  const baselineQuestions = state.questions - questionsBeforeBaseline
  const baseline = { train: ci(baselineTrain.tallies), holdout: ci(baselineHoldout.tallies) }
  yield* say(
    `Baseline: train ${pct(baseline.train.score)} [${pct(baseline.train.low)}–${pct(baseline.train.high)}], holdout ${pct(baseline.holdout.score)}`
  )
  yield* history.upsertRun(
    runRecord({
      workingSpaceId: devSpaces.working,
      bestSpaceId: devSpaces.best,
      baselineTrain: baseline.train.score,
      baselineHoldout: baseline.holdout.score,
      genieQuestions: state.questions
    })
  )

  const settings: Acceptance.Settings = { acceptance: loop.acceptance, gates: loop.gates }
  const passing = (t: Acceptance.Tally | undefined) => t !== undefined && t.asked > 0 && t.passed * 2 > t.asked

  /** One extra ask of each benchmark on a space, journaled (asked at once); their results. */
  const confirm = (pass: string, spaceId: string, benchmarks: ReadonlyArray<Benchmark>) =>
    Effect.gen(function* () {
      const ids = new Set(benchmarks.map((b) => b.id))
      const got: Array<BenchmarkResult> = []
      yield* scoreOnce(pass, spaceId, benchmarks, (r) =>
        Effect.sync(() => {
          if (ids.has(r.benchmarkId)) got.push(r)
          return false
        })
      )
      return got
    })

  const recordFixes = (iteration: number, fixes: ReadonlyArray<Fix>, status: FixOutcome["status"], reason: string) =>
    Effect.gen(function* () {
      for (const f of fixes) {
        state.fixes.push({ id: f.id, category: f.category, target: f.target, iteration, status, reason })
        if (status !== "accepted") state.rejected.add(f.id)
      }
      yield* history.upsertFixes(
        fixes.map((f): FixRecord => ({
          runId,
          iteration,
          fixId: f.id,
          category: f.category,
          target: f.target,
          rationale: f.rationale,
          risk: f.risk,
          origin: f.origin,
          status,
          reason,
          change: f.change
        }))
      )
    })

  /** Tries a set of fixes on top of the best configuration; bisects a harmful set. Returns accepted fix count. */
  const tryFixes = (iteration: number, label: string, fixes: ReadonlyArray<Fix>): Effect.Effect<number, TryError> =>
    Effect.gen(function* () {
      const questionsAtStart = state.questions
      // A candidate needs one question at least, and its canary one more.
      const spent = Option.orElse(yield* budgetHit, () =>
        loop.canaryQuestion !== undefined && questionsLeft() < 2
          ? Option.some("budget:genieQuestions" as const)
          : Option.none()
      )
      if (Option.isSome(spent) && Option.isNone(journal.recorded(`${label}/decided`, Done))) {
        yield* recordFixes(iteration, fixes, "rejected", `not tried: ${spent.value} budget reached`)
        return 0
      }
      const plan = new Plan({ fixes, rejected: [] })
      const applyStart = yield* Clock.currentTimeMillis
      const candidate = yield* journal.step(
        `${label}/apply`,
        Candidate,
        (input.apply ?? defaultApply)(state.bestSpace, plan).pipe(
          Effect.map((space) => ({ space })),
          Effect.catchTag("ApplyFailed", (e) => Effect.succeed({ space: null, error: e.message }))
        )
      )
      yield* lap("apply", applyStart)
      const bisect = (why: string) =>
        Effect.gen(function* () {
          if (fixes.length <= 1) {
            yield* recordFixes(iteration, fixes, "rejected", why)
            return 0
          }
          if (Option.isSome(yield* budgetHit)) {
            yield* recordFixes(iteration, fixes, "rejected", `${why}; no budget left to bisect`)
            return 0
          }
          const half = Math.ceil(fixes.length / 2)
          yield* say(`  ${label}: bisecting ${fixes.length} fixes (${why})`)
          const left = yield* tryFixes(iteration, `${label}.a`, fixes.slice(0, half))
          const right = yield* tryFixes(iteration, `${label}.b`, fixes.slice(half))
          return left + right
        })
      const summary = (
        decision: Pick<CandidateSummary, "accepted" | "reason" | "pValue" | "gains" | "losses" | "stoppedEarly">,
        scores?: { readonly scoreBefore: number; readonly scoreAfter: number }
      ) =>
        Effect.gen(function* () {
          const c: CandidateSummary = {
            iteration,
            candidate: label,
            fixIds: fixes.map((f) => f.id),
            genieQuestions: state.questions - questionsAtStart,
            ...decision,
            ...scores
          }
          state.candidates.push(c)
          yield* history.upsertIteration({ runId, scoreBefore: 0, scoreAfter: 0, ...c })
          return c
        })
      if (candidate.error !== undefined || candidate.space === null) {
        yield* summary({
          accepted: false,
          reason: `apply failed: ${candidate.error}`,
          pValue: 1,
          gains: [],
          losses: [],
          stoppedEarly: false
        })
        return yield* bisect(`apply failed: ${candidate.error}`)
      }
      const candidateSpace = candidate.space as SerializedSpace
      const decidedKey = `${label}/decided`
      const deployStart = yield* Clock.currentTimeMillis
      if (Option.isNone(journal.recorded(decidedKey, Done))) {
        const deployed = yield* journal.step(
          `${label}/deploy`,
          Deployed,
          ensureDeployed(devSpaces.working, candidateSpace, questionsLeft() - 1).pipe(
            Effect.map((canaryQuestions): typeof Deployed.Type => ({ canaryQuestions })),
            Effect.catchTag("SpaceStoreError", (e) =>
              e.reason === "Invalid" || e.reason === "Conflict"
                ? Effect.succeed({ error: `the workspace rejected the update: ${e.message}`, canaryQuestions: 0 })
                : Effect.fail(e)
            ),
            Effect.catchTag("SpaceNotReady", (e) =>
              e.budget === true
                ? Effect.succeed({
                    error: `stopped: budget:genieQuestions budget reached (${e.message})`,
                    canaryQuestions: 0
                  })
                : Effect.fail(e)
            )
          )
        )
        if (deployed.error !== undefined) {
          yield* lap("deploy", deployStart)
          state.deployed.set(devSpaces.working, undefined)
          yield* summary({
            accepted: false,
            reason: deployed.error,
            pValue: 1,
            gains: [],
            losses: [],
            stoppedEarly: false
          })
          yield* journal.step(decidedKey, Done, Effect.succeed({ ok: false }))
          return yield* bisect(deployed.error)
        }
      }
      // The best space must hold the best configuration for the confirming asks.
      yield* ensureDeployed(devSpaces.best, state.bestSpace, questionsLeft() - 1)
      yield* lap("deploy", deployStart)

      // Rescore train on the candidate, the most informative questions first and in waves, so that it stops as soon
      // as the paired outcomes can no longer make it acceptable (Rescore); a question that would exceed the budget
      // is not sent.
      const order = Rescore.order(train, { passing: (id) => passing(state.bestTallies.get(id)), fixes })
      const after = new Map<string, Acceptance.Tally>()
      const before = new Map(state.bestTallies)
      const asks = new Map<string, number>()
      const confirmed = new Set<string>()
      /** Gains seen once on the last repeat and not confirmed yet (confirmed at the end, only as many as needed). */
      const unconfirmed: Array<Benchmark> = []
      const partial = (): ReadonlyArray<Acceptance.PartialPair> =>
        train.map((b) => ({
          benchmarkId: b.id,
          before: before.get(b.id) ?? { passed: 0, asked: 0 },
          after: after.get(b.id) ?? { passed: 0, asked: 0 },
          remainingAsks: Math.max(0, loop.repeats - (asks.get(b.id) ?? 0))
        }))
      const pairs = (): ReadonlyArray<Acceptance.Pair> => partial().map(({ remainingAsks: _, ...p }) => p)
      const add = (tallies: Map<string, Acceptance.Tally>, r: BenchmarkResult) => {
        const t = Acceptance.tally([{ benchmarkId: r.benchmarkId, outcome: isOutcome(r) }]).get(r.benchmarkId)
        const old = tallies.get(r.benchmarkId) ?? { passed: 0, asked: 0 }
        if (t !== undefined) tallies.set(r.benchmarkId, { passed: old.passed + t.passed, asked: old.asked + t.asked })
      }
      const collected: Array<{ r: BenchmarkResult; repeat: number }> = []
      const candidateResults = new Map<string, BenchmarkResult>()
      let stoppedEarly = false
      let budgetStop: Option.Option<StopReason> = Option.none()
      const byId = new Map(train.map((b) => [b.id, b]))
      const waveLimit = Math.max(1, safety.genie.concurrency)
      /** False (and `budgetStop` set) when a budget is spent or `questions` more would exceed the question budget. */
      const affordable = (questions: number) =>
        Effect.gen(function* () {
          const hit = yield* budgetHit
          if (Option.isNone(hit) && questionsLeft() >= questions) return true
          budgetStop = Option.some(Option.getOrElse(hit, () => "budget:genieQuestions" as const))
          return false
        })
      /**
       * Noise guard: each changed benchmark asked once more on both spaces (a change that does not repeat on both is
       * no evidence: the majority of two disagreeing asks is a tie). False when the budget cannot pay for it.
       */
      const confirmChanges = (benchmarks: ReadonlyArray<Benchmark>) =>
        Effect.gen(function* () {
          // What an earlier attempt of the run asked (resume) is replayed, not paid again.
          const cost = [`${label}/confirm-candidate`, `${label}/confirm-best`]
            .map((pass) => new Set(journal.scored(pass).map((r) => r.benchmarkId)))
            .reduce((n, done) => n + benchmarks.filter((b) => !done.has(b.id)).length, 0)
          if (cost > 0 && !(yield* affordable(cost))) return false
          benchmarks.forEach((b) => confirmed.add(b.id))
          const [again, onBest] = yield* Effect.all(
            [
              confirm(`${label}/confirm-candidate`, devSpaces.working, benchmarks),
              confirm(`${label}/confirm-best`, devSpaces.best, benchmarks)
            ],
            { concurrency: 2 }
          )
          again.forEach((r) => add(after, r))
          onBest.forEach((r) => add(before, r))
          return true
        })
      const rescoreStart = yield* Clock.currentTimeMillis
      for (let repeat = 1; repeat <= loop.repeats && !stoppedEarly; repeat++) {
        stoppedEarly = yield* scoreOnce(
          `${label}/candidate/r${repeat}`,
          devSpaces.working,
          order,
          (r) =>
            Effect.gen(function* () {
              collected.push({ r, repeat })
              candidateResults.set(r.benchmarkId, r)
              asks.set(r.benchmarkId, (asks.get(r.benchmarkId) ?? 0) + 1)
              add(after, r)
              const b = byId.get(r.benchmarkId)
              if (repeat === loop.repeats && b !== undefined && !confirmed.has(b.id)) {
                const pair = {
                  benchmarkId: b.id,
                  before: before.get(b.id) ?? { passed: 0, asked: 0 },
                  after: after.get(b.id) ?? { passed: 0, asked: 0 }
                }
                const d = Acceptance.discordant([pair], loop.acceptance.test)
                // A loss may end the candidate at once: confirmed now. A gain only matters if the candidate can
                // still be accepted: confirmed at the end, and only as many as acceptance needs.
                if (d.losses.length > 0) {
                  if (!(yield* confirmChanges([b]))) return true
                } else if (d.gains.length > 0 && !unconfirmed.includes(b)) unconfirmed.push(b)
              }
              // Time and LLM budgets stop a wave at once; the question budget is kept by the waves' sizes.
              const hit = yield* budgetHit
              if (Option.isSome(hit) && hit.value !== "budget:genieQuestions") {
                budgetStop = hit
                return true
              }
              return Acceptance.futile(partial(), settings)
            }),
          (upcoming) =>
            Effect.gen(function* () {
              if (!(yield* affordable(1))) return 0
              const limit = Math.min(waveLimit, questionsLeft())
              return Rescore.waveSize(
                partial(),
                upcoming.map((b) => b.id),
                settings,
                limit
              )
            })
        )
      }
      // Confirm gains, in waves, until the candidate is accepted even if every gain left unconfirmed were noise.
      while (!stoppedEarly) {
        const open = unconfirmed.filter((b) => !confirmed.has(b.id))
        if (open.length === 0 || !Acceptance.decide(pairs(), settings).accepted) break
        const needed = Rescore.gainsToConfirm(
          pairs(),
          open.map((b) => b.id),
          settings
        )
        if (needed === 0) break
        const size = Math.max(1, Math.min(needed, Math.floor(waveLimit / 2), Math.floor(questionsLeft() / 2)))
        if (!(yield* confirmChanges(open.slice(0, size)))) break
      }
      yield* lap("rescore", rescoreStart)
      yield* history.putResults(
        runId,
        `${label}/candidate`,
        toRecords(`${label}/candidate`, devSpaces.working, collected)
      )
      const complete = train.every((b) => (asks.get(b.id) ?? 0) >= loop.repeats) && Option.isNone(budgetStop)
      const full = Acceptance.decide(pairs(), settings)
      const decision: Acceptance.Decision = complete
        ? full
        : {
            ...full,
            accepted: false,
            reason: Option.isSome(budgetStop)
              ? `stopped: ${budgetStop.value} budget reached`
              : `stopped after ${collected.length} of ${train.length * loop.repeats} questions: even if every remaining answer passed, ${Acceptance.bestCase(partial(), settings).reason}`
          }
      // The best configuration's tallies gain the confirming asks either way.
      state.bestTallies = before
      const c = yield* summary(
        {
          accepted: decision.accepted,
          reason: decision.reason,
          pValue: decision.pValue,
          gains: decision.gains,
          losses: decision.losses,
          stoppedEarly: !complete
        },
        { scoreBefore: decision.scoreBefore, scoreAfter: decision.scoreAfter }
      )
      yield* say(
        `  ${label}: ${fixes.length} fix${fixes.length === 1 ? "" : "es"} ${decision.accepted ? "ACCEPTED" : "rejected"} — ${decision.reason} (${c.genieQuestions} questions)`
      )
      yield* journal.step(decidedKey, Done, Effect.succeed({ ok: decision.accepted }))
      if (decision.accepted) {
        state.bestSpace = candidateSpace
        state.bestTallies = after
        state.bestResults = new Map([...state.bestResults, ...candidateResults])
        const bestStart = yield* Clock.currentTimeMillis
        yield* journal.step(
          `${label}/promoted-to-best`,
          Done,
          Effect.as(ensureDeployed(devSpaces.best, candidateSpace, questionsLeft() + 1), { ok: true })
        )
        yield* lap("deploy", bestStart)
        yield* recordFixes(iteration, fixes, "accepted", decision.reason)
        return fixes.length
      }
      if (Option.isSome(budgetStop)) {
        yield* recordFixes(iteration, fixes, "rejected", decision.reason)
        return 0
      }
      // Broken benchmarks point at harmful fixes: find them. A plan that simply does not help is rejected whole.
      if (decision.losses.length > 0 && fixes.length > 1) return yield* bisect(decision.reason)
      yield* recordFixes(iteration, fixes, "rejected", decision.reason)
      return 0
    })

  // --- 3. iterate -----------------------------------------------------------------------------------------------
  const iterationQuestions: Array<number> = []
  const trainByIteration: Array<ScoreCI> = []
  let stopReason: StopReason = "maxIterations"
  let plateau = 0
  let iterations = 0
  for (let iteration = 1; iteration <= loop.maxIterations; iteration++) {
    const bestScore = ci(state.bestTallies).score
    if (bestScore >= loop.targetScore) {
      stopReason = "target"
      break
    }
    const budget = yield* budgetHit
    if (Option.isSome(budget)) {
      stopReason = budget.value
      break
    }
    iterations = iteration
    const questionsAtStart = state.questions
    yield* say(`Iteration ${iteration}: best train ${pct(bestScore)}`)
    const results = train.flatMap((b) => {
      const r = state.bestResults.get(b.id)
      return r === undefined ? [] : [r]
    })
    let t = yield* Clock.currentTimeMillis
    const patterns = yield* journal.step(
      `it${iteration}/learn`,
      PatternBook,
      learner.learn({ train, space: state.bestSpace, results })
    )
    yield* lap("learn", t)
    const failures = results.filter((r) => !passing(state.bestTallies.get(r.benchmarkId)))
    t = yield* Clock.currentTimeMillis
    const proposed = yield* journal.step(
      `it${iteration}/plan`,
      Plan,
      fixer.propose({ failures, patterns, space: state.bestSpace, train, excludeFixIds: new Set(state.rejected) })
    )
    yield* lap("plan", t)
    t = yield* Clock.currentTimeMillis
    const validated = yield* journal.step(
      `it${iteration}/validate`,
      Validated,
      Effect.map(validator.validate(proposed, { space: state.bestSpace, benchmarks: input.benchmarks }), (plan) => ({
        plan
      }))
    )
    yield* lap("validate", t)
    const invalid: ReadonlyArray<RejectedFix> = validated.plan.rejected
    for (const r of invalid) yield* recordFixes(iteration, [r.fix], "invalid", `${r.code}: ${r.reason}`)
    const fixes = validated.plan.fixes.filter((f) => !state.rejected.has(f.id))
    yield* say(
      `  plan: ${proposed.fixes.length} proposed, ${validated.plan.fixes.length} valid, ${invalid.length} rejected by validation`
    )
    const accepted = fixes.length === 0 ? 0 : yield* tryFixes(iteration, `${iteration}`, fixes)
    iterationQuestions.push(state.questions - questionsAtStart)
    trainByIteration.push(ci(state.bestTallies))
    yield* history.upsertRun(
      runRecord({
        workingSpaceId: devSpaces.working,
        bestSpaceId: devSpaces.best,
        baselineTrain: baseline.train.score,
        baselineHoldout: baseline.holdout.score,
        bestTrain: ci(state.bestTallies).score,
        genieQuestions: state.questions,
        fixesAccepted: state.fixes.filter((f) => f.status === "accepted").length,
        fixesRejected: state.fixes.filter((f) => f.status !== "accepted").length
      })
    )
    plateau = accepted > 0 ? 0 : plateau + 1
    if (plateau >= loop.plateauIterations) {
      stopReason = "plateau"
      break
    }
    if (iteration === loop.maxIterations) stopReason = "maxIterations"
  }
  if (ci(state.bestTallies).score >= loop.targetScore) stopReason = "target"
  yield* say(`Stopped: ${stopReason}`)

  // --- 5. final holdout on the best space, once -----------------------------------------------------------------
  const acceptedCount = state.fixes.filter((f) => f.status === "accepted").length
  const questionsBeforeFinal = state.questions
  const finalStart = yield* Clock.currentTimeMillis
  const finalHoldout =
    acceptedCount === 0
      ? baselineHoldout
      : yield* Effect.zipRight(
          ensureDeployed(devSpaces.best, state.bestSpace),
          scoreSplit("final/holdout", devSpaces.best, holdout)
        )
  if (acceptedCount > 0) yield* lap("final holdout", finalStart)
  const finalQuestions = state.questions - questionsBeforeFinal
  const holdoutPairs = holdout.map((b) => ({
    benchmarkId: b.id,
    before: baselineHoldout.tallies.get(b.id) ?? { passed: 0, asked: 0 },
    after: finalHoldout.tallies.get(b.id) ?? { passed: 0, asked: 0 }
  }))
  const holdoutChange = Acceptance.discordant(holdoutPairs, loop.acceptance.test)
  const holdoutDropped = holdoutChange.losses.length > holdoutChange.gains.length
  const best = { train: ci(state.bestTallies), holdout: ci(finalHoldout.tallies) }
  const promotable =
    acceptedCount === 0
      ? { allowed: false, reason: "no fix was accepted: nothing to promote" }
      : holdoutDropped && loop.gates.holdoutMustNotDrop
        ? {
            allowed: false,
            reason: `the holdout dropped (${holdoutChange.losses.length} benchmarks broke, ${holdoutChange.gains.length} fixed; gates.holdoutMustNotDrop)`
          }
        : { allowed: true, reason: "accepted fixes, holdout did not drop" }

  const bestSnapshotId = yield* newSnapshotId(devSpaces.best)
  yield* history.saveSnapshot({
    snapshotId: bestSnapshotId,
    spaceId: input.productionSpaceId,
    runId,
    kind: "best",
    takenAt: yield* nowIso,
    space: state.bestSpace
  })
  const rejectedCount = state.fixes.length - acceptedCount
  const finishedAt = yield* nowIso
  const finishedMs = yield* Clock.currentTimeMillis
  const finished: Partial<RunRecord> = {
    status: "finished",
    finishedAt,
    stopReason,
    workingSpaceId: devSpaces.working,
    bestSpaceId: devSpaces.best,
    baselineTrain: baseline.train.score,
    baselineHoldout: baseline.holdout.score,
    bestTrain: best.train.score,
    finalHoldout: best.holdout.score,
    genieQuestions: state.questions,
    fixesAccepted: acceptedCount,
    fixesRejected: rejectedCount
  }
  yield* history.upsertRun(runRecord(finished))
  yield* Ref.set(status, finished)
  const iterationTotal = iterationQuestions.reduce((a, b) => a + b, 0)
  const outcome: Outcome = {
    runId,
    dir,
    productionSpaceId: input.productionSpaceId,
    devSpaces: { ...devSpaces, kept: input.keep === true },
    excluded,
    baseline,
    best,
    candidates: state.candidates,
    fixes: state.fixes,
    stopReason,
    iterations,
    trainByIteration,
    genieQuestions: {
      total: state.questions,
      baseline: baselineQuestions,
      iterations: iterationQuestions,
      final: finalQuestions,
      perAcceptedFix: acceptedCount === 0 ? null : iterationTotal / acceptedCount
    },
    expectedSqlExecutions: state.expectedExecutions,
    holdoutDropped,
    promotable,
    finishedAt,
    wallMs: finishedMs - start.startedMs,
    stageTimes: [...stageMs].map(([stage, ms]) => ({ stage, ms })),
    ...(Option.isSome(ledger) ? { llm: yield* ledger.value.report } : {}),
    bestSpace: state.bestSpace,
    baseSpace,
    baseSnapshotId: start.baseSnapshotId
  }
  const summaryFile = path.join(dir, "enhance.json")
  yield* fs
    .writeFileString(summaryFile, `${JSON.stringify(outcome, null, 2)}\n`)
    .pipe(Effect.mapError((e) => new RunStoreError({ path: summaryFile, message: e.message })))
  yield* journal.note("finished", { stopReason })
  return outcome
})

const pct = (x: number) => `${(x * 100).toFixed(1)}%`

const isInterruptedOnly = (cause: Cause.Cause<unknown>): boolean =>
  cause._tag === "Interrupt" ||
  (cause._tag === "Sequential" || cause._tag === "Parallel"
    ? isInterruptedOnly(cause.left) && isInterruptedOnly(cause.right)
    : cause._tag === "Empty")

/**
 * Reads a finished run's summary (`enhance.json`).
 *
 * @category constructors
 */
export const readOutcome = Effect.fn("Enhance.readOutcome")(function* (runId: string) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const runs = yield* RunStore
  const file = path.join(runs.dir, "runs", runId, "enhance.json")
  const text = yield* fs
    .readFileString(file)
    .pipe(
      Effect.mapError(
        () => new RunStoreError({ path: file, message: `no finished enhancement run ${runId} (no enhance.json)` })
      )
    )
  return JSON.parse(text) as Outcome
})

/**
 * Dev spaces recorded by the runs under the run store that were neither trashed nor kept on purpose: leftovers of
 * runs that crashed before their finalizers ran.
 *
 * @category constructors
 */
export const leftoverDevSpaces = Effect.fn("Enhance.leftoverDevSpaces")(function* () {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const runs = yield* RunStore
  const ids = yield* runs.list
  const out: Array<{ readonly runId: string; readonly spaceIds: ReadonlyArray<string> }> = []
  for (const runId of ids) {
    const file = path.join(runs.dir, "runs", runId, "enhance.jsonl")
    if (!(yield* fs.exists(file).pipe(Effect.orElseSucceed(() => false)))) continue
    const lines = yield* Checkpoint.read(file)
    const created = new Set<string>()
    const gone = new Set<string>()
    for (const line of lines) {
      if (line._tag !== "Note") continue
      const value = line.value as { readonly working?: string; readonly best?: string }
      const both = [value.working, value.best].filter((x): x is string => typeof x === "string" && x !== "")
      if (line.key === "devSpaces") both.forEach((id) => created.add(id))
      if (line.key === "devSpacesTrashed" || line.key === "devSpacesKept") both.forEach((id) => gone.add(id))
    }
    const left = [...created].filter((id) => !gone.has(id))
    if (left.length > 0) out.push({ runId, spaceIds: left })
  }
  return out
})

/**
 * Records that dev spaces of a run were removed (by `spaces cleanup`).
 *
 * @category constructors
 */
export const markTrashed = (runId: string, spaceIds: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const runs = yield* RunStore
    const path = yield* Path.Path
    const journal = yield* Checkpoint.open(path.join(runs.dir, "runs", runId))
    yield* journal.note("devSpacesTrashed", { working: spaceIds[0] ?? "", best: spaceIds[1] ?? "" })
  }).pipe(Effect.scoped)

/** A stored space's configuration, or a preflight failure. @category constructors */
export const configurationOf = (stored: StoredSpace) =>
  stored.space === undefined
    ? Effect.fail(new PreflightFailed({ message: `space ${stored.spaceId} returned no configuration` }))
    : Effect.succeed(stored.space)
