import { assert, describe, it } from "@effect/vitest"
import { Effect, Random, TestClock } from "effect"
import * as SpaceId from "../src/model/SpaceId.js"

describe("SpaceId.isValid", () => {
  it("accepts exactly 32 lowercase hex characters", () => {
    assert.isTrue(SpaceId.isValid("01f0f9b4978e1dc3a68e89924bfcd0d6"))
    assert.isFalse(SpaceId.isValid("01F0F9B4978E1DC3A68E89924BFCD0D6"))
    assert.isFalse(SpaceId.isValid("01f0f9b4-978e-1dc3-a68e-89924bfcd0d6"))
    assert.isFalse(SpaceId.isValid("01f0f9b4978e1dc3a68e89924bfcd0d"))
    assert.isFalse(SpaceId.isValid("01f0f9b4978e1dc3a68e89924bfcd0d6a"))
    assert.isFalse(SpaceId.isValid("01f0f9b4978e1dc3a68e89924bfcd0g6"))
  })
})

describe("SpaceId.make", () => {
  it.effect("encodes the clock's milliseconds in the first 12 hex digits", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 0, 10))
      const id = yield* SpaceId.make
      assert.isTrue(SpaceId.isValid(id))
      assert.strictEqual(id.slice(0, 12), Date.UTC(2026, 0, 10).toString(16).padStart(12, "0"))
    })
  )

  it.effect("makes ids that sort in creation order as the clock advances", () =>
    Effect.gen(function* () {
      const ids: Array<string> = []
      for (let i = 0; i < 8; i++) {
        ids.push(yield* SpaceId.make)
        yield* TestClock.adjust("1 millis")
      }
      assert.deepStrictEqual([...ids].sort(), ids)
      assert.strictEqual(new Set(ids).size, ids.length)
      assert.isTrue(ids.every(SpaceId.isValid))
    })
  )

  it.effect("is deterministic under a seeded Random and differs between seeds", () =>
    Effect.gen(function* () {
      const three = Effect.all([SpaceId.make, SpaceId.make, SpaceId.make])
      const a = yield* Effect.withRandom(three, Random.make("seed-a"))
      const again = yield* Effect.withRandom(three, Random.make("seed-a"))
      const b = yield* Effect.withRandom(three, Random.make("seed-b"))
      assert.deepStrictEqual(a, again)
      assert.notDeepEqual(a, b)
      // Same millisecond: the random tail still makes the ids distinct.
      assert.strictEqual(new Set(a).size, 3)
    })
  )
})

describe("SpaceId.fromSeed", () => {
  it("derives a stable, valid id from any string", () => {
    assert.strictEqual(SpaceId.fromSeed("benchmark:1"), "5222e7f35bf6a628cba344393fae2c76")
    assert.strictEqual(SpaceId.fromSeed("benchmark:1"), SpaceId.fromSeed("benchmark:1"))
    assert.notStrictEqual(SpaceId.fromSeed("benchmark:1"), SpaceId.fromSeed("benchmark:2"))
    for (const seed of ["", "é", "日本語の質問", "x".repeat(10_000)])
      assert.isTrue(SpaceId.isValid(SpaceId.fromSeed(seed)))
    assert.notStrictEqual(SpaceId.fromSeed("a\u0100"), SpaceId.fromSeed("a\u0001"))
  })
})
