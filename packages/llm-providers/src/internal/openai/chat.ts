/**
 * OpenAI chat completions through the `openai` SDK: the wire format shared by OpenAI, OpenAI-compatible servers
 * and Databricks serving endpoints.
 */
import type { Errors } from "@genie-enhancer/core"
import { Effect, Redacted } from "effect"
import OpenAI from "openai"
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions"
import type { ProviderCall, ProviderReply } from "../../Provider.js"
import { sdkCall } from "../sdkCall.js"
import { toProviderError } from "./errors.js"

/** The SDK's own timeout is only a backstop: the safety layer sets per-attempt timeouts and aborts the request. */
const backstopTimeoutMs = 10 * 60 * 1000

/**
 * An SDK client configured only from our arguments: no retries, and nothing read from `OPENAI_*` variables behind
 * our back. Without a key, no `Authorization` header is sent (local servers such as Ollama need none).
 */
export const makeClient = (options: {
  readonly baseUrl: string
  readonly apiKey: Redacted.Redacted<string> | undefined
}): OpenAI =>
  new OpenAI({
    baseURL: options.baseUrl,
    // The SDK refuses to start without a key; with none we drop the header it would build from this placeholder.
    apiKey: options.apiKey === undefined ? "none" : Redacted.value(options.apiKey),
    ...(options.apiKey === undefined ? { defaultHeaders: { Authorization: null } } : {}),
    adminAPIKey: null,
    organization: null,
    project: null,
    maxRetries: 0,
    timeout: backstopTimeoutMs,
    logLevel: "off"
  })

/** How one deployment speaks the protocol. */
export interface ChatOptions {
  readonly provider: string
  readonly model: string
  /** Named in Auth errors: `OPENAI_API_KEY`, `the Databricks workspace credentials`. */
  readonly credentials: string
  /** OpenAI's newer models accept only `max_completion_tokens`; serving endpoints and local servers `max_tokens`. */
  readonly maxTokensField: "max_tokens" | "max_completion_tokens"
}

/** Sends one chat completion. `headers` are per request (Databricks puts its current token there). */
export const send = (
  client: OpenAI,
  options: ChatOptions,
  call: ProviderCall,
  headers?: Readonly<Record<string, string>>
): Effect.Effect<ProviderReply, Errors.ProviderError> => {
  const { request, output } = call
  const body: ChatCompletionCreateParamsNonStreaming = {
    model: options.model,
    messages: [
      ...(request.system === undefined ? [] : [{ role: "system" as const, content: request.system }]),
      ...request.messages.map((message) => ({ role: message.role, content: message.content }))
    ],
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.maxTokens === undefined ? {} : { [options.maxTokensField]: request.maxTokens }),
    ...(output === undefined
      ? {}
      : {
          response_format: {
            type: "json_schema",
            json_schema: {
              // Databricks answers 400 when `name` is missing.
              name: output.name,
              ...(output.description === undefined ? {} : { description: output.description }),
              schema: output.jsonSchema,
              strict: output.strict
            }
          }
        })
  }
  return sdkCall(
    (signal) => client.chat.completions.create(body, { signal, ...(headers === undefined ? {} : { headers }) }),
    (error, now) => toProviderError(error, { provider: options.provider, credentials: options.credentials, now })
  ).pipe(Effect.map(replyOf))
}

const replyOf = (completion: ChatCompletion): ProviderReply => ({
  text: textOf(completion.choices[0]?.message.content),
  inputTokens: completion.usage?.prompt_tokens ?? 0,
  outputTokens: completion.usage?.completion_tokens ?? 0
})

/**
 * The reply text. Reasoning models behind Databricks serving send `content` as a list of blocks (reasoning, then
 * text) instead of a string; only the text blocks are the answer.
 */
const textOf = (content: unknown): string => {
  if (typeof content === "string") return content
  if (!Array.isArray(content)) return ""
  return content
    .filter(isTextBlock)
    .map((block) => block.text)
    .join("")
}

const isTextBlock = (block: unknown): block is { readonly type: "text"; readonly text: string } => {
  const candidate = block as { readonly type?: unknown; readonly text?: unknown } | null
  return (
    typeof block === "object" && candidate !== null && candidate.type === "text" && typeof candidate.text === "string"
  )
}
