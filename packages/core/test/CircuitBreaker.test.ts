import { assert, describe, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Exit, Fiber, Option, Ref, Stream, TestClock } from "effect"
import * as CircuitBreaker from "../src/safety/CircuitBreaker.js"
import { AuthFailed } from "../src/model/Errors.js"
import { GenieError } from "../src/stages/ask/Asker.js"
import { badRequest, captureLogs, serverError } from "./support/scripted.js"

const make = (threshold = 3) => CircuitBreaker.make({ key: "genie", threshold, cooldown: "60 seconds" })

const failTimes = (breaker: CircuitBreaker.CircuitBreaker, n: number) =>
  Effect.forEach(Array.from({ length: n }), () => Effect.exit(breaker.execute(Effect.fail(serverError))), {
    discard: true
  })

/** Starts a trial call that stays in flight until the returned `finish` is completed. */
const startHeldCall = (breaker: CircuitBreaker.CircuitBreaker) =>
  Effect.gen(function* () {
    const started = yield* Deferred.make<void>()
    const finish = yield* Deferred.make<void, typeof serverError>()
    const fiber = yield* Effect.fork(
      breaker.execute(Effect.zipRight(Deferred.succeed(started, undefined), Deferred.await(finish)))
    )
    yield* Deferred.await(started)
    return { fiber, finish }
  })

describe("CircuitBreaker", () => {
  it.effect("opens after N consecutive failed calls and then rejects fast without running the call", () =>
    Effect.gen(function* () {
      const breaker = yield* make(3)
      yield* failTimes(breaker, 2)
      assert.strictEqual(yield* breaker.state, "Closed")
      yield* failTimes(breaker, 1)
      assert.strictEqual(yield* breaker.state, "Open")

      yield* TestClock.adjust("10 seconds")
      const ran = yield* Ref.make(false)
      const error = yield* Effect.flip(breaker.execute(Ref.set(ran, true)))
      assert.instanceOf(error, CircuitBreaker.CircuitOpen)
      assert.strictEqual(error.key, "genie")
      assert.strictEqual(error.retryAfterMs, 50_000)
      assert.isFalse(yield* Ref.get(ran))
      assert.match(error.message, /OPEN for genie/)
    })
  )

  it.effect("a success in between resets the count: only consecutive failures open the circuit", () =>
    Effect.gen(function* () {
      const breaker = yield* make(3)
      yield* failTimes(breaker, 2)
      yield* breaker.execute(Effect.void)
      yield* failTimes(breaker, 2)
      assert.strictEqual(yield* breaker.state, "Closed")
    })
  )

  it.effect(
    "caller errors (BadRequest, AuthFailed, callerError: true) neither count nor extend a run of failures",
    () =>
      Effect.gen(function* () {
        const breaker = yield* make(2)
        yield* Effect.exit(breaker.execute(Effect.fail(badRequest)))
        yield* Effect.exit(breaker.execute(Effect.fail(new AuthFailed({ message: "token rejected" }))))
        yield* Effect.exit(breaker.execute(Effect.fail({ _tag: "SqlError", callerError: true })))
        assert.strictEqual(yield* breaker.state, "Closed")
        yield* failTimes(breaker, 1)
        yield* Effect.exit(breaker.execute(Effect.fail(badRequest)))
        yield* failTimes(breaker, 1)
        assert.strictEqual(yield* breaker.state, "Closed")
        yield* failTimes(breaker, 1)
        assert.strictEqual(yield* breaker.state, "Open")
      })
  )

  it.effect("defects count as failures; a custom predicate decides which errors count", () =>
    Effect.gen(function* () {
      const breaker = yield* make(1)
      yield* Effect.exit(breaker.execute(Effect.die("bug")))
      assert.strictEqual(yield* breaker.state, "Open")

      const lenient = yield* CircuitBreaker.make({
        key: "sql",
        threshold: 1,
        cooldown: "1 minute",
        isFailure: () => false
      })
      yield* Effect.exit(lenient.execute(Effect.fail(serverError)))
      assert.strictEqual(yield* lenient.state, "Closed")
    })
  )

  it.effect("after the cooldown it is half open and admits exactly one trial call; success closes it", () =>
    Effect.gen(function* () {
      const breaker = yield* make(1)
      yield* failTimes(breaker, 1)
      yield* TestClock.adjust("59 seconds")
      assert.strictEqual(yield* breaker.state, "Open")
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* breaker.state, "HalfOpen")

      const trial = yield* startHeldCall(breaker)
      const rejected = yield* Effect.flip(breaker.execute(Effect.succeed("other")))
      assert.instanceOf(rejected, CircuitBreaker.CircuitOpen)
      assert.strictEqual(rejected.retryAfterMs, 0)
      assert.match(rejected.message, /trial call is in flight/)

      yield* Deferred.succeed(trial.finish, undefined)
      yield* Fiber.join(trial.fiber)
      assert.strictEqual(yield* breaker.state, "Closed")
      assert.strictEqual(yield* breaker.execute(Effect.succeed("next")), "next")
    })
  )

  it.effect("a failed trial opens the circuit again for a full cooldown", () =>
    Effect.gen(function* () {
      const breaker = yield* make(1)
      yield* failTimes(breaker, 1)
      yield* TestClock.adjust("60 seconds")
      const exit = yield* Effect.exit(breaker.execute(Effect.fail(serverError)))
      assert.deepStrictEqual(exit, Exit.fail(serverError))
      assert.strictEqual(yield* breaker.state, "Open")
      const error = yield* Effect.flip(breaker.execute(Effect.void))
      assert.strictEqual(error.retryAfterMs, 60_000)
    })
  )

  it.effect("an interrupted trial frees the slot for the next call", () =>
    Effect.gen(function* () {
      const breaker = yield* make(1)
      yield* failTimes(breaker, 1)
      yield* TestClock.adjust("60 seconds")
      const trial = yield* startHeldCall(breaker)
      yield* Fiber.interrupt(trial.fiber)
      assert.strictEqual(yield* breaker.state, "HalfOpen")
      yield* breaker.execute(Effect.void)
      assert.strictEqual(yield* breaker.state, "Closed")
    })
  )

  it.effect("calls admitted before the circuit opened change nothing when they finish", () =>
    Effect.gen(function* () {
      const breaker = yield* make(1)
      const slow = yield* startHeldCall(breaker)
      yield* failTimes(breaker, 1)
      yield* Deferred.succeed(slow.finish, undefined)
      yield* Fiber.join(slow.fiber)
      assert.strictEqual(yield* breaker.state, "Open")
    })
  )

  it.effect("awaitReady waits for the cooldown, then for an in-flight trial's outcome", () =>
    Effect.gen(function* () {
      const breaker = yield* make(1)
      yield* breaker.awaitReady // closed: returns at once
      yield* failTimes(breaker, 1)

      const waiter = yield* Effect.fork(breaker.awaitReady)
      yield* TestClock.adjust("59 seconds")
      assert.isTrue(Option.isNone(yield* Fiber.poll(waiter)))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(waiter)

      const trial = yield* startHeldCall(breaker)
      const second = yield* Effect.fork(breaker.awaitReady)
      yield* TestClock.adjust("5 minutes")
      assert.isTrue(Option.isNone(yield* Fiber.poll(second)))
      yield* Deferred.fail(trial.finish, serverError)
      yield* Effect.exit(Fiber.join(trial.fiber))
      // The trial failed: the circuit is open again, so the waiter keeps waiting for the next cooldown.
      yield* TestClock.adjust("59 seconds")
      assert.isTrue(Option.isNone(yield* Fiber.poll(second)))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(second)
      assert.strictEqual(yield* breaker.state, "HalfOpen")
    })
  )

  it.effect("publishes every state change with its time and reason, and logs it like the original tool", () =>
    captureLogs((lines) =>
      Effect.gen(function* () {
        const breaker = yield* make(2)
        yield* failTimes(breaker, 2) // at 0 s
        yield* TestClock.adjust("60 seconds")
        yield* breaker.execute(Effect.void) // trial at 60 s succeeds
        const events = yield* Stream.runCollect(Stream.take(breaker.events, 3))
        assert.deepStrictEqual(
          Chunk.toReadonlyArray(events).map(({ from, to, at }) => `${from}->${to}@${at}`),
          ["Closed->Open@0", "Open->HalfOpen@60000", "HalfOpen->Closed@60000"]
        )
        assert.deepStrictEqual(lines, [
          "Circuit breaker OPEN for genie: 2 consecutive failed calls; rejecting calls for 60s",
          "Circuit breaker HALF_OPEN for genie: cooldown of 60s elapsed; allowing one trial call",
          "Circuit breaker CLOSED for genie: trial call succeeded"
        ])
      })
    )
  )

  it("isCallerError recognises the caller-error conventions only", () => {
    assert.isTrue(CircuitBreaker.isCallerError(badRequest))
    assert.isTrue(CircuitBreaker.isCallerError({ reason: "Auth" }))
    assert.isTrue(CircuitBreaker.isCallerError({ callerError: true }))
    assert.isFalse(CircuitBreaker.isCallerError(serverError))
    assert.isFalse(CircuitBreaker.isCallerError({ reason: "RateLimited" }))
    assert.isFalse(CircuitBreaker.isCallerError("BadRequest"))
    assert.isFalse(CircuitBreaker.isCallerError(null))
  })

  it("a Genie message the space itself failed (SQL_EXECUTION_EXCEPTION) is not an outage; transient ones are", () => {
    const failed = (errorType: string, retryable: boolean, rateLimited = false) =>
      new GenieError({ reason: "Failed", message: "Genie failed", errorType, retryable, rateLimited })
    assert.isTrue(CircuitBreaker.isCallerError(failed("SQL_EXECUTION_EXCEPTION", false)))
    assert.isFalse(CircuitBreaker.isCallerError(failed("RETRYABLE_PROCESSING_EXCEPTION", true)))
    assert.isFalse(CircuitBreaker.isCallerError(failed("RATE_LIMIT_EXCEEDED_QUESTIONS", true, true)))
    assert.isFalse(
      CircuitBreaker.isCallerError(
        new GenieError({ reason: "Unavailable", message: "HTTP 503", retryable: true, rateLimited: false })
      )
    )
  })

  it.effect("21 answers the space failed in a row do not open the Genie circuit", () =>
    Effect.gen(function* () {
      const breaker = yield* make(5)
      const failure = new GenieError({
        reason: "Failed",
        message: "Genie failed (SQL_EXECUTION_EXCEPTION)",
        errorType: "SQL_EXECUTION_EXCEPTION",
        retryable: false,
        rateLimited: false
      })
      for (let i = 0; i < 21; i++) yield* Effect.exit(breaker.execute(Effect.fail(failure)))
      assert.strictEqual(yield* breaker.state, "Closed")
    })
  )
})
