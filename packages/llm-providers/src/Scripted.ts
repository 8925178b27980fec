/**
 * The `scripted` provider: canned replies for tests, in this package and in any package whose code calls
 * `LanguageModel` (judge, pattern learning, fixes). Replies go through the same decoding and repair as a real
 * provider, so invalid-output paths can be tested too.
 */
import { Errors, Stages } from "@genie-enhancer/core"
import { Effect, Layer, Ref } from "effect"
import * as Provider from "./Provider.js"

/**
 * One canned reply: text, a JSON value (sent as its JSON text), or a failure.
 *
 * @category models
 */
export type Reply = string | { readonly json: unknown } | Errors.ProviderError

/**
 * Replies in call order (a list); per key (a map: the output `name` for `completeJson`, else the request `stage`,
 * else `"text"`), where a list is used in order and a single reply answers every call; or a function of the call.
 *
 * @category models
 */
export type Script =
  | ReadonlyArray<Reply>
  | Readonly<Record<string, Reply | ReadonlyArray<Reply>>>
  | ((call: Provider.ProviderCall) => Reply)

/** Roughly four characters per token, so usage and cost are non-zero and deterministic. */
const estimateTokens = (text: string): number => Math.ceil(text.length / 4)

const keyOf = (call: Provider.ProviderCall): string => call.output?.name ?? call.request.stage ?? "text"

/**
 * A `LanguageModel` answering from `script`. Running out of replies fails with `ProviderError` reason
 * `BadRequest` naming the call.
 *
 * @category constructors
 */
export const make: (
  script: Script,
  options?: Partial<Provider.ModelOptions>
) => Effect.Effect<Stages.LanguageModel["Type"]> = Effect.fn("Scripted.make")(function* (script, options) {
  const used = yield* Ref.make<Record<string, number>>({})
  const next = (call: Provider.ProviderCall): Effect.Effect<Reply | undefined> => {
    if (typeof script === "function") return Effect.sync(() => script(call))
    const key = Array.isArray(script) ? "*" : keyOf(call)
    const entry: Reply | ReadonlyArray<Reply> | undefined = Array.isArray(script)
      ? script
      : (script as Readonly<Record<string, Reply | ReadonlyArray<Reply>>>)[key]
    if (!Array.isArray(entry)) return Effect.succeed(entry as Reply | undefined)
    return Ref.modify(used, (counts) => {
      const index = counts[key] ?? 0
      return [entry[index] as Reply | undefined, { ...counts, [key]: index + 1 }]
    })
  }
  const send = (call: Provider.ProviderCall) =>
    Effect.flatMap(next(call), (reply) => {
      if (reply === undefined) {
        return Effect.fail(
          new Errors.ProviderError({
            provider: "scripted",
            reason: "BadRequest",
            retryable: false,
            message: `the script has no reply left for "${keyOf(call)}"`
          })
        )
      }
      if (reply instanceof Errors.ProviderError) return Effect.fail(reply)
      const text = typeof reply === "string" ? reply : JSON.stringify(reply.json)
      const { system, messages } = call.request
      const prompt = [...(system === undefined ? [] : [system]), ...messages.map((m) => m.content)].join("\n")
      return Effect.succeed({ text, inputTokens: estimateTokens(prompt), outputTokens: estimateTokens(text) })
    })
  return yield* Provider.make({ provider: "scripted", options: { model: "scripted", ...options }, send })
})

/**
 * Provides `LanguageModel` answering from `script`.
 *
 * @category layers
 */
export const layer = (script: Script, options?: Partial<Provider.ModelOptions>): Layer.Layer<Stages.LanguageModel> =>
  Layer.effect(Stages.LanguageModel, make(script, options))
