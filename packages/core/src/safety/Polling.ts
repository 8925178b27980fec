/**
 * Polling of long-running remote work (Genie messages, SQL statements) as `Schedule`s: the fixed backoff (first
 * interval, ×1.5, capped) and a latency-adaptive schedule that polls densely where the run's answers have been
 * arriving and backs off after. `poll` drives a check with either, optionally up to a deadline.
 */
import {
  Clock,
  Duration,
  Effect,
  Option,
  Ref,
  Schedule,
  ScheduleDecision,
  ScheduleInterval,
  ScheduleIntervals
} from "effect"
import * as Errors from "../model/Errors.js"

/**
 * The polling schedules a profile can choose (`safety.genie.polling`).
 *
 * @category models
 */
export type Kind = "fixed" | "adaptive"

/**
 * The kinds, for flags and schemas.
 *
 * @category configuration
 */
export const kinds: ReadonlyArray<Kind> = ["fixed", "adaptive"]

/**
 * The fixed backoff: waits `first`, then each wait `factor` times longer (1.5 by default), never longer than `max`.
 * Outputs each wait.
 *
 * @category constructors
 */
export const backoff = (options: {
  readonly first: Duration.DurationInput
  readonly max: Duration.DurationInput
  readonly factor?: number | undefined
}): Schedule.Schedule<Duration.Duration> => {
  const firstMs = Duration.toMillis(options.first)
  const maxMs = Math.max(firstMs, Duration.toMillis(options.max))
  const factor = options.factor ?? 1.5
  return Schedule.unfold(firstMs, (ms) => Math.min(ms * factor, maxMs)).pipe(
    Schedule.addDelay((ms) => Duration.millis(ms)),
    Schedule.map((ms) => Duration.millis(ms))
  )
}

/**
 * A shared, updatable record of how long answers took in this run: the latest `window` latencies, sorted.
 *
 * @category models
 */
export interface LatencyEstimator {
  /** Adds one observed latency (ask to answer) in milliseconds. Negative or non-finite values are ignored. */
  readonly record: (latencyMs: number) => Effect.Effect<void>
  /** The retained latencies in milliseconds, ascending. */
  readonly sorted: Effect.Effect<ReadonlyArray<number>>
}

/**
 * A new, empty estimator keeping the latest `window` latencies (200 by default), so that it follows a run whose
 * answers get slower or faster.
 *
 * @category constructors
 */
export const makeEstimator = (
  options: { readonly window?: number | undefined } = {}
): Effect.Effect<LatencyEstimator> =>
  Effect.map(Ref.make({ recent: [] as ReadonlyArray<number>, sorted: [] as ReadonlyArray<number> }), (ref) => {
    const window = Math.max(1, options.window ?? 200)
    return {
      record: (ms) => {
        if (!Number.isFinite(ms) || ms < 0) return Effect.void
        return Ref.update(ref, ({ recent }) => {
          const kept = [...recent, ms].slice(-window)
          return { recent: kept, sorted: [...kept].sort((a, b) => a - b) }
        })
      },
      sorted: Effect.map(Ref.get(ref), (s) => s.sorted)
    }
  })

/** The `p` quantile of ascending `sorted` (linear interpolation between order statistics). */
const quantile = (sorted: ReadonlyArray<number>, p: number): number => {
  const x = Math.min(1, Math.max(0, p)) * (sorted.length - 1)
  const i = Math.floor(x)
  const low = sorted[i] ?? 0
  const high = sorted[i + 1] ?? low
  return low + (x - i) * (high - low)
}

/**
 * Settings of the adaptive schedule.
 *
 * @category configuration
 */
export interface AdaptiveOptions {
  /** The fixed backoff's first wait: used until enough latencies are known, and the shortest gap between polls. */
  readonly first: Duration.DurationInput
  /** The fixed backoff's cap: the longest wait, also after the planned polls. */
  readonly max: Duration.DurationInput
  /** Latencies needed before polls are planned from them (5 by default); until then the fixed backoff is used. */
  readonly minSamples?: number | undefined
  /** Share of the still-pending answers each planned poll is expected to find (0.25 by default). */
  readonly share?: number | undefined
  /** At most this many planned polls per question (15 by default); after them the schedule backs off. */
  readonly maxPlannedPolls?: number | undefined
}

/**
 * The planned poll times of one question, in milliseconds after it was asked, from the run's latencies (ascending).
 *
 * **Details**
 * Poll `k` is at the latency quantile `1 − (1 − share)^k`: each poll is expected to find `share` of the answers
 * still pending, so polls are dense where answers have been arriving and sparse where they rarely do (before the
 * fastest answers, and in the long tail). Polls are at least `first` apart, at most `maxPlannedPolls` of them, and
 * the plan ends at the slowest latency seen. Fewer than `minSamples` latencies: no plan (the fixed backoff).
 * With the 25 % default share an answer is found after about four polls, as many as the fixed backoff needs for
 * Genie's typical 5–15 s answers, but within about a second of it instead of up to 10 s.
 *
 * @category constructors
 */
export const plan = (sorted: ReadonlyArray<number>, options: AdaptiveOptions): ReadonlyArray<number> => {
  if (sorted.length < Math.max(1, options.minSamples ?? 5)) return []
  const gapMs = Math.max(1, Duration.toMillis(options.first))
  const share = Math.min(0.9, Math.max(0.01, options.share ?? 0.25))
  const maxPolls = Math.max(1, options.maxPlannedPolls ?? 15)
  const slowest = sorted[sorted.length - 1] ?? 0
  const offsets: Array<number> = []
  let previous = 0
  for (let k = 1; k <= maxPolls; k++) {
    const at = Math.max(quantile(sorted, 1 - (1 - share) ** k), previous + gapMs)
    offsets.push(at)
    previous = at
    if (at >= slowest) break
  }
  return offsets
}

interface AdaptiveState {
  readonly startedAt: number
  readonly offsets: ReadonlyArray<number>
  readonly next: number
  /** The last wait after the plan ran out (0 while it lasts). */
  readonly tailMs: number
}

/**
 * The latency-adaptive schedule: at its first step it reads the run's latencies from `estimator` and follows
 * `plan`; after the planned polls (or without a plan) it backs off like the fixed schedule, from `first` ×1.5 up to
 * `max`. Planned polls already past (a slow poll) are skipped rather than made in a burst. Outputs each wait.
 *
 * @category constructors
 */
export const adaptive = (
  estimator: LatencyEstimator,
  options: AdaptiveOptions
): Schedule.Schedule<Duration.Duration> => {
  const firstMs = Duration.toMillis(options.first)
  const maxMs = Math.max(firstMs, Duration.toMillis(options.max))
  const wait = (now: number, state: AdaptiveState, ms: number) =>
    [state, Duration.millis(ms), ScheduleDecision.continueWith(ScheduleInterval.after(now + ms))] as const
  return Schedule.makeWithState<AdaptiveState | undefined, unknown, Duration.Duration>(undefined, (now, _, current) =>
    Effect.map(
      current === undefined
        ? Effect.map(estimator.sorted, (sorted) => ({
            startedAt: now,
            offsets: plan(sorted, options),
            next: 0,
            tailMs: 0
          }))
        : Effect.succeed(current),
      (state) => {
        let next = state.next
        while (next < state.offsets.length && state.startedAt + (state.offsets[next] ?? 0) < now) next++
        const offset = state.offsets[next]
        if (offset !== undefined) return wait(now, { ...state, next: next + 1 }, state.startedAt + offset - now)
        const tailMs = state.tailMs === 0 ? firstMs : Math.min(state.tailMs * 1.5, maxMs)
        return wait(now, { ...state, next, tailMs }, tailMs)
      }
    )
  )
}

/**
 * What one check of a poll found: the awaited value, or not yet (with the shortest wait before the next check,
 * e.g. a `Retry-After`).
 *
 * @category models
 */
export type Check<A> =
  { readonly _tag: "Done"; readonly value: A } | { readonly _tag: "Pending"; readonly notBeforeMs: number }

/**
 * The check found its value.
 *
 * @category constructors
 */
export const done = <A>(value: A): Check<A> => ({ _tag: "Done", value })

/**
 * The check found nothing yet; the next check comes no sooner than `notBeforeMs` from now.
 *
 * @category constructors
 */
export const pending = (notBeforeMs = 0): Check<never> => ({ _tag: "Pending", notBeforeMs })

/**
 * Runs `check` after each wait of `schedule` until it is done: `Some(value)`, or `None` once the schedule ends or
 * `deadline` (epoch ms on `Clock`) is reached.
 *
 * **Details**
 * The first check comes after the schedule's first wait, or at once with `immediately`. A wait is the schedule's,
 * or the check's `notBeforeMs` when longer, and never reaches past `deadline`: the last check is made at the
 * deadline itself. Failures of `check` end the poll; a check that should survive a failed request returns
 * `pending()` instead (`tolerant`). Timeouts of the whole poll are the caller's (`Effect.timeoutFail` around it).
 *
 * @category constructors
 */
export const poll = <A, E, R, Out, R2>(
  check: Effect.Effect<Check<A>, E, R>,
  schedule: Schedule.Schedule<Out, unknown, R2>,
  options: { readonly deadline?: number | undefined; readonly immediately?: boolean | undefined } = {}
): Effect.Effect<Option.Option<A>, E, R | R2> =>
  Effect.gen(function* () {
    let state: unknown = schedule.initial
    let notBeforeMs = 0
    let checkNow = options.immediately === true
    for (;;) {
      // Whether this check is the one at the deadline: decided from the wait, not by comparing times afterwards,
      // which fractional (jittered) waits could leave a hair short of the deadline, check after check.
      let last = false
      if (!checkNow) {
        const now = yield* Clock.currentTimeMillis
        if (options.deadline !== undefined && now >= options.deadline) return Option.none()
        // `Schedule.driver` would sleep by itself; stepping directly lets the deadline and `notBeforeMs` bound the wait.
        const step: readonly [unknown, Out, ScheduleDecision.ScheduleDecision] = yield* schedule.step(
          now,
          undefined,
          state
        )
        const decision = step[2]
        if (ScheduleDecision.isDone(decision)) return Option.none()
        state = step[0]
        const untilDeadline = options.deadline === undefined ? Infinity : options.deadline - now
        const wanted = Math.max(ScheduleIntervals.start(decision.intervals) - now, notBeforeMs)
        last = wanted >= untilDeadline
        const waitMs = Math.min(wanted, untilDeadline)
        if (waitMs > 0) yield* Effect.sleep(Duration.millis(waitMs))
      }
      checkNow = false
      const found = yield* check
      if (found._tag === "Done") return Option.some(found.value)
      if (last) return Option.none()
      notBeforeMs = found.notBeforeMs
    }
  })

/**
 * A check that survives a failed request: a transient failure (`Errors.isRetryable` by default: 5xx, network,
 * a timed-out request, 429) is "not yet", so the poll checks again at its next step (no sooner than the error's
 * `retryAfterMs`) until its deadline. Other failures (auth, not found, a bad request) still end the poll.
 *
 * **Details**
 * Reads of a remote state are idempotent, so a failed one costs one step of the schedule, not the call. A hung
 * request needs a timeout of its own inside `check` (e.g. the REST client's per-request `timeout`), or it would
 * hold the poll until the caller's deadline. `onTransient` sees each tolerated failure (for a last-error message).
 *
 * @category combinators
 */
export const tolerant = <A, E, R>(
  check: Effect.Effect<Check<A>, E, R>,
  options: {
    readonly isTransient?: ((error: E) => boolean) | undefined
    readonly onTransient?: ((error: E) => Effect.Effect<void>) | undefined
  } = {}
): Effect.Effect<Check<A>, E, R> =>
  Effect.catchIf(check, options.isTransient ?? Errors.isRetryable, (error) =>
    Effect.as(options.onTransient?.(error) ?? Effect.void, pending(Errors.retryAfterMs(error) ?? 0))
  )
