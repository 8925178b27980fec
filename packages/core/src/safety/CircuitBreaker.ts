/**
 * A circuit breaker for one external dependency: after too many consecutive failed calls it rejects calls fast
 * for a cooldown, then lets one trial call decide whether to close again.
 *
 * **Details**
 * The state machine is cockatiel's (Closed → Open → HalfOpen → Closed or back to Open); the names follow Effect
 * v4's `CircuitBreaker` (`CircuitOpen`, `events`, `state`) so the move to `effect/persistence` stays mechanical.
 * Time comes from `Clock`, so `TestClock` drives the cooldown. Unlike the original tool's breaker, which was only
 * consulted between batches, every call is admitted or rejected when it starts.
 */
import { Cause, Clock, Duration, Effect, Exit, Option, PubSub, Schema, Stream, SubscriptionRef } from "effect"

/**
 * The state of a circuit.
 *
 * @category models
 */
export const CircuitState = Schema.Literal("Closed", "Open", "HalfOpen")
/** @category models */
export type CircuitState = typeof CircuitState.Type

/**
 * One change of a circuit's state, with the time (epoch ms, from `Clock`) and why it happened.
 *
 * @category models
 */
export class CircuitEvent extends Schema.Class<CircuitEvent>("CircuitEvent")({
  key: Schema.String,
  from: CircuitState,
  to: CircuitState,
  at: Schema.Number,
  reason: Schema.String
}) {}

/**
 * The circuit is open (or half open with its trial call in flight), so the call was not made.
 *
 * **Details**
 * `retryAfterMs` is the time left until the circuit lets a trial call through, or 0 while a trial call is in
 * flight; `awaitReady` waits for either. Not retryable: retrying inside the breaker would defeat it, so callers
 * react to it instead (the batch scorer degrades to one question at a time).
 *
 * @category errors
 */
export class CircuitOpen extends Schema.TaggedError<CircuitOpen>()("CircuitOpen", {
  key: Schema.String,
  retryAfterMs: Schema.Number
}) {
  get retryable(): false {
    return false
  }

  override get message(): string {
    return this.retryAfterMs > 0
      ? `Circuit breaker OPEN for ${this.key}: calls are rejected for another ${seconds(this.retryAfterMs)}`
      : `Circuit breaker HALF_OPEN for ${this.key}: a trial call is in flight`
  }
}

const callerReasons: ReadonlySet<unknown> = new Set(["BadRequest", "Auth"])

/**
 * True for an error the caller caused rather than the dependency: `reason: "BadRequest"` or `"Auth"`
 * (`ProviderError`), an `AuthFailed`, or any error carrying `callerError: true`.
 *
 * **Details**
 * The dependency answered, so such an error says nothing about its health: the breaker neither counts it as a
 * failure nor lets it break a run of failures. Adapters mark errors caused by the request itself (invalid SQL,
 * unknown table, bad parameters) with `callerError: true`. A `GenieError` for a message Genie itself ended `FAILED`
 * (not retryable, not rate limited: `SQL_EXECUTION_EXCEPTION` and the like) is the space's failure, not an outage.
 *
 * @category error handling
 */
export const isCallerError = (error: unknown): boolean => {
  if (typeof error !== "object" || error === null) return false
  const { _tag, reason, callerError, retryable, rateLimited } = error as {
    _tag?: unknown
    reason?: unknown
    callerError?: unknown
    retryable?: unknown
    rateLimited?: unknown
  }
  // A Genie message that ended FAILED for a reason of its own (SQL_EXECUTION_EXCEPTION, …) is the space's answer:
  // Genie was up and answered. Only its transient and rate-limit failures say something about Genie's health.
  const spaceFailure = _tag === "GenieError" && reason === "Failed" && retryable !== true && rateLimited !== true
  return callerError === true || _tag === "AuthFailed" || callerReasons.has(reason) || spaceFailure
}

/**
 * How a breaker trips and recovers.
 *
 * @category configuration
 */
export interface Options {
  /** Names the dependency in errors, events and logs, e.g. `genie:adb-1.azuredatabricks.net`. */
  readonly key: string
  /** Consecutive failed calls that open the circuit (profile `circuit.threshold`). */
  readonly threshold: number
  /** How long the circuit stays open before a trial call (profile `circuit.cooldownSeconds`). */
  readonly cooldown: Duration.DurationInput
  /** Which errors count as failures; default: every error except caller errors (`isCallerError`). Defects count. */
  readonly isFailure?: (error: unknown) => boolean
}

/**
 * A circuit breaker guarding calls to one dependency.
 *
 * @category models
 */
export interface CircuitBreaker {
  readonly key: string
  /** Runs the effect if the circuit admits it, failing with `CircuitOpen` otherwise; records its outcome. */
  readonly execute: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | CircuitOpen, R>
  /** The current state; an open circuit whose cooldown has elapsed reports (and becomes) `HalfOpen`. */
  readonly state: Effect.Effect<CircuitState>
  /** Waits until a call would be admitted: the circuit is closed, or half open with no trial call in flight. */
  readonly awaitReady: Effect.Effect<void>
  /** State changes as they happen; a new subscriber first receives up to the last 256 earlier changes. */
  readonly events: Stream.Stream<CircuitEvent>
}

type Internal =
  | { readonly _tag: "Closed"; readonly failures: number }
  | { readonly _tag: "Open"; readonly until: number }
  | { readonly _tag: "HalfOpen"; readonly trial: boolean }

type Ticket =
  { readonly _tag: "Admitted"; readonly trial: boolean } | { readonly _tag: "Rejected"; readonly ms: number }

type Outcome = "success" | "failure" | "interrupted"

/** A step of the state machine: its result, the next state and, when the state changes, the reason. */
type Step<A> = (state: Internal, now: number) => readonly [A, Internal, string?]

const closed: Internal = { _tag: "Closed", failures: 0 }
const halfOpen: Internal = { _tag: "HalfOpen", trial: false }
const trialInFlight: Internal = { _tag: "HalfOpen", trial: true }
const label = { Closed: "CLOSED", Open: "OPEN", HalfOpen: "HALF_OPEN" } as const

// Transitions are few (at most three per cooldown); keeping the last ones lets a late subscriber see the history.
const eventsKept = 256

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10}s`

/**
 * Creates a closed circuit breaker.
 *
 * @category constructors
 */
export const make = Effect.fn("CircuitBreaker.make")(function* (options: Options) {
  const { key, threshold } = options
  const cooldownMs = Duration.toMillis(options.cooldown)
  const isFailure = options.isFailure ?? ((error: unknown) => !isCallerError(error))
  const ref = yield* SubscriptionRef.make<Internal>(closed)
  const hub = yield* PubSub.unbounded<CircuitEvent>({ replay: eventsKept })

  const announce = (event: CircuitEvent) => {
    const line = `Circuit breaker ${label[event.to]} for ${key}: ${event.reason}`
    return (event.to === "Open" ? Effect.logWarning(line) : Effect.logInfo(line)).pipe(
      Effect.annotateLogs("circuit", key),
      Effect.zipRight(PubSub.publish(hub, event))
    )
  }

  const update = <A>(step: Step<A>): Effect.Effect<A> =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      SubscriptionRef.modifyEffect(ref, (state) => {
        const [result, next, reason] = step(state, now)
        const done = Effect.succeed([result, next] as const)
        return reason === undefined
          ? done
          : Effect.zipRight(announce(new CircuitEvent({ key, from: state._tag, to: next._tag, at: now, reason })), done)
      })
    )

  const open = (now: number): Internal => ({ _tag: "Open", until: now + cooldownMs })
  const cooledDown = `cooldown of ${seconds(cooldownMs)} elapsed; allowing one trial call`

  const refresh: Step<Internal> = (state, now) =>
    state._tag === "Open" && now >= state.until ? [halfOpen, halfOpen, cooledDown] : [state, state]

  const admit: Step<Ticket> = (state, now) => {
    switch (state._tag) {
      case "Closed":
        return [{ _tag: "Admitted", trial: false }, state]
      case "Open":
        return now < state.until
          ? [{ _tag: "Rejected", ms: state.until - now }, state]
          : [{ _tag: "Admitted", trial: true }, trialInFlight, cooledDown]
      case "HalfOpen":
        return state.trial ? [{ _tag: "Rejected", ms: 0 }, state] : [{ _tag: "Admitted", trial: true }, trialInFlight]
    }
  }

  const record =
    (outcome: Outcome, trial: boolean): Step<void> =>
    (state, now) => {
      if (trial && state._tag === "HalfOpen") {
        if (outcome === "success") return [undefined, closed, "trial call succeeded"]
        if (outcome === "failure")
          return [undefined, open(now), `trial call failed; rejecting calls for ${seconds(cooldownMs)}`]
        return [undefined, halfOpen] // an interrupted trial frees the slot for the next call
      }
      // Calls admitted before the circuit opened still finish, but their outcomes change nothing.
      if (state._tag !== "Closed" || outcome === "interrupted") return [undefined, state]
      if (outcome === "success") return [undefined, state.failures === 0 ? state : closed]
      const failures = state.failures + 1
      return failures < threshold
        ? [undefined, { _tag: "Closed", failures }]
        : [undefined, open(now), `${failures} consecutive failed calls; rejecting calls for ${seconds(cooldownMs)}`]
    }

  // A caller error counts as a success: the dependency answered.
  const outcomeOf = (exit: Exit.Exit<unknown, unknown>): Outcome => {
    if (Exit.isSuccess(exit)) return "success"
    if (Cause.isInterruptedOnly(exit.cause)) return "interrupted"
    return Option.match(Cause.failureOption(exit.cause), {
      onNone: () => "failure", // a defect
      onSome: (error) => (isFailure(error) ? "failure" : "success")
    })
  }

  const execute = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | CircuitOpen, R> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.gen(function* () {
        const ticket = yield* update(admit)
        if (ticket._tag === "Rejected") return yield* new CircuitOpen({ key, retryAfterMs: ticket.ms })
        const exit = yield* Effect.exit(restore(effect))
        yield* update(record(outcomeOf(exit), ticket.trial))
        return yield* exit
      })
    )

  const awaitReady: Effect.Effect<void> = Effect.gen(function* () {
    for (;;) {
      const state = yield* update(refresh)
      if (state._tag === "Closed" || (state._tag === "HalfOpen" && !state.trial)) return
      if (state._tag === "Open") {
        const now = yield* Clock.currentTimeMillis
        yield* Effect.sleep(Duration.millis(state.until - now))
      } else {
        // A trial call is in flight: wait for its outcome (the first emission is the current value).
        yield* ref.changes.pipe(
          Stream.filter((next) => next !== state),
          Stream.take(1),
          Stream.runDrain
        )
      }
    }
  })

  const breaker: CircuitBreaker = {
    key,
    execute,
    state: Effect.map(update(refresh), (state) => state._tag),
    awaitReady,
    events: Stream.fromPubSub(hub)
  }
  return breaker
})
