/**
 * The batch scorer (the default): a streaming pipeline in which every benchmark goes ask → expected SQL →
 * evaluate as soon as it can. There are no phase barriers: the safety policies' concurrency limits decide how many
 * Genie questions and SQL statements run at once, and results are emitted in completion order.
 *
 * **Details**
 * While the Genie circuit is open the scorer degrades to one question at a time (`ScoreBenchmark.circuitGate`) and
 * recovers full concurrency once the breaker closes again. A benchmark that fails for good becomes a result with
 * its error; the run continues.
 */
import { Plugin, ScoreBenchmark, Stages } from "@genie-enhancer/core"
import { Effect, Layer, Stream } from "effect"

/**
 * Options of the batch scorer (`scorer.options`).
 *
 * @category configuration
 */
export interface Options {
  /**
   * Benchmarks in progress at once (default: Genie concurrency + SQL concurrency). Work beyond the policies'
   * limits only waits, so this bounds memory, not speed.
   */
  readonly maxInFlight?: number
}

/** The JSON Schema of `Options`. @category configuration */
export const optionsSchema: Plugin.OptionsSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    maxInFlight: {
      type: "integer",
      minimum: 1,
      maximum: 10000,
      description: "Benchmarks in progress at once (default: Genie concurrency + SQL concurrency)."
    }
  }
}

const make = (options: Options) =>
  Effect.gen(function* () {
    const services = yield* ScoreBenchmark.services
    const gate = yield* ScoreBenchmark.circuitGate(services.safety)
    return Stages.Scorer.of({
      score: (benchmarks, scoreOptions) =>
        Stream.fromIterable(benchmarks.filter((b) => scoreOptions.skip?.has(b.id) !== true)).pipe(
          Stream.mapEffect((benchmark) => ScoreBenchmark.scoreBenchmark(services, benchmark, scoreOptions, gate), {
            concurrency: options.maxInFlight ?? defaultInFlight(services),
            unordered: true
          })
        )
    })
  })

// Capped so that an unrestricted test policy (MAX_SAFE_INTEGER) does not mean unbounded fibers.
const defaultInFlight = (services: ScoreBenchmark.Services): number =>
  Math.min(1000, Math.max(1, services.safety.genie.concurrency + services.safety.sql.concurrency))

/**
 * The batch `Scorer`.
 *
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Stages.Scorer, never, ScoreBenchmark.Requirements> =>
  Layer.effect(Stages.Scorer, make(options))

/**
 * The plugin manifest (`scorer.plugin: batch`, the default).
 *
 * @category models
 */
export const plugin = Plugin.definePlugin({
  id: "batch",
  version: "0.1.0",
  kind: "scorer",
  description: "Streaming and concurrent: each benchmark goes ask → expected SQL → evaluate as soon as it can.",
  optionsSchema,
  layer: (options: Options) => layer(options)
})
