/**
 * The contract every `LanguageModel` provider must keep, as checks any test runner can run against a provider layer
 * set up to answer the contract's calls (a loopback stub server, a cassette or a script; never the network):
 *
 * - `complete` calls: any text;
 * - `completeJson` with output name {@link okOutput}: `{"ok": true}`;
 * - `completeJson` with output name {@link badOutput}: JSON that does not decode (`{"ok": "yes"}`), every time.
 *
 * (`for (const c of LanguageModelContract.cases) it.effect(c.name, () => c.run(MyProvider.layer(stub)))`)
 */
import { Effect, Either, Schema } from "effect"
import type { Layer } from "effect"
import { ProviderErrorReason } from "../model/Errors.js"
import type { ProviderError } from "../model/Errors.js"
import type { Usage } from "../llm/LanguageModel.js"
import { LanguageModel } from "../llm/LanguageModel.js"

/**
 * A provider layer under test.
 *
 * @category models
 */
export type LanguageModelLayer = Layer.Layer<LanguageModel, unknown>

/** One contract check. @category models */
export interface Case {
  readonly name: string
  readonly run: (model: LanguageModelLayer) => Effect.Effect<void, Error>
}

/** The output name whose answer must be `{"ok": true}`. @category testing */
export const okOutput = "contract_ok"
/** The output name whose answer must not decode (`{"ok": "yes"}`). @category testing */
export const badOutput = "contract_bad"

const Ok = Schema.Struct({ ok: Schema.Boolean })
const request = { messages: [{ role: "user" as const, content: "Say something." }], maxTokens: 64 }

const check = (condition: boolean, message: string): Effect.Effect<void, Error> =>
  condition ? Effect.void : Effect.fail(new Error(message))

const describeError = (e: ProviderError) => `ProviderError ${e.reason}: ${e.message}`

const usageProblem = (usage: Usage): string | undefined => {
  if (usage.provider === "" || usage.model === "") return "usage names no provider or model"
  for (const key of ["inputTokens", "outputTokens", "latencyMs"] as const) {
    if (!Number.isFinite(usage[key]) || usage[key] < 0) return `usage.${key} is ${usage[key]}`
  }
  if (usage.costUsd !== undefined && !(usage.costUsd >= 0)) return `usage.costUsd is ${usage.costUsd}`
  return undefined
}

const withModel = <A>(model: LanguageModelLayer, f: (m: LanguageModel["Type"]) => Effect.Effect<A, Error>) =>
  Effect.flatMap(LanguageModel, f).pipe(
    Effect.provide(model),
    Effect.mapError((e) => (e instanceof Error ? e : new Error(`the provider layer failed: ${String(e)}`)))
  )

/** The checks. @category testing */
export const cases: ReadonlyArray<Case> = [
  {
    name: "complete answers with text and well-formed usage",
    run: (model) =>
      withModel(model, (m) =>
        Effect.gen(function* () {
          const completion = yield* m.complete(request).pipe(Effect.mapError((e) => new Error(describeError(e))))
          yield* check(typeof completion.text === "string", "the completion has no text")
          const problem = usageProblem(completion.usage)
          yield* check(problem === undefined, problem ?? "")
        })
      )
  },
  {
    name: "completeJson decodes the answer with the caller's schema",
    run: (model) =>
      withModel(model, (m) =>
        Effect.gen(function* () {
          const completion = yield* m
            .completeJson(request, { name: okOutput, schema: Ok })
            .pipe(Effect.mapError((e) => new Error(describeError(e))))
          yield* check(completion.value.ok === true, `decoded ${JSON.stringify(completion.value)}`)
          yield* check(typeof completion.text === "string", "the raw text is missing")
          const problem = usageProblem(completion.usage)
          yield* check(problem === undefined, problem ?? "")
        })
      )
  },
  {
    name: "output that does not decode fails with ProviderError InvalidOutput, never an undecoded value",
    run: (model) =>
      withModel(model, (m) =>
        Effect.gen(function* () {
          const result = yield* Effect.either(m.completeJson(request, { name: badOutput, schema: Ok }))
          yield* check(Either.isLeft(result), `undecodable output was returned: ${JSON.stringify(result)}`)
          if (Either.isLeft(result)) {
            yield* check(result.left._tag === "ProviderError", `expected ProviderError, got ${result.left._tag}`)
            yield* check(Schema.is(ProviderErrorReason)(result.left.reason), `unknown reason ${result.left.reason}`)
            yield* check(result.left.reason === "InvalidOutput", `expected InvalidOutput, got ${result.left.reason}`)
          }
        })
      )
  },
  {
    name: "concurrent calls each get their answer",
    run: (model) =>
      withModel(model, (m) =>
        Effect.gen(function* () {
          const all = yield* Effect.forEach(
            Array.from({ length: 6 }, () => request),
            (r) => m.complete(r).pipe(Effect.mapError((e) => new Error(describeError(e)))),
            { concurrency: "unbounded" }
          )
          yield* check(
            all.length === 6 && all.every((c) => typeof c.text === "string"),
            "a concurrent call got no text"
          )
        })
      )
  }
]
