/**
 * The checks a scoring run makes once, before asking anything: the space exists and the credentials may read it,
 * and the warehouse answers a trivial query. A wrong space id, a missing warehouse or a bad token is then one clear
 * error (usage or auth) instead of every benchmark retried through breaker cool-downs.
 */
import { Duration, Effect, Schedule, Schema } from "effect"
import { isRetryable } from "../model/Errors.js"
import * as SpaceId from "../model/SpaceId.js"
import { Safety } from "../safety/Safety.js"
import { Executor } from "../stages/execute/Executor.js"
import { SpaceStore } from "../workspace/SpaceStore.js"

/**
 * A preflight check failed.
 *
 * **Details**
 * `reason`: `NotFound` (no such space or warehouse: usage, exit 2), `Invalid` (not a space id: usage, exit 2),
 * `Auth` (the credentials were refused: exit 3), `Unavailable` (the workspace did not answer through the retries:
 * exit 3).
 *
 * @category errors
 */
export class PreflightFailed extends Schema.TaggedError<PreflightFailed>()("PreflightFailed", {
  check: Schema.Literal("space", "warehouse"),
  reason: Schema.Literal("NotFound", "Invalid", "Auth", "Unavailable"),
  message: Schema.String
}) {}

/**
 * What the checks found.
 *
 * @category models
 */
export interface Checked {
  readonly spaceTitle: string
  /** The warehouse the run uses: the configured one, else the space's own. */
  readonly warehouseId: string
  /** True when no warehouse was configured and the space's own is used. */
  readonly warehouseFromSpace: boolean
}

// A short, bounded retry for transient answers: a preflight must fail fast, not ride out an outage.
const transient = Schedule.exponential(Duration.millis(500), 2).pipe(Schedule.intersect(Schedule.recurs(3)))

const reasonOf = (error: { readonly reason?: unknown; readonly _tag?: unknown; readonly sqlState?: unknown }) => {
  if (error.reason === "NotFound") return "NotFound" as const
  if (error.reason === "Auth" || error._tag === "AuthFailed") return "Auth" as const
  return "Unavailable" as const
}

/**
 * Checks the space, then the warehouse (the configured `warehouseId`, else the space's own).
 *
 * @category constructors
 */
export const check = Effect.fn("Preflight.check")(function* (input: {
  readonly spaceId: string
  readonly warehouseId?: string | undefined
}) {
  if (!SpaceId.isValid(input.spaceId)) {
    return yield* new PreflightFailed({
      check: "space",
      reason: "Invalid",
      message: `"${input.spaceId}" is not a Genie space id (32 hexadecimal characters)`
    })
  }
  const spaces = yield* SpaceStore
  const space = yield* spaces.get(input.spaceId).pipe(
    Effect.retry({ schedule: transient, while: isRetryable }),
    Effect.mapError((error) => {
      const reason = reasonOf(error)
      return new PreflightFailed({
        check: "space",
        reason,
        message:
          reason === "NotFound"
            ? `no Genie space ${input.spaceId} in this workspace (or no permission to see it): ${error.message}`
            : reason === "Auth"
              ? `the workspace refused the credentials reading space ${input.spaceId}: ${error.message}`
              : `the workspace did not answer reading space ${input.spaceId}: ${error.message}`
      })
    })
  )
  const warehouseId = input.warehouseId ?? (space.warehouseId === "" ? undefined : space.warehouseId)
  if (warehouseId === undefined) {
    return yield* new PreflightFailed({
      check: "warehouse",
      reason: "NotFound",
      message: `no SQL warehouse configured and space ${input.spaceId} names none; set --warehouse-id or DATABRICKS_WAREHOUSE_ID`
    })
  }
  const executor = yield* Executor
  const safety = yield* Safety
  yield* safety.sql.run(executor.execute("SELECT 1", { warehouseId, rowLimit: 1 })).pipe(
    Effect.mapError((error) => {
      const status = (error as { readonly status?: unknown }).status
      const text = error.message
      const notFound = status === 404 || /NOT_FOUND|does not exist|not found/i.test(text)
      const auth = status === 401 || status === 403 || /PERMISSION_DENIED|UNAUTHENTICATED|401|403/.test(text)
      return new PreflightFailed({
        check: "warehouse",
        reason: notFound ? "NotFound" : auth ? "Auth" : "Unavailable",
        message: `SQL warehouse ${warehouseId} cannot run a query: ${text}`
      })
    })
  )
  return {
    spaceTitle: space.title,
    warehouseId,
    warehouseFromSpace: input.warehouseId === undefined
  } satisfies Checked
})
