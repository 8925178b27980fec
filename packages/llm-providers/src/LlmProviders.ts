/**
 * The composition function: the profile's `llm` block → the `LanguageModel` layer (provider, cassette, usage
 * tracking). The CLI and the pipeline's composition root call this; swapping providers is a profile change.
 */
import type { FileSystem, Path } from "@effect/platform"
import { Errors, Issue, Workspace } from "@genie-enhancer/core"
import type { Profile, Stages } from "@genie-enhancer/core"
import { Effect, Layer, Option } from "effect"
import * as Anthropic from "./Anthropic.js"
import * as Cassette from "./Cassette.js"
import * as Databricks from "./Databricks.js"
import * as OpenAi from "./OpenAi.js"
import type * as Provider from "./Provider.js"
import * as Scripted from "./Scripted.js"
import * as UsageLedger from "./UsageLedger.js"

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
 * `OPENAI_BASE_URL`, `ANTHROPIC_API_KEY`, `ANTHROPIC_BASE_URL`. `databricks` uses the `WorkspaceAuth` found in the
 * context it is built in (the Databricks adapter's layer) and fails with reason `Auth` when there is none.
 *
 * @category layers
 */
export const providerLayer = (
  settings: Profile.LlmSettings,
  options: LayerOptions = {}
): Layer.Layer<Stages.LanguageModel, Errors.ProviderError | Errors.ConfigInvalid> => {
  const model = modelOptions(settings)
  const baseUrl = settings.baseUrl === undefined ? {} : { baseUrl: settings.baseUrl }
  switch (settings.provider) {
    case "openai":
    case "openai-compatible":
      return OpenAi.layerConfig({ ...model, ...baseUrl, provider: settings.provider })
    case "anthropic":
      return Anthropic.layerConfig({ ...model, ...baseUrl })
    case "databricks":
      return Layer.unwrapEffect(
        Effect.map(Effect.serviceOption(Workspace.WorkspaceAuth), (auth) =>
          Option.match(auth, {
            onSome: (auth) => Databricks.layer(model).pipe(Layer.provide(Layer.succeed(Workspace.WorkspaceAuth, auth))),
            onNone: () =>
              Layer.fail(
                new Errors.ProviderError({
                  provider: "databricks",
                  reason: "Auth",
                  retryable: false,
                  message:
                    "provider databricks needs the workspace's credentials, which the Databricks adapter provides (WorkspaceAuth); none is available here"
                })
              )
          })
        )
      )
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
  FileSystem.FileSystem | Path.Path
> => {
  const { prices: _, ...defaults } = modelOptions(settings)
  const cassette: Cassette.CassetteOptions = { dir: settings.cassette.dir, provider: settings.provider, ...defaults }
  const model =
    settings.cassette.mode === "replay"
      ? Cassette.replay(cassette)
      : settings.cassette.mode === "record"
        ? Cassette.record(cassette).pipe(Layer.provide(providerLayer(settings, options)))
        : providerLayer(settings, options)
  return UsageLedger.tracked.pipe(Layer.provide(model), Layer.provideMerge(UsageLedger.UsageLedger.layer))
}
