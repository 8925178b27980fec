import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, TestClock } from "effect"
import { Emulator, GenieEngine } from "../src/index.js"
import { awaitSleeps, call, salesDataset, salesSpace } from "./support.js"

const statements = "/api/2.0/sql/statements"

/** A few real milliseconds, for I/O under way (DuckDB, sockets) to progress. */
const realTurn = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 5)))

describe("Emulator activity (for TestClock drivers)", () => {
  it.scoped("a Genie answer being prepared is work; the emulator is idle once it is stored", () =>
    Effect.gen(function* () {
      const release = yield* Deferred.make<void>()
      // An engine whose reply waits on the test, as a slow model or warehouse would: real work, not clock time.
      const engine: GenieEngine.GenieEngine = {
        name: "held",
        answer: () => Effect.as(Deferred.await(release), GenieEngine.Reply.Text({ text: "Done." }))
      }
      const emulator = yield* Emulator.start({
        datasets: [salesDataset],
        spaces: [{ title: "Sales", serializedSpace: salesSpace }],
        engines: () => engine
      })
      assert.isFalse(emulator.activity.busy(), "nothing to do after start")
      const started = yield* call(
        emulator,
        "POST",
        `/api/2.0/genie/spaces/${emulator.spaceIds[0]}/start-conversation`,
        {
          body: { content: "Which sales?" }
        }
      )
      assert.strictEqual(started.status, 200)
      assert.isTrue(emulator.activity.busy(), "the answer is still being prepared")
      yield* Deferred.succeed(release, undefined)
      yield* Effect.repeat(realTurn, { until: () => !emulator.activity.busy(), times: 2000 })
      assert.isFalse(emulator.activity.busy(), "the answer is stored")
    })
  )

  it.scoped("a statement's wait_timeout and an injected delay hold the request on the clock; they are not work", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.start({
        datasets: [salesDataset],
        faults: { statements: { runMs: 9000, latency: { distribution: "fixed", ms: 2000 } } }
      })
      const waiting = yield* Effect.fork(
        call(emulator, "POST", statements, {
          body: { warehouse_id: emulator.warehouseId, statement: "SELECT 42 AS answer", wait_timeout: "30s" }
        })
      )
      // First the injected 2 s delay holds it.
      yield* awaitSleeps()
      assert.deepStrictEqual([emulator.activity.busy(), emulator.activity.heldRequests()], [false, 1])
      yield* TestClock.adjust("2 seconds")
      // Then the statement's remaining run time (once DuckDB has answered) until it finishes.
      yield* awaitSleeps(2)
      yield* Effect.repeat(realTurn, { until: () => emulator.activity.heldRequests() === 1, times: 2000 })
      assert.deepStrictEqual([emulator.activity.busy(), emulator.activity.heldRequests()], [false, 1])
      yield* TestClock.adjust("9 seconds")
      const answered = yield* Fiber.join(waiting)
      assert.strictEqual(answered.json.status.state, "SUCCEEDED")
      assert.deepStrictEqual([emulator.activity.busy(), emulator.activity.heldRequests()], [false, 0])
    })
  )
})
