/** Typed reads of JSON request fields, failing with 400 `INVALID_PARAMETER_VALUE` naming the field. */
import { Effect } from "effect"
import * as ApiError from "../ApiError.js"

/** An optional string field. */
export const optionalString = (body: Record<string, unknown>, name: string) => {
  const value = body[name]
  return value === undefined || value === null
    ? Effect.succeed(undefined)
    : typeof value === "string"
      ? Effect.succeed(value)
      : Effect.fail(ApiError.invalidParameter(`${name} must be a string.`))
}

/** A required non-empty string field. */
export const requiredString = (body: Record<string, unknown>, name: string) =>
  Effect.flatMap(optionalString(body, name), (value) =>
    value === undefined || value === ""
      ? Effect.fail(ApiError.invalidParameter(`Missing required field: ${name}`))
      : Effect.succeed(value)
  )
