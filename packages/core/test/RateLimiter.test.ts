import { assert, describe, it } from "@effect/vitest"
import type { Duration } from "effect"
import { Clock, Effect, Exit, Fiber, Ref, TestClock } from "effect"
import * as RateLimiter from "../src/safety/RateLimiter.js"
import { captureLogs, rateLimited, scripted, serverError } from "./support/scripted.js"

/** Forks `n` concurrent acquires, lets `window` of test time pass, and returns when each got its token. */
const acquireTimes = (limiter: RateLimiter.RateLimiter, n: number, window: Duration.DurationInput = "1 hour") =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(
      Effect.all(
        Array.from({ length: n }, () => Effect.zipRight(limiter.acquire, Clock.currentTimeMillis)),
        { concurrency: "unbounded" }
      )
    )
    yield* TestClock.adjust(window)
    return [...(yield* Fiber.join(fiber))].sort((a, b) => a - b)
  })

describe("RateLimiter", () => {
  it.effect("spaces calls evenly at the configured rate", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.make({ key: "genie", perMinute: 6 })
      assert.deepStrictEqual(yield* acquireTimes(limiter, 4), [0, 10_000, 20_000, 30_000])
    })
  )

  it.effect("lets exactly `perMinute` calls start in a minute when callers keep asking", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.make({ key: "genie", perMinute: 5 })
      const started = yield* Ref.make(0)
      yield* Effect.fork(
        Effect.forever(
          Effect.zipRight(
            limiter.acquire,
            Ref.update(started, (n) => n + 1)
          )
        )
      )
      yield* TestClock.adjust("59999 millis")
      assert.strictEqual(yield* Ref.get(started), 5)
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(yield* Ref.get(started), 6)
    })
  )

  it.effect("does not space calls without a configured rate", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.make({ key: "llm" })
      assert.deepStrictEqual(yield* acquireTimes(limiter, 3), [0, 0, 0])
      assert.deepStrictEqual(yield* limiter.stats, { refusals: 0, perMinute: undefined })
    })
  )

  it.effect("an isolated refusal pauses every caller until Retry-After without slowing down", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.make({ key: "genie", perMinute: 60 })
      yield* limiter.acquire
      yield* limiter.throttle(rateLimited(5_000))
      assert.deepStrictEqual(yield* limiter.stats, { refusals: 1, perMinute: 60 })
      // First token when the pause ends, then one every second again.
      assert.deepStrictEqual(yield* acquireTimes(limiter, 2, "6 seconds"), [5_000, 6_000])
    })
  )

  it.effect("a refusal repeated within a minute halves the rate", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.make({ key: "genie", perMinute: 60 })
      yield* limiter.throttle(rateLimited(5_000))
      yield* TestClock.adjust("30 seconds")
      yield* limiter.throttle(rateLimited(2_000))
      assert.deepStrictEqual(yield* limiter.stats, { refusals: 2, perMinute: 30 })
      // First token when the second pause ends (32 s), then one every 2 s (30/min).
      assert.deepStrictEqual(yield* acquireTimes(limiter, 2, "4 seconds"), [32_000, 34_000])
      // A refusal more than a minute later is isolated again: it pauses without halving.
      yield* TestClock.adjust("2 minutes")
      yield* limiter.throttle(rateLimited(1_000))
      assert.strictEqual((yield* limiter.stats).refusals, 3)
      assert.isAbove((yield* limiter.stats).perMinute ?? 0, 30)
    })
  )

  it.effect("recovers gradually after the pause, up to the configured rate", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.make({ key: "genie", perMinute: 60 })
      yield* limiter.throttle(rateLimited(0))
      yield* limiter.throttle(rateLimited(5_000))
      const rateAt = (ms: number) =>
        Effect.zipRight(
          TestClock.setTime(ms),
          Effect.map(limiter.stats, (s) => s.perMinute)
        )
      assert.strictEqual(yield* rateAt(5_000), 30)
      assert.strictEqual(yield* rateAt(65_000), 36) // + a tenth of the configured rate per minute
      assert.strictEqual(yield* rateAt(185_000), 48)
      assert.strictEqual(yield* rateAt(305_000), 60)
      assert.strictEqual(yield* rateAt(3_600_000), 60)
    })
  )

  it.effect("refusals that arrive during a pause extend it but do not slow down further", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.make({ key: "genie", perMinute: 60 })
      yield* limiter.throttle(rateLimited(5_000))
      yield* TestClock.adjust("1 second")
      yield* limiter.throttle(rateLimited(8_000))
      assert.deepStrictEqual(yield* limiter.stats, { refusals: 2, perMinute: 60 })
      assert.deepStrictEqual(yield* acquireTimes(limiter, 1, "8 seconds"), [9_000])
      // A refusal after the pause (here the moment it ends), within a minute of the last: the rate is too high.
      yield* limiter.throttle(rateLimited(1_000))
      assert.strictEqual((yield* limiter.stats).perMinute, 30)
    })
  )

  it.effect("without Retry-After it pauses 1 s; without a configured rate it still pauses", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.make({ key: "llm" })
      yield* limiter.throttle(rateLimited())
      assert.deepStrictEqual(yield* acquireTimes(limiter, 2), [1_000, 1_000])
      assert.deepStrictEqual(yield* limiter.stats, { refusals: 1, perMinute: undefined })
    })
  )

  it.effect("logs the slowdown", () =>
    captureLogs((lines) =>
      Effect.gen(function* () {
        const limiter = yield* RateLimiter.make({ key: "genie", perMinute: 20 })
        yield* limiter.throttle(rateLimited(30_000))
        yield* TestClock.adjust("30 seconds")
        yield* limiter.throttle(rateLimited(30_000))
        assert.deepStrictEqual(lines, [
          "Rate limited on genie: pausing 30s",
          "Rate limited on genie: pausing 30s, slowing to 10/min"
        ])
      })
    )
  )

  describe("run", () => {
    it.effect("absorbs refusals: the call is made again after each pause and succeeds", () =>
      Effect.gen(function* () {
        const limiter = yield* RateLimiter.make({ key: "genie", perMinute: 60 })
        const { effect, times } = yield* scripted([
          Effect.fail(rateLimited(2_000)),
          Effect.fail(rateLimited(2_000)),
          Effect.succeed("answer")
        ])
        const fiber = yield* Effect.fork(limiter.run(effect))
        yield* TestClock.adjust("1 minute")
        assert.deepStrictEqual(yield* Fiber.join(fiber), "answer")
        assert.deepStrictEqual(yield* times, [0, 2_000, 4_000])
        assert.strictEqual((yield* limiter.stats).refusals, 2)
      })
    )

    it.effect("passes the refusal on after `maxRefusals` re-runs", () =>
      Effect.gen(function* () {
        const limiter = yield* RateLimiter.make({ key: "genie" })
        const { effect, times } = yield* scripted([Effect.fail(rateLimited(1_000))])
        const fiber = yield* Effect.fork(limiter.run(effect))
        yield* TestClock.adjust("1 hour")
        assert.deepStrictEqual(yield* Fiber.await(fiber), Exit.fail(rateLimited(1_000)))
        assert.strictEqual((yield* times).length, RateLimiter.maxRefusals + 1)
      })
    )

    it.effect("passes other errors on at once", () =>
      Effect.gen(function* () {
        const limiter = yield* RateLimiter.make({ key: "genie", perMinute: 60 })
        const { effect, times } = yield* scripted([Effect.fail(serverError)])
        assert.deepStrictEqual(yield* Effect.exit(limiter.run(effect)), Exit.fail(serverError))
        assert.deepStrictEqual(yield* times, [0])
        assert.strictEqual((yield* limiter.stats).refusals, 0)
      })
    )
  })

  it("isRateLimit recognises reason RateLimited and rateLimited: true only", () => {
    assert.isTrue(RateLimiter.isRateLimit(rateLimited()))
    assert.isTrue(RateLimiter.isRateLimit({ _tag: "GenieError", rateLimited: true, retryable: true }))
    assert.isFalse(RateLimiter.isRateLimit(serverError))
    assert.isFalse(RateLimiter.isRateLimit({ rateLimited: "yes" }))
    assert.isFalse(RateLimiter.isRateLimit(undefined))
  })
})
