/**
 * The loop's question economy on fakes: a space store in memory, and a scorer whose answers follow the candidate's
 * configuration (a text instruction `pass:<id>` fixes a benchmark, `break:<id>` breaks one) and take 10 s each, at
 * most 8 at once (the Genie concurrency), on the `TestClock`.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Layer, Stream } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { defaults } from "../../src/config/Profile.js"
import type { LoopSettings } from "../../src/config/Profile.js"
import * as Enhance from "../../src/enhance/Enhance.js"
import type { Benchmark } from "../../src/model/Benchmark.js"
import { BenchmarkResult, Verdict } from "../../src/model/Results.js"
import type { SerializedSpace } from "../../src/model/Space.js"
import * as HistoryStore from "../../src/runs/HistoryStore.js"
import * as RunStore from "../../src/runs/RunStore.js"
import * as Safety from "../../src/safety/Safety.js"
import { PlanValidator } from "../../src/stages/apply/PlanValidator.js"
import { Fix, Fixer, Plan } from "../../src/stages/fix/Fixer.js"
import { PatternBook, PatternLearner } from "../../src/stages/learn-patterns/PatternLearner.js"
import { Scorer } from "../../src/stages/score/Scorer.js"
import * as FakeWorkspace from "../../src/testing/FakeWorkspace.js"
import * as TestClockDriver from "../../src/testing/TestClockDriver.js"
import { SpaceStore } from "../../src/workspace/SpaceStore.js"

const concurrency = 8

/** `train` train benchmarks (the first `passing` pass on the bare space) and 5 holdout ones. */
const benchmarks = (train: number): ReadonlyArray<Benchmark> => [
  ...Array.from({ length: train }, (_, i) => ({
    id: `t${i}`,
    question: `How many rows has table t_${i}?`,
    expected_sql: `SELECT count(*) FROM t_${i}`,
    category: "count",
    difficulty: "easy" as const,
    split: "train" as const
  })),
  ...Array.from({ length: 5 }, (_, i) => ({
    id: `h${i}`,
    question: `How many rows has table h_${i}?`,
    expected_sql: `SELECT count(*) FROM h_${i}`,
    category: "count",
    difficulty: "easy" as const,
    split: "holdout" as const
  }))
]

const instructions = (space: SerializedSpace): ReadonlyArray<string> =>
  (
    (space as { instructions?: { text_instructions?: ReadonlyArray<{ content: ReadonlyArray<string> }> } }).instructions
      ?.text_instructions ?? []
  ).flatMap((t) => t.content)

/** A text instruction; `pass:t3` makes t3 pass, `break:t1` makes t1 fail (tables named so the order can relate). */
const instruction = (text: string, extra: Partial<ConstructorParameters<typeof Fix>[0]> = {}) =>
  new Fix({
    id: `fix-${text}`,
    category: "instruction-fix",
    target: "instructions.text_instructions",
    change: { text },
    rationale: "test",
    sourceBenchmarkIds: [],
    ...extra
  })

const apply: Enhance.ApplyPlan = (space, plan) =>
  Effect.succeed({
    ...space,
    instructions: {
      text_instructions: [
        ...((space as { instructions?: { text_instructions?: ReadonlyArray<unknown> } }).instructions
          ?.text_instructions ?? []),
        ...plan.fixes.map((f) => ({
          id: f.id
            .replace(/[^0-9a-z]/g, "0")
            .padEnd(32, "0")
            .slice(0, 32),
          content: [(f.change as { text: string }).text]
        }))
      ]
    }
  } as SerializedSpace)

interface World {
  /** Every question the scorer started, as `spaceId/benchmarkId`. */
  readonly asked: Array<string>
  /** Every canary question asked (the asker's questions: only readiness asks through it here). */
  readonly canaries: Array<string>
}

const environment = (options: { readonly passing: number; readonly fixes: ReadonlyArray<Fix>; world: World }) => {
  const spaces = new Map<string, { space: SerializedSpace; etag: number }>()
  spaces.set("prod", { space: { version: 2 }, etag: 1 })
  let created = 0
  const store = Layer.succeed(
    SpaceStore,
    SpaceStore.of({
      list: () => Effect.succeed([]),
      get: (spaceId) =>
        Effect.sync(() => {
          const s = spaces.get(spaceId)
          return { spaceId, title: "t", warehouseId: "w", etag: `${s?.etag ?? 0}`, space: s?.space ?? { version: 2 } }
        }),
      create: (input) =>
        Effect.sync(() => {
          const spaceId = `dev${++created}`
          spaces.set(spaceId, { space: input.space ?? { version: 2 }, etag: 1 })
          return { ...input, spaceId, etag: "1" }
        }),
      update: (spaceId, space) =>
        Effect.sync(() => {
          const etag = (spaces.get(spaceId)?.etag ?? 0) + 1
          spaces.set(spaceId, { space, etag })
          return { spaceId, title: "t", warehouseId: "w", etag: `${etag}`, space }
        }),
      trash: (spaceId) => Effect.sync(() => void spaces.delete(spaceId))
    })
  )
  const passes = (space: SerializedSpace, id: string) => {
    const said = instructions(space).flatMap((text) => text.split(" "))
    if (said.includes(`break:${id}`)) return false
    if (said.includes(`pass:${id}`)) return true
    const n = Number(id.slice(1))
    return id.startsWith("t") ? n < options.passing : n === 0
  }
  const scorer = Layer.succeed(
    Scorer,
    Scorer.of({
      score: (list, scoreOptions) =>
        Stream.fromIterable(list).pipe(
          Stream.mapEffect(
            (b) =>
              Effect.gen(function* () {
                options.world.asked.push(`${scoreOptions.spaceId}/${b.id}`)
                yield* scoreOptions.onProgress?.({ benchmarkId: b.id, stage: "asking" }) ?? Effect.void
                yield* Effect.sleep(Duration.seconds(10))
                const space = spaces.get(scoreOptions.spaceId)?.space ?? { version: 2 }
                const outcome = passes(space, b.id) ? "pass" : "fail"
                return new BenchmarkResult({
                  benchmarkId: b.id,
                  verdict: new Verdict({ outcome, decidedBy: "fake", reasons: [] })
                })
              }),
            { concurrency, unordered: true }
          )
        )
    })
  )
  const stages = Layer.mergeAll(
    Layer.succeed(PatternLearner, { learn: () => Effect.succeed(new PatternBook({ patterns: [] })) }),
    Layer.succeed(Fixer, { propose: () => Effect.succeed(new Plan({ fixes: options.fixes })) }),
    Layer.succeed(PlanValidator, { validate: (plan) => Effect.succeed(plan) })
  )
  // Unrestricted policies, but the Genie concurrency the loop sizes its waves by.
  const safety = Layer.effect(
    Safety.Safety,
    Effect.map(Safety.Safety, (s) => ({ ...s, genie: { ...s.genie, concurrency } }))
  ).pipe(Layer.provide(Safety.layerTest))
  const warehouse = Object.fromEntries(
    benchmarks(200).map((b) => [b.expected_sql, { columns: [["n", "BIGINT"]], rows: [["1"]] } as const])
  )
  return Layer.mergeAll(
    store,
    scorer,
    stages,
    safety,
    FakeWorkspace.layer({
      genie: (question) => {
        options.world.canaries.push(question)
        return { _tag: "Text", text: "ok" }
      },
      warehouse
    }),
    HistoryStore.layerMemory,
    RunStore.layer(mkdtempSync(join(tmpdir(), "enhance-test-")))
  ).pipe(Layer.provideMerge(NodeContext.layer))
}

const run = (options: {
  readonly train: number
  readonly passing: number
  readonly fixes: ReadonlyArray<Fix>
  readonly loop?: Partial<LoopSettings>
}) =>
  Effect.gen(function* () {
    const world: World = { asked: [], canaries: [] }
    const fiber = yield* Effect.fork(
      Effect.scoped(
        Enhance.run({
          productionSpaceId: "prod",
          benchmarks: benchmarks(options.train),
          benchmarksFile: "b.yaml",
          loop: { ...defaults.loop, maxIterations: 1, ...options.loop },
          profile: "default",
          scorer: "fake",
          target: "local",
          warehouseId: "w",
          apply
        })
      ).pipe(Effect.provide(environment({ ...options, world })))
    )
    yield* TestClockDriver.drive(fiber)
    const outcome = yield* Fiber.join(fiber)
    return { outcome, world, canaries: world.canaries.length }
  })

describe("Enhance: what a candidate costs", () => {
  it.effect(
    "a useless plan stops as soon as acceptance is impossible: none of its questions is asked in vain",
    () =>
      Effect.gen(function* () {
        // 40 train, 8 pass: 32 fail. Four gains are needed (one-sided p = 1/16 ≤ 0.1), so the candidate is futile
        // once 29 failing benchmarks failed again — and not one question earlier.
        const { outcome, world } = yield* run({ train: 40, passing: 8, fixes: [instruction("Answer politely.")] })
        const [candidate] = outcome.candidates
        assert.isFalse(candidate.accepted)
        assert.isTrue(candidate.stoppedEarly)
        assert.strictEqual(candidate.genieQuestions, 29)
        assert.strictEqual(world.asked.filter((q) => q.startsWith("dev1/")).length, 29)
        // Failing benchmarks only: a passing one could not have made it acceptable.
        assert.isTrue(world.asked.filter((q) => q.startsWith("dev1/")).every((q) => Number(q.slice(6)) >= 8))
      }),
    30_000
  )

  it.effect(
    "a plan that breaks a passing benchmark is caught in its first wave, by the passing benchmarks related to it",
    () =>
      Effect.gen(function* () {
        // The fix names table t_5 (its change's text), so t5 is checked among the first questions; it breaks.
        const { outcome } = yield* run({ train: 40, passing: 8, fixes: [instruction("break:t5 on table t_5")] })
        const [candidate] = outcome.candidates
        assert.isFalse(candidate.accepted)
        assert.deepStrictEqual(candidate.losses, ["t5"])
        // One wave (8) and the loss confirmed on both spaces (2), not the 29+ a failing-first order needs.
        assert.isAtMost(candidate.genieQuestions, concurrency + 2)
      }),
    30_000
  )

  it.effect(
    "a good plan keeps full waves and confirms only the gains acceptance needs",
    () =>
      Effect.gen(function* () {
        const fixes = Array.from({ length: 12 }, (_, i) => instruction(`pass:t${10 + i}`))
        const { outcome } = yield* run({ train: 40, passing: 8, fixes })
        const [candidate] = outcome.candidates
        assert.isTrue(candidate.accepted)
        assert.strictEqual(candidate.gains.length, 12)
        // 40 asks and 4 gains confirmed on both spaces (p = 1/16 with four), instead of 40 + 2 × 12.
        assert.strictEqual(candidate.genieQuestions, 40 + 2 * 4)
        assert.strictEqual(outcome.best.train.score, 20 / 40)
      }),
    30_000
  )
})

describe("Enhance: the Genie question budget", () => {
  it.effect(
    "holds: no question that would exceed it is started, and the stop reason says so",
    () =>
      Effect.gen(function* () {
        // Baseline 45, final holdout 5 reserved: 13 questions left for the candidate, which needs 40 + confirmations.
        const fixes = Array.from({ length: 12 }, (_, i) => instruction(`pass:t${10 + i}`))
        const budget = 45 + 5 + 13
        const { outcome, world } = yield* run({
          train: 40,
          passing: 8,
          fixes,
          loop: { maxIterations: 3, budget: { genieQuestions: budget } }
        })
        assert.strictEqual(outcome.stopReason, "budget:genieQuestions")
        assert.isAtMost(world.asked.length, budget)
        assert.isAtMost(outcome.genieQuestions.total, budget)
        assert.strictEqual(outcome.genieQuestions.total, world.asked.length)
        const [candidate] = outcome.candidates
        assert.isFalse(candidate.accepted)
        assert.strictEqual(candidate.genieQuestions, 13)
        assert.match(candidate.reason, /budget:genieQuestions budget reached/)
      }),
    30_000
  )

  it.effect(
    "holds with a canary question: each write's canary is paid from the budget too",
    () =>
      Effect.gen(function* () {
        const fixes = Array.from({ length: 12 }, (_, i) => instruction(`pass:t${10 + i}`))
        const budget = 45 + 5 + 1 + 13
        const { outcome, world, canaries } = yield* run({
          train: 40,
          passing: 8,
          fixes,
          loop: { maxIterations: 3, budget: { genieQuestions: budget }, canaryQuestion: "Are you there?" }
        })
        assert.strictEqual(outcome.stopReason, "budget:genieQuestions")
        assert.isAtLeast(canaries, 1)
        assert.isAtMost(world.asked.length + canaries, budget)
        assert.strictEqual(outcome.genieQuestions.total, world.asked.length + canaries)
      }),
    30_000
  )

  it.effect(
    "a budget below the baseline fails the preflight instead of being overrun",
    () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(
          run({ train: 40, passing: 8, fixes: [], loop: { budget: { genieQuestions: 44 } } })
        )
        assert.strictEqual(error._tag, "PreflightFailed")
        assert.match(error.message, /does not cover the baseline/)
      }),
    30_000
  )
})
