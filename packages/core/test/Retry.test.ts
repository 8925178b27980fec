import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Exit, Fiber, Random, TestClock } from "effect"
import * as Retry from "../src/safety/Retry.js"
import { badRequest, rateLimited, scripted, serverError } from "./support/scripted.js"

/** Runs the script under the retry schedule to completion (an hour of test time) and returns the exit and try times. */
const retried = <A, E>(options: Retry.Options, steps: ReadonlyArray<Effect.Effect<A, E>>) =>
  Effect.gen(function* () {
    const { effect, times } = yield* scripted(steps)
    const fiber = yield* Effect.fork(Effect.retry(effect, Retry.schedule(options)))
    yield* TestClock.adjust("1 hour")
    return { exit: yield* Fiber.await(fiber), times: yield* times }
  })

// Jittered delays are fractional milliseconds; round away the float noise of subtracting them.
const gaps = (times: ReadonlyArray<number>) => times.slice(1).map((t, i) => Math.round(t - times[i]))

describe("Retry.schedule", () => {
  it.effect("makes `attempts` tries in total, then fails with the last error", () =>
    Effect.gen(function* () {
      const { exit, times } = yield* retried({ attempts: 3, baseDelay: "1 second" }, [Effect.fail(serverError)])
      assert.strictEqual(times.length, 3)
      assert.deepStrictEqual(exit, Exit.fail(serverError))
    })
  )

  it.effect("stops as soon as a try succeeds", () =>
    Effect.gen(function* () {
      const { exit, times } = yield* retried({ attempts: 5, baseDelay: "1 second" }, [
        Effect.fail(serverError),
        Effect.succeed("ok")
      ])
      assert.deepStrictEqual(exit, Exit.succeed("ok"))
      assert.strictEqual(times.length, 2)
    })
  )

  it.effect("backs off exponentially from the base delay, with ±20 % jitter", () =>
    Effect.gen(function* () {
      const { times } = yield* retried({ attempts: 4, baseDelay: "1 second" }, [Effect.fail(serverError)])
      const [first, second, third] = gaps(times)
      assert.isTrue(first >= 800 && first <= 1200, `first delay ${first}`)
      assert.isTrue(second >= 1600 && second <= 2400, `second delay ${second}`)
      assert.isTrue(third >= 3200 && third <= 4800, `third delay ${third}`)
    })
  )

  it.effect("jitter spreads the delays of callers that failed together", () =>
    Effect.gen(function* () {
      const firstDelays = yield* Effect.forEach([1, 2, 3, 4, 5], (seed) =>
        retried({ attempts: 2, baseDelay: "1 second" }, [Effect.fail(serverError)]).pipe(
          Effect.map(({ times }) => gaps(times)[0]),
          Effect.withRandom(Random.make(seed))
        )
      )
      assert.isAbove(new Set(firstDelays).size, 1, `delays ${firstDelays.join(", ")}`)
    })
  )

  it.effect("caps the backoff at 30 s", () =>
    Effect.gen(function* () {
      const { times } = yield* retried({ attempts: 4, baseDelay: "20 seconds" }, [Effect.fail(serverError)])
      const [first, second, third] = gaps(times)
      assert.isTrue(first >= 16_000 && first <= 24_000, `first delay ${first}`)
      assert.deepStrictEqual([second, third], [30_000, 30_000])
    })
  )

  it.effect("waits at least the server's Retry-After, even beyond the cap", () =>
    Effect.gen(function* () {
      const { exit, times } = yield* retried({ attempts: 3, baseDelay: "1 second" }, [
        Effect.fail(rateLimited(10_000)),
        Effect.fail(rateLimited(90_000)),
        Effect.succeed("ok")
      ])
      assert.deepStrictEqual(exit, Exit.succeed("ok"))
      assert.deepStrictEqual(gaps(times), [10_000, 90_000])
    })
  )

  it.effect("does not retry errors that are not retryable", () =>
    Effect.gen(function* () {
      const { exit, times } = yield* retried({ attempts: 5, baseDelay: "1 second" }, [Effect.fail(badRequest)])
      assert.deepStrictEqual(exit, Exit.fail(badRequest))
      assert.deepStrictEqual(times, [0])
    })
  )

  it.effect("attempts: 1 means no retry", () =>
    Effect.gen(function* () {
      const { times } = yield* retried({ attempts: 1, baseDelay: "1 second" }, [Effect.fail(serverError)])
      assert.deepStrictEqual(times, [0])
    })
  )
})

describe("Retry.withinDeadline", () => {
  /**
   * Runs the script with `withinDeadline` to completion (an hour of test time), `deadline` counted from now; returns
   * the exit and the try times from now.
   */
  const until = <A, E>(
    steps: ReadonlyArray<Effect.Effect<A, E>>,
    options: { readonly deadline?: number; readonly tries?: number; readonly while?: (error: E) => boolean } = {}
  ) =>
    Effect.gen(function* () {
      const { effect, times } = yield* scripted(steps)
      const start = yield* Clock.currentTimeMillis
      const fiber = yield* Effect.fork(
        Retry.withinDeadline(effect, {
          schedule: Retry.backoff({ baseDelay: "1 second" }),
          ...options,
          ...(options.deadline === undefined ? {} : { deadline: start + options.deadline })
        })
      )
      yield* TestClock.adjust("1 hour")
      return { exit: yield* Fiber.await(fiber), times: (yield* times).map((t) => t - start) }
    })

  it.effect("tries at once, then after each transient failure on the backoff, until a try succeeds", () =>
    Effect.gen(function* () {
      const { exit, times } = yield* until(
        [Effect.fail(serverError), Effect.fail(serverError), Effect.fail(serverError), Effect.succeed("ok")],
        { deadline: 60_000 }
      )
      assert.deepStrictEqual(exit, Exit.succeed("ok"))
      assert.strictEqual(times[0], 0)
      const [first, second, third] = gaps(times)
      assert.isTrue(first >= 800 && first <= 1200, `first delay ${first}`)
      assert.isTrue(second >= 1600 && second <= 2400, `second delay ${second}`)
      assert.isTrue(third >= 3200 && third <= 4800, `third delay ${third}`)
    })
  )

  it.effect(
    "keeps trying for as long as the deadline allows (not a number of attempts), then fails with the last error",
    () =>
      Effect.gen(function* () {
        const { exit, times } = yield* until([Effect.fail(serverError)], { deadline: 120_000 })
        assert.deepStrictEqual(exit, Exit.fail(serverError))
        // 1, 2, 4, 8, 16, 30, 30, 30 s (jittered, capped) … and the last try at the deadline itself.
        assert.isAtLeast(times.length, 8)
        assert.strictEqual(Math.round(times.at(-1) ?? 0), 120_000)
      })
  )

  it.effect("tries: stops after that many tries, before the deadline", () =>
    Effect.gen(function* () {
      const { exit, times } = yield* until([Effect.fail(serverError)], { deadline: 120_000, tries: 3 })
      assert.deepStrictEqual(exit, Exit.fail(serverError))
      assert.strictEqual(times.length, 3)
    })
  )

  it.effect("waits out a Retry-After; fails at once on an error that is not transient or that `while` excludes", () =>
    Effect.gen(function* () {
      const limited = yield* until([Effect.fail(rateLimited(20_000)), Effect.succeed("ok")], { deadline: 60_000 })
      assert.deepStrictEqual(limited.exit, Exit.succeed("ok"))
      assert.deepStrictEqual(limited.times, [0, 20_000])

      const bad = yield* until([Effect.fail(badRequest), Effect.succeed("ok")], { deadline: 60_000 })
      assert.deepStrictEqual(bad.exit, Exit.fail(badRequest))
      assert.deepStrictEqual(bad.times, [0])

      const excluded = yield* until([Effect.fail(rateLimited()), Effect.succeed("ok")], {
        deadline: 60_000,
        while: (error) => error.reason !== "RateLimited"
      })
      assert.deepStrictEqual(excluded.exit, Exit.fail(rateLimited()))
      assert.deepStrictEqual(excluded.times, [0])
    })
  )
})
