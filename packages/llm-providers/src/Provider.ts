/**
 * What every provider shares: its options, the wire call it implements, and `make`, which turns that call into a
 * core `LanguageModel` with structured output, one repair retry, usage and cost.
 *
 * **Details**
 * A provider only sends one request and returns the text and token counts (`send`). `make` adds the rest the same
 * way for all of them: the JSON Schema derived from the caller's Effect Schema, decoding, the repair turn, latency
 * from `Clock`, cost from the price table, and dropping `temperature` for models that reject it.
 */
import { Errors } from "@genie-enhancer/core"
import type { Profile, Stages } from "@genie-enhancer/core"
import { Duration, Effect, Ref } from "effect"
import * as Structured from "./internal/structured.js"

/**
 * Options every provider takes: the model (a serving endpoint name for Databricks), request defaults and prices.
 *
 * @category models
 */
export interface ModelOptions {
  readonly model: string
  /** Default when a request sets none. */
  readonly temperature?: number
  /** Default when a request sets none. */
  readonly maxTokens?: number
  /** US dollars per million tokens, by model name (the profile's `llm.prices`). */
  readonly prices?: Readonly<Record<string, Profile.ModelPrice>>
}

/**
 * The structured output a provider must ask for natively (OpenAI `response_format`, Anthropic forced tool).
 *
 * @category models
 */
export interface StructuredOutput {
  /** Matches `^[a-zA-Z0-9_-]{1,64}$`, as OpenAI and Anthropic require. */
  readonly name: string
  readonly description?: string
  /** An object-rooted JSON Schema. */
  readonly jsonSchema: Readonly<Record<string, unknown>>
  /** True when the schema meets OpenAI's strict mode rules (closed objects, every property required). */
  readonly strict: boolean
}

/**
 * One request on the wire: the caller's request with defaults applied (and repair turns appended), plus the
 * structured output to ask for, if any.
 *
 * @category models
 */
export interface ProviderCall {
  readonly request: Stages.CompletionRequest
  readonly output?: StructuredOutput
}

/**
 * What a provider returns for one call: the text (for a structured call, the JSON text) and token counts.
 *
 * @category models
 */
export interface ProviderReply {
  readonly text: string
  readonly inputTokens: number
  readonly outputTokens: number
}

/**
 * Cost of a call in US dollars, or `undefined` when the model has no price.
 *
 * @category constructors
 */
export const costUsd = (
  prices: ModelOptions["prices"],
  model: string,
  tokens: { readonly inputTokens: number; readonly outputTokens: number }
): number | undefined => {
  const price = prices?.[model]
  return price === undefined
    ? undefined
    : (tokens.inputTokens * price.inputPerMillion + tokens.outputTokens * price.outputPerMillion) / 1_000_000
}

interface Timed extends ProviderReply {
  readonly latencyMs: number
}

const outputName = (name: string): string => name.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64) || "output"

/** Serving endpoints and reasoning models answer 400 "… does not support the temperature parameter". */
const rejectsTemperature = (error: Errors.ProviderError): boolean =>
  error.reason === "BadRequest" && /temperature/i.test(error.message)

/**
 * Builds a `LanguageModel` from a provider's `send`.
 *
 * **Details**
 * `completeJson` asks for the JSON Schema of `output.schema` natively, decodes the reply, and on failure sends one
 * repair turn (the bad reply and what is wrong with it); a second failure is `ProviderError` reason
 * `InvalidOutput` with the last reply in `rawOutput`. When a model rejects `temperature`, the call is sent again
 * without it, and later calls leave it out.
 *
 * @category constructors
 */
export const make: (spec: {
  readonly provider: string
  readonly options: ModelOptions
  readonly send: (call: ProviderCall) => Effect.Effect<ProviderReply, Errors.ProviderError>
}) => Effect.Effect<Stages.LanguageModel["Type"]> = Effect.fn("Provider.make")(function* ({ provider, options, send }) {
  const { model, prices } = options
  const temperatureRejected = yield* Ref.make(false)

  const withDefaults = (request: Stages.CompletionRequest): Stages.CompletionRequest => {
    const temperature = request.temperature ?? options.temperature
    const maxTokens = request.maxTokens ?? options.maxTokens
    return {
      ...request,
      ...(temperature === undefined ? {} : { temperature }),
      ...(maxTokens === undefined ? {} : { maxTokens })
    }
  }

  const withoutTemperature = (call: ProviderCall): ProviderCall => {
    const { temperature: _, ...request } = call.request
    return { ...call, request }
  }

  /** One call on the wire (two when the model turns out to reject `temperature`), timed with the `Clock`. */
  const sendTimed = (call: ProviderCall): Effect.Effect<Timed, Errors.ProviderError> =>
    Ref.get(temperatureRejected).pipe(
      Effect.flatMap((rejected) => send(rejected ? withoutTemperature(call) : call)),
      Effect.catchIf(
        (error) => call.request.temperature !== undefined && rejectsTemperature(error),
        () => Ref.set(temperatureRejected, true).pipe(Effect.zipRight(send(withoutTemperature(call))))
      ),
      Effect.timed,
      Effect.map(([elapsed, reply]) => ({ ...reply, latencyMs: Math.round(Duration.toMillis(elapsed)) }))
    )

  const usageOf = (replies: ReadonlyArray<Timed>): Stages.Usage => {
    const sum = (field: "inputTokens" | "outputTokens" | "latencyMs") =>
      replies.reduce((total, reply) => total + reply[field], 0)
    const tokens = { inputTokens: sum("inputTokens"), outputTokens: sum("outputTokens") }
    const cost = costUsd(prices, model, tokens)
    return { ...tokens, latencyMs: sum("latencyMs"), provider, model, ...(cost === undefined ? {} : { costUsd: cost }) }
  }

  const complete = (request: Stages.CompletionRequest) =>
    Effect.map(sendTimed({ request: withDefaults(request) }), (reply) => ({
      text: reply.text,
      usage: usageOf([reply])
    }))

  const completeJson = <A, I>(request: Stages.CompletionRequest, output: Stages.JsonOutput<A, I>) =>
    Effect.gen(function* () {
      const prepared = Structured.prepare(output.schema)
      const name = outputName(output.name)
      const structured: StructuredOutput = {
        name,
        ...(output.description === undefined ? {} : { description: output.description }),
        jsonSchema: prepared.jsonSchema,
        strict: prepared.strict
      }
      const call: ProviderCall = { request: withDefaults(request), output: structured }
      const first = yield* sendTimed(call)
      const firstValue = yield* Effect.either(Structured.decode(first.text, output.schema, prepared))
      if (firstValue._tag === "Right") return { value: firstValue.right, text: first.text, usage: usageOf([first]) }

      const repair = yield* sendTimed({
        ...call,
        request: repairRequest(call.request, first.text, firstValue.left, name)
      })
      return yield* Structured.decode(repair.text, output.schema, prepared).pipe(
        Effect.map((value) => ({ value, text: repair.text, usage: usageOf([first, repair]) })),
        Effect.mapError(
          (problem) =>
            new Errors.ProviderError({
              provider,
              reason: "InvalidOutput",
              retryable: false,
              message: `${provider} model ${model} returned invalid "${name}" output after one repair attempt: ${problem}`,
              rawOutput: repair.text
            })
        )
      )
    })

  return { complete, completeJson }
})

/** The repair turn: the model sees its own reply and what is wrong with it. */
const repairRequest = (
  request: Stages.CompletionRequest,
  badText: string,
  problem: string,
  name: string
): Stages.CompletionRequest => ({
  ...request,
  messages: [
    ...request.messages,
    // Anthropic rejects empty assistant turns.
    { role: "assistant", content: badText.trim() === "" ? "(empty reply)" : badText },
    {
      role: "user",
      content: `That reply cannot be used: ${problem}. Reply again with only the corrected JSON for "${name}", matching the JSON Schema you were given.`
    }
  ]
})
