import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option, TestClock } from "effect"
import { Emulator, Faults } from "../src/index.js"
import { ask, awaitSleeps, call, salesDataset, salesSpace } from "./support.js"

const chaos: Faults.Config = {
  genie: {
    latency: { distribution: "lognormal", medianMs: 800, sigma: 0.6 },
    errorRate: 0.2,
    throttleRate: 0.1,
    hangRate: 0.05,
    failedRate: 0.3,
    noAttachmentsRate: 0.2
  }
}

const sequence = (config: Faults.Config, seed: number) =>
  Effect.gen(function* () {
    const injector = Faults.make(config, seed)
    const requests = yield* Effect.replicateEffect(injector.request("genie"), 100)
    const messages = yield* Effect.replicateEffect(injector.message, 50)
    return { requests, messages }
  })

describe("fault injection", () => {
  it.effect("is deterministic: the same seed gives the same fault sequence, another seed a different one", () =>
    Effect.gen(function* () {
      const a = yield* sequence(chaos, 42)
      const b = yield* sequence(chaos, 42)
      const c = yield* sequence(chaos, 43)
      assert.deepStrictEqual(a, b)
      assert.notDeepEqual(a.requests, c.requests)
      assert.notDeepEqual(a.messages, c.messages)
      // The configured kinds of faults all occur.
      const statuses = new Set(a.requests.map((d) => d.status))
      assert.isTrue(statuses.has(429) && statuses.has(503) && statuses.has(undefined))
      assert.isTrue(a.requests.some((d) => d.hang))
      assert.isTrue(new Set(a.requests.map((d) => Math.round(d.delayMs))).size > 50)
      assert.deepStrictEqual(new Set(a.messages.map((m) => m?._tag)), new Set(["Failed", "NoAttachments", undefined]))
      // A seed in the configuration wins over the emulator's.
      assert.deepStrictEqual(yield* sequence({ ...chaos, seed: 42 }, 7), a)
    })
  )

  it.effect("timeScale scales latency", () =>
    Effect.gen(function* () {
      const injector = Faults.make({
        timeScale: 0.01,
        spaces: { latency: { distribution: "uniform", minMs: 1000, maxMs: 2000 } }
      })
      const delays = yield* Effect.replicateEffect(
        Effect.map(injector.request("spaces"), (d) => d.delayMs),
        20
      )
      assert.isTrue(delays.every((ms) => ms >= 10 && ms <= 20))
    })
  )

  it.scoped("over HTTP: the same seed answers the same statuses in the same order", () =>
    Effect.gen(function* () {
      const statuses = (seed: number) =>
        Effect.scoped(
          Effect.gen(function* () {
            const emulator = yield* Emulator.start({ seed, faults: { spaces: { errorRate: 0.5 } } })
            return yield* Effect.forEach(Array.from({ length: 20 }), () =>
              Effect.map(call(emulator, "GET", "/api/2.0/genie/spaces"), (r) => r.status)
            )
          })
        )
      const first = yield* statuses(5)
      assert.deepStrictEqual(yield* statuses(5), first)
      assert.notDeepEqual(yield* statuses(6), first)
      assert.deepStrictEqual(new Set(first), new Set([200, 503]))
    })
  )

  it.scoped("throttling and 5xx use the Databricks envelope and Retry-After", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.start({ faults: { spaces: { throttleRate: 1, retryAfterSeconds: 7 } } })
      const throttled = yield* call(emulator, "GET", "/api/2.0/genie/spaces")
      assert.deepStrictEqual([throttled.status, throttled.json.error_code], [429, "RESOURCE_EXHAUSTED"])
      assert.strictEqual(throttled.headers.get("retry-after"), "7")
      yield* emulator.setFaults({ spaces: { errorRate: 1, errorStatus: 500 } })
      const failed = yield* call(emulator, "GET", "/api/2.0/genie/spaces")
      assert.deepStrictEqual([failed.status, failed.json.error_code], [500, "INTERNAL_ERROR"])
      yield* emulator.setFaults({})
      assert.strictEqual((yield* call(emulator, "GET", "/api/2.0/genie/spaces")).status, 200)
    })
  )

  it.scoped("latency delays the answer on the emulator's clock", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.start({
        faults: { timeScale: 0.5, statements: { latency: { distribution: "fixed", ms: 2000 } } }
      })
      const request = yield* Effect.fork(call(emulator, "GET", "/api/2.0/sql/statements/unknown"))
      yield* awaitSleeps()
      yield* TestClock.adjust("999 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(request)))
      yield* TestClock.adjust("1 millis")
      assert.strictEqual((yield* Fiber.join(request)).status, 404)
    })
  )

  it.scoped("a hang never answers until the client gives up; other requests go on", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.start({ faults: { spaces: { hangRate: 1 } } })
      const hanging = yield* Effect.fork(call(emulator, "GET", "/api/2.0/genie/spaces"))
      const other = yield* call(emulator, "GET", "/api/2.0/sql/statements/unknown")
      assert.strictEqual(other.status, 404)
      yield* TestClock.adjust("1 hour")
      assert.isTrue(Option.isNone(yield* Fiber.poll(hanging)))
      yield* Fiber.interrupt(hanging)
      yield* emulator.setFaults({})
      assert.strictEqual((yield* call(emulator, "GET", "/api/2.0/genie/spaces")).status, 200)
    })
  )

  it.scoped("forces FAILED messages with the chosen type and COMPLETED messages without attachments", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.start({
        datasets: [salesDataset],
        spaces: [{ title: "Sales", serializedSpace: salesSpace }],
        faults: { genie: { failedRate: 1, failedType: "RATE_LIMIT_EXCEEDED_GENERIC_EXCEPTION" } }
      })
      const spaceId = emulator.spaceIds[0]
      const failed = (yield* ask(emulator, spaceId, "Anything?")).message.json
      assert.strictEqual(failed.status, "FAILED")
      assert.strictEqual(failed.error.type, "RATE_LIMIT_EXCEEDED_GENERIC_EXCEPTION")
      yield* emulator.setFaults({ genie: { noAttachmentsRate: 1 } })
      const empty = (yield* ask(emulator, spaceId, "Anything?")).message.json
      assert.strictEqual(empty.status, "COMPLETED")
      assert.isUndefined(empty.attachments)
    })
  )

  it.effect("a faults file with mistakes names the path, the line and what was expected", () =>
    Effect.gen(function* () {
      const yaml = [
        "seed: 1",
        "genie:",
        "  latency: { distribution: normal, ms: 3 }",
        "  errorRat: 0.5",
        "  failedRate: 2",
        ""
      ].join("\n")
      const error = yield* Effect.flip(Faults.decode(yaml, "faults.yaml"))
      assert.strictEqual(error.source, "faults.yaml")
      const byPath = new Map(error.issues.map((i) => [i.path, i]))
      assert.include(byPath.get("$.genie.errorRat")?.message, "unknown key")
      assert.strictEqual(byPath.get("$.genie.errorRat")?.line, 4)
      assert.include(byPath.get("$.genie.failedRate")?.message, "between 0 and 1")
      assert.strictEqual(byPath.get("$.genie.failedRate")?.line, 5)
      assert.isTrue(error.issues.some((i) => i.path.startsWith("$.genie.latency")))
      const parsed = yield* Faults.decode(
        "genie:\n  questionsPerMinute: 5\n  failedType: SQL_EXECUTION_EXCEPTION\n",
        "f.yaml"
      )
      assert.deepStrictEqual(parsed, { genie: { questionsPerMinute: 5, failedType: "SQL_EXECUTION_EXCEPTION" } })
    })
  )

  it.effect("an errorStatus that is not a 5xx is one clear issue, not one per allowed status", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Faults.decode("genie:\n  errorStatus: 418\n", "faults.yaml"))
      assert.strictEqual(error.issues.length, 1)
      assert.strictEqual(error.issues[0]?.path, "$.genie.errorStatus")
      assert.match(error.issues[0]?.message ?? "", /must be one of 500, 502, 503, 504 \(a 5xx status\), got 418/)
      assert.strictEqual(error.issues[0]?.line, 2)
    })
  )
})
