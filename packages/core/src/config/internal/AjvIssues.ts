/**
 * ajv errors → `Issue`s that read well in a terminal and an editor: one per problem, with a JSON path, what was
 * expected and what was found, and a did-you-mean where a close name exists.
 */
import type { ErrorObject } from "ajv"
import * as Issue from "../../model/Issue.js"
import type { PathSegment } from "../../model/Issue.js"
import { didYouMean } from "../../internal/didYouMean.js"

const article = (type: string): string => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`)

/** A value as JSON, cut short so a long list does not swallow the message. */
export const show = (value: unknown): string => {
  const text = JSON.stringify(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/** Human description of a found value: `a string ("abc")`, `a list`, `null`. */
export const describe = (value: unknown): string => {
  if (value === null) return "null"
  if (Array.isArray(value)) return "a list"
  if (typeof value === "object") return "a mapping"
  if (typeof value === "number" && !Number.isInteger(value)) return `a fractional number (${value})`
  return `${article(typeof value)} (${show(value)})`
}

const typeName = (type: unknown): string => {
  const names: Record<string, string> = { object: "mapping", array: "list", null: "null" }
  const one = (t: string) => names[t] ?? t
  return Array.isArray(type) ? type.map((t) => article(one(String(t)))).join(" or ") : article(one(String(type)))
}

/** A JSON pointer as path segments; a numeric segment is an index only where the data holds a list. */
const pointerSegments = (pointer: string, data: unknown): Array<PathSegment> => {
  if (pointer === "") return []
  const segments: Array<PathSegment> = []
  let current = data
  for (const raw of pointer.slice(1).split("/")) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~")
    const index = Array.isArray(current) && /^\d+$/.test(segment) ? Number(segment) : segment
    segments.push(index)
    current =
      current !== null && typeof current === "object" ? (current as Record<string, unknown>)[segment] : undefined
  }
  return segments
}

const withSegments = (segments: ReadonlyArray<PathSegment>) => Issue.formatPath(segments)

/**
 * Turns ajv errors (from an ajv instance created with `verbose: true`) into `Issue`s with JSON paths, one per
 * problem: unknown keys with a did-you-mean among the allowed keys, wrong types naming what was expected and what
 * was found, allowed values for enums, ranges for numbers.
 *
 * @category error handling
 */
export const issuesFromAjv = (errors: ReadonlyArray<ErrorObject>, data: unknown): Array<Issue.Issue> => {
  const issues: Array<Issue.Issue> = []
  for (const error of errors) {
    const at = pointerSegments(error.instancePath, data)
    const parent = (error.parentSchema ?? {}) as Record<string, unknown>
    const params = error.params as Record<string, unknown>
    switch (error.keyword) {
      case "additionalProperties": {
        const key = String(params["additionalProperty"])
        const allowed = Object.keys(parent["properties"] ?? {})
        const suggestion = didYouMean(key, allowed)
        issues.push(
          Issue.error(
            "UnknownField",
            withSegments([...at, key]),
            `unknown key "${key}"; allowed here: ${allowed.join(", ")}`,
            suggestion === undefined ? {} : { suggestion }
          )
        )
        break
      }
      case "required": {
        const key = String(params["missingProperty"])
        issues.push(Issue.error("Required", withSegments([...at, key]), `missing required key "${key}"`))
        break
      }
      case "type": {
        issues.push(
          Issue.error(
            "WrongType",
            withSegments(at),
            `expected ${typeName(params["type"])}, found ${describe(error.data)}`
          )
        )
        break
      }
      case "enum":
      case "const": {
        const allowed = (
          error.keyword === "enum" ? params["allowedValues"] : [params["allowedValue"]]
        ) as Array<unknown>
        const suggestion =
          typeof error.data === "string"
            ? didYouMean(
                error.data,
                allowed.filter((v): v is string => typeof v === "string")
              )
            : undefined
        issues.push(
          Issue.error(
            "InvalidValue",
            withSegments(at),
            `must be ${allowed.length === 1 ? "" : "one of "}${allowed.map(show).join(", ")}; found ${show(error.data)}`,
            suggestion === undefined ? {} : { suggestion }
          )
        )
        break
      }
      case "minimum":
      case "maximum":
      case "exclusiveMinimum":
      case "exclusiveMaximum": {
        const min = parent["minimum"]
        const max = parent["maximum"]
        const range =
          typeof min === "number" && typeof max === "number"
            ? `between ${min} and ${max}`
            : `${String(params["comparison"])} ${String(params["limit"])}`
        issues.push(Issue.error("OutOfRange", withSegments(at), `must be ${range}; found ${show(error.data)}`))
        break
      }
      case "minLength": {
        issues.push(Issue.error("InvalidValue", withSegments(at), "must not be empty"))
        break
      }
      case "format": {
        issues.push(
          Issue.error(
            "InvalidFormat",
            withSegments(at),
            `must be a valid ${String(params["format"])}; found ${show(error.data)}`
          )
        )
        break
      }
      default: {
        issues.push(Issue.error("Invalid", withSegments(at), error.message ?? `fails ${error.keyword}`))
      }
    }
  }
  // A wrong type makes every other complaint about the same value noise (e.g. enum after type).
  const wrongType = new Set(issues.filter((i) => i.code === "WrongType").map((i) => i.path))
  return issues.filter((i) => i.code === "WrongType" || !wrongType.has(i.path))
}
