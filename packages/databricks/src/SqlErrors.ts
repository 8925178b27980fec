/**
 * How a failed SQL statement becomes the core `SqlFailed`, for both executors: statement errors (the SQL itself is
 * wrong) are caller errors that no retry fixes; warehouse trouble is retryable.
 */
import { Stages } from "@genie-enhancer/core"
import type { Errors } from "@genie-enhancer/core"
import type { DatabricksError } from "./RestClient.js"
import { describe } from "./RestClient.js"

/** SQLSTATE classes of the statement's own fault: 42 syntax or access rule violation, 22 data exception. */
const callerClasses: ReadonlySet<string> = new Set(["42", "22"])

/** SQLSTATE classes of the warehouse's trouble: connection, rollback, resources, system, internal. */
const transientClasses: ReadonlySet<string> = new Set(["08", "40", "53", "57", "58", "XX"])

/** `ServiceErrorCode`s of a FAILED statement that another attempt may not meet (databricks-api.md §4). */
const transientCodes: ReadonlySet<string> = new Set([
  "ABORTED",
  "DEADLINE_EXCEEDED",
  "INTERNAL_ERROR",
  "IO_ERROR",
  "RESOURCE_EXHAUSTED",
  "SERVICE_UNDER_MAINTENANCE",
  "TEMPORARILY_UNAVAILABLE",
  "WORKSPACE_TEMPORARILY_UNAVAILABLE"
])

/**
 * The SQLSTATE quoted in a Databricks error message (`… SQLSTATE: 42P01; line 1 pos 14`), if any.
 *
 * @category constructors
 */
export const sqlStateIn = (message: string): string | undefined => /SQLSTATE:\s*([0-9A-Z]{5})/.exec(message)?.[1]

/**
 * A statement that ran and failed. `callerError` (and not retryable) for SQLSTATE classes 42 and 22; retryable for
 * transient error codes and SQLSTATE classes; otherwise neither.
 *
 * @category constructors
 */
export const statementFailed = (failure: {
  readonly message: string
  readonly sqlState?: string | undefined
  readonly errorCode?: string | undefined
  readonly statementId?: string | undefined
}): Stages.SqlFailed => {
  const sqlState = failure.sqlState ?? sqlStateIn(failure.message)
  const sqlClass = sqlState?.slice(0, 2)
  const callerError = sqlClass !== undefined && callerClasses.has(sqlClass)
  const retryable =
    !callerError &&
    ((failure.errorCode !== undefined && transientCodes.has(failure.errorCode)) ||
      (sqlClass !== undefined && transientClasses.has(sqlClass)))
  return new Stages.SqlFailed({
    message: failure.message,
    retryable,
    rateLimited: failure.errorCode === "RESOURCE_EXHAUSTED",
    callerError,
    ...(sqlState === undefined ? {} : { sqlState }),
    ...(failure.statementId === undefined ? {} : { statementId: failure.statementId })
  })
}

/**
 * A statement that could not be submitted or read: the HTTP error keeps its retry classification; a 400 is the
 * request's fault (`callerError`). Credentials that cannot be used are not retryable.
 *
 * @category constructors
 */
export const requestFailed = (error: DatabricksError | Errors.AuthFailed, statementId?: string): Stages.SqlFailed =>
  error._tag === "AuthFailed"
    ? new Stages.SqlFailed({ message: error.message, retryable: false, rateLimited: false, callerError: false })
    : new Stages.SqlFailed({
        message: describe(error),
        retryable: error.retryable,
        rateLimited: error.rateLimited,
        callerError: error.status === 400,
        ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
        ...(statementId === undefined ? {} : { statementId })
      })

/**
 * No warehouse to run on: says where to set one.
 *
 * @category constructors
 */
export const noWarehouse = (): Stages.SqlFailed =>
  new Stages.SqlFailed({
    message:
      "no SQL warehouse configured: set workspace.warehouseId in the profile, --warehouse-id, " +
      "DATABRICKS_WAREHOUSE_ID or warehouse_id in the ~/.databrickscfg profile",
    retryable: false,
    rateLimited: false,
    callerError: false
  })
