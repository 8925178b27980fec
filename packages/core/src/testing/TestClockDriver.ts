/**
 * Runs effects that mix `TestClock` time with real I/O (files, sockets): between clock steps it lets real I/O
 * settle, then moves the clock to the next pending sleep. Plain `TestClock.adjust` right after a fork advances time
 * before the forked fiber has reached its first sleep, and the fiber then waits forever.
 */
import type { Exit } from "effect"
import { Chunk, Clock, Duration, Effect, Fiber, TestClock } from "effect"

/** Real time for pending I/O callbacks to run; short, since it is paid on every step. */
const settle = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 1)))

const finiteSleeps = Effect.map(TestClock.sleeps(), (chunk) => Chunk.toReadonlyArray(chunk).filter(Number.isFinite))

/** Consecutive steps without a pending sleep before giving up: the fiber waits on something time cannot end. */
const maxIdleSteps = 5000

/**
 * Options of {@link drive}.
 *
 * @category testing
 */
export interface DriveOptions {
  /** Stop once the clock reaches this (milliseconds of test time); the clock stops exactly there. */
  readonly to?: number
  /**
   * True while real work is under way that ends without the clock moving (a request a server is handling, a query
   * running): the clock does not move meanwhile, so a deadline never overtakes work a loaded machine makes slow.
   * Work held on the clock (a server sleeping until a `wait_timeout`) must not count, or it would wait forever;
   * after `busyLimitMs` of real time the clock moves anyway.
   */
  readonly busy?: () => boolean
  /** Real milliseconds `busy` may hold the clock still (default 10,000). */
  readonly busyLimitMs?: number
}

/** Turns the set of pending sleeps must hold still before the clock moves. */
const quietTurns = 1

/**
 * Advances the `TestClock` from sleep to sleep until `fiber` is done or, with `to`, until the clock reaches `to`.
 *
 * @category testing
 */
export const drive = <A, E>(fiber: Fiber.RuntimeFiber<A, E>, options: DriveOptions = {}) =>
  Effect.gen(function* () {
    let idle = 0
    let quiet = 0
    let seen = ""
    let busySince: number | undefined
    for (;;) {
      yield* settle
      if (fiber.unsafePoll() !== null) return
      const now = yield* Clock.currentTimeMillis
      if (options.to !== undefined && now >= options.to) return
      // A sleep that never ends (an infinite timeout) is not a step; and the set of sleeps must hold still across
      // settles, or real I/O is still on its way to registering an earlier one.
      const sleeps = yield* finiteSleeps
      const key = sleeps.join(",")
      quiet = key === seen ? quiet + 1 : 0
      seen = key
      if (options.busy?.() === true) {
        busySince ??= performance.now()
        if (performance.now() - busySince < (options.busyLimitMs ?? 10_000)) {
          idle = 0
          continue
        }
      }
      busySince = undefined
      if (sleeps.length === 0) {
        if (++idle > maxIdleSteps) return yield* Effect.die(new Error("drive: the fiber waits without a pending sleep"))
        continue
      }
      idle = 0
      if (quiet < quietTurns) continue
      quiet = 0
      const next = Math.min(...sleeps, options.to ?? Number.POSITIVE_INFINITY)
      yield* TestClock.adjust(Duration.millis(Math.max(0, next - now)))
    }
  })

/**
 * Forks `effect`, drives the clock until it finishes, and returns its result.
 *
 * @category testing
 */
export const run = <A, E, R>(effect: Effect.Effect<A, E, R>, options: DriveOptions = {}): Effect.Effect<A, E, R> =>
  Effect.flatten(runExit(effect, options))

/**
 * {@link run}, returning the exit instead of failing.
 *
 * @category testing
 */
export const runExit = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options: DriveOptions = {}
): Effect.Effect<Exit.Exit<A, E>, never, R> =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(effect)
    yield* drive(fiber, options)
    return yield* Fiber.await(fiber)
  })

/**
 * Lets real I/O progress (a request travelling to a server) until at least `count` sleeps wait on the `TestClock`,
 * so that a following `TestClock.adjust` is seen by the request.
 *
 * @category testing
 */
export const awaitSleeps = (count = 1) =>
  Effect.gen(function* () {
    for (let i = 0; i < 2000; i++) {
      if (Chunk.size(yield* TestClock.sleeps()) >= count) return
      yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
    }
    return yield* Effect.dieMessage("nothing started waiting on the clock")
  })
