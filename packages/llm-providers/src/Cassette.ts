/**
 * Record and replay of `LanguageModel` calls: `record` saves each exchange as `<dir>/<hash>.json`, `replay` answers
 * from those files without any network, and fails loudly on a request it has no recording for.
 *
 * **Details**
 * The hash covers the provider, the model, its temperature/maxTokens defaults, the request (system prompt,
 * messages, temperature, maxTokens; not `stage`, which only labels usage) and, for `completeJson`, the output
 * name and JSON Schema. Nothing secret is hashed or written: keys and tokens never reach this layer.
 */
import { FileSystem, Path } from "@effect/platform"
import { Errors, Stages } from "@genie-enhancer/core"
import { Effect, Layer, Schema } from "effect"
import { createHash } from "node:crypto"
import * as Structured from "./internal/structured.js"

/**
 * Where cassettes live and the provider configuration they belong to.
 *
 * @category models
 */
export interface CassetteOptions {
  readonly dir: string
  readonly provider: string
  readonly model: string
  readonly temperature?: number
  readonly maxTokens?: number
}

const Recording = Schema.Struct({
  version: Schema.Literal(1),
  hash: Schema.String,
  key: Schema.Unknown,
  response: Schema.Struct({
    text: Schema.String,
    usage: Schema.Struct({ inputTokens: Schema.Number, outputTokens: Schema.Number })
  })
})
type Recording = typeof Recording.Type

/** JSON with object keys sorted, so equal requests hash equally. */
const canonical = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(canonical)
    : typeof value === "object" && value !== null
      ? Object.fromEntries(
          Object.entries(value)
            .filter(([, v]) => v !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([k, v]) => [k, canonical(v)])
        )
      : value

/** What a recording is keyed by (and what its file shows, to tell a reader which call it was). */
const keyOf = <A, I>(
  options: CassetteOptions,
  request: Stages.CompletionRequest,
  output?: Stages.JsonOutput<A, I>
): unknown =>
  canonical({
    provider: options.provider,
    model: options.model,
    defaults: { temperature: options.temperature, maxTokens: options.maxTokens },
    request: {
      system: request.system,
      messages: request.messages,
      temperature: request.temperature,
      maxTokens: request.maxTokens
    },
    output:
      output === undefined
        ? undefined
        : {
            name: output.name,
            description: output.description,
            jsonSchema: Structured.prepare(output.schema).jsonSchema
          }
  })

/**
 * The hash a request is recorded under (32 hex digits of SHA-256).
 *
 * @category constructors
 */
export const hashOf = <A, I>(
  options: CassetteOptions,
  request: Stages.CompletionRequest,
  output?: Stages.JsonOutput<A, I>
): string => hashOfKey(keyOf(options, request, output))

const hashOfKey = (key: unknown): string => createHash("sha256").update(JSON.stringify(key)).digest("hex").slice(0, 32)

const cassetteError = (options: CassetteOptions, message: string) =>
  new Errors.ProviderError({ provider: options.provider, reason: "BadRequest", retryable: false, message })

/**
 * Decorates the `LanguageModel` below it: every successful call is also written to `<dir>/<hash>.json`.
 *
 * @category layers
 */
export const record = (
  options: CassetteOptions
): Layer.Layer<Stages.LanguageModel, never, Stages.LanguageModel | FileSystem.FileSystem | Path.Path> =>
  Layer.effect(
    Stages.LanguageModel,
    Effect.gen(function* () {
      const model = yield* Stages.LanguageModel
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const save = <A, I>(
        request: Stages.CompletionRequest,
        output: Stages.JsonOutput<A, I> | undefined,
        completion: Stages.Completion
      ) => {
        const key = keyOf(options, request, output)
        const hash = hashOfKey(key)
        const file = path.join(options.dir, `${hash}.json`)
        const recording: Recording = {
          version: 1,
          hash,
          key,
          response: { text: completion.text, usage: completion.usage }
        }
        return fs.makeDirectory(options.dir, { recursive: true }).pipe(
          Effect.zipRight(fs.writeFileString(file, `${JSON.stringify(recording, null, 2)}\n`)),
          Effect.mapError((error) => cassetteError(options, `cannot write cassette ${file}: ${error.message}`))
        )
      }
      return {
        complete: (request) =>
          Effect.tap(model.complete(request), (completion) => save(request, undefined, completion)),
        completeJson: (request, output) =>
          Effect.tap(model.completeJson(request, output), (completion) => save(request, output, completion))
      }
    })
  )

/**
 * A `LanguageModel` that answers only from recordings. A request without one fails with `ProviderError` (reason
 * `BadRequest`) naming its hash and the file it looked for; usage is the recorded token counts, marked `cached`,
 * without cost.
 *
 * @category layers
 */
export const replay = (
  options: CassetteOptions
): Layer.Layer<Stages.LanguageModel, never, FileSystem.FileSystem | Path.Path> =>
  Layer.effect(
    Stages.LanguageModel,
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const load = <A, I>(request: Stages.CompletionRequest, output?: Stages.JsonOutput<A, I>) => {
        const hash = hashOf(options, request, output)
        const file = path.join(options.dir, `${hash}.json`)
        return fs.readFileString(file).pipe(
          Effect.mapError(() =>
            cassetteError(
              options,
              `cassette miss: no recording ${hash} (${file}) for this ${options.provider} ${options.model} request; record it with llm.cassette.mode: record`
            )
          ),
          Effect.flatMap((text) =>
            Schema.decodeUnknown(Schema.parseJson(Recording))(text).pipe(
              Effect.mapError((error) => cassetteError(options, `cassette ${file} is malformed: ${error.message}`))
            )
          ),
          Effect.map((recording): Stages.Completion => {
            const { inputTokens, outputTokens } = recording.response.usage
            return {
              text: recording.response.text,
              usage: {
                inputTokens,
                outputTokens,
                latencyMs: 0,
                provider: options.provider,
                model: options.model,
                cached: true
              }
            }
          })
        )
      }
      return {
        complete: (request) => load(request),
        completeJson: <A, I>(request: Stages.CompletionRequest, output: Stages.JsonOutput<A, I>) =>
          Effect.flatMap(load(request, output), (completion) =>
            Structured.decode(completion.text, output.schema, Structured.prepare(output.schema)).pipe(
              Effect.map((value) => ({ ...completion, value })),
              Effect.mapError(
                (problem) =>
                  new Errors.ProviderError({
                    provider: options.provider,
                    reason: "InvalidOutput",
                    retryable: false,
                    message: `recorded "${output.name}" output no longer decodes: ${problem}`,
                    rawOutput: completion.text
                  })
              )
            )
          )
      }
    })
  )
