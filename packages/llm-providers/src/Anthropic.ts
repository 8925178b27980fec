/**
 * The `anthropic` provider: the Messages API through the official `@anthropic-ai/sdk`, with structured output as a
 * forced tool call.
 */
import AnthropicClient from "@anthropic-ai/sdk"
import type { Message, MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages"
import { Errors, Secrets, Stages } from "@genie-enhancer/core"
import { Config, Effect, Layer, Option, Redacted } from "effect"
import { toProviderError } from "./internal/anthropic/errors.js"
import { sdkCall } from "./internal/sdkCall.js"
import * as Provider from "./Provider.js"

/**
 * @category models
 */
export interface AnthropicOptions extends Provider.ModelOptions {
  readonly apiKey: Redacted.Redacted<string>
  /** Default `https://api.anthropic.com`. */
  readonly baseUrl?: string
}

/** @category constructors */
export const defaultBaseUrl = "https://api.anthropic.com"

/** The Messages API requires `max_tokens`; used when neither the request nor the options set one. */
const defaultMaxTokens = 4096

/** Only a backstop: the safety layer sets per-attempt timeouts and aborts the request. */
const backstopTimeoutMs = 10 * 60 * 1000

/**
 * A `LanguageModel` over the Anthropic Messages API. Structured output is a tool named after the output, with the
 * JSON Schema as its input schema, that the model is forced to call.
 *
 * @category constructors
 */
export const make: (options: AnthropicOptions) => Effect.Effect<Stages.LanguageModel["Type"]> = Effect.fn(
  "Anthropic.make"
)(function* (options) {
  const client = new AnthropicClient({
    apiKey: Redacted.value(options.apiKey),
    baseURL: options.baseUrl ?? defaultBaseUrl,
    maxRetries: 0,
    timeout: backstopTimeoutMs,
    logLevel: "off"
  })
  const send = (call: Provider.ProviderCall) => {
    const { request, output } = call
    const body: MessageCreateParamsNonStreaming = {
      model: options.model,
      max_tokens: request.maxTokens ?? defaultMaxTokens,
      messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
      ...(request.system === undefined ? {} : { system: request.system }),
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      ...(output === undefined
        ? {}
        : {
            tools: [
              {
                name: output.name,
                description: output.description ?? `Return the ${output.name} as the tool input.`,
                input_schema: { type: "object", ...output.jsonSchema }
              }
            ],
            tool_choice: { type: "tool", name: output.name }
          })
    }
    return sdkCall(
      (signal) => client.messages.create(body, { signal }),
      (error, now) => toProviderError(error, { provider: "anthropic", credentials: "ANTHROPIC_API_KEY", now })
    ).pipe(Effect.map((message) => replyOf(message, output?.name)))
  }
  return yield* Provider.make({ provider: "anthropic", options, send })
})

const replyOf = (message: Message, toolName: string | undefined): Provider.ProviderReply => {
  const tool = message.content.find((block) => block.type === "tool_use" && block.name === toolName)
  const text =
    tool?.type === "tool_use"
      ? JSON.stringify(tool.input)
      : message.content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join("")
  const usage = message.usage
  return {
    text,
    // Cached prompt tokens are billed input too.
    inputTokens: usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0),
    outputTokens: usage.output_tokens
  }
}

/**
 * Provides `LanguageModel` from explicit options.
 *
 * @category layers
 */
export const layer = (options: AnthropicOptions): Layer.Layer<Stages.LanguageModel> =>
  Layer.effect(Stages.LanguageModel, make(options))

/**
 * Provides `LanguageModel` with the key from `ANTHROPIC_API_KEY` and the base URL from `options.baseUrl`, else
 * `ANTHROPIC_BASE_URL`, else Anthropic's (read through the current `ConfigProvider`). A missing key is
 * `ProviderError` reason `Auth` naming the variable.
 *
 * @category layers
 */
export const layerConfig = (
  options: Omit<AnthropicOptions, "apiKey">
): Layer.Layer<Stages.LanguageModel, Errors.ProviderError> =>
  Layer.effect(
    Stages.LanguageModel,
    Effect.gen(function* () {
      const apiKey = yield* Secrets.read("ANTHROPIC_API_KEY")
      if (Option.isNone(apiKey)) {
        return yield* new Errors.ProviderError({
          provider: "anthropic",
          reason: "Auth",
          retryable: false,
          message: "ANTHROPIC_API_KEY is not set: export it with your Anthropic API key"
        })
      }
      const envBaseUrl = yield* Config.option(Config.nonEmptyString("ANTHROPIC_BASE_URL")).pipe(
        Effect.orElseSucceed(() => Option.none<string>())
      )
      const baseUrl = options.baseUrl ?? Option.getOrUndefined(envBaseUrl)
      return yield* make({ ...options, apiKey: apiKey.value, ...(baseUrl === undefined ? {} : { baseUrl }) })
    })
  )
