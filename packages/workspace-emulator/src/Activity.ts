/**
 * What the emulator is doing right now, for harnesses that drive Effect's `TestClock` by hand: whether real work is
 * under way (a request being handled, a statement running on DuckDB, a Genie answer being prepared), which ends
 * without the clock moving, and how many requests are held on the clock (an injected delay or hang, a statement's
 * `wait_timeout`), which only the clock can end. A driver moves the clock only when nothing is at work, so a
 * deadline never overtakes work that a loaded machine merely makes slow.
 */
import { Effect } from "effect"

/**
 * The emulator's activity counters.
 *
 * @category models
 */
export interface Activity {
  /** True while work is under way that will end without the clock moving. */
  readonly busy: () => boolean
  /** Requests held on the clock: answered (or failed) only once time passes. */
  readonly heldRequests: () => number
  /** Runs `effect` counted as work. */
  readonly work: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Forks-to-be: counts work from now (before a fork is scheduled) until the returned effect runs. */
  readonly begin: Effect.Effect<Effect.Effect<void>>
  /** Runs `effect` (inside `work`) as a request held on the clock rather than as work. */
  readonly hold: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

/**
 * New counters, all at zero.
 *
 * @category constructors
 */
export const make = (): Activity => {
  let working = 0
  let held = 0
  const around =
    (enter: () => void, leave: () => void) =>
    <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.acquireUseRelease(
        Effect.sync(enter),
        () => effect,
        () => Effect.sync(leave)
      )
  return {
    busy: () => working > 0,
    heldRequests: () => held,
    work: around(
      () => working++,
      () => working--
    ),
    begin: Effect.sync(() => {
      working++
      let ended = false
      return Effect.sync(() => {
        if (!ended) working--
        ended = true
      })
    }),
    hold: around(
      () => {
        working--
        held++
      },
      () => {
        held--
        working++
      }
    )
  }
}

/**
 * Counters that count nothing: for components used without an emulator around them.
 *
 * @category constructors
 */
export const none: Activity = {
  busy: () => false,
  heldRequests: () => 0,
  work: (effect) => effect,
  begin: Effect.succeed(Effect.void),
  hold: (effect) => effect
}
