import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { TestClockDriver } from "../src/testing/index.js"

/** Real time, not the TestClock's: work a loaded machine makes slow. */
const realDelay = (ms: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

describe("TestClockDriver", () => {
  it.effect("does not move the clock while work is busy, however long it takes in real time", () =>
    Effect.gen(function* () {
      let working = true
      // A deadline of 1 s of test time races work that takes 1.5 s of real time (the driver used to give work 200 turns).
      const raced = Effect.race(
        Effect.as(Effect.sleep("1 second"), "deadline"),
        Effect.as(
          Effect.ensuring(
            realDelay(1500),
            Effect.sync(() => (working = false))
          ),
          "work"
        )
      )
      const winner = yield* TestClockDriver.run(raced, { busy: () => working })
      assert.strictEqual(winner, "work")
    })
  )

  it.effect("without a busy signal the clock moves to the next sleep at once", () =>
    Effect.gen(function* () {
      const raced = Effect.race(Effect.as(Effect.sleep("1 second"), "deadline"), Effect.as(realDelay(300), "work"))
      assert.strictEqual(yield* TestClockDriver.run(raced), "deadline")
    })
  )

  it.effect("moves the clock anyway once busy outlasts busyLimitMs", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(Effect.as(Effect.sleep("1 minute"), "slept"))
      yield* TestClockDriver.drive(fiber, { busy: () => true, busyLimitMs: 50 })
      assert.strictEqual(yield* Fiber.join(fiber), "slept")
      assert.strictEqual(yield* TestClock.currentTimeMillis, 60_000)
    })
  )
})
