/**
 * The `openai` and `openai-compatible` providers: OpenAI chat completions through the official SDK, against
 * api.openai.com or any server speaking the same protocol (Ollama, vLLM, LM Studio, proxies).
 */
import { Errors, Issue, Secrets, Stages } from "@genie-enhancer/core"
import { Config, Effect, Layer, Option } from "effect"
import type { Redacted } from "effect"
import * as Chat from "./internal/openai/chat.js"
import * as Provider from "./Provider.js"

/**
 * @category models
 */
export interface OpenAiOptions extends Provider.ModelOptions {
  /** The name in usage and errors. Default `openai`. */
  readonly provider?: "openai" | "openai-compatible"
  /** Default `https://api.openai.com/v1`. */
  readonly baseUrl?: string
  /** Sent as `Authorization: Bearer …`; without one no `Authorization` header is sent. */
  readonly apiKey?: Redacted.Redacted<string>
}

/** @category constructors */
export const defaultBaseUrl = "https://api.openai.com/v1"

/**
 * A `LanguageModel` over OpenAI chat completions, with native structured output (`response_format: json_schema`).
 *
 * @category constructors
 */
export const make: (options: OpenAiOptions) => Effect.Effect<Stages.LanguageModel["Type"]> = Effect.fn("OpenAi.make")(
  function* (options) {
    const provider = options.provider ?? "openai"
    const client = Chat.makeClient({ baseUrl: options.baseUrl ?? defaultBaseUrl, apiKey: options.apiKey })
    const chat: Chat.ChatOptions = {
      provider,
      model: options.model,
      credentials: "OPENAI_API_KEY",
      // OpenAI's reasoning models reject `max_tokens`; compatible servers may not know the newer field.
      maxTokensField: provider === "openai" ? "max_completion_tokens" : "max_tokens"
    }
    return yield* Provider.make({ provider, options, send: (call) => Chat.send(client, chat, call) })
  }
)

/**
 * Provides `LanguageModel` from explicit options.
 *
 * @category layers
 */
export const layer = (options: OpenAiOptions): Layer.Layer<Stages.LanguageModel> =>
  Layer.effect(Stages.LanguageModel, make(options))

/**
 * Provides `LanguageModel` with the key from `OPENAI_API_KEY` and the base URL from `options.baseUrl`, else
 * `OPENAI_BASE_URL`, else OpenAI's (read through the current `ConfigProvider`).
 *
 * **Details**
 * `openai` fails with `ProviderError` reason `Auth` when `OPENAI_API_KEY` is unset. `openai-compatible` sends the
 * key when set (local servers need none) and fails with `ConfigInvalid` at `$.llm.baseUrl` without a base URL.
 *
 * @category layers
 */
export const layerConfig = (
  options: Omit<OpenAiOptions, "apiKey">
): Layer.Layer<Stages.LanguageModel, Errors.ProviderError | Errors.ConfigInvalid> =>
  Layer.effect(
    Stages.LanguageModel,
    Effect.gen(function* () {
      const provider = options.provider ?? "openai"
      const apiKey = yield* Secrets.read("OPENAI_API_KEY")
      const envBaseUrl = yield* Config.option(Config.nonEmptyString("OPENAI_BASE_URL")).pipe(
        Effect.orElseSucceed(() => Option.none<string>())
      )
      const baseUrl = options.baseUrl ?? Option.getOrUndefined(envBaseUrl)
      if (provider === "openai" && Option.isNone(apiKey)) {
        return yield* new Errors.ProviderError({
          provider,
          reason: "Auth",
          retryable: false,
          message: "OPENAI_API_KEY is not set: export it with your OpenAI API key"
        })
      }
      if (provider === "openai-compatible" && baseUrl === undefined) {
        return yield* new Errors.ConfigInvalid({
          source: "profile",
          issues: [
            Issue.error(
              "MissingBaseUrl",
              "$.llm.baseUrl",
              "provider openai-compatible needs the server's URL: set llm.baseUrl (or --base-url, or OPENAI_BASE_URL), e.g. http://localhost:11434/v1"
            )
          ]
        })
      }
      return yield* make({
        ...options,
        ...(baseUrl === undefined ? {} : { baseUrl }),
        ...(Option.isSome(apiKey) ? { apiKey: apiKey.value } : {})
      })
    })
  )
