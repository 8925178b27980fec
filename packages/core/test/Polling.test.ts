import { assert, describe, it } from "@effect/vitest"
import { Chunk, Clock, Duration, Effect, Exit, Fiber, Option, Random, Schedule, TestClock } from "effect"
import * as Polling from "../src/safety/Polling.js"

const second = Duration.seconds(1)
const tenSeconds = Duration.seconds(10)

/** The first `n` waits of a schedule, in ms. */
const waits = (schedule: Schedule.Schedule<Duration.Duration>, n: number) =>
  Effect.map(
    Schedule.run(
      schedule,
      0,
      Array.from({ length: n }, () => undefined)
    ),
    (out) => Chunk.toReadonlyArray(out).map(Duration.toMillis)
  )

/**
 * A check that is pending `pendingChecks` times, then done; it records the clock time of every call and takes
 * `takes` of clock time itself.
 */
const scriptedCheck = (pendingChecks: number, options: { notBeforeMs?: number; takes?: Duration.Duration } = {}) => {
  const times: Array<number> = []
  const check = Effect.gen(function* () {
    times.push(yield* Clock.currentTimeMillis)
    if (options.takes !== undefined) yield* Effect.sleep(options.takes)
    return times.length > pendingChecks ? Polling.done(times.length) : Polling.pending(options.notBeforeMs)
  })
  return { check, times }
}

const gaps = (times: ReadonlyArray<number>) => times.map((t, i) => t - (i === 0 ? 0 : (times[i - 1] ?? 0)))

describe("Polling.backoff", () => {
  it.effect("waits first, then 1.5 times longer each time, up to the cap", () =>
    Effect.gen(function* () {
      const delays = yield* waits(Polling.backoff({ first: second, max: tenSeconds }), 9)
      assert.deepStrictEqual(delays, [1000, 1500, 2250, 3375, 5062.5, 7593.75, 10_000, 10_000, 10_000])
      assert.deepStrictEqual(
        yield* waits(Polling.backoff({ first: "500 millis", max: "5 seconds", factor: 2 }), 5),
        [500, 1000, 2000, 4000, 5000]
      )
    })
  )

  it.effect("a cap below the first wait is the first wait", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* waits(Polling.backoff({ first: "2 seconds", max: second }), 3), [2000, 2000, 2000])
    })
  )
})

describe("Polling.poll", () => {
  it.effect("checks after each wait until the check is done", () =>
    Effect.gen(function* () {
      const { check, times } = scriptedCheck(3)
      const fiber = yield* Effect.fork(Polling.poll(check, Polling.backoff({ first: second, max: tenSeconds })))
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(yield* Fiber.join(fiber), Option.some(4))
      assert.deepStrictEqual(times, [1000, 2500, 4750, 8125])
    })
  )

  it.effect("immediately: the first check comes at once, then the schedule from its start", () =>
    Effect.gen(function* () {
      const { check, times } = scriptedCheck(2)
      const fiber = yield* Effect.fork(
        Polling.poll(check, Polling.backoff({ first: second, max: tenSeconds }), { immediately: true })
      )
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(yield* Fiber.join(fiber), Option.some(3))
      assert.deepStrictEqual(times, [0, 1000, 2500])
    })
  )

  it.effect("a check's notBeforeMs lengthens the next wait, never shortens it", () =>
    Effect.gen(function* () {
      const { check, times } = scriptedCheck(2, { notBeforeMs: 7000 })
      const fiber = yield* Effect.fork(Polling.poll(check, Polling.backoff({ first: second, max: tenSeconds })))
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(gaps(times), [1000, 7000, 7000])

      const short = scriptedCheck(1, { notBeforeMs: 100 })
      const again = yield* Effect.fork(Polling.poll(short.check, Polling.backoff({ first: second, max: tenSeconds })))
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(again)
      // Started at 60 s: the first check at 61 s, the next one 1.5 s later (the 100 ms floor does not shorten it).
      assert.deepStrictEqual(gaps(short.times), [61_000, 1500])
    })
  )

  it.effect("with a deadline, the last check is made at the deadline and the poll ends with None", () =>
    Effect.gen(function* () {
      const { check, times } = scriptedCheck(Infinity)
      const fiber = yield* Effect.fork(
        Polling.poll(check, Polling.backoff({ first: "500 millis", max: "5 seconds" }), { deadline: 4000 })
      )
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(yield* Fiber.join(fiber), Option.none())
      assert.deepStrictEqual(times, [500, 1250, 2375, 4000])
    })
  )

  it.effect("a deadline already past ends the poll without a check; a finite schedule ends it with None", () =>
    Effect.gen(function* () {
      yield* TestClock.adjust("10 seconds")
      const late = scriptedCheck(0)
      const result = yield* Polling.poll(late.check, Schedule.spaced(second), { deadline: 5000 })
      assert.deepStrictEqual(result, Option.none())
      assert.deepStrictEqual(late.times, [])

      const limited = scriptedCheck(Infinity)
      const fiber = yield* Effect.fork(
        Polling.poll(limited.check, Schedule.spaced(second).pipe(Schedule.upTo(tenSeconds)))
      )
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(yield* Fiber.join(fiber), Option.none())
      assert.isAtMost(limited.times.length, 11)
    })
  )

  it.effect("fractional waits end at the deadline too: one check there, not a run of them just short of it", () =>
    Effect.gen(function* () {
      // A start time and jittered waits whose sum falls a hair short of the deadline in floating point.
      yield* TestClock.adjust(Duration.millis(1234.5678))
      const start = yield* Clock.currentTimeMillis
      const { check, times } = scriptedCheck(Infinity)
      const jittered = Schedule.exponential("5 seconds").pipe(Schedule.jittered)
      const fiber = yield* Effect.fork(
        Polling.poll(check, jittered, { deadline: start + 120_000, immediately: true }).pipe(
          Effect.withRandom(Random.make(1))
        )
      )
      yield* TestClock.adjust("10 minutes")
      assert.deepStrictEqual(yield* Fiber.join(fiber), Option.none())
      assert.isAtMost(times.length, 10)
      assert.strictEqual(Math.round((times.at(-1) ?? 0) - start), 120_000)
    })
  )

  it.effect("a failing check ends the poll with its error", () =>
    Effect.gen(function* () {
      let calls = 0
      const check = Effect.suspend(() => (++calls < 3 ? Effect.succeed(Polling.pending()) : Effect.fail("gone")))
      const fiber = yield* Effect.fork(Polling.poll(check, Polling.backoff({ first: second, max: tenSeconds })))
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(yield* Fiber.await(fiber), Exit.fail("gone"))
      assert.strictEqual(calls, 3)
    })
  )
})

describe("Polling.tolerant", () => {
  const transient = { retryable: true }
  const throttled = { retryable: true, rateLimited: true, retryAfterMs: 7000 }
  const permanent = { retryable: false }

  it.effect("a transient failure is a pending check: the poll goes on, waiting at least its retryAfterMs", () =>
    Effect.gen(function* () {
      const times: Array<number> = []
      const outcomes: ReadonlyArray<Effect.Effect<Polling.Check<string>, object>> = [
        Effect.fail(transient),
        Effect.fail(throttled),
        Effect.succeed(Polling.pending()),
        Effect.succeed(Polling.done("ok"))
      ]
      const seen: Array<object> = []
      const check = Polling.tolerant(
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          times.push(now)
          return outcomes[times.length - 1]
        }),
        { onTransient: (error) => Effect.sync(() => seen.push(error)) }
      )
      const fiber = yield* Effect.fork(Polling.poll(check, Schedule.spaced(second), { deadline: 60_000 }))
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(yield* Fiber.join(fiber), Option.some("ok"))
      assert.deepStrictEqual(times, [1000, 2000, 9000, 10_000])
      assert.deepStrictEqual(seen, [transient, throttled])
    })
  )

  it.effect("a permanent failure still ends the poll; isTransient narrows what is tolerated", () =>
    Effect.gen(function* () {
      const failed = yield* Effect.flip(
        Polling.poll(Polling.tolerant(Effect.fail(permanent)), Schedule.spaced(second), { immediately: true })
      )
      assert.strictEqual(failed, permanent)
      const narrowed = yield* Effect.flip(
        Polling.poll(
          Polling.tolerant(Effect.fail(throttled), { isTransient: (e) => e.rateLimited !== true }),
          Schedule.spaced(second),
          { immediately: true }
        )
      )
      assert.strictEqual(narrowed, throttled)
    })
  )
})

describe("Polling.makeEstimator", () => {
  it.effect("keeps the latest `window` latencies, sorted; ignores nonsense", () =>
    Effect.gen(function* () {
      const estimator = yield* Polling.makeEstimator({ window: 3 })
      for (const ms of [5000, 1000, 3000, 2000, -1, Infinity, Number.NaN]) yield* estimator.record(ms)
      assert.deepStrictEqual(yield* estimator.sorted, [1000, 2000, 3000])
    })
  )
})

describe("Polling.plan", () => {
  const options = { first: second, max: tenSeconds }
  // Twenty latencies from 5 s to 14.5 s in 0.5 s steps.
  const sorted = Array.from({ length: 20 }, (_, i) => 5000 + i * 500)

  it("plans nothing below minSamples", () => {
    assert.deepStrictEqual(Polling.plan([8000, 9000, 10_000, 11_000], options), [])
    assert.strictEqual(Polling.plan([8000, 9000], { ...options, minSamples: 2 }).length, 2)
  })

  it("polls at the quantiles 1 − 0.75^k, at least `first` apart, ending at the slowest latency", () => {
    const offsets = Polling.plan(sorted, options)
    // 1 − 0.75 = 0.25: a quarter of the way through the latencies; 1 − 0.75² = 0.4375.
    assert.closeTo(offsets[0] ?? 0, 5000 + 0.25 * 19 * 500, 1e-6)
    assert.closeTo(offsets[1] ?? 0, Math.max(5000 + 0.4375 * 19 * 500, (offsets[0] ?? 0) + 1000), 1e-6)
    assert.isTrue(offsets.every((at, i) => i === 0 || at - (offsets[i - 1] ?? 0) >= 1000 - 1e-9))
    assert.isAtLeast(offsets.at(-1) ?? 0, 14_500)
    assert.isAtMost(offsets.length, 15)
    // Dense in the bulk of the answers: every planned gap is under 2 s here, where the fixed backoff waits 5 s
    // and more.
    assert.isTrue(offsets.every((at, i) => i === 0 || at - (offsets[i - 1] ?? 0) < 2000))
  })

  it("a larger share plans fewer polls; maxPlannedPolls caps them", () => {
    assert.isBelow(
      Polling.plan(sorted, { ...options, share: 0.5 }).length,
      Polling.plan(sorted, { ...options, share: 0.1 }).length
    )
    assert.strictEqual(Polling.plan(sorted, { ...options, share: 0.05, maxPlannedPolls: 4 }).length, 4)
  })

  it("equal latencies: one poll at that latency", () => {
    assert.deepStrictEqual(
      Polling.plan(
        Array.from({ length: 6 }, () => 20_000),
        options
      ),
      [20_000]
    )
  })
})

describe("Polling.adaptive", () => {
  it.effect("is the fixed backoff until the estimator has enough latencies", () =>
    Effect.gen(function* () {
      const estimator = yield* Polling.makeEstimator()
      const fixed = yield* waits(Polling.backoff({ first: second, max: tenSeconds }), 8)
      assert.deepStrictEqual(yield* waits(Polling.adaptive(estimator, { first: second, max: tenSeconds }), 8), fixed)
    })
  )

  it.effect("follows the plan, then backs off from `first` ×1.5 up to the cap", () =>
    Effect.gen(function* () {
      const estimator = yield* Polling.makeEstimator()
      for (let i = 0; i < 5; i++) yield* estimator.record(20_000)
      const { check, times } = scriptedCheck(Infinity)
      const fiber = yield* Effect.fork(
        Polling.poll(check, Polling.adaptive(estimator, { first: second, max: tenSeconds }))
      )
      yield* TestClock.adjust("2 minutes")
      yield* Fiber.interrupt(fiber)
      assert.deepStrictEqual(gaps(times).slice(0, 9), [20_000, 1000, 1500, 2250, 3375, 5062.5, 7593.75, 10_000, 10_000])
    })
  )

  it.effect("reads the estimator when a question starts: later latencies change later questions only", () =>
    Effect.gen(function* () {
      const estimator = yield* Polling.makeEstimator()
      for (let i = 0; i < 5; i++) yield* estimator.record(8000)
      const schedule = Polling.adaptive(estimator, { first: second, max: tenSeconds })
      const first = scriptedCheck(1)
      const running = yield* Effect.fork(Polling.poll(first.check, schedule))
      yield* TestClock.adjust("1 second")
      for (let i = 0; i < 20; i++) yield* estimator.record(30_000)
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(running)
      assert.deepStrictEqual(gaps(first.times), [8000, 1000])

      const started = yield* Clock.currentTimeMillis
      const second_ = scriptedCheck(0)
      const next = yield* Effect.fork(Polling.poll(second_.check, schedule))
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(next)
      // 20 of 25 latencies are 30 s: the first planned poll is past the 8 s ones.
      assert.isAbove((second_.times[0] ?? 0) - started, 8000)
    })
  )

  it.effect("planned polls a slow check ran past are skipped, not made in a burst", () =>
    Effect.gen(function* () {
      const estimator = yield* Polling.makeEstimator()
      for (let i = 0; i < 20; i++) yield* estimator.record(5000 + i * 500)
      const planned = Polling.plan(yield* estimator.sorted, { first: second, max: tenSeconds })
      // Every check takes 4 s, longer than any planned gap.
      const { check, times } = scriptedCheck(4, { takes: Duration.seconds(4) })
      const fiber = yield* Effect.fork(
        Polling.poll(check, Polling.adaptive(estimator, { first: second, max: tenSeconds }))
      )
      yield* TestClock.adjust("5 minutes")
      yield* Fiber.join(fiber)
      // Checks at 7.4 s (to 11.4 s), at the next planned time after it (11.5 s, to 15.5 s), at 15.5 s (planned),
      // then the plan is over and the backoff starts: 1 s and 1.5 s after each 4 s check.
      assert.strictEqual(times[0], planned[0])
      assert.isTrue(times.slice(1, 3).every((at) => planned.includes(at)))
      assert.deepStrictEqual(gaps(times).slice(2), [4000, 5000, 5500])
      assert.isTrue(gaps(times).every((gap) => gap >= 4000))
      assert.strictEqual(times.length, 5)
    })
  )
})
