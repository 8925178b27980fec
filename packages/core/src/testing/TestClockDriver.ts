/**
 * Runs effects that mix `TestClock` time with real I/O (files, sockets): between clock steps it lets real I/O
 * settle, then moves the clock to the next pending sleep. Plain `TestClock.adjust` right after a fork advances time
 * before the forked fiber has reached its first sleep, and the fiber then waits forever.
 */
import { Chunk, Clock, Duration, Effect, Fiber, TestClock } from "effect"

/** Real time for pending I/O callbacks to run; short, since it is paid on every step. */
const settle = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 1)))

const finiteSleeps = Effect.map(TestClock.sleeps(), (chunk) => Chunk.toReadonlyArray(chunk).filter(Number.isFinite))

/** Consecutive steps without a pending sleep before giving up: the fiber waits on something time cannot end. */
const maxIdleSteps = 5000

/**
 * Advances the `TestClock` from sleep to sleep until `fiber` is done or, with `to`, until the clock reaches `to`
 * (milliseconds of test time; the clock stops exactly there).
 *
 * @category testing
 */
export const drive = <A, E>(fiber: Fiber.RuntimeFiber<A, E>, options: { readonly to?: number } = {}) =>
  Effect.gen(function* () {
    let idle = 0
    for (;;) {
      yield* settle
      if (fiber.unsafePoll() !== null) return
      const now = yield* Clock.currentTimeMillis
      if (options.to !== undefined && now >= options.to) return
      // A sleep that never ends (an infinite timeout) is not a step; and the set of sleeps must hold still across
      // a settle, or real I/O is still on its way to registering an earlier one.
      const before = yield* finiteSleeps
      yield* settle
      const sleeps = yield* finiteSleeps
      if (sleeps.length === 0 || sleeps.join(",") !== before.join(",") || fiber.unsafePoll() !== null) {
        if (++idle > maxIdleSteps) return yield* Effect.die(new Error("drive: the fiber waits without a pending sleep"))
        continue
      }
      idle = 0
      const next = Math.min(...sleeps, options.to ?? Number.POSITIVE_INFINITY)
      yield* TestClock.adjust(Duration.millis(Math.max(0, next - now)))
    }
  })

/**
 * Forks `effect`, drives the clock until it finishes, and returns its result.
 *
 * @category testing
 */
export const run = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(effect)
    yield* drive(fiber)
    return yield* Fiber.join(fiber)
  })
