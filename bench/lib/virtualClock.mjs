// A virtual clock that runs `1 / scale` times faster than real time, for Effect's `Clock` service.
//
// The emulator and the product both take time from Effect's `Clock` (message statuses, injected latency, the
// question window and Retry-After on one side; polling, backoff, timeouts, rate limiting and the breaker's cooldown
// on the other). Running both under this clock scales every timer at once and keeps their settings realistic: a
// poll interval of 1 s, a Retry-After of 12 s and a 60 s question window all shrink by the same factor. The faults
// file's own `timeScale` only scales injected delays, not the question window, Retry-After or the client's timers.
//
// What the clock cannot scale is real work (HTTP on loopback, DuckDB, JSON, fsync): 1 ms of it reads as
// `1 / scale` ms of virtual time, so the scale is a trade between run time and how much overhead is magnified.
import { performance } from "node:perf_hooks"
import { clearTimeout, setTimeout } from "node:timers"
import { Clock, Duration, Effect } from "./effect.mjs"

/** Node's timers overflow above this many milliseconds (and then fire at once). */
const maxTimerMs = 2 ** 31 - 1

/**
 * A clock whose time starts at the real time now and advances `1 / scale` virtual ms per real ms.
 *
 * @param {number} scale real ms per virtual ms (0.01: 100 virtual seconds per real second)
 */
export const make = (scale) => {
  const originMs = Date.now()
  const realOrigin = performance.now()
  const now = () => originMs + (performance.now() - realOrigin) / scale
  const nanos = () => BigInt(Math.round(now() * 1e6))
  const sleep = (duration) => {
    const realMs = Duration.toMillis(duration) * scale
    if (!(realMs <= maxTimerMs)) return Effect.never
    return Effect.async((resume) => {
      const handle = setTimeout(() => resume(Effect.void), realMs)
      return Effect.sync(() => clearTimeout(handle))
    })
  }
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: now,
    unsafeCurrentTimeNanos: nanos,
    currentTimeMillis: Effect.sync(now),
    currentTimeNanos: Effect.sync(nanos),
    sleep,
    /** The virtual time now, in ms (for the bench's own measurements). */
    now
  }
}
