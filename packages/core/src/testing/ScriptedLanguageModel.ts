/**
 * A scripted `LanguageModel` for tests: a function answers each request, and every request is recorded so a test
 * can assert what was sent (batch sizes, prompt text, that no row value left in data-egress mode).
 */
import { Context, Effect, Layer, Ref, Schema } from "effect"
import { ProviderError } from "../model/Errors.js"
import { LanguageModel } from "../stages/Stages.js"
import type { CompletionRequest, Usage } from "../stages/Stages.js"

/** One request the scripted model received. @category testing */
export interface RecordedRequest {
  readonly request: CompletionRequest
  /** The structured output's name for `completeJson`; `undefined` for `complete`. */
  readonly output: string | undefined
}

/**
 * Answers a request: a JSON value for `completeJson` (decoded with the caller's schema; a mismatch fails with
 * `ProviderError` `InvalidOutput`, as real providers do) or a string for `complete`.
 *
 * @category testing
 */
export type Responder = (
  request: CompletionRequest,
  output: string | undefined,
  index: number
) => Effect.Effect<unknown, ProviderError>

/** The requests a scripted model has received, in order. @category testing */
export class ScriptedRequests extends Context.Tag("@genie-enhancer/core/testing/ScriptedRequests")<
  ScriptedRequests,
  { readonly all: Effect.Effect<ReadonlyArray<RecordedRequest>> }
>() {}

const usage: Usage = { inputTokens: 0, outputTokens: 0, latencyMs: 0, provider: "scripted", model: "scripted-model" }

/**
 * A layer providing `LanguageModel` (answering with `respond`) and `ScriptedRequests` (what it was asked).
 *
 * @example
 * ```ts
 * const model = ScriptedLanguageModel.layer(() => Effect.succeed({ verdicts: [] }))
 * ```
 *
 * @category testing
 */
export const layer = (respond: Responder): Layer.Layer<LanguageModel | ScriptedRequests> =>
  Layer.effectContext(
    Effect.gen(function* () {
      const recorded = yield* Ref.make<ReadonlyArray<RecordedRequest>>([])
      const receive = (request: CompletionRequest, output: string | undefined) =>
        Ref.modify(recorded, (all) => [all.length, [...all, { request, output }]] as const).pipe(
          Effect.flatMap((index) => respond(request, output, index))
        )
      const model = LanguageModel.of({
        complete: (request) => Effect.map(receive(request, undefined), (value) => ({ text: String(value), usage })),
        completeJson: (request, output) =>
          Effect.gen(function* () {
            const raw = yield* receive(request, output.name)
            const value = yield* Schema.decodeUnknown(output.schema)(raw).pipe(
              Effect.mapError(
                (error) =>
                  new ProviderError({
                    provider: "scripted",
                    reason: "InvalidOutput",
                    message: error.message,
                    retryable: false,
                    rawOutput: JSON.stringify(raw)
                  })
              )
            )
            return { value, text: JSON.stringify(raw), usage }
          })
      })
      return Context.make(LanguageModel, model).pipe(
        Context.add(ScriptedRequests, ScriptedRequests.of({ all: Ref.get(recorded) }))
      )
    })
  )
