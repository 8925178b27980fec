/**
 * "Ready, not asleep": after a space update, poll the space until it serves the change — the etag the update
 * returned and the configuration that was sent — then, optionally, ask a canary question until Genie answers it.
 * `loop.indexingWaitSeconds` is the longest wait for both together; past it the update is an error.
 */
import { Clock, Duration, Effect, Schedule } from "effect"
import type { SerializedSpace } from "../model/Space.js"
import { diff } from "../model/SpaceDiff.js"
import type { GenieAnswer } from "../model/Results.js"
import { Asker } from "../stages/ask/Asker.js"
import type { GenieError } from "../stages/ask/Asker.js"
import { SpaceStore } from "../workspace/SpaceStore.js"
import type { SpaceStoreError } from "../workspace/SpaceStore.js"
import { SpaceNotReady } from "./EnhanceErrors.js"

/**
 * What to wait for.
 *
 * @category models
 */
export interface Expectation {
  readonly spaceId: string
  /** The etag the update returned, when the API returned one. */
  readonly etag?: string
  readonly space: SerializedSpace
  readonly timeoutSeconds: number
  readonly canaryQuestion?: string
  /**
   * The canary may be asked this many times at most (what the run's question budget leaves); past it the space is
   * not ready, as past the deadline.
   */
  readonly maxQuestions?: number
  /** Called before each canary question is sent (the run counts it against its budget). */
  readonly onQuestion?: Effect.Effect<void>
}

/**
 * Poll delays: 0.5 s, then ×1.5 up to 5 s. A real workspace usually serves a change within seconds; the seed slept
 * 60 s every time.
 *
 * @category configuration
 */
export const pollSchedule = Schedule.exponential(Duration.millis(500), 1.5).pipe(
  Schedule.union(Schedule.spaced(Duration.seconds(5)))
)

class NotYet {
  readonly _tag = "NotYet"
}

/**
 * Waits until the space serves `space` (and answers the canary). Returns the questions the canary cost.
 *
 * @category constructors
 */
export const waitUntilServed = Effect.fn("Readiness.waitUntilServed")(function* (expect: Expectation) {
  const store = yield* SpaceStore
  const asker = yield* Asker
  const started = yield* Clock.currentTimeMillis
  let questions = 0
  const served = store.get(expect.spaceId).pipe(
    Effect.flatMap((got) =>
      (expect.etag === undefined || got.etag === expect.etag) &&
      got.space !== undefined &&
      diff(got.space, expect.space).identical
        ? Effect.void
        : Effect.fail(new NotYet())
    ),
    // A transient read failure is one more poll, not a failed run; the deadline bounds it.
    Effect.catchTag("SpaceStoreError", (e) => Effect.fail<NotYet | SpaceStoreError>(e.retryable ? new NotYet() : e))
  )
  const canary =
    expect.canaryQuestion === undefined
      ? Effect.void
      : Effect.suspend((): Effect.Effect<GenieAnswer, GenieError | SpaceNotReady> => {
          if (expect.maxQuestions !== undefined && questions >= expect.maxQuestions) {
            const maxQuestions = expect.maxQuestions
            return Effect.flatMap(Clock.currentTimeMillis, (now) =>
              Effect.fail(
                new SpaceNotReady({
                  spaceId: expect.spaceId,
                  waitedSeconds: (now - started) / 1000,
                  budget: true,
                  message: `space ${expect.spaceId} did not answer the canary question within the ${maxQuestions} question(s) the budget left (loop.budget.genieQuestions)`
                })
              )
            )
          }
          questions++
          return Effect.zipRight(
            expect.onQuestion ?? Effect.void,
            asker.ask(expect.spaceId, expect.canaryQuestion ?? "")
          )
        }).pipe(
          Effect.flatMap((answer) => (answer.status === "COMPLETED" ? Effect.void : Effect.fail(new NotYet()))),
          Effect.catchTag("GenieError", () => Effect.fail(new NotYet()))
        )
  const poll = <E>(check: Effect.Effect<void, E>) =>
    check.pipe(Effect.retry({ schedule: pollSchedule, while: (e) => e instanceof NotYet }))
  const timeout = Duration.seconds(expect.timeoutSeconds)
  yield* Effect.zipRight(poll(served), poll(canary)).pipe(
    Effect.timeoutFail({
      duration: timeout,
      onTimeout: () =>
        new SpaceNotReady({
          spaceId: expect.spaceId,
          waitedSeconds: expect.timeoutSeconds,
          message: `space ${expect.spaceId} did not serve its update${expect.canaryQuestion === undefined ? "" : " and answer the canary question"} within ${expect.timeoutSeconds} s (loop.indexingWaitSeconds)`
        })
    }),
    Effect.catchIf(
      (e): e is NotYet => e instanceof NotYet,
      () => Effect.die("unreachable: retried while NotYet")
    )
  )
  const waitedMs = (yield* Clock.currentTimeMillis) - started
  return { questions, waitedMs }
})
