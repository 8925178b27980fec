/**
 * Model-serving endpoints as an LLM (databricks-api.md §7): `/serving-endpoints/chat/completions` (OpenAI style,
 * `model` = endpoint) and `/serving-endpoints/{name}/invocations`, answering with scripted completions. A request
 * for `response_format: json_schema` without a matching script gets JSON that fits the schema.
 */
import { Clock, Effect, Schema } from "effect"
import * as ApiError from "./ApiError.js"
import type * as Faults from "./Faults.js"
import { example } from "./internal/JsonSchemaExample.js"

/**
 * A scripted completion: used for requests to `endpoint` (any when absent) whose last user message contains
 * `contains` (any when absent). `content` is returned as text, or as JSON text when it is not a string.
 *
 * @category configuration
 */
export const CompletionRule = Schema.Struct({
  endpoint: Schema.optionalWith(Schema.String, { exact: true }),
  contains: Schema.optionalWith(Schema.String, { exact: true }),
  content: Schema.Unknown
})
export type CompletionRule = typeof CompletionRule.Type

/** A request the endpoint received, for test assertions. @category models */
export interface ServingRequest {
  readonly endpoint: string
  readonly body: Readonly<Record<string, unknown>>
  readonly timestamp: number
}

/** The serving endpoints of an emulator. @category models */
export interface Serving {
  readonly complete: (
    endpoint: string | undefined,
    body: Record<string, unknown>
  ) => Effect.Effect<Record<string, unknown>, ApiError.ApiError>
  readonly requests: Effect.Effect<ReadonlyArray<ServingRequest>>
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const textOf = (content: unknown): string =>
  typeof content === "string"
    ? content
    : Array.isArray(content)
      ? content.map((part) => (isRecord(part) && typeof part.text === "string" ? part.text : "")).join("")
      : ""

const tokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4))

const missing = (name: string) => ApiError.invalidParameter(`Missing required parameter: '${name}'.`)

/**
 * Creates the serving endpoints.
 *
 * @category constructors
 */
export const make = (options: {
  readonly rules: ReadonlyArray<CompletionRule>
  readonly faults: Faults.Injector
}): Serving => {
  const received: Array<ServingRequest> = []

  const replyText = (endpoint: string, lastUser: string, format: unknown): string => {
    const rule = options.rules.find(
      (r) =>
        (r.endpoint === undefined || r.endpoint === endpoint) &&
        (r.contains === undefined || lastUser.includes(r.contains))
    )
    if (rule !== undefined) return typeof rule.content === "string" ? rule.content : JSON.stringify(rule.content)
    if (isRecord(format) && format.type === "json_schema" && isRecord(format.json_schema)) {
      return JSON.stringify(example(format.json_schema.schema))
    }
    if (isRecord(format) && format.type === "json_object") return "{}"
    return "This is a scripted reply from the workspace emulator."
  }

  const complete = (pathEndpoint: string | undefined, body: Record<string, unknown>) =>
    Effect.gen(function* () {
      if (pathEndpoint !== undefined && "inputs" in body) {
        return yield* new ApiError.ApiError({
          status: 400,
          errorCode: "BAD_REQUEST",
          message: 'json: unknown field "inputs"'
        })
      }
      const endpoint = pathEndpoint ?? body.model
      if (typeof endpoint !== "string" || endpoint === "") return yield* missing("model")
      const messages = body.messages
      if (!Array.isArray(messages) || messages.length === 0) return yield* missing("messages")
      if (body.stream === true) {
        return yield* ApiError.invalidParameter("stream is not supported by the workspace emulator.")
      }
      const format = body.response_format
      if (isRecord(format) && format.type === "json_schema") {
        if (!isRecord(format.json_schema) || typeof format.json_schema.name !== "string") {
          return yield* missing("response_format.json_schema.name")
        }
      }
      const now = yield* Clock.currentTimeMillis
      received.push({ endpoint, body, timestamp: now })
      const lastUser = [...(messages as ReadonlyArray<unknown>)].reverse().find((m) => isRecord(m) && m.role === "user")
      const text = replyText(endpoint, isRecord(lastUser) ? textOf(lastUser.content) : "", format)
      const config = yield* options.faults.config
      const content = config.serving?.contentAsArray
        ? [
            { type: "reasoning", summary: [{ type: "summary_text", text: "Scripted reasoning." }] },
            { type: "text", text }
          ]
        : text
      const promptTokens = messages.reduce<number>((n, m) => n + tokens(isRecord(m) ? textOf(m.content) : ""), 0)
      const completionTokens = tokens(text)
      return {
        id: `chatcmpl-${now.toString(16)}${received.length}`,
        object: "chat.completion",
        created: Math.floor(now / 1000),
        model: endpoint,
        choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens
        }
      }
    })

  return { complete, requests: Effect.sync(() => [...received]) }
}
