/**
 * Ids for Genie space items (questions, instructions, join specs, snippets): 32 lowercase hex characters.
 */
import { Clock, Effect, Random } from "effect"

const pattern = /^[0-9a-f]{32}$/

/**
 * True when `id` is exactly 32 lowercase hex characters, the only form the Genie API accepts.
 *
 * @category models
 */
export const isValid = (id: string): boolean => pattern.test(id)

const maxMillis = 2 ** 48 - 1

/**
 * A new time-ordered id: 48 bits of `Clock.currentTimeMillis` followed by 80 bits from the `Random` service.
 *
 * **Details**
 * Like the time-ordered UUIDs of real exports, ids made in different milliseconds sort in creation order, so new
 * items land after existing ones in the canonical (sorted) order. Two ids made within the same millisecond are
 * ordered randomly. Under `TestClock` and a seeded `Random` the result is deterministic.
 *
 * @category constructors
 */
export const make: Effect.Effect<string> = Effect.gen(function* () {
  const millis = Math.min(maxMillis, Math.max(0, Math.floor(yield* Clock.currentTimeMillis)))
  let hex = millis.toString(16).padStart(12, "0")
  for (let i = 0; i < 5; i++) {
    hex += (yield* Random.nextIntBetween(0, 0x10000)).toString(16).padStart(4, "0")
  }
  return hex
})

// 32-bit FNV-1a over UTF-16 code units, fed a salt first so the four words of an id differ.
const fnv1a = (salt: number, input: string): number => {
  let h = 0x811c9dc5
  const mix = (byte: number) => {
    h ^= byte
    h = Math.imul(h, 0x01000193)
  }
  mix(salt)
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i)
    mix(c & 0xff)
    mix(c >>> 8)
  }
  return h >>> 0
}

/**
 * A deterministic id derived from any string (four salted FNV-1a hashes), stable across runs and platforms.
 *
 * **Details**
 * For importers and tests that need the same id for the same input every time (e.g. a benchmark imported from a
 * file without ids). Not time-ordered.
 *
 * @category constructors
 */
export const fromSeed = (seed: string): string =>
  [0, 1, 2, 3].map((salt) => fnv1a(salt, seed).toString(16).padStart(8, "0")).join("")
