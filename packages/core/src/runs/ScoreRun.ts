/**
 * A scoring run from start to summary: open (or resume) a run in the run store, stream the scorer's results into
 * the journal as each one finishes, then write `results.json`.
 *
 * **Details**
 * Every result is appended and fsync'd before the next is awaited, so an interrupted run (Ctrl+C, a crash, a lost
 * machine) keeps everything that finished; `resume` skips those benchmarks and never asks Genie their questions
 * again. The summary covers the whole run, earlier attempts included.
 */
import { Clock, Effect, Fiber, Ref, Stream } from "effect"
import type { Benchmark } from "../model/Benchmark.js"
import type { CircuitEvent } from "../safety/CircuitBreaker.js"
import * as RunStore from "./RunStore.js"
import * as RunSummary from "./RunSummary.js"
import { Safety } from "../safety/Safety.js"
import type { BenchmarkResult, EvaluationStats, ProgressEvent } from "../stages/Stages.js"
import { Evaluator, Scorer } from "../stages/Stages.js"

/**
 * What to score and how to record it.
 *
 * @category models
 */
export interface Input {
  readonly benchmarks: ReadonlyArray<Benchmark>
  readonly spaceId: string
  /** Recorded in `run.json`. */
  readonly benchmarksFile: string
  readonly profile: string
  readonly scorer: string
  readonly target: string
  /** Warehouse id for the expected-SQL cache; absent disables the cache (`--no-cache`). */
  readonly cacheWarehouseId?: string
  /** Continue this earlier run instead of starting a new one. */
  readonly resume?: string
  readonly onProgress?: (event: ProgressEvent) => Effect.Effect<void>
}

/**
 * The summary written to `results.json`, plus how the evaluator decided.
 *
 * @category models
 */
export interface Summary extends RunSummary.RunSummary {
  readonly evaluation: EvaluationStats
  /** Benchmarks taken from the journal of an earlier attempt (resume). */
  readonly resumed: number
}

/**
 * What a finished run returns.
 *
 * @category models
 */
export interface Outcome {
  readonly runId: string
  readonly dir: string
  readonly summary: Summary
  /** Every result of the run, in benchmark-file order. */
  readonly results: ReadonlyArray<BenchmarkResult>
}

/**
 * Runs (or resumes) a scoring run. Fails only when the run store cannot record results, or when `resume` names a
 * run of another space.
 *
 * @category constructors
 */
export const run = Effect.fn("ScoreRun.run")(function* (input: Input) {
  const store = yield* RunStore.RunStore
  const scorer = yield* Scorer
  const safety = yield* Safety
  const evaluator = yield* Evaluator
  const startedAt = yield* Clock.currentTimeMillis

  const earlier = input.resume === undefined ? undefined : yield* store.read(input.resume)
  if (earlier !== undefined && earlier.meta.spaceId !== input.spaceId) {
    return yield* new RunStore.RunStoreError({
      path: input.resume ?? "",
      message: `run ${earlier.meta.runId} scored space ${earlier.meta.spaceId}, not ${input.spaceId}; resume it with the same space`
    })
  }
  const journal =
    input.resume === undefined
      ? yield* store.start({
          spaceId: input.spaceId,
          benchmarksFile: input.benchmarksFile,
          profile: input.profile,
          scorer: input.scorer,
          target: input.target
        })
      : yield* store.reopen(input.resume)

  // Breaker transitions during the run, for the summary.
  const events = yield* Ref.make<ReadonlyArray<CircuitEvent>>([])
  const watchers = yield* Effect.forkScoped(
    Effect.all(
      [safety.genie, safety.sql, safety.llm].map((policy) =>
        Stream.runForEach(policy.breaker.events, (event) =>
          event.at >= startedAt ? Ref.update(events, (all) => [...all, event]) : Effect.void
        )
      ),
      { concurrency: "unbounded", discard: true }
    )
  )

  const previous = earlier?.finished ?? []
  const known = new Set(input.benchmarks.map((b) => b.id))
  const kept = previous.filter((r) => known.has(r.benchmarkId))
  const fresh = yield* Ref.make<ReadonlyArray<BenchmarkResult>>([])
  yield* scorer
    .score(input.benchmarks, {
      spaceId: input.spaceId,
      skip: new Set(kept.map((r) => r.benchmarkId)),
      ...(input.cacheWarehouseId === undefined ? {} : { expectedCache: { warehouseId: input.cacheWarehouseId } }),
      ...(input.onProgress === undefined ? {} : { onProgress: input.onProgress })
    })
    .pipe(
      Stream.runForEach((result) =>
        Effect.zipRight(
          journal.append(result),
          Ref.update(fresh, (all) => [...all, result])
        )
      )
    )

  yield* Fiber.interrupt(watchers)
  const byId = new Map([...kept, ...(yield* Ref.get(fresh))].map((r) => [r.benchmarkId, r]))
  const results = input.benchmarks.flatMap((b) => {
    const result = byId.get(b.id)
    return result === undefined ? [] : [result]
  })
  const [genie, sql, llm] = yield* Effect.all([safety.genie.stats, safety.sql.stats, safety.llm.stats])
  const summary: Summary = {
    ...RunSummary.summarize({
      runId: journal.runId,
      spaceId: input.spaceId,
      startedAt,
      finishedAt: yield* Clock.currentTimeMillis,
      benchmarks: input.benchmarks,
      results,
      safety: { genie, sql, llm, circuitEvents: yield* Ref.get(events) }
    }),
    evaluation: yield* evaluator.stats,
    resumed: kept.length
  }
  yield* journal.writeSummary(summary)
  return { runId: journal.runId, dir: journal.dir, summary, results } satisfies Outcome
})
