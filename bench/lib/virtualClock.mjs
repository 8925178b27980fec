// A virtual clock for Effect's `Clock` service: discrete-event time, paced by real timers `scale` times shorter.
//
// The emulator and the product both take time from Effect's `Clock` (message statuses, the emulated Genie's answer
// latency, the question window and Retry-After on one side; polling, backoff, timeouts, rate limiting and the
// breaker's cooldown on the other). Running both under this clock keeps their settings realistic: a poll interval of
// 1 s, a Retry-After of 12 s and a 60 s question window all mean what they say. The faults file's own `timeScale`
// only scales injected delays, not the question window, Retry-After or the client's timers.
//
// Time moves only from one sleep's deadline to the next, never while code runs. An earlier clock ran `1 / scale`
// times faster than real time throughout, so real work (loopback HTTP, JSON, the SQL parser, DuckDB, fsync) was
// magnified `1 / scale` times, and a few milliseconds of machine difference became seconds of "virtual" overhead
// (issue 19: 1.14 against 1.56 on two machines of the same kind). Here:
// - the earliest pending sleep is woken by a real timer after `scale` × its virtual distance, and the clock then
//   jumps to exactly its deadline (a late timer, from Node's 1 ms granularity or a loaded machine, costs nothing);
// - while announced work is in flight (`beginWork`) no sleep is woken: the clock waits for it, however slow the
//   machine is. The bench announces each HTTP request to the in-process emulator until it is answered (unless the
//   emulator reports it hung: `onRequestHung`), and each emulated Genie answer from the engine's reply until the
//   emulator has run its SQL and stored it (`onAnswerReady`);
// - nor while file-system requests are pending (the run store's fsync'd journal), for `fsGraceMs` at most;
// - nor while a fiber is runnable (the run's Effect scheduler counts them): work a wake started that has not yet
//   reached its next sleep or request (a resumed poll, evaluation, a long computation that yields).
// So a run's virtual times do not depend on the machine, its load or the pacing: with seeded latencies, faults and
// retry jitter (scenario.mjs) a run gives the same virtual times every time. The client's real overhead is measured
// apart (real ms and CPU ms per question, scenario.mjs). `scale` is the pacing: smaller is faster.
import { performance } from "node:perf_hooks"
import { clearTimeout, setTimeout } from "node:timers"
import { Clock, Duration, Effect, Scheduler } from "./effect.mjs"

/** Node's timers overflow above this many milliseconds (and then fire at once). */
const maxTimerMs = 2 ** 31 - 1
/**
 * Real ms an HTTP request holds the clock at most. Only a safety net: a request holds it until it is answered, and
 * the emulator reports the requests it will never answer (its `onRequestHung`), which then wait on virtual time.
 */
export const requestGraceMs = 10_000
/**
 * Real ms pending file-system requests hold the clock at most (the run store's fsync'd journal takes a few ms); one
 * still pending after it is taken as waiting on something else.
 */
const fsGraceMs = 300

/**
 * A clock whose time starts at the real time now and moves from one sleep's deadline to the next, each reached
 * `scale` × its distance in real ms after the previous one (and once no announced work is in flight).
 *
 * @param {number} scale real ms per virtual ms of pacing (0.01: 100 virtual seconds per real second at most)
 */
export const make = (scale) => {
  let virtual = Date.now()
  /** Pending sleeps: virtual deadline and resume, in the order they were made. */
  const sleeps = new Set()
  const work = new Set()
  const stats = { heldRealMs: 0, wakes: 0 }
  let fsSince
  let handle
  let heldSince

  // Fibers that are runnable but have not run yet: the work a wake started (a resumed poll, evaluation, a fiber
  // yielding in a long computation) that has not reached its next sleep or announced request. Counted by the
  // scheduler the run uses (`scheduler`, `Effect.withScheduler`).
  let runnable = 0
  const base = Scheduler.defaultScheduler
  const scheduler = {
    shouldYield: (fiber) => base.shouldYield(fiber),
    scheduleTask: (task, priority, fiber) => {
      runnable++
      base.scheduleTask(
        () => {
          runnable--
          task()
        },
        priority,
        fiber
      )
    }
  }
  const inFlight = () => {
    const real = performance.now()
    for (const entry of work) if (real - entry.startedAt < entry.graceMs) return true
    const fs = process.getActiveResourcesInfo().some((type) => type.startsWith("FSReq"))
    fsSince = fs ? (fsSince ?? real) : undefined
    return fsSince !== undefined && real - fsSince < fsGraceMs
  }
  /** The sleep due first; of equal deadlines, the one made first (a `Set` keeps insertion order). */
  const earliest = () => {
    let min
    for (const entry of sleeps) if (min === undefined || entry.at < min.at) min = entry
    return min
  }
  const arm = () => {
    clearTimeout(handle)
    handle = undefined
    const next = earliest()
    if (next === undefined) return
    handle = setTimeout(wake, Math.min(maxTimerMs, Math.max(0, (next.at - virtual) * scale)))
  }
  const wake = () => {
    handle = undefined
    if (runnable > 0 || inFlight()) {
      heldSince ??= performance.now()
      handle = setTimeout(wake, 1)
      return
    }
    if (heldSince !== undefined) {
      stats.heldRealMs += performance.now() - heldSince
      heldSince = undefined
    }
    const next = earliest()
    if (next === undefined) return
    stats.wakes++
    virtual = Math.max(virtual, next.at)
    // One sleep per wake: of sleeps due at the same time, the one made first resumes first, and the next one only
    // once the work it started is done. So an answer due at 20 s (its sleep made when the question was asked) is
    // stored before a poll due at 20 s looks, as its ready time says, and ties never depend on the machine.
    sleeps.delete(next)
    next.resume()
    arm()
  }

  const now = () => virtual
  const nanos = () => BigInt(Math.round(virtual * 1e6))
  const sleep = (duration) => {
    const ms = Duration.toMillis(duration)
    if (!(ms * scale <= maxTimerMs)) return Effect.never
    if (ms <= 0) return Effect.void
    return Effect.async((resume) => {
      const entry = { at: virtual + ms, resume: () => resume(Effect.void) }
      const first = earliest()
      sleeps.add(entry)
      if (first === undefined || entry.at < first.at) arm()
      return Effect.sync(() => {
        sleeps.delete(entry)
        if (sleeps.size === 0) arm()
      })
    })
  }
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: now,
    unsafeCurrentTimeNanos: nanos,
    currentTimeMillis: Effect.sync(now),
    currentTimeNanos: Effect.sync(nanos),
    sleep,
    /**
     * Announces real work in flight, which holds the clock for `graceMs` real ms at most (for as long as it lasts by
     * default); call the returned function when it ended.
     */
    beginWork: (graceMs = Infinity) => {
      const entry = { startedAt: performance.now(), graceMs }
      work.add(entry)
      return () => {
        work.delete(entry)
      }
    },
    /** The scheduler to run under this clock (`Effect.withScheduler`): the clock waits for runnable fibers. */
    scheduler,
    /** The virtual time now, in ms (for the bench's own measurements). */
    now,
    /** Real ms the clock was held by work in flight, and how many times it moved. */
    stats: () => ({ ...stats })
  }
}
