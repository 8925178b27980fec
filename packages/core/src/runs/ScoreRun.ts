/**
 * A scoring run from start to summary: open (or resume) a run in the run store, stream the scorer's results into
 * the journal as each one finishes, then write `results.json`.
 *
 * **Details**
 * Every result is appended and fsync'd before the next is awaited, and every question Genie accepts is journaled
 * before its answer is awaited, so an interrupted run (Ctrl+C, a crash, a lost machine) keeps everything that
 * finished and knows every message in flight; `resume` skips finished benchmarks, polls the messages in flight
 * instead of asking again, and scores `error` results again (polling their message when they have one). A run
 * records what it scored (target, host, space, benchmark file content hash, profile); resume refuses anything else.
 * The summary covers the whole run, earlier attempts included.
 */
import { Clock, Effect, Fiber, Option, Ref, Stream } from "effect"
import type { Benchmark } from "../model/Benchmark.js"
import type { CircuitEvent } from "../safety/CircuitBreaker.js"
import * as RunStore from "./RunStore.js"
import * as RunSummary from "./RunSummary.js"
import { UsageLedger } from "../llm/UsageLedger.js"
import type { Report as UsageReport } from "../llm/UsageLedger.js"
import { Safety } from "../safety/Safety.js"
import type { BenchmarkResult, EvaluationStats, ProgressEvent } from "../stages/Stages.js"
import { Asker, Evaluator, PendingMessage, Scorer } from "../stages/Stages.js"

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
  /** The workspace URL, the local example, the warehouse and the benchmark file's SHA-256, recorded in `run.json`. */
  readonly host?: string
  readonly example?: string
  readonly warehouseId?: string
  readonly benchmarksHash?: string
  /** Warehouse id for the expected-SQL cache; absent disables the cache (`--no-cache`). */
  readonly cacheWarehouseId?: string
  /**
   * Called once the run is open (its id known), e.g. to tell the user how to resume it after Ctrl+C. `control.stop()`
   * sends no further question; `control.unaccepted()` counts questions sent whose acceptance is not journaled yet
   * (wait for 0 before exiting, and nothing is asked twice on resume).
   */
  readonly onStart?: (runId: string, dir: string, control: Control) => Effect.Effect<void>
  /** Continue this earlier run instead of starting a new one. */
  readonly resume?: string
  readonly onProgress?: (event: ProgressEvent) => Effect.Effect<void>
}

/**
 * Stopping a run cleanly (Ctrl+C): synchronous, for signal handlers.
 *
 * @category models
 */
export interface Control {
  readonly stop: () => void
  readonly unaccepted: () => number
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
  /** Questions of an earlier attempt polled again instead of asked again (resume). */
  readonly repolled: number
  /** A journal line torn by a crash and ignored (`journal.jsonl:<line>`), when there was one. */
  readonly tornLine?: string
  /** LLM calls, tokens and cost per stage (`judge`, …) of the process up to the end of the run, when tracked. */
  readonly llm?: UsageReport
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

/** Why a run recorded as `meta` cannot be resumed with `input`, or `undefined`. */
const contradictionOf = (meta: RunStore.RunMeta, input: Input): string | undefined => {
  if (meta.spaceId !== input.spaceId)
    return `it scored space ${meta.spaceId}, not ${input.spaceId}; resume it with the same space`
  // A local run's host is the emulator's port of the day; only a real workspace must match.
  if (meta.target !== input.target && !(meta.target === "local" && input.target === "local"))
    return `it ran against ${meta.target}, not ${input.target}; resume it against the same workspace`
  if (
    meta.benchmarksHash !== undefined &&
    input.benchmarksHash !== undefined &&
    meta.benchmarksHash !== input.benchmarksHash
  )
    return `its benchmark file ${meta.benchmarksFile} has changed since it started (or another file was given); start a new run`
  if (meta.profile !== input.profile) return `it ran with profile ${meta.profile}, not ${input.profile}`
  return undefined
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
  const asker = yield* Effect.serviceOption(Asker)
  const startedAt = yield* Clock.currentTimeMillis

  const earlier = input.resume === undefined ? undefined : yield* store.read(input.resume)
  if (earlier !== undefined) {
    const contradiction = contradictionOf(earlier.meta, input)
    if (contradiction !== undefined) {
      return yield* new RunStore.RunStoreError({
        path: input.resume ?? "",
        message: `cannot resume run ${earlier.meta.runId}: ${contradiction}`
      })
    }
  }
  const journal =
    input.resume === undefined
      ? yield* store.start({
          spaceId: input.spaceId,
          benchmarksFile: input.benchmarksFile,
          profile: input.profile,
          scorer: input.scorer,
          target: input.target,
          ...(input.host === undefined ? {} : { host: input.host }),
          ...(input.example === undefined ? {} : { example: input.example }),
          ...(input.warehouseId === undefined ? {} : { warehouseId: input.warehouseId }),
          ...(input.benchmarksHash === undefined ? {} : { benchmarksHash: input.benchmarksHash })
        })
      : yield* store.reopen(input.resume)
  let stopping = false
  let unaccepted = 0
  const control: Control = { stop: () => void (stopping = true), unaccepted: () => unaccepted }
  const asks = {
    begin: Effect.sync(() => {
      if (stopping) return false
      unaccepted++
      return true
    }),
    end: Effect.sync(() => void unaccepted--)
  }
  if (input.onStart !== undefined) yield* input.onStart(journal.runId, journal.dir, control)

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
  // An `error` is not the space's answer: a resumed run scores it again (polling its message when it has one).
  const kept = previous.filter((r) => known.has(r.benchmarkId) && r.verdict.outcome !== "error")
  const keptIds = new Set(kept.map((r) => r.benchmarkId))
  const pending = new Map(
    [...(earlier?.pending ?? new Map<string, PendingMessage>())].filter(([id]) => known.has(id) && !keptIds.has(id))
  )
  const fresh = yield* Ref.make<ReadonlyArray<BenchmarkResult>>([])
  const release = (result: BenchmarkResult) => {
    const { conversationId, messageId } = result.answer ?? {}
    const releaseOf = Option.isSome(asker) ? asker.value.release : undefined
    return releaseOf === undefined || conversationId === undefined || messageId === undefined
      ? Effect.void
      : releaseOf(new PendingMessage({ spaceId: input.spaceId, conversationId, messageId }))
  }
  yield* scorer
    .score(input.benchmarks, {
      spaceId: input.spaceId,
      skip: keptIds,
      pending,
      asks,
      onAccepted: (benchmarkId, message) =>
        journal
          .accept(benchmarkId, message)
          .pipe(Effect.catchAll((error) => Effect.logWarning(`cannot journal an accepted question: ${error.message}`))),
      ...(input.warehouseId === undefined ? {} : { warehouseId: input.warehouseId }),
      ...(input.cacheWarehouseId === undefined ? {} : { expectedCache: { warehouseId: input.cacheWarehouseId } }),
      ...(input.onProgress === undefined ? {} : { onProgress: input.onProgress })
    })
    .pipe(
      Stream.runForEach((result) =>
        Effect.zipRight(
          journal.append(result),
          Effect.zipRight(
            Ref.update(fresh, (all) => [...all, result]),
            // Recorded: the conversation can go now (kept until here so an interruption could still read it).
            release(result)
          )
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
  const ledger = yield* Effect.serviceOption(UsageLedger)
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
    resumed: kept.length,
    repolled: pending.size,
    ...(earlier?.torn === undefined ? {} : { tornLine: earlier.torn }),
    ...(Option.isSome(ledger) ? { llm: yield* ledger.value.report } : {})
  }
  yield* journal.writeSummary(summary)
  return { runId: journal.runId, dir: journal.dir, summary, results } satisfies Outcome
})
