/**
 * The composition function: the profile's `llm` block → the `LanguageModel` layer (provider, cassette, usage
 * tracking). The CLI and the pipeline's composition root call this; swapping providers is a profile change.
 */
import type { FileSystem, Path } from "@effect/platform"
import { Errors, Issue, Plugin, UsageLedger } from "@genie-enhancer/core"
import type { Profile, Stages, Workspace } from "@genie-enhancer/core"
import { Layer } from "effect"
import * as Anthropic from "./Anthropic.js"
import * as Cassette from "./Cassette.js"
import * as Databricks from "./Databricks.js"
import * as OpenAi from "./OpenAi.js"
import type * as Provider from "./Provider.js"
import * as Scripted from "./Scripted.js"

/** @category models */
export interface LayerOptions {
  /** Replies for provider `scripted` (tests); a profile cannot carry them. */
  readonly script?: Scripted.Script
}

const modelOptions = (settings: Profile.LlmSettings): Provider.ModelOptions => ({
  model: settings.model,
  ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
  ...(settings.maxTokens === undefined ? {} : { maxTokens: settings.maxTokens }),
  ...(settings.prices === undefined ? {} : { prices: settings.prices })
})

/**
 * The provider alone, without cassette or usage tracking.
 *
 * **Details**
 * Keys and base URLs come from the current `ConfigProvider` (the environment): `OPENAI_API_KEY`,
 * `OPENAI_BASE_URL`, `ANTHROPIC_API_KEY`, `ANTHROPIC_BASE_URL`. `databricks` calls the workspace's serving endpoints
 * with the `WorkspaceAuth` of the workspace target, which the layer requires (so a missing one is a type error).
 *
 * @category layers
 */
export const providerLayer = (
  settings: Profile.LlmSettings,
  options: LayerOptions = {}
): Layer.Layer<Stages.LanguageModel, Errors.ProviderError | Errors.ConfigInvalid, Workspace.WorkspaceAuth> => {
  const model = modelOptions(settings)
  const baseUrl = settings.baseUrl === undefined ? {} : { baseUrl: settings.baseUrl }
  switch (settings.provider) {
    case "openai":
    case "openai-compatible":
      return OpenAi.layerConfig({ ...model, ...baseUrl, provider: settings.provider })
    case "anthropic":
      return Anthropic.layerConfig({ ...model, ...baseUrl })
    case "databricks":
      return Databricks.layer(model)
    case "scripted":
      return options.script === undefined
        ? Layer.fail(
            new Errors.ConfigInvalid({
              source: "profile",
              issues: [
                Issue.error(
                  "ScriptRequired",
                  "$.llm.provider",
                  "provider scripted answers from a test script (LlmProviders.layerFromSettings(settings, { script })); to run offline from a profile, use llm.cassette.mode: replay"
                )
              ]
            })
          )
        : Scripted.layer(options.script, model)
    default:
      return Layer.fail(
        new Errors.ConfigInvalid({
          source: "profile",
          issues: [
            Issue.error(
              "UnknownProvider",
              "$.llm.provider",
              `"${settings.provider}" is not a built-in provider (${providerIds.join(", ")}); name a plugin in plugins: to use another`
            )
          ]
        })
      )
  }
}

/**
 * The `LanguageModel` for a profile's `llm` settings, with its `UsageLedger`.
 *
 * **Details**
 * `cassette.mode` `off` calls the provider; `record` calls it and writes every exchange to `cassette.dir`;
 * `replay` answers from `cassette.dir` only (no provider is built, so no key or network is needed). Every call's
 * usage is added to the `UsageLedger` this layer also provides.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function* () {
 *   const llm = yield* Stages.LanguageModel
 *   const { value, usage } = yield* llm.completeJson(
 *     { messages: [{ role: "user", content: "Is 7 prime?" }], stage: "judge" },
 *     { name: "answer", schema: Schema.Struct({ prime: Schema.Boolean }) }
 *   )
 * })
 * program.pipe(Effect.provide(LlmProviders.layerFromSettings(profile.llm)), Effect.provide(NodeContext.layer))
 * ```
 *
 * @category layers
 */
export const layerFromSettings = (
  settings: Profile.LlmSettings,
  options: LayerOptions = {}
): Layer.Layer<
  Stages.LanguageModel | UsageLedger.UsageLedger,
  Errors.ProviderError | Errors.ConfigInvalid,
  FileSystem.FileSystem | Path.Path | Workspace.WorkspaceAuth
> =>
  UsageLedger.tracked.pipe(
    Layer.provide(modelLayer(settings, options)),
    Layer.provideMerge(UsageLedger.UsageLedger.layer)
  )

/**
 * The provider behind its cassette (`record`, `replay`) or alone (`off`), without usage tracking: what the
 * composition root wraps with the run's `UsageLedger`.
 *
 * @category layers
 */
export const modelLayer = (
  settings: Profile.LlmSettings,
  options: LayerOptions = {}
): Layer.Layer<
  Stages.LanguageModel,
  Errors.ProviderError | Errors.ConfigInvalid,
  FileSystem.FileSystem | Path.Path | Workspace.WorkspaceAuth
> => {
  const { prices: _, ...defaults } = modelOptions(settings)
  const cassette: Cassette.CassetteOptions = { dir: settings.cassette.dir, provider: settings.provider, ...defaults }
  return settings.cassette.mode === "replay"
    ? Cassette.replay(cassette)
    : settings.cassette.mode === "record"
      ? Cassette.record(cassette).pipe(Layer.provide(providerLayer(settings, options)))
      : providerLayer(settings, options)
}

/** The built-in provider ids. @category models */
export const providerIds = ["databricks", "openai", "anthropic", "openai-compatible", "scripted"] as const

const describe: Record<(typeof providerIds)[number], string> = {
  databricks: "A model-serving endpoint of the workspace (its credentials).",
  openai: "OpenAI (OPENAI_API_KEY; OPENAI_BASE_URL honoured).",
  anthropic: "Anthropic (ANTHROPIC_API_KEY).",
  "openai-compatible": "Any OpenAI-compatible server at llm.baseUrl.",
  scripted: "Canned replies for tests (LlmProviders.scriptedPlugin)."
}

/**
 * A built-in provider as a plugin (`llm.provider: <id>`): the profile's `llm` block with that provider.
 *
 * @category models
 */
export const plugin = (id: (typeof providerIds)[number], options: LayerOptions = {}) =>
  Plugin.definePlugin({
    id,
    version: "0.1.0",
    kind: "llm-provider",
    description: describe[id],
    optionsSchema: Plugin.noOptions,
    layer: (_options: unknown, context: Plugin.Context) =>
      modelLayer({ ...context.profile.llm, provider: id }, options),
    usesWorkspace: id === "databricks"
  })

/**
 * Every built-in provider as a plugin.
 *
 * @category models
 */
export const plugins = (): ReadonlyArray<Plugin.AnyPlugin> => providerIds.map((id) => plugin(id))

/**
 * The `scripted` provider answering from `script`, for tests that run the whole composition root offline.
 *
 * @category models
 */
export const scriptedPlugin = (script: Scripted.Script): Plugin.AnyPlugin => plugin("scripted", { script })
