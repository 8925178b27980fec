/** evaluate: the stage contract. The rule-based implementation is `Evaluator.ts`. */
import { Context } from "effect"
import type { Effect } from "effect"
import type { Benchmark } from "../../model/Benchmark.js"
import type { GenieAnswer, ResultSet, Verdict } from "../../model/Results.js"
import type { StageFailed } from "../StageFailed.js"

/**
 * Counts of what an `Evaluator` decided so far, for run reports: how many verdicts the rules settled, how many
 * needed the LLM judge, and what the judge cost in calls.
 *
 * @category models
 */
export interface EvaluationStats {
  readonly evaluated: number
  readonly outcomes: Readonly<Record<Verdict["outcome"], number>>
  /** Verdicts the deterministic rules marked inconclusive (whether or not a judge then settled them). */
  readonly neededJudge: number
  /** Inconclusive verdicts the judge settled as pass or fail. */
  readonly judgeDecided: number
  /** Language-model requests sent (each holds up to `evaluate.chunkSize` cases). */
  readonly judgeCalls: number
  /** Cases answered from the judge cache without a new request. */
  readonly judgeCacheHits: number
  /** Cases whose judge request failed (they stay inconclusive). */
  readonly judgeFailures: number
}

/**
 * evaluate: decide whether Genie's answer matches the expected result.
 *
 * **Details**
 * `expected` is the expected SQL's result, or the `StageFailed` of running it (the benchmark is then `excluded`).
 * Evaluation never fails: a judge that cannot be reached leaves the verdict `inconclusive`. Scorers call
 * `evaluate` once per benchmark, concurrently; implementations batch judge calls across those calls.
 *
 * @category services
 */
export class Evaluator extends Context.Tag("@genie-enhancer/core/Evaluator")<
  Evaluator,
  {
    readonly evaluate: (
      benchmark: Benchmark,
      expected: ResultSet | StageFailed,
      answer: GenieAnswer
    ) => Effect.Effect<Verdict>
    /** What was decided so far and how (see `EvaluationStats`). */
    readonly stats: Effect.Effect<EvaluationStats>
  }
>() {}
