/**
 * The sequential scorer: one benchmark at a time, in file order (`--no-batch`). Same inputs and outputs as the
 * batch scorer; slower, and the simplest thing to reason about when a workspace misbehaves.
 */
import { Plugin, ScoreBenchmark, Stages } from "@genie-enhancer/core"
import { Effect, Layer, Stream } from "effect"

const make = Effect.gen(function* () {
  const services = yield* ScoreBenchmark.services
  const gate = yield* ScoreBenchmark.circuitGate(services.safety)
  return Stages.Scorer.of({
    score: (benchmarks, options) =>
      Stream.fromIterable(benchmarks.filter((b) => options.skip?.has(b.id) !== true)).pipe(
        Stream.mapEffect((benchmark) => ScoreBenchmark.scoreBenchmark(services, benchmark, options, gate))
      )
  })
})

/**
 * The sequential `Scorer`.
 *
 * @category layers
 */
export const layer: Layer.Layer<Stages.Scorer, never, ScoreBenchmark.Requirements> = Layer.effect(Stages.Scorer, make)

/**
 * The plugin manifest (`scorer.plugin: sequential`).
 *
 * @category models
 */
export const plugin = Plugin.definePlugin({
  id: "sequential",
  version: "0.1.0",
  kind: "scorer",
  description: "One benchmark at a time, in file order.",
  optionsSchema: Plugin.noOptions,
  layer: () => layer
})
