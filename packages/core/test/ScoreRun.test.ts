import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Layer, Stream } from "effect"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Evaluator from "../src/stages/evaluate/Evaluator.js"
import * as RunStore from "../src/runs/RunStore.js"
import * as Safety from "../src/safety/Safety.js"
import * as ScoreBenchmark from "../src/stages/score/ScoreBenchmark.js"
import * as ScoreRun from "../src/runs/ScoreRun.js"
import * as Stages from "../src/stages/Stages.js"
import * as FakeWorkspace from "../src/testing/FakeWorkspace.js"
import * as TestClockDriver from "../src/testing/TestClockDriver.js"

const benchmarks = Array.from({ length: 6 }, (_, i) => ({
  id: `b${i}`,
  question: `Question ${i}?`,
  expected_sql: `SELECT ${i} AS n`,
  category: i < 3 ? "first" : "second",
  difficulty: "easy" as const
}))
const table = (n: number): FakeWorkspace.Table => ({ columns: [["n", "BIGINT"]], rows: [[String(n)]] })
const warehouse = Object.fromEntries(benchmarks.map((b, i) => [b.expected_sql, table(i)]))
const genie: FakeWorkspace.GenieScript = (question) => {
  const i = Number(/\d+/.exec(question)?.[0])
  return { _tag: "Answer", sql: "SELECT n FROM t", table: table(i === 5 ? -1 : i) }
}

/** One at a time, so an interruption lands between benchmarks deterministically. */
const sequential = Layer.effect(
  Stages.Scorer,
  Effect.map(ScoreBenchmark.services, (services) =>
    Stages.Scorer.of({
      score: (all, options) =>
        Stream.fromIterable(all.filter((b) => options.skip?.has(b.id) !== true)).pipe(
          Stream.mapEffect((b) => ScoreBenchmark.scoreBenchmark(services, b, options))
        )
    })
  )
)

const environment = (dir: string) =>
  sequential.pipe(
    Layer.provideMerge(FakeWorkspace.layer({ genie, warehouse, genieLatency: Duration.seconds(10) })),
    Layer.provideMerge(Evaluator.layerDeterministic()),
    Layer.provideMerge(Safety.layerTest),
    Layer.provideMerge(RunStore.layer(dir).pipe(Layer.provide(NodeContext.layer)))
  )

const input: ScoreRun.Input = {
  benchmarks,
  spaceId: "space-1",
  benchmarksFile: "b.yaml",
  profile: "default",
  scorer: "sequential",
  target: "local",
  cacheWarehouseId: "wh"
}

describe("ScoreRun", () => {
  it.scoped("an interrupted run keeps what finished; resume asks only the rest and summarizes the whole run", () => {
    const dir = mkdtempSync(join(tmpdir(), "scorerun-"))
    return Effect.gen(function* () {
      // First attempt: interrupted after 35 s, i.e. after three benchmarks finished.
      const first = yield* Effect.fork(Effect.scoped(ScoreRun.run(input)))
      yield* TestClockDriver.drive(first, { to: 35_000 })
      yield* Fiber.interrupt(first)
      const store = yield* RunStore.RunStore
      const [runId] = yield* store.list
      assert.isDefined(runId)
      const journal = readFileSync(join(dir, "runs", runId, "journal.jsonl"), "utf8")
        .trim()
        .split("\n")
      assert.strictEqual(journal.length, 3)

      const outcome = yield* TestClockDriver.run(Effect.scoped(ScoreRun.run({ ...input, resume: runId })))
      const log = yield* Effect.flatMap(FakeWorkspace.FakeWorkspaceLog, (l) => l.get)
      // b0–b2 asked in the first attempt, b3 was in flight when interrupted, so asked again; never b0–b2.
      assert.deepStrictEqual(
        log.asked,
        benchmarks
          .map((b) => b.question)
          .slice(0, 4)
          .concat(["Question 3?", "Question 4?", "Question 5?"])
      )
      assert.strictEqual(outcome.summary.resumed, 3)
      assert.strictEqual(outcome.summary.finished, 6)
      assert.deepStrictEqual(
        outcome.results.map((r) => r.benchmarkId),
        benchmarks.map((b) => b.id)
      )
      assert.strictEqual(outcome.summary.overall.passed, 5)
      assert.deepStrictEqual(outcome.summary.byCategory["second"]?.passed, 2)
      const written = JSON.parse(readFileSync(join(dir, "runs", runId, "results.json"), "utf8"))
      assert.strictEqual(written.overall.scored, 6)
      assert.strictEqual(written.evaluation.evaluated, 6)
    }).pipe(Effect.provide(environment(dir)))
  })

  it.scoped("expected-SQL results are cached across runs unless the cache is off", () => {
    const dir = mkdtempSync(join(tmpdir(), "scorerun-"))
    return Effect.gen(function* () {
      const runOnce = (options: ScoreRun.Input) => TestClockDriver.run(Effect.scoped(ScoreRun.run(options)))
      yield* runOnce(input)
      yield* runOnce(input)
      const { cacheWarehouseId: _off, ...noCache } = input
      yield* runOnce(noCache)
      const log = yield* Effect.flatMap(FakeWorkspace.FakeWorkspaceLog, (l) => l.get)
      // Run 1 runs every expected SQL, run 2 none (cache), run 3 all again (cache off).
      assert.strictEqual(log.executed.length, 12)
    }).pipe(Effect.provide(environment(dir)))
  })

  it.scoped("refuses to resume a run of another space", () => {
    const dir = mkdtempSync(join(tmpdir(), "scorerun-"))
    return Effect.gen(function* () {
      const { runId } = yield* TestClockDriver.run(Effect.scoped(ScoreRun.run(input)))
      const error = yield* Effect.flip(Effect.scoped(ScoreRun.run({ ...input, spaceId: "other", resume: runId })))
      assert.match(error.message, /scored space space-1, not other/)
    }).pipe(Effect.provide(environment(dir)))
  })
})
