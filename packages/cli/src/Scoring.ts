/**
 * The composition root of a scoring run: from a resolved profile and an open workspace to the layers
 * `ScoreRun.run` needs — the safety policies, the evaluator (with the LLM judge when it can work), the run store
 * and the scorer plugin the profile names.
 */
import type { FileSystem, Path } from "@effect/platform"
import { Evaluator, PluginRegistry, RunStore, Safety } from "@genie-enhancer/core"
import type { Profile, Errors, ScoreBenchmark, Stages } from "@genie-enhancer/core"
import { LlmProviders } from "@genie-enhancer/llm-providers"
import { Effect, Layer } from "effect"
import { registry } from "./Plugins.js"
import { promptsDir } from "./Locations.js"

/**
 * Whether the LLM judge can run, and why not. The local example has no model behind its serving endpoint (the
 * emulator would answer with placeholder JSON), so a judge there would invent verdicts.
 */
export const judgePlan = (
  profile: Profile.Profile,
  target: "local" | "databricks"
): { readonly enabled: boolean; readonly note?: string } => {
  if (!profile.evaluate.judge.enabled) return { enabled: false }
  if (target === "local" && profile.llm.provider === "databricks") {
    return {
      enabled: false,
      note: "LLM judge off: the local example has no model behind its serving endpoint; results the comparator cannot decide stay inconclusive."
    }
  }
  return { enabled: true }
}

/**
 * The evaluator: deterministic rules, plus the judge through the `llm` safety policy when it can run.
 *
 * @category layers
 */
const evaluatorLayer = (profile: Profile.Profile, judge: boolean) =>
  judge
    ? Evaluator.layerFromPrompts({ settings: profile.evaluate, promptsDir: promptsDir() }).pipe(
        Layer.provide(Safety.languageModel.pipe(Layer.provide(LlmProviders.layerFromSettings(profile.llm))))
      )
    : Evaluator.layerDeterministic()

/**
 * The scorer plugin the profile names, its options validated, as a `Scorer` layer.
 *
 * @category layers
 */
const scorerLayer = (profile: Profile.Profile, source: string) =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      const plugin = yield* PluginRegistry.load(registry, profile.scorer.plugin, { kind: "scorer" })
      const options = yield* PluginRegistry.validateOptions(plugin, profile.scorer.options, {
        source,
        at: "$.scorer.options"
      })
      // The brand check and `kind: "scorer"` vouch for the manifest; its layer type is erased in the registry.
      return (plugin.layer as (o: unknown) => Layer.Layer<Stages.Scorer, never, ScoreBenchmark.Requirements>)(options)
    })
  )

/**
 * Everything a scoring run needs on top of the workspace (`Asker`, `Executor`).
 *
 * @category layers
 */
export const layer = (options: {
  readonly profile: Profile.Profile
  /** Where the profile came from, for error messages. */
  readonly source: string
  readonly target: { readonly target: "local" | "databricks"; readonly host: string }
}): Layer.Layer<
  Stages.Scorer | Safety.Safety | Stages.Evaluator | RunStore.RunStore,
  Errors.ConfigInvalid | Errors.PluginNotFound | Errors.ProviderError,
  Stages.Asker | Stages.Executor | FileSystem.FileSystem | Path.Path
> => {
  const { profile } = options
  // Genie's per-workspace question limit is a real workspace's; the local emulator has none unless its faults say
  // so, and then its 429s slow the run down like a real workspace's would.
  const safety = Safety.layer(
    Safety.settingsFromProfile(profile.safety, { limitQuestions: options.target.target !== "local" }),
    { workspace: options.target.host }
  )
  const base = Layer.mergeAll(
    evaluatorLayer(profile, judgePlan(profile, options.target.target).enabled),
    RunStore.layer(profile.runs.dir)
  ).pipe(Layer.provideMerge(safety))
  return scorerLayer(profile, options.source).pipe(Layer.provideMerge(base))
}
