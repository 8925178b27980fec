import { assert, describe, it } from "@effect/vitest"
import { Enhance, HistoryStore, Promotion, SpaceDiff, Stages } from "@genie-enhancer/core"
import type { Space } from "@genie-enhancer/core"
import { Cause, Effect, Exit, Fiber, Layer, Option, Ref, Schedule } from "effect"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { HistoryDb } from "../src/index.js"
import * as Retail from "./support/retail.js"

const timeout = 120_000

const withEnv = <A, E>(
  options: Omit<Parameters<typeof Retail.environment>[0], "runsDir" | "history"> & { readonly runsDir?: string },
  body: (env: Retail.Environment) => Effect.Effect<A, E, Layer.Layer.Success<Retail.Environment["layer"]>>
) =>
  Effect.gen(function* () {
    const runsDir = options.runsDir ?? Retail.tempDir()
    const env = yield* Retail.environment({
      ...options,
      runsDir,
      history: HistoryDb.layer(HistoryDb.fileIn(runsDir)).pipe(Layer.orDie)
    })
    return yield* Effect.provide(body(env), env.layer)
  })

const spaceOf = (id: string) => Effect.flatMap(Stages.SpaceStore, (s) => s.get(id))
const alive = (id: string) =>
  Effect.flatMap(Stages.SpaceStore, (s) =>
    s.get(id).pipe(
      Effect.as(true),
      Effect.catchAll(() => Effect.succeed(false))
    )
  )

describe("enhance on the emulator (retail example)", () => {
  it.scopedLive(
    "improves the baseline on dev spaces; holdout only at baseline and final; no expected SQL re-run; cleans up",
    () =>
      withEnv({}, (env) =>
        Effect.gen(function* () {
          const benchmarks = yield* Retail.benchmarks
          const before = yield* spaceOf(Retail.baselineSpaceId)
          const outcome = yield* Effect.scoped(Enhance.run(Retail.input(benchmarks, { loop: { maxIterations: 2 } })))
          assert.isAbove(outcome.best.train.score, outcome.baseline.train.score + 0.2)
          assert.isAbove(outcome.best.holdout.score, outcome.baseline.holdout.score)
          assert.isTrue(outcome.fixes.some((f) => f.status === "accepted"))
          assert.isTrue(outcome.promotable.allowed)
          // Expected SQL ran once per benchmark, at preflight; scoring read the cache.
          const counters = yield* Retail.Counters
          assert.strictEqual(yield* Ref.get(counters.executed), benchmarks.length)
          assert.strictEqual(outcome.expectedSqlExecutions, benchmarks.length)
          // The holdout was scored exactly twice: baseline and final.
          const journal = readFileSync(join(outcome.dir, "enhance.jsonl"), "utf8")
          const passes = new Set(
            journal
              .trim()
              .split("\n")
              .map((l) => JSON.parse(l) as { _tag: string; pass?: string })
              .flatMap((l) => (l._tag === "Scored" && l.pass !== undefined ? [l.pass] : []))
          )
          assert.deepStrictEqual(
            [...passes].filter((p) => p.includes("holdout")),
            ["baseline/holdout/r1", "final/holdout/r1"]
          )
          // Genie questions: every one the emulator saw is accounted for.
          assert.strictEqual(outcome.genieQuestions.total, (yield* env.emulator.questions).length)
          // Production untouched; dev spaces gone.
          const after = yield* spaceOf(Retail.baselineSpaceId)
          assert.strictEqual(after.etag, before.etag)
          assert.isFalse(yield* alive(outcome.devSpaces.working))
          assert.isFalse(yield* alive(outcome.devSpaces.best))
          // History.
          const history = yield* Effect.flatMap(HistoryStore.HistoryStore, (h) => h.run(outcome.runId))
          assert.strictEqual(Option.getOrThrow(history).status, "finished")
          assert.isTrue(existsSync(join(env.runsDir, "history.duckdb")))
        })
      ),
    timeout
  )

  it.scopedLive(
    "bisects a plan with a harmful fix: the harmful one is rejected and remembered, the rest accepted",
    () =>
      withEnv(
        {
          script: {
            propose: (iteration, space) => (iteration === 1 ? [...Retail.curatedFixes(space), Retail.harmful] : [])
          }
        },
        () =>
          Effect.gen(function* () {
            const benchmarks = yield* Retail.benchmarks
            const outcome = yield* Effect.scoped(Enhance.run(Retail.input(benchmarks, { loop: { maxIterations: 1 } })))
            const harmful = outcome.fixes.find((f) => f.id === Retail.harmful.id)
            assert.strictEqual(harmful?.status, "rejected")
            assert.isTrue(outcome.fixes.some((f) => f.status === "accepted"))
            assert.isTrue(outcome.candidates.length > 1, "bisected")
            assert.isFalse(outcome.candidates[0].accepted)
            assert.isAbove(outcome.candidates[0].losses.length, 0)
          })
      ),
    timeout
  )

  it.scopedLive(
    "a crash in the middle, then --resume continues at the step it reached with the same dev spaces",
    () => {
      const runsDir = Retail.tempDir()
      return withEnv({ runsDir, script: { crashOnLearn: 2 } }, (env) =>
        Effect.gen(function* () {
          const benchmarks = yield* Retail.benchmarks
          const input = Retail.input(benchmarks, { loop: { maxIterations: 3, plateauIterations: 3 }, keep: true })
          const crashed = yield* Effect.exit(Effect.scoped(Enhance.run(input)))
          assert.isTrue(Exit.isFailure(crashed) && Cause.isDie(crashed.cause))
          const asked = (yield* env.emulator.questions).length
          const runs = yield* Effect.flatMap(HistoryStore.HistoryStore, (h) => h.runs)
          const runId = runs[0].runId
          assert.strictEqual(runs[0].status, "failed")
          const counters = yield* Retail.Counters
          // The learner crashes only on its 2nd call: the resumed run replays iteration 1 from the journal.
          const resumed = yield* Effect.scoped(Enhance.run({ ...input, resume: runId }))
          assert.strictEqual(resumed.runId, runId)
          assert.strictEqual(resumed.devSpaces.working, runs[0].workingSpaceId)
          assert.strictEqual(resumed.devSpaces.best, runs[0].bestSpaceId)
          // Baseline and iteration 1 were not asked again: the resumed attempt asked fewer questions than the train
          // split alone, and the run's total counts both attempts.
          const total = (yield* env.emulator.questions).length
          assert.isBelow(total - asked, benchmarks.filter((b) => b.split === "train").length)
          assert.isAtLeast(resumed.genieQuestions.total, total - 5)
          assert.isAbove(yield* Ref.get(counters.learnCalls), 2)
          assert.isAbove(resumed.best.train.score, resumed.baseline.train.score)
        })
      )
    },
    timeout
  )

  it.scopedLive(
    "an interrupted run trashes its dev spaces (scope finalizers) and records the interruption",
    () =>
      withEnv({}, (env) =>
        Effect.gen(function* () {
          const benchmarks = yield* Retail.benchmarks
          const fiber = yield* Effect.fork(Effect.scoped(Enhance.run(Retail.input(benchmarks))))
          // Wait until the dev spaces exist and scoring began, then interrupt (Ctrl+C).
          yield* Effect.repeat(env.emulator.questions, {
            until: (q) => q.length >= 10,
            schedule: Schedule.spaced("50 millis")
          })
          yield* Fiber.interrupt(fiber)
          const spaces = yield* Effect.flatMap(Stages.SpaceStore, (s) => s.list())
          assert.deepStrictEqual(spaces.map((s) => s.spaceId).sort(), [...env.emulator.spaceIds].sort())
          const runs = yield* Effect.flatMap(HistoryStore.HistoryStore, (h) => h.runs)
          assert.strictEqual(runs[0].status, "interrupted")
          assert.deepStrictEqual(yield* Enhance.leftoverDevSpaces(), [])
        })
      ),
    timeout
  )

  it.scopedLive(
    "a rejected update (the API refuses the configuration) rejects that fix; a spent budget stops the loop",
    () =>
      withEnv(
        {
          script: {
            propose: (_, space) => [
              Retail.fix({
                section: "instructions.join_specs",
                key: "not-an-id",
                value: { id: "not-an-id", left: {}, right: {}, sql: [] }
              }),
              ...Retail.curatedFixes(space).slice(0, 5)
            ]
          }
        },
        () =>
          Effect.gen(function* () {
            const benchmarks = yield* Retail.benchmarks
            const outcome = yield* Effect.scoped(
              Enhance.run(
                Retail.input(benchmarks, {
                  loop: { maxIterations: 6, plateauIterations: 6, budget: { genieQuestions: 120 } }
                })
              )
            )
            const invalid = outcome.fixes.find((f) => f.target.includes("not-an-id"))
            assert.strictEqual(invalid?.status, "rejected")
            assert.match(invalid?.reason ?? "", /the workspace rejected the update/)
            assert.strictEqual(outcome.stopReason, "budget:genieQuestions")
            // Over by at most the questions in flight when the budget was reached (Genie concurrency 8) and a confirmation.
            assert.isAtMost(outcome.genieQuestions.total, 120 + 10)
          })
      ),
    timeout
  )

  it.scopedLive(
    "promote merges a production edit made during the run; a conflicting edit aborts with nothing written; rollback restores",
    () =>
      withEnv({}, () =>
        Effect.gen(function* () {
          const benchmarks = yield* Retail.benchmarks
          const outcome = yield* Effect.scoped(Enhance.run(Retail.input(benchmarks, { loop: { maxIterations: 1 } })))
          assert.isTrue(outcome.promotable.allowed)
          const store = yield* Stages.SpaceStore
          const history = yield* HistoryStore.HistoryStore
          const promoter = yield* Effect.provide(Stages.Promoter, Promotion.layer)
          const production = yield* store.get(Retail.baselineSpaceId)
          const space = production.space!
          // Someone adds a sample question to production meanwhile: merged.
          const sample = { id: "00000000000000000000000000000abc", question: ["How many stores are there?"] }
          const edited: Space.SerializedSpace = { ...space, config: { ...space.config, sample_questions: [sample] } }
          yield* store.update(Retail.baselineSpaceId, edited)
          // A conflicting edit: the enhanced configuration changed the orders table too.
          const changedTables = SpaceDiff.diff(outcome.baseSpace, outcome.bestSpace).sections.find(
            (s) => s.section === "data_sources.tables"
          )
          assert.isDefined(changedTables)
          const conflicting: Space.SerializedSpace = {
            ...edited,
            data_sources: {
              ...edited.data_sources,
              tables: edited.data_sources!.tables!.map((t) =>
                t.identifier === changedTables.changed[0]?.key ? { ...t, description: ["Edited by hand\n"] } : t
              )
            }
          }
          const beforeConflict = yield* store.update(Retail.baselineSpaceId, conflicting)
          const refused = yield* Effect.flip(
            promoter.promote({
              targetSpaceId: Retail.baselineSpaceId,
              base: outcome.baseSpace,
              candidate: outcome.bestSpace
            })
          )
          assert.strictEqual(refused._tag, "PromotionConflict")
          if (refused._tag === "PromotionConflict") assert.include(refused.report, "Edited by hand")
          assert.strictEqual((yield* store.get(Retail.baselineSpaceId)).etag, beforeConflict.etag, "nothing written")
          // Undo the conflicting edit (keep the sample question) and promote: merged.
          yield* store.update(Retail.baselineSpaceId, edited)
          const promoted = yield* promoter.promote({
            targetSpaceId: Retail.baselineSpaceId,
            base: outcome.baseSpace,
            candidate: outcome.bestSpace,
            runId: outcome.runId
          })
          assert.isTrue(promoted.promoted)
          assert.isTrue(promoted.merged)
          const now = (yield* store.get(Retail.baselineSpaceId)).space!
          assert.deepInclude(now.config?.sample_questions ?? [], sample)
          assert.isTrue(
            SpaceDiff.diff(
              { ...now, config: outcome.bestSpace.config ?? {} },
              { ...outcome.bestSpace, config: outcome.bestSpace.config ?? {} }
            ).identical
          )
          // Rollback restores production as it was just before the promotion.
          const rolled = yield* promoter.rollback(Retail.baselineSpaceId)
          assert.strictEqual(rolled.restoredSnapshotId, promoted.snapshotId)
          assert.isTrue(SpaceDiff.diff((yield* store.get(Retail.baselineSpaceId)).space!, edited).identical)
          assert.isTrue(Option.isSome(yield* history.snapshot(rolled.beforeSnapshotId)))
        })
      ),
    timeout
  )
})
