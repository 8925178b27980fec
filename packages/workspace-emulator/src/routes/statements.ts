/** Routes of the SQL Statement Execution API (databricks-api.md §4). */
import { Effect } from "effect"
import * as ApiError from "../ApiError.js"
import type * as Faults from "../Faults.js"
import * as Http from "../Http.js"
import type { Statements } from "../Statements.js"
import type { Parameter } from "../Transpile.js"
import { optionalString, requiredString } from "./Body.js"

const base = "/api/2.0/sql/statements"

const waitTimeout = (value: string | undefined) => {
  const m = /^(\d+)s$/.exec(value ?? "10s")
  const seconds = m === null ? NaN : Number(m[1])
  return seconds === 0 || (seconds >= 5 && seconds <= 50)
    ? Effect.succeed(seconds * 1000)
    : Effect.fail(
        ApiError.invalidParameter(`wait_timeout must be 0s or between 5s and 50s, got ${JSON.stringify(value)}.`)
      )
}

const parameters = (value: unknown) => {
  if (value === undefined || value === null) return Effect.succeed(undefined)
  const valid =
    Array.isArray(value) &&
    value.every(
      (p: unknown) =>
        typeof p === "object" &&
        p !== null &&
        typeof (p as Parameter).name === "string" &&
        ["string", "undefined"].includes(typeof (p as Parameter).type) &&
        (["string", "undefined"].includes(typeof (p as Parameter).value) || (p as Parameter).value === null)
    )
  return valid
    ? Effect.succeed(value as ReadonlyArray<Parameter>)
    : Effect.fail(ApiError.invalidParameter("parameters must be a list of {name, value, type} with string fields."))
}

const rowLimit = (value: unknown) =>
  value === undefined || value === null
    ? Effect.succeed(undefined)
    : typeof value === "number" && Number.isInteger(value) && value >= 0
      ? Effect.succeed(value)
      : Effect.fail(ApiError.invalidParameter("row_limit must be a non-negative integer."))

/** The statement endpoints. */
export const routes = (
  statements: Statements,
  faults: Faults.Injector,
  warehouseId: string
): ReadonlyArray<Http.Route> => [
  Http.route("POST", base, "statements", (request) =>
    Effect.gen(function* () {
      const body = yield* Http.jsonBody(request)
      const sql = yield* requiredString(body, "statement")
      const warehouse = yield* requiredString(body, "warehouse_id")
      if (warehouse !== warehouseId) return yield* ApiError.notFound(`Warehouse ${warehouse} does not exist.`)
      const waitMs = yield* waitTimeout(yield* optionalString(body, "wait_timeout"))
      const onTimeout = (yield* optionalString(body, "on_wait_timeout")) ?? "CONTINUE"
      if (onTimeout !== "CONTINUE" && onTimeout !== "CANCEL") {
        return yield* ApiError.invalidParameter(`on_wait_timeout must be CONTINUE or CANCEL, got ${onTimeout}.`)
      }
      const disposition = (yield* optionalString(body, "disposition")) ?? "INLINE"
      const format = (yield* optionalString(body, "format")) ?? "JSON_ARRAY"
      if (disposition === "EXTERNAL_LINKS") {
        return yield* new ApiError.ApiError({
          status: 501,
          errorCode: "NOT_IMPLEMENTED",
          message: "The workspace emulator supports only disposition INLINE."
        })
      }
      if (disposition !== "INLINE") return yield* ApiError.invalidParameter(`Unknown disposition ${disposition}.`)
      if (format !== "JSON_ARRAY") {
        return yield* ApiError.invalidParameter(`${format} format is only supported with EXTERNAL_LINKS disposition.`)
      }
      const params = yield* parameters(body.parameters)
      const limit = yield* rowLimit(body.row_limit)
      const catalog = yield* optionalString(body, "catalog")
      const schema = yield* optionalString(body, "schema")
      const timing = yield* faults.timing
      const statement = yield* statements.submit(sql, {
        pendingMs: timing.statementPendingMs,
        runMs: timing.statementRunMs,
        ...(params === undefined ? {} : { parameters: params }),
        ...(limit === undefined ? {} : { rowLimit: limit }),
        ...(catalog === undefined ? {} : { catalog }),
        ...(schema === undefined ? {} : { schema })
      })
      if (waitMs > 0) {
        yield* statements.wait(statement, waitMs)
        const state = yield* statements.state(statement)
        if (onTimeout === "CANCEL" && (state === "PENDING" || state === "RUNNING")) yield* statements.cancel(statement)
      }
      return Http.json(yield* statements.response(statement))
    })
  ),
  Http.route("GET", `${base}/:statementId`, "statements", (request) =>
    statements.find(request.params.statementId).pipe(
      Effect.flatMap(statements.response),
      Effect.map((json) => Http.json(json))
    )
  ),
  Http.route("GET", `${base}/:statementId/result/chunks/:chunkIndex`, "statements", (request) =>
    statements.find(request.params.statementId).pipe(
      Effect.flatMap((statement) => statements.chunk(statement, Number(request.params.chunkIndex))),
      Effect.map((json) => Http.json(json))
    )
  ),
  Http.route("POST", `${base}/:statementId/cancel`, "statements", (request) =>
    statements.find(request.params.statementId).pipe(Effect.flatMap(statements.cancel), Effect.as(Http.json({})))
  )
]
