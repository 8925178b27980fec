/**
 * The safety layer: one policy per kind of external call (Genie, SQL, LLM) that limits concurrency, breaks the
 * circuit, retries, rate-limits and times out every call, built from the profile's `safety` block.
 *
 * **Details**
 * Per call, outermost first: concurrency (a semaphore; waiting callers queue) → circuit breaker (one outcome per
 * call, after its retries) → retry (`Retry.schedule`) → rate limit (each attempt takes a token; refusals are
 * absorbed by `RateLimiter.run`) → timeout (each attempt has its own, and interrupts the in-flight request).
 *
 * A call is a whole unit of work (a question asked and answered, a statement run and read), and `attempts` counts
 * tries of that unit. The single requests inside a call are the adapter's: it retries the transient failures of
 * those that are safe to repeat (`Retry.withinDeadline`, `Polling.tolerant`) within the call's deadline, so that
 * one 503 among a call's many requests does not use up an attempt of the call.
 */
import { Context, Duration, Effect, Layer, Ref, Schema } from "effect"
import * as CircuitBreaker from "./CircuitBreaker.js"
import { ProviderError } from "../model/Errors.js"
import type { CircuitSettings, SafetySettings } from "../config/Profile.js"
import * as RateLimiter from "./RateLimiter.js"
import * as Retry from "./Retry.js"
import { LanguageModel } from "../stages/Stages.js"

/**
 * One attempt took longer than the policy's timeout; the attempt was interrupted. Retryable.
 *
 * @category errors
 */
export class CallTimeout extends Schema.TaggedError<CallTimeout>()("CallTimeout", {
  key: Schema.String,
  afterMs: Schema.Number
}) {
  get retryable(): true {
    return true
  }

  override get message(): string {
    return `${this.key} call timed out after ${this.afterMs / 1000}s`
  }
}

/**
 * The wait before the first retry of each kind of call; profiles set attempts, not delays. Each doubles per further
 * attempt (`Retry.schedule`). Exported for adapters that retry single requests themselves (`Retry.withinDeadline`),
 * e.g. the SQL submit.
 *
 * - `genie`: the seed retried Genie after 5 s; answers take seconds and questions are rate-limited, so sooner is waste.
 * - `sql`: the Databricks SDKs back off 1 s after a transient warehouse error.
 * - `llm`: the OpenAI SDK's initial retry delay (0.5 s); Anthropic's SDK uses the same.
 *
 * @category configuration
 */
export const baseDelays = {
  genie: Duration.seconds(5),
  sql: Duration.seconds(1),
  llm: Duration.millis(500)
} as const

/**
 * What a policy needs: the profile's settings for one kind of call (`GenieSafety`, `SqlSafety` and `LlmSafety`
 * all fit), plus the code-level choices profiles do not carry.
 *
 * @category configuration
 */
export interface PolicySettings {
  readonly concurrency: number
  readonly attempts: number
  readonly timeoutSeconds: number
  readonly circuit: CircuitSettings
  /** Calls started per minute; absent: not spaced, though 429s still pause calls. */
  readonly questionsPerMinute?: number
  /** The wait before the first retry (default 1 s). */
  readonly baseDelay?: Duration.DurationInput
  /** Which errors count against the breaker (default: all but `CircuitBreaker.isCallerError`). */
  readonly isFailure?: (error: unknown) => boolean
}

/**
 * Counters of one policy, for progress displays and run summaries.
 *
 * @category models
 */
export interface Stats {
  readonly key: string
  readonly state: CircuitBreaker.CircuitState
  /** Calls started through `run`. */
  readonly calls: number
  /** Attempts made, retries and absorbed 429s included. */
  readonly attempts: number
  /** Attempts that timed out. */
  readonly timeouts: number
  /** Calls that failed for good, rejections included. */
  readonly failures: number
  /** Calls the open circuit rejected. */
  readonly rejected: number
  /** Rate-limit refusals (429s) received. */
  readonly refusals: number
  /** The rate allowed now, per minute (lower than configured after 429s); `undefined` when not spaced. */
  readonly perMinute: number | undefined
}

/**
 * The safety policy for one kind of call.
 *
 * @category models
 */
export interface Policy {
  readonly key: string
  /** Calls that may run at once. */
  readonly concurrency: number
  /** Runs the effect under every rule of the policy. */
  readonly run: <A, E, R>(
    effect: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | CircuitBreaker.CircuitOpen | CallTimeout, R>
  /** The breaker: `state`, `awaitReady` (wait until a call would be admitted) and `events`. */
  readonly breaker: CircuitBreaker.CircuitBreaker
  readonly limiter: RateLimiter.RateLimiter
  readonly stats: Effect.Effect<Stats>
}

type Counter = "calls" | "attempts" | "timeouts" | "failures" | "rejected"

/**
 * Builds the policy for one kind of call; `key` names it in errors, events and logs.
 *
 * @category constructors
 */
export const makePolicy = Effect.fn("Safety.makePolicy")(function* (settings: PolicySettings, key: string) {
  const semaphore = yield* Effect.makeSemaphore(settings.concurrency)
  const breaker = yield* CircuitBreaker.make({
    key,
    threshold: settings.circuit.threshold,
    cooldown: Duration.seconds(settings.circuit.cooldownSeconds),
    ...(settings.isFailure === undefined ? {} : { isFailure: settings.isFailure })
  })
  const limiter = yield* RateLimiter.make({ key, perMinute: settings.questionsPerMinute })
  const retry = Retry.schedule({ attempts: settings.attempts, baseDelay: settings.baseDelay ?? Duration.seconds(1) })
  const afterMs = settings.timeoutSeconds * 1000
  const counters = yield* Ref.make<Record<Counter, number>>({
    calls: 0,
    attempts: 0,
    timeouts: 0,
    failures: 0,
    rejected: 0
  })
  const count = (counter: Counter) => Ref.update(counters, (c) => ({ ...c, [counter]: c[counter] + 1 }))

  const run = <A, E, R>(effect: Effect.Effect<A, E, R>) => {
    const attempt = Effect.zipRight(count("attempts"), effect).pipe(
      Effect.timeoutFail({ duration: Duration.millis(afterMs), onTimeout: () => new CallTimeout({ key, afterMs }) }),
      Effect.tapError((error) => (error instanceof CallTimeout ? count("timeouts") : Effect.void))
    )
    return semaphore.withPermits(1)(
      Effect.zipRight(count("calls"), breaker.execute(Effect.retry(limiter.run(attempt), retry))).pipe(
        Effect.tapError((error) =>
          Effect.zipRight(
            count("failures"),
            error instanceof CircuitBreaker.CircuitOpen ? count("rejected") : Effect.void
          )
        )
      )
    )
  }

  const stats = Effect.all([Ref.get(counters), breaker.state, limiter.stats]).pipe(
    Effect.map(([c, state, l]): Stats => ({ key, state, ...c, refusals: l.refusals, perMinute: l.perMinute }))
  )

  const policy: Policy = { key, concurrency: settings.concurrency, run, breaker, limiter, stats }
  return policy
})

/**
 * Settings of the three policies; the profile's `safety` block fits.
 *
 * @category configuration
 */
export interface Settings {
  readonly genie: PolicySettings
  readonly sql: PolicySettings
  readonly llm: PolicySettings
}

/**
 * Extra time the Genie policy allows per attempt beyond `safety.genie.timeoutSeconds`, which is the asker's own
 * deadline: the asker then times out first and reports the pending message, so the retry resumes it instead of
 * asking again; the policy's timeout only catches a request that hangs outright.
 */
export const genieGraceSeconds = 15

/**
 * The policy settings for a profile's `safety` block.
 *
 * **Details**
 * `limitQuestions: false` drops Genie's questions-per-minute spacing: for a workspace without that limit (the local
 * emulator, unless its faults set one — its 429s then still slow the run down through the adaptive limiter).
 *
 * @category constructors
 */
export const settingsFromProfile = (
  safety: SafetySettings,
  options: { readonly limitQuestions: boolean } = { limitQuestions: true }
): Settings => {
  const { questionsPerMinute, ...genie } = safety.genie
  return {
    ...safety,
    genie: {
      ...genie,
      timeoutSeconds: genie.timeoutSeconds + genieGraceSeconds,
      ...(options.limitQuestions ? { questionsPerMinute } : {})
    }
  }
}

/**
 * The policies of a run, one per kind of external call.
 *
 * @category services
 */
export class Safety extends Context.Tag("@genie-enhancer/core/Safety")<
  Safety,
  { readonly genie: Policy; readonly sql: Policy; readonly llm: Policy }
>() {}

/**
 * Builds the three policies from the profile's `safety` block. With `workspace` (the host), the Genie and SQL
 * keys name it (`genie:<host>`), as Genie's question limit is per workspace.
 *
 * @category constructors
 */
export const make = Effect.fn("Safety.make")(function* (
  settings: Settings,
  options: { readonly workspace?: string } = {}
) {
  const at = options.workspace === undefined ? "" : `:${options.workspace}`
  return Safety.of({
    genie: yield* makePolicy({ ...settings.genie, baseDelay: baseDelays.genie }, `genie${at}`),
    sql: yield* makePolicy({ ...settings.sql, baseDelay: baseDelays.sql }, `sql${at}`),
    llm: yield* makePolicy({ ...settings.llm, baseDelay: baseDelays.llm }, "llm")
  })
})

/**
 * The policies built from a profile's `safety` block.
 *
 * @category layers
 */
export const layer = (settings: Settings, options?: { readonly workspace?: string }): Layer.Layer<Safety> =>
  Layer.effect(Safety, make(settings, options))

/** No limit, one attempt, no timeout, no spacing, a breaker that never opens. */
const unrestricted: PolicySettings = {
  concurrency: Number.MAX_SAFE_INTEGER,
  attempts: 1,
  timeoutSeconds: Number.POSITIVE_INFINITY,
  circuit: { threshold: Number.POSITIVE_INFINITY, cooldownSeconds: 0 }
}

/**
 * Policies that run every call once, as is, for unit tests of services that use `Safety` but are not about it.
 *
 * @category testing
 */
export const layerTest: Layer.Layer<Safety> = Layer.effect(
  Safety,
  Effect.all({
    genie: makePolicy(unrestricted, "genie"),
    sql: makePolicy(unrestricted, "sql"),
    llm: makePolicy(unrestricted, "llm")
  })
)

/**
 * A `LanguageModel` decorator that runs every `complete` and `completeJson` through the `llm` policy, so providers
 * stay free of retry logic. Provide the provider's layer to it.
 *
 * **Details**
 * The contract's error channel is `ProviderError`, so the policy's own errors are mapped: `CallTimeout` becomes
 * reason `Timeout` (retryable), `CircuitOpen` becomes reason `Server` (not retryable, with its `retryAfterMs`).
 *
 * @category layers
 */
export const languageModel: Layer.Layer<LanguageModel, never, LanguageModel | Safety> = Layer.effect(
  LanguageModel,
  Effect.gen(function* () {
    const model = yield* LanguageModel
    const { llm } = yield* Safety
    const guard = <A>(effect: Effect.Effect<A, ProviderError>): Effect.Effect<A, ProviderError> =>
      llm.run(effect).pipe(
        Effect.catchTags({
          CallTimeout: (error) =>
            Effect.fail(
              new ProviderError({ provider: llm.key, reason: "Timeout", message: error.message, retryable: true })
            ),
          CircuitOpen: (error) =>
            Effect.fail(
              new ProviderError({
                provider: llm.key,
                reason: "Server",
                message: error.message,
                retryable: false,
                retryAfterMs: error.retryAfterMs
              })
            )
        })
      )
    return LanguageModel.of({
      complete: (request) => guard(model.complete(request)),
      completeJson: (request, output) => guard(model.completeJson(request, output))
    })
  })
)
