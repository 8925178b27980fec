import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Layer } from "effect"
import * as Readiness from "../../src/enhance/Readiness.js"
import type { SerializedSpace } from "../../src/model/Space.js"
import { GenieAnswer } from "../../src/model/Results.js"
import { Asker, GenieError } from "../../src/stages/ask/Asker.js"
import { SpaceStore } from "../../src/workspace/SpaceStore.js"
import * as TestClockDriver from "../../src/testing/TestClockDriver.js"

const old: SerializedSpace = { version: 2 }
const fresh: SerializedSpace = { version: 2, data_sources: { tables: [{ identifier: "main.r.orders" }] } }

/** A space that serves the update only `lagMs` after the test starts; Genie answers from `canaryFromMs`. */
const fakes = (lagMs: number, canaryFromMs = 0) => {
  let gets = 0
  let asks = 0
  const store = Layer.succeed(
    SpaceStore,
    SpaceStore.of({
      list: () => Effect.succeed([]),
      create: () => Effect.die("unused"),
      update: () => Effect.die("unused"),
      trash: () => Effect.void,
      get: (spaceId) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          gets++
          const ready = now >= lagMs
          return { spaceId, title: "t", warehouseId: "w", etag: ready ? "e2" : "e1", space: ready ? fresh : old }
        })
    })
  )
  const asker = Layer.succeed(
    Asker,
    Asker.of({
      ask: () =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          asks++
          return now >= canaryFromMs
            ? Effect.succeed(new GenieAnswer({ status: "COMPLETED", text: "ok", attempts: 1, elapsedMs: 0 }))
            : Effect.fail(
                new GenieError({ reason: "Unavailable", message: "not yet", retryable: true, rateLimited: false })
              )
        }),
      resume: () => Effect.die("unused")
    })
  )
  return { layer: Layer.merge(store, asker), gets: () => gets, asks: () => asks }
}

describe("Readiness", () => {
  it.effect("polls until the space returns the new etag and content, then asks the canary until it answers", () => {
    const f = fakes(7_000, 12_000)
    return Effect.gen(function* () {
      const waited = yield* TestClockDriver.run(
        Readiness.waitUntilServed({
          spaceId: "s",
          etag: "e2",
          space: fresh,
          timeoutSeconds: 60,
          canaryQuestion: "How many orders?"
        })
      )
      // Served at 7 s, canary answered at 12 s: polled, never slept a fixed minute.
      assert.isTrue(waited.waitedMs >= 12_000 && waited.waitedMs < 20_000, `waited ${waited.waitedMs}`)
      assert.isTrue(f.gets() > 1)
      assert.strictEqual(waited.questions, f.asks())
      assert.isTrue(waited.questions >= 2)
    }).pipe(Effect.provide(f.layer))
  })

  it.effect("fails with SpaceNotReady at indexingWaitSeconds when the change never shows", () => {
    const f = fakes(Number.POSITIVE_INFINITY)
    return Effect.gen(function* () {
      const error = yield* Effect.flip(
        TestClockDriver.run(Readiness.waitUntilServed({ spaceId: "s", etag: "e2", space: fresh, timeoutSeconds: 30 }))
      )
      assert.strictEqual(error._tag, "SpaceNotReady")
      assert.strictEqual(yield* Clock.currentTimeMillis, 30_000)
    }).pipe(Effect.provide(f.layer))
  })

  it.effect("asks the canary no more often than the budget allows, and counts each question as it goes", () => {
    const f = fakes(0, 60_000)
    let counted = 0
    return Effect.gen(function* () {
      const error = yield* Effect.flip(
        TestClockDriver.run(
          Readiness.waitUntilServed({
            spaceId: "s",
            etag: "e2",
            space: fresh,
            timeoutSeconds: 120,
            canaryQuestion: "How many orders?",
            maxQuestions: 3,
            onQuestion: Effect.sync(() => {
              counted++
            })
          })
        )
      )
      assert.strictEqual(f.asks(), 3)
      assert.strictEqual(counted, 3)
      assert.strictEqual(error._tag, "SpaceNotReady")
      assert.isTrue(error._tag === "SpaceNotReady" && error.budget === true)
    }).pipe(Effect.provide(f.layer))
  })
})
