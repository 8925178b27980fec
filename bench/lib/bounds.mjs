// The ideal run time of a scenario, from the Genie latencies the bench drew.

/**
 * The end of a list schedule: jobs taken in order, each on the slot that frees first, and (with a rate limit) each
 * started at least `spacingMs` after the one before, as the safety layer's token bucket spaces questions. Without
 * spacing this is the list-scheduled makespan; with it, close to the issue's `max(N / rate, makespan)` when one limit
 * dominates and above it when both bind.
 *
 * @param {ReadonlyArray<number>} durations
 * @param {number} slots
 * @param {number} spacingMs
 */
export const schedule = (durations, slots, spacingMs = 0) => {
  const free = Array.from({ length: Math.max(1, slots) }, () => 0)
  let lastStart = Number.NEGATIVE_INFINITY
  for (const d of durations) {
    const i = free.indexOf(Math.min(...free))
    lastStart = Math.max(free[i], lastStart + spacingMs)
    free[i] = lastStart + d
  }
  return Math.max(...free)
}

/**
 * When the asker first sees an answer that took `ms`: it polls `firstMs` after asking, then waits 1.5 times longer
 * each time, up to `maxMs` (GenieAsker), so an answer is seen at the first poll at or after it.
 */
export const seenAt = (ms, firstMs, maxMs) => {
  let at = firstMs
  let wait = firstMs
  while (at < ms) {
    wait = Math.min(wait * 1.5, maxMs)
    at += wait
  }
  return at
}

/**
 * When the adaptive schedule first sees an answer that took `ms`: at the first planned poll at or after it, else
 * after the plan, backing off from `firstMs` ×1.5 up to `maxMs` (`Polling.adaptive`; no plan: the fixed backoff).
 */
export const seenAtPlanned = (ms, offsets, firstMs, maxMs) => {
  if (offsets.length === 0) return seenAt(ms, firstMs, maxMs)
  const planned = offsets.find((at) => at >= ms)
  if (planned !== undefined) return planned
  let at = offsets[offsets.length - 1]
  let wait = firstMs
  for (;;) {
    at += wait
    if (at >= ms) return at
    wait = Math.min(wait * 1.5, maxMs)
  }
}

/**
 * When each answer is first seen when every question's polls depend on the answers seen before it started (the
 * adaptive schedule plans from the asker's estimator: the latencies of the answers it has seen, the latest
 * `window`). Questions are list-scheduled as in `schedule`; `seenOf(ms, knownSorted)` gives the poll that sees an
 * answer of `ms` with those latencies known. An answer seen at the very time a question starts is known to it.
 *
 * @param {ReadonlyArray<number>} durations
 * @param {number} slots
 * @param {number} spacingMs
 * @param {(ms: number, known: ReadonlyArray<number>) => number} seenOf
 * @returns {Array<number>} per question, the time from asking to the poll that sees its answer
 */
export const seenInSchedule = (durations, slots, spacingMs, seenOf, window = 200) => {
  const free = Array.from({ length: Math.max(1, slots) }, () => 0)
  let lastStart = Number.NEGATIVE_INFINITY
  const ended = []
  return durations.map((d) => {
    const i = free.indexOf(Math.min(...free))
    const start = Math.max(free[i], lastStart + spacingMs)
    lastStart = start
    const known = ended
      .filter((e) => e.at <= start)
      .sort((a, b) => a.at - b.at)
      .slice(-window)
      .map((e) => e.ms)
      .sort((a, b) => a - b)
    const seen = seenOf(d, known)
    free[i] = start + seen
    ended.push({ at: start + seen, ms: d })
    return seen
  })
}
