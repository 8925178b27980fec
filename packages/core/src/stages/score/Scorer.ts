/** The scorer contract: benchmarks in, a stream of scored results out. */
import { Context } from "effect"
import type { Stream, Effect } from "effect"
import type { Benchmark } from "../../model/Benchmark.js"
import type { BenchmarkResult } from "../../model/Results.js"
import type { PendingMessage } from "../ask/Asker.js"

/** Options common to every scorer. @category models */
export interface ScoreOptions {
  readonly spaceId: string
  /** Benchmarks already finished in an earlier attempt of the same run (resume): not asked again. */
  readonly skip?: ReadonlySet<string>
  /**
   * Reuse and record expected-SQL results in the run store, keyed by this warehouse id and the SQL text. Absent:
   * always run the expected SQL (`--no-cache`).
   */
  readonly expectedCache?: { readonly warehouseId: string }
  /**
   * Questions an earlier attempt of the run asked but whose answer it never recorded, by benchmark id: polled again
   * (`Asker.resume`) instead of asked again.
   */
  readonly pending?: ReadonlyMap<string, PendingMessage>
  /** Called when Genie accepts a benchmark's question, before its answer is awaited (the run journals it). */
  readonly onAccepted?: (benchmarkId: string, pending: PendingMessage) => Effect.Effect<void>
  /**
   * Tracks questions being asked: `begin` before a new question is sent (false: the run is stopping, do not send
   * it), `end` once Genie accepted it (or the ask ended without acceptance). Lets Ctrl+C wait until every question
   * sent is journaled, so none is asked twice after resuming.
   */
  readonly asks?: { readonly begin: Effect.Effect<boolean>; readonly end: Effect.Effect<void> }
  /** Run the expected SQL on this warehouse instead of the workspace's configured one (the space's own). */
  readonly warehouseId?: string
  /** Called as each benchmark moves through the stages, for progress displays. Must not fail. */
  readonly onProgress?: (event: ProgressEvent) => Effect.Effect<void>
}

/**
 * Where one benchmark is: `asking` Genie, running the `expected` SQL, `evaluating`, or `done` (with its result).
 *
 * @category models
 */
export interface ProgressEvent {
  readonly benchmarkId: string
  readonly stage: "asking" | "expected" | "evaluating" | "done"
  readonly result?: BenchmarkResult
}

/**
 * Scores benchmarks, emitting each result as soon as it is final. One benchmark that cannot be scored is a result
 * with an `error` verdict, never a failed stream.
 *
 * @category services
 */
export class Scorer extends Context.Tag("@genie-enhancer/core/Scorer")<
  Scorer,
  {
    readonly score: (benchmarks: ReadonlyArray<Benchmark>, options: ScoreOptions) => Stream.Stream<BenchmarkResult>
  }
>() {}
