/**
 * The `databricks` provider: a model-serving endpoint of the workspace, called through its OpenAI-compatible chat
 * completions route (`<host>/serving-endpoints/chat/completions`, `model` = the endpoint name).
 */
import { Errors, Stages, Workspace } from "@genie-enhancer/core"
import { Effect, Layer, Redacted } from "effect"
import * as Chat from "./internal/openai/chat.js"
import * as Provider from "./Provider.js"

/**
 * `model` is the serving endpoint name, e.g. `databricks-claude-sonnet-4`.
 *
 * @category models
 */
export type DatabricksOptions = Provider.ModelOptions

/**
 * A `LanguageModel` over a serving endpoint, authenticated as the workspace.
 *
 * **Details**
 * Credentials are the workspace's own (`WorkspaceAuth`, built by the Databricks adapter from a PAT or OAuth);
 * the `Authorization` header is fetched for every call so refreshed OAuth tokens apply. Structured output uses
 * `response_format: json_schema` (Databricks requires its `name`); replies whose content is a list of blocks
 * (reasoning models) are reduced to their text; endpoints that reject `temperature` are retried without it.
 *
 * @category constructors
 */
export const make: (
  options: DatabricksOptions
) => Effect.Effect<Stages.LanguageModel["Type"], never, Workspace.WorkspaceAuth> = Effect.fn("Databricks.make")(
  function* (options) {
    const auth = yield* Workspace.WorkspaceAuth
    // The SDK's own key is a placeholder: every request carries the workspace's current header instead.
    const client = Chat.makeClient({ baseUrl: `${auth.host}/serving-endpoints`, apiKey: Redacted.make("workspace") })
    const chat: Chat.ChatOptions = {
      provider: "databricks",
      model: options.model,
      credentials: `the Databricks credentials for ${auth.host}`,
      maxTokensField: "max_tokens"
    }
    const send = (call: Provider.ProviderCall) =>
      auth.authorization.pipe(
        Effect.mapError(
          (error) =>
            new Errors.ProviderError({
              provider: "databricks",
              reason: "Auth",
              retryable: false,
              message: `cannot authenticate to ${auth.host}: ${error.message}`
            })
        ),
        Effect.flatMap((authorization) =>
          Chat.send(client, chat, call, { Authorization: Redacted.value(authorization) })
        )
      )
    return yield* Provider.make({ provider: "databricks", options, send })
  }
)

/**
 * Provides `LanguageModel` over a serving endpoint; needs `WorkspaceAuth` (the Databricks adapter's layer, or a
 * `Layer.succeed` in tests).
 *
 * @category layers
 */
export const layer = (options: DatabricksOptions): Layer.Layer<Stages.LanguageModel, never, Workspace.WorkspaceAuth> =>
  Layer.effect(Stages.LanguageModel, make(options))
