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
  it.scoped(
    "an interrupted run keeps what finished; resume polls the question in flight, asks only the rest",
    () => {
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
          .map((line) => JSON.parse(line))
        // Three results, and the four questions Genie accepted (b3's before its answer came).
        assert.strictEqual(journal.filter((line) => "benchmarkId" in line).length, 3)
        assert.deepStrictEqual(
          journal
            .filter((line) => "accepted" in line)
            .map((line) => [line.accepted.benchmarkId, line.accepted.messageId]),
          [
            ["b0", "m1"],
            ["b1", "m2"],
            ["b2", "m3"],
            ["b3", "m4"]
          ]
        )

        const outcome = yield* TestClockDriver.run(Effect.scoped(ScoreRun.run({ ...input, resume: runId })))
        const log = yield* Effect.flatMap(FakeWorkspace.FakeWorkspaceLog, (l) => l.get)
        // b0–b3 asked in the first attempt; b3 was in flight when interrupted, so its message is polled, not asked again.
        assert.deepStrictEqual(
          log.asked,
          benchmarks.map((b) => b.question)
        )
        assert.deepStrictEqual(log.resumed, ["Question 3?"])
        assert.strictEqual(outcome.summary.resumed, 3)
        assert.strictEqual(outcome.summary.repolled, 1)
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
    },
    60_000
  )

  it.scoped(
    "expected-SQL results are cached across runs unless the cache is off",
    () => {
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
    },
    60_000
  )

  it.scoped(
    "refuses to resume a run of another space, workspace, benchmark file or profile",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "scorerun-"))
      return Effect.gen(function* () {
        const recorded = { ...input, target: "https://a.cloud.databricks.com", benchmarksHash: "aaa" }
        const { runId } = yield* TestClockDriver.run(Effect.scoped(ScoreRun.run(recorded)))
        const meta = JSON.parse(readFileSync(join(dir, "runs", runId, "run.json"), "utf8"))
        assert.strictEqual(meta.benchmarksHash, "aaa")
        const refused = (changed: Partial<ScoreRun.Input>) =>
          Effect.flip(Effect.scoped(ScoreRun.run({ ...recorded, ...changed, resume: runId }))).pipe(
            Effect.map((e) => e.message)
          )
        assert.match(yield* refused({ spaceId: "other" }), /scored space space-1, not other/)
        assert.match(yield* refused({ target: "local" }), /ran against https:\/\/a\.cloud\.databricks\.com, not local/)
        assert.match(yield* refused({ benchmarksHash: "bbb" }), /benchmark file b\.yaml has changed/)
        assert.match(yield* refused({ profile: "aggressive" }), /profile default, not aggressive/)
      }).pipe(Effect.provide(environment(dir)))
    },
    60_000
  )

  it.scoped(
    "resume scores error results again, polling their message, and keeps the rest",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "scorerun-"))
      let down = true
      // Genie accepts question 2, then answers 503 through every retry: an `error` that carries its message ids.
      const flaky: FakeWorkspace.GenieScript = (question, attempt) =>
        down && question === "Question 2?"
          ? {
              _tag: "Error",
              error: new Stages.GenieError({
                reason: "Unavailable",
                message: "HTTP 503",
                retryable: false,
                rateLimited: false,
                status: 503
              })
            }
          : genie(question, attempt)
      const layer = sequential.pipe(
        Layer.provideMerge(FakeWorkspace.layer({ genie: flaky, warehouse })),
        Layer.provideMerge(Evaluator.layerDeterministic()),
        Layer.provideMerge(Safety.layerTest),
        Layer.provideMerge(RunStore.layer(dir).pipe(Layer.provide(NodeContext.layer)))
      )
      return Effect.gen(function* () {
        const first = yield* TestClockDriver.run(Effect.scoped(ScoreRun.run(input)))
        assert.strictEqual(first.summary.verdicts["error"], 1)
        // Errors are not in the score: 5 scored, 1 apart.
        assert.deepInclude(first.summary.overall, { scored: 5, errors: 1, passed: 4 })
        const erred = first.results.find((r) => r.benchmarkId === "b2")
        assert.strictEqual(erred?.answer?.status, "UNAVAILABLE")
        down = false
        const resumed = yield* TestClockDriver.run(Effect.scoped(ScoreRun.run({ ...input, resume: first.runId })))
        const log = yield* Effect.flatMap(FakeWorkspace.FakeWorkspaceLog, (l) => l.get)
        assert.strictEqual(resumed.summary.resumed, 5)
        assert.strictEqual(resumed.summary.verdicts["error"], undefined)
        assert.deepInclude(resumed.summary.overall, { scored: 6, errors: 0, passed: 5 })
        // Question 2 was asked once; the resumed run polled its message.
        assert.strictEqual(log.asked.filter((q) => q === "Question 2?").length, 1)
        assert.include(log.resumed, "Question 2?")
      }).pipe(Effect.provide(layer))
    },
    60_000
  )

  it.scoped(
    "unsafe expected SQL is excluded with its reason, never run, and its question never asked",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "scorerun-"))
      return Effect.gen(function* () {
        const unsafe = [
          { ...benchmarks[0], id: "drop", expected_sql: "DELETE FROM main.retail.orders" },
          { ...benchmarks[1], id: "ckpt", expected_sql: "SELECT checkpoint()" },
          benchmarks[2]
        ]
        const outcome = yield* TestClockDriver.run(Effect.scoped(ScoreRun.run({ ...input, benchmarks: unsafe })))
        const log = yield* Effect.flatMap(FakeWorkspace.FakeWorkspaceLog, (l) => l.get)
        assert.deepStrictEqual(log.executed, [benchmarks[2].expected_sql])
        assert.deepStrictEqual(log.asked, [benchmarks[2].question])
        const [drop, ckpt] = outcome.results
        assert.strictEqual(drop?.verdict.outcome, "excluded")
        assert.match(drop?.verdict.evidence?.message ?? "", /not run: refused: delete is not a read-only statement/)
        assert.match(ckpt?.verdict.evidence?.message ?? "", /checkpoint\(\)/)
        assert.deepInclude(outcome.summary.overall, { scored: 1 })
      }).pipe(Effect.provide(environment(dir)))
    },
    60_000
  )
})
