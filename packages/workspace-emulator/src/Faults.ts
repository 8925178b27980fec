/**
 * Fault injection per endpoint family: latency distributions, throttling (429 + `Retry-After`), 5xx answers,
 * hangs, the Genie questions-per-minute limit, FAILED messages and COMPLETED messages without attachments.
 *
 * **Details**
 * Every random decision comes from a PRNG seeded with `seed` (one stream per family), so the same seed and the same
 * sequence of requests give the same faults. Delays use Effect's `Clock`, so tests drive them with `TestClock`;
 * `timeScale` multiplies every injected delay (latency, message steps, statement run time).
 */
import type { Errors } from "@genie-enhancer/core"
import { Clock, Effect, Random, Schema } from "effect"
import * as GenieEngine from "./GenieEngine.js"
import * as Yaml from "./internal/Yaml.js"

const optional = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { exact: true })
const Probability = Schema.Number.pipe(Schema.between(0, 1))
const Millis = Schema.NonNegative

/**
 * A latency distribution in milliseconds (before `timeScale`).
 *
 * @category configuration
 */
export const Latency = Schema.Union(
  Schema.Struct({ distribution: Schema.Literal("fixed"), ms: Millis }),
  Schema.Struct({ distribution: Schema.Literal("uniform"), minMs: Millis, maxMs: Millis }),
  Schema.Struct({ distribution: Schema.Literal("lognormal"), medianMs: Millis, sigma: Schema.NonNegative })
)
export type Latency = typeof Latency.Type

const endpointFields = {
  /** Delay before each answer. */
  latency: optional(Latency),
  /** Share of requests answered with a 5xx. */
  errorRate: optional(Probability),
  /** The 5xx status to answer with (default 503). */
  errorStatus: optional(
    Schema.Literal(500, 502, 503, 504).annotations({
      message: (issue) => ({
        message: `must be one of 500, 502, 503, 504 (a 5xx status), got ${JSON.stringify(issue.actual)}`,
        override: true
      })
    })
  ),
  /** Share of requests answered with 429 `RESOURCE_EXHAUSTED`. */
  throttleRate: optional(Probability),
  /** `Retry-After` seconds of injected 429s (default 1). */
  retryAfterSeconds: optional(Schema.Int.pipe(Schema.positive())),
  /** Share of requests never answered (until the client gives up). */
  hangRate: optional(Probability)
}

/** Faults of an endpoint family. @category configuration */
export const EndpointFaults = Schema.Struct(endpointFields)
export type EndpointFaults = typeof EndpointFaults.Type

/** Faults of the Genie conversation API. @category configuration */
export const GenieFaults = Schema.Struct({
  ...endpointFields,
  /** Questions (start-conversation + create-message) per minute per workspace; more get 429. Unlimited if unset. */
  questionsPerMinute: optional(Schema.Int.pipe(Schema.positive())),
  /** Share of messages that end FAILED with `failedType`. */
  failedRate: optional(Probability),
  failedType: optional(GenieEngine.MessageErrorType),
  /** Share of messages that end COMPLETED without attachments. */
  noAttachmentsRate: optional(Probability),
  /** Time a message spends in each non-terminal status (SUBMITTED, FETCHING_METADATA, …). Default 0. */
  stepMs: optional(Millis)
})
export type GenieFaults = typeof GenieFaults.Type

/** Faults of the SQL Statement Execution API. @category configuration */
export const StatementFaults = Schema.Struct({
  ...endpointFields,
  /** Time a statement stays PENDING, then RUNNING. Default 0. */
  pendingMs: optional(Millis),
  runMs: optional(Millis)
})
export type StatementFaults = typeof StatementFaults.Type

/** Faults and quirks of serving endpoints. @category configuration */
export const ServingFaults = Schema.Struct({
  ...endpointFields,
  /** Answer `message.content` as an array of content blocks, as reasoning models do. */
  contentAsArray: optional(Schema.Boolean)
})
export type ServingFaults = typeof ServingFaults.Type

/**
 * The faults file (YAML): a seed, a time scale and one section per endpoint family.
 *
 * @category configuration
 */
export const Config = Schema.Struct({
  seed: optional(Schema.Int),
  timeScale: optional(Schema.NonNegative),
  genie: optional(GenieFaults),
  spaces: optional(EndpointFaults),
  statements: optional(StatementFaults),
  serving: optional(ServingFaults),
  oidc: optional(EndpointFaults)
})
export type Config = typeof Config.Type

/** An endpoint family. @category models */
export type Family = "genie" | "spaces" | "statements" | "serving" | "oidc"

/** What happens to one request. @category models */
export interface Decision {
  readonly hang: boolean
  /** Delay before answering, already scaled. */
  readonly delayMs: number
  /** 429 or a 5xx to answer instead of handling the request. */
  readonly status?: number
  readonly retryAfterSeconds: number
}

/** A fault forced on a Genie message. @category models */
export type MessageFault =
  { readonly _tag: "Failed"; readonly type: GenieEngine.MessageErrorType } | { readonly _tag: "NoAttachments" }

/** Delays of message and statement progress, already scaled. @category models */
export interface Timing {
  readonly genieStepMs: number
  readonly statementPendingMs: number
  readonly statementRunMs: number
}

/**
 * The fault state of a running emulator.
 *
 * @category models
 */
export interface Injector {
  readonly config: Effect.Effect<Config>
  /** Replaces the configuration and restarts every PRNG stream from the (new) seed. */
  readonly set: (config: Config) => Effect.Effect<void>
  readonly request: (family: Family) => Effect.Effect<Decision>
  /** A forced outcome for a new Genie message, if any. */
  readonly message: Effect.Effect<MessageFault | undefined>
  /** Admits a Genie question under the per-minute limit; the `Retry-After` seconds when over it. */
  readonly admitQuestion: Effect.Effect<number | undefined>
  readonly timing: Effect.Effect<Timing>
}

const families: ReadonlyArray<Family> = ["genie", "spaces", "statements", "serving", "oidc"]

const sample = (latency: Latency | undefined, rng: Random.Random) =>
  Effect.gen(function* () {
    if (latency === undefined) return 0
    switch (latency.distribution) {
      case "fixed":
        return latency.ms
      case "uniform":
        return latency.minMs + (yield* rng.next) * (latency.maxMs - latency.minMs)
      case "lognormal": {
        // Box–Muller; 1 - u keeps the logarithm finite.
        const u1 = 1 - (yield* rng.next)
        const u2 = yield* rng.next
        const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
        return latency.medianMs * Math.exp(latency.sigma * z)
      }
    }
  })

const hit = (rate: number | undefined, rng: Random.Random) =>
  rate === undefined || rate <= 0 ? Effect.succeed(false) : Effect.map(rng.next, (u) => u < rate)

/**
 * Creates the fault state for a configuration (no faults when empty).
 *
 * @category constructors
 */
export const make = (initial: Config, defaultSeed = 0): Injector => {
  let config = initial
  let streams = new Map<string, Random.Random>()
  let questions: Array<number> = []
  const reset = () => {
    const seed = config.seed ?? defaultSeed
    streams = new Map([...families, "messages"].map((name) => [name, Random.make(`${seed}/${name}`)]))
    questions = []
  }
  reset()
  const stream = (name: string) => streams.get(name)!
  const scale = (ms: number) => ms * (config.timeScale ?? 1)

  const request = (family: Family) =>
    Effect.gen(function* () {
      const faults: EndpointFaults = config[family] ?? {}
      const rng = stream(family)
      const hang = yield* hit(faults.hangRate, rng)
      const delayMs = scale(yield* sample(faults.latency, rng))
      const retryAfterSeconds = faults.retryAfterSeconds ?? 1
      if (yield* hit(faults.throttleRate, rng)) return { hang, delayMs, status: 429, retryAfterSeconds }
      if (yield* hit(faults.errorRate, rng))
        return { hang, delayMs, status: faults.errorStatus ?? 503, retryAfterSeconds }
      return { hang, delayMs, retryAfterSeconds }
    })

  const message = Effect.gen(function* () {
    const genie = config.genie ?? {}
    const rng = stream("messages")
    if (yield* hit(genie.failedRate, rng)) {
      return { _tag: "Failed", type: genie.failedType ?? "GENERIC_CHAT_COMPLETION_EXCEPTION" } as const
    }
    if (yield* hit(genie.noAttachmentsRate, rng)) return { _tag: "NoAttachments" } as const
    return undefined
  })

  const admitQuestion = Effect.gen(function* () {
    const limit = config.genie?.questionsPerMinute
    if (limit === undefined) return undefined
    const now = yield* Clock.currentTimeMillis
    questions = questions.filter((t) => t > now - 60_000)
    if (questions.length >= limit) return Math.ceil((questions[0] + 60_000 - now) / 1000)
    questions.push(now)
    return undefined
  })

  return {
    config: Effect.sync(() => config),
    set: (next) =>
      Effect.sync(() => {
        config = next
        reset()
      }),
    request,
    message,
    admitQuestion,
    timing: Effect.sync(() => ({
      genieStepMs: scale(config.genie?.stepMs ?? 0),
      statementPendingMs: scale(config.statements?.pendingMs ?? 0),
      statementRunMs: scale(config.statements?.runMs ?? 0)
    }))
  }
}

/**
 * Decodes faults YAML text; errors name the source, the path and the line.
 *
 * @category constructors
 */
export const decode: (text: string, source: string) => Effect.Effect<Config, Errors.ConfigInvalid> = Effect.fn(
  "Faults.decode"
)(function* (text: string, source: string) {
  return yield* Yaml.decode(Config, text, source)
})

/**
 * Reads a faults file.
 *
 * @category constructors
 */
export const load: (file: string) => Effect.Effect<Config, Errors.ConfigInvalid> = Effect.fn("Faults.load")(function* (
  file: string
) {
  return yield* Yaml.load(Config, file)
})
