import { assert, describe, it } from "@effect/vitest"
import type { Duration } from "effect"
import { Clock, Deferred, Effect, Exit, Fiber, Layer, Option, Ref, TestClock } from "effect"
import * as CircuitBreaker from "../src/safety/CircuitBreaker.js"
import { ProviderError } from "../src/model/Errors.js"
import * as Profile from "../src/config/Profile.js"
import * as Safety from "../src/safety/Safety.js"
import * as Stages from "../src/stages/Stages.js"
import { rateLimited, scripted, serverError } from "./support/scripted.js"

const settings = (overrides: Partial<Safety.PolicySettings> = {}): Safety.PolicySettings => ({
  concurrency: 10,
  attempts: 1,
  timeoutSeconds: 60,
  circuit: { threshold: 5, cooldownSeconds: 60 },
  baseDelay: "1 second",
  ...overrides
})

/** Forks the effect, lets `window` of test time pass and returns its exit. */
const settle = <A, E>(effect: Effect.Effect<A, E>, window: Duration.DurationInput = "1 hour") =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(effect)
    yield* TestClock.adjust(window)
    return yield* Fiber.await(fiber)
  })

describe("Safety policy", () => {
  it.effect("a timeout fails the attempt with CallTimeout and interrupts the in-flight effect", () =>
    Effect.gen(function* () {
      const policy = yield* Safety.makePolicy(settings({ timeoutSeconds: 5 }), "genie")
      const interrupted = yield* Deferred.make<number>()
      const hang = Effect.never.pipe(
        Effect.onInterrupt(() => Effect.flatMap(Clock.currentTimeMillis, (now) => Deferred.succeed(interrupted, now)))
      )
      const exit = yield* settle(policy.run(hang))
      assert.deepStrictEqual(exit, Exit.fail(new Safety.CallTimeout({ key: "genie", afterMs: 5_000 })))
      assert.strictEqual(yield* Deferred.await(interrupted), 5_000)
      assert.match((yield* Effect.flip(exit)).message, /genie call timed out after 5s/)
    })
  )

  it.effect("a timed-out attempt is retried, with a fresh timeout", () =>
    Effect.gen(function* () {
      const policy = yield* Safety.makePolicy(settings({ timeoutSeconds: 5, attempts: 2 }), "genie")
      const { effect, times } = yield* scripted([Effect.never, Effect.as(Effect.sleep("4 seconds"), "answer")])
      assert.deepStrictEqual(yield* settle(policy.run(effect)), Exit.succeed("answer"))
      const [first, second] = yield* times
      assert.strictEqual(first, 0)
      assert.isTrue(second >= 5_800 && second <= 6_200, `second attempt at ${second}`) // 5 s timeout + ~1 s backoff
      const stats = yield* policy.stats
      assert.deepInclude(stats, { calls: 1, attempts: 2, timeouts: 1, failures: 0 })
    })
  )

  it.effect("the breaker sees one outcome per call, however many attempts the call made", () =>
    Effect.gen(function* () {
      const policy = yield* Safety.makePolicy(
        settings({ attempts: 3, circuit: { threshold: 2, cooldownSeconds: 60 } }),
        "genie"
      )
      const { effect, times } = yield* scripted([Effect.fail(serverError)])
      yield* settle(policy.run(effect), "1 minute")
      assert.strictEqual((yield* times).length, 3)
      assert.strictEqual(yield* policy.breaker.state, "Closed") // three failed attempts, one failed call

      yield* settle(policy.run(effect), "1 minute")
      assert.strictEqual(yield* policy.breaker.state, "Open")
      const rejected = yield* Effect.flip(policy.run(effect))
      assert.instanceOf(rejected, CircuitBreaker.CircuitOpen)
      assert.strictEqual((yield* times).length, 6) // rejected without an attempt
      assert.deepInclude(yield* policy.stats, { calls: 3, attempts: 6, failures: 3, rejected: 1, state: "Open" })
    })
  )

  it.effect("every attempt, retries included, takes a rate-limit token", () =>
    Effect.gen(function* () {
      const policy = yield* Safety.makePolicy(settings({ attempts: 3, questionsPerMinute: 6 }), "genie")
      const { effect, times } = yield* scripted([Effect.fail(serverError)])
      yield* settle(policy.run(effect))
      // The 1 s and 2 s backoffs are shorter than the 10 s spacing of 6 calls a minute.
      assert.deepStrictEqual(yield* times, [0, 10_000, 20_000])
    })
  )

  it.effect("waiting for a token does not count against the attempt's timeout", () =>
    Effect.gen(function* () {
      const policy = yield* Safety.makePolicy(settings({ timeoutSeconds: 5, questionsPerMinute: 6 }), "genie")
      const call = policy.run(Effect.as(Effect.sleep("1 second"), "ok"))
      const exit = yield* settle(Effect.all([call, call], { concurrency: 2 }))
      assert.deepStrictEqual(exit, Exit.succeed(["ok", "ok"])) // the second waited 10 s for its token
    })
  )

  it.effect("429s slow the policy down and are absorbed without using up an attempt", () =>
    Effect.gen(function* () {
      const policy = yield* Safety.makePolicy(settings({ attempts: 1, questionsPerMinute: 20 }), "genie")
      const { effect, times } = yield* scripted([
        Effect.fail(rateLimited(30_000)),
        Effect.fail(rateLimited(30_000)),
        Effect.succeed("answer")
      ])
      assert.deepStrictEqual(yield* settle(policy.run(effect)), Exit.succeed("answer"))
      assert.deepStrictEqual(yield* times, [0, 30_000, 60_000])
      assert.deepInclude(yield* policy.stats, { calls: 1, attempts: 3, refusals: 2, failures: 0 })
      // The second refusal came within a minute of the first: the limit is lower than configured.
      yield* TestClock.setTime(60_000)
      assert.strictEqual((yield* policy.stats).perMinute, 10)
    })
  )

  it.effect("a server's Retry-After on a retryable error delays the retry", () =>
    Effect.gen(function* () {
      const policy = yield* Safety.makePolicy(settings({ attempts: 2 }), "sql")
      const unavailable = new ProviderError({
        provider: "warehouse",
        reason: "Server",
        message: "503",
        retryable: true,
        retryAfterMs: 20_000
      })
      const { effect, times } = yield* scripted([Effect.fail(unavailable), Effect.succeed(1)])
      yield* settle(policy.run(effect))
      assert.deepStrictEqual(yield* times, [0, 20_000])
    })
  )

  it.effect("never runs more than `concurrency` calls at once; the others queue", () =>
    Effect.gen(function* () {
      const policy = yield* Safety.makePolicy(settings({ concurrency: 2 }), "sql")
      const inFlight = yield* Ref.make(0)
      const peak = yield* Ref.make(0)
      const call = Effect.acquireUseRelease(
        Effect.tap(
          Ref.updateAndGet(inFlight, (n) => n + 1),
          (n) => Ref.update(peak, (p) => Math.max(p, n))
        ),
        () => Effect.sleep("10 seconds"),
        () => Ref.update(inFlight, (n) => n - 1)
      )
      const fiber = yield* Effect.fork(
        Effect.all(
          Array.from({ length: 5 }, () => policy.run(call)),
          { concurrency: 5 }
        )
      )
      yield* TestClock.adjust("29 seconds")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      assert.strictEqual(yield* Ref.get(peak), 2)
    })
  )
})

describe("Safety service", () => {
  it.effect("builds the genie, sql and llm policies from the profile's safety block", () =>
    Effect.gen(function* () {
      const { genie, sql, llm } = yield* Safety.Safety
      assert.deepStrictEqual(
        [genie.key, sql.key, llm.key],
        ["genie:adb-1.azuredatabricks.net", "sql:adb-1.azuredatabricks.net", "llm"]
      )
      assert.strictEqual((yield* genie.stats).perMinute, Profile.defaults.safety.genie.questionsPerMinute)
      assert.isUndefined((yield* sql.stats).perMinute)

      // Genie: 2 attempts, the retry after the seed's 5 s (± jitter).
      const { effect, times } = yield* scripted([Effect.fail(serverError)])
      yield* settle(genie.run(effect))
      const [, second] = yield* times
      assert.strictEqual((yield* times).length, 2)
      assert.isTrue(second >= 4_000 && second <= 6_000, `retry at ${second}`)
    }).pipe(Effect.provide(Safety.layer(Profile.defaults.safety, { workspace: "adb-1.azuredatabricks.net" })))
  )

  it.effect("layerTest runs every call once, as is", () =>
    Effect.gen(function* () {
      const { genie } = yield* Safety.Safety
      const { effect, times } = yield* scripted([Effect.fail(serverError), Effect.succeed("ok")])
      assert.deepStrictEqual(yield* Effect.exit(genie.run(effect)), Exit.fail(serverError))
      assert.deepStrictEqual(yield* genie.run(effect), "ok")
      assert.deepStrictEqual(yield* times, [0, 0])
    }).pipe(Effect.provide(Safety.layerTest))
  )
})

describe("Safety.languageModel", () => {
  const completion: Stages.Completion = {
    text: "hello",
    usage: { inputTokens: 1, outputTokens: 1, latencyMs: 0, provider: "test", model: "m" }
  }

  /** A language model whose `complete` plays the given script, decorated by the llm policy. */
  const decorated = (steps: ReadonlyArray<Effect.Effect<Stages.Completion, ProviderError>>) =>
    Effect.gen(function* () {
      const script = yield* scripted(steps)
      const base = Layer.succeed(Stages.LanguageModel, {
        complete: () => script.effect,
        completeJson: () => Effect.die("not used")
      })
      const llm = { concurrency: 1, attempts: 3, timeoutSeconds: 10, circuit: { threshold: 5, cooldownSeconds: 60 } }
      const model = yield* Effect.provide(
        Stages.LanguageModel,
        Safety.languageModel.pipe(Layer.provide(base), Layer.provide(Safety.layer({ ...Profile.defaults.safety, llm })))
      )
      return { model, times: script.times }
    })

  it.effect("retries a retryable ProviderError, so providers need no retry logic", () =>
    Effect.gen(function* () {
      const { model, times } = yield* decorated([Effect.fail(serverError), Effect.succeed(completion)])
      const exit = yield* settle(model.complete({ messages: [{ role: "user", content: "hi" }] }))
      assert.deepStrictEqual(exit, Exit.succeed(completion))
      const [, retry] = yield* times
      assert.isTrue(retry >= 400 && retry <= 600, `retry at ${retry}`) // the OpenAI SDK's 0.5 s first delay
    })
  )

  it.effect("maps a final timeout to ProviderError reason Timeout", () =>
    Effect.gen(function* () {
      const { model, times } = yield* decorated([Effect.never])
      const exit = yield* settle(model.complete({ messages: [{ role: "user", content: "hi" }] }))
      assert.strictEqual((yield* times).length, 3)
      const error = yield* Effect.flip(exit)
      assert.deepInclude(error, { _tag: "ProviderError", provider: "llm", reason: "Timeout", retryable: true })
    })
  )
})
