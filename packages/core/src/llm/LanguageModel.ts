/** The language-model contract every LLM provider implements: text and schema-validated JSON completions. */
import { Context } from "effect"
import type { Effect, Schema } from "effect"
import type { ProviderError } from "../model/Errors.js"

/** A chat message for a language model. @category models */
export interface ChatMessage {
  readonly role: "user" | "assistant"
  readonly content: string
}

/** @category models */
export interface CompletionRequest {
  readonly system?: string
  readonly messages: ReadonlyArray<ChatMessage>
  /** Omitted for models that reject it (some reasoning models); providers drop it where unsupported. */
  readonly temperature?: number
  readonly maxTokens?: number
  /** The run stage the call serves (`judge`, `learn`, `fix`), for usage totals per stage. */
  readonly stage?: string
}

/** Token usage, latency and cost of one language-model call. @category models */
export interface Usage {
  readonly inputTokens: number
  readonly outputTokens: number
  readonly latencyMs: number
  readonly provider: string
  readonly model: string
  /** US dollars, from the profile's price table; absent when the model has no price. */
  readonly costUsd?: number
  /** True when the answer came from a cache or cassette rather than the provider. */
  readonly cached?: boolean
}

/** A text completion. @category models */
export interface Completion {
  readonly text: string
  readonly usage: Usage
}

/** A structured completion: the decoded value and the raw text it came from. @category models */
export interface JsonCompletion<A> {
  readonly value: A
  readonly text: string
  readonly usage: Usage
}

/**
 * The structured output a caller wants: a name (OpenAI's `json_schema.name`, Anthropic's tool name) and the Effect
 * Schema the JSON must decode with; providers derive the JSON Schema they send from it.
 *
 * @category models
 */
export interface JsonOutput<A, I> {
  readonly name: string
  readonly description?: string
  readonly schema: Schema.Schema<A, I>
}

/**
 * Text and schema-validated JSON completions, with usage.
 *
 * **Details**
 * `completeJson` uses the provider's native structured output where it exists, retries once with a repair prompt
 * when the output does not decode, then fails with `ProviderError` reason `InvalidOutput` keeping the raw text.
 *
 * @category services
 */
export class LanguageModel extends Context.Tag("@genie-enhancer/core/LanguageModel")<
  LanguageModel,
  {
    readonly complete: (request: CompletionRequest) => Effect.Effect<Completion, ProviderError>
    readonly completeJson: <A, I>(
      request: CompletionRequest,
      output: JsonOutput<A, I>
    ) => Effect.Effect<JsonCompletion<A>, ProviderError>
  }
>() {}
