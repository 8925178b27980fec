import { Evaluator, Safety, Stages } from "@genie-enhancer/core"
import { FakeWorkspace, ScorerContract } from "@genie-enhancer/core/testing"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Clock, Duration, Effect, Fiber, Layer, Stream, TestClock } from "effect"
import * as BatchScorer from "../src/BatchScorer.js"

describe("BatchScorer keeps the scorer contract", () => {
  for (const contract of ScorerContract.cases) it.effect(contract.name, () => contract.run(BatchScorer.layer()))
})

const n = 12
const benchmarks = Array.from({ length: n }, (_, i) => ({
  id: `b${i}`,
  question: `Question ${i}?`,
  expected_sql: `SELECT ${i} AS n`,
  category: i % 2 === 0 ? "even" : "odd",
  difficulty: "easy" as const
}))
const warehouse = Object.fromEntries(
  benchmarks.map((b, i) => [b.expected_sql, { columns: [["n", "BIGINT"]] as const, rows: [[String(i)]] }])
)
const answer = (question: string): FakeWorkspace.Table => ({
  columns: [["n", "BIGINT"]],
  // Every third answer is wrong, so verdicts differ and a mix-up between benchmarks would show.
  rows: [[String(Number(/\d+/.exec(question)?.[0]) % 3 === 0 ? -1 : Number(/\d+/.exec(question)?.[0]))]]
})

const settings = (genieConcurrency: number, threshold = 100) => ({
  genie: {
    concurrency: genieConcurrency,
    attempts: 1,
    timeoutSeconds: 600,
    questionsPerMinute: 10_000,
    pollIntervalSeconds: 1,
    maxPollIntervalSeconds: 10,
    circuit: { threshold, cooldownSeconds: 60 }
  },
  sql: {
    concurrency: 10,
    attempts: 1,
    timeoutSeconds: 60,
    rowLimit: 1000,
    circuit: { threshold: 100, cooldownSeconds: 60 }
  },
  llm: { concurrency: 1, attempts: 1, timeoutSeconds: 60, circuit: { threshold: 100, cooldownSeconds: 60 } }
})

/** Scores the benchmarks with Genie taking 10 s per question and SQL 1 s; returns results and virtual wall time. */
const timedRun = (
  scorer: Layer.Layer<Stages.Scorer, never, Stages.Asker | Stages.Executor | Stages.Evaluator | Safety.Safety>,
  genie: FakeWorkspace.GenieScript,
  genieConcurrency: number,
  threshold?: number
) =>
  Effect.gen(function* () {
    const service = yield* Stages.Scorer
    const started = yield* Clock.currentTimeMillis
    const finished = { at: 0 }
    const onProgress = (event: Stages.ProgressEvent) =>
      event.stage === "done" ? Effect.map(Clock.currentTimeMillis, (now) => void (finished.at = now)) : Effect.void
    const fiber = yield* Effect.fork(Stream.runCollect(service.score(benchmarks, { spaceId: "s", onProgress })))
    while (fiber.unsafePoll() === null) yield* TestClock.adjust("1 second")
    const results = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
    const elapsed = (finished.at - started) / 1000
    const safety = yield* Safety.Safety
    return { results, elapsed, genie: yield* safety.genie.stats }
  }).pipe(
    Effect.provide(
      scorer.pipe(
        Layer.provideMerge(
          FakeWorkspace.layer({ genie, warehouse, genieLatency: Duration.seconds(10), sqlLatency: Duration.seconds(1) })
        ),
        Layer.provide(Evaluator.layerDeterministic()),
        Layer.provideMerge(Safety.layer(settings(genieConcurrency, threshold)))
      )
    )
  )

const answerAll: FakeWorkspace.GenieScript = (question) => ({
  _tag: "Answer",
  sql: "SELECT n FROM t",
  table: answer(question)
})

const verdicts = (results: ReadonlyArray<Stages.BenchmarkResult>) =>
  Object.fromEntries(results.map((r) => [r.benchmarkId, r.verdict.outcome]))

describe("BatchScorer", () => {
  it.effect("runs questions concurrently up to the Genie limit, with no phase barrier", () =>
    Effect.gen(function* () {
      const batch = yield* timedRun(BatchScorer.layer(), answerAll, 3)
      const oneAtATime = yield* timedRun(BatchScorer.layer({ maxInFlight: 1 }), answerAll, 3)
      // 12 questions × 10 s on 3 slots = 40 s; SQL runs alongside the questions.
      assert.closeTo(batch.elapsed, 40, 0.1)
      // One at a time, each benchmark waits for its 10 s question (its 1 s SQL runs alongside).
      assert.closeTo(oneAtATime.elapsed, 120, 0.1)
      assert.deepStrictEqual(verdicts(batch.results), verdicts(oneAtATime.results))
      assert.strictEqual(Object.values(verdicts(batch.results)).filter((v) => v === "fail").length, 4)
    })
  )

  it.effect("degrades to one question at a time while the Genie circuit is open, then recovers", () =>
    Effect.gen(function* () {
      // Genie is down until the test brings it back: every call fails with a retryable 503.
      const genie = { down: true }
      const script: FakeWorkspace.GenieScript = (question) =>
        genie.down
          ? {
              _tag: "Error",
              error: new Stages.GenieError({
                reason: "Unavailable",
                message: "503",
                retryable: true,
                rateLimited: false,
                status: 503
              })
            }
          : { _tag: "Answer", sql: "SELECT n FROM t", table: answer(question) }
      const run = Effect.gen(function* () {
        const service = yield* Stages.Scorer
        const safety = yield* Safety.Safety
        const finished = { at: 0 }
        const onProgress = (event: Stages.ProgressEvent) =>
          event.stage === "done" ? Effect.map(Clock.currentTimeMillis, (now) => void (finished.at = now)) : Effect.void
        const fiber = yield* Effect.fork(Stream.runCollect(service.score(benchmarks, { spaceId: "s", onProgress })))
        const states: Array<string> = []
        for (let t = 1; fiber.unsafePoll() === null && t < 1000; t++) {
          yield* TestClock.adjust("1 second")
          if (t === 65) genie.down = false
          states.push(yield* safety.genie.breaker.state)
        }
        const results = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
        const log = yield* Effect.flatMap(FakeWorkspace.FakeWorkspaceLog, (l) => l.get)
        return { results, states, elapsed: finished.at / 1000, asked: log.asked }
      })
      const { results, states, elapsed, asked } = yield* run.pipe(
        Effect.provide(
          BatchScorer.layer().pipe(
            Layer.provideMerge(FakeWorkspace.layer({ genie: script, warehouse, genieLatency: Duration.seconds(10) })),
            Layer.provide(Evaluator.layerDeterministic()),
            Layer.provideMerge(Safety.layer(settings(3, 3)))
          )
        )
      )
      // The first wave fails at 10 s and opens the circuit (threshold 3); the two questions started in the slots
      // it freed before it opened fail too. Nothing else is lost.
      const outcome = verdicts(results)
      assert.deepStrictEqual(
        benchmarks.filter((b) => outcome[b.id] === "error").map((b) => b.id),
        ["b0", "b1", "b2", "b3", "b4"]
      )
      assert.strictEqual(results.length, n)
      assert.strictEqual(states[15], "Open")
      assert.strictEqual(states.at(-1), "Closed")
      // While open, one question waits for the trial (70 s → answered at 80 s); the remaining six then run three at
      // a time again: 80 + 2 × 10 = 100 s. Without recovery they would take 80 + 6 × 10 = 140 s.
      assert.closeTo(elapsed, 100, 0.1)
      // An open circuit rejects before asking: every question was asked exactly once.
      assert.strictEqual(asked.length, n)
    })
  )
})
