/**
 * Result-set files, as `genie-enhancer compare` reads them: a Databricks SQL `StatementResponse`
 * (`manifest.schema.columns` + `result.data_array`, also wrapped as Genie's `{statement_response: …}`) or the
 * simple form `{"columns": [{"name", "type"}], "rows": [[…]]}`. Every problem is reported with its JSON path and
 * line.
 */
import { Effect } from "effect"
import { parseDocument } from "yaml"
import { ConfigInvalid } from "../../model/Errors.js"
import * as Issue from "../../model/Issue.js"
import * as TextFile from "../../model/TextFile.js"
import { locateIssues } from "../../internal/sourceLocation.js"
import { Column, ResultSet, StageFailed } from "../Stages.js"

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const describe = (u: unknown) =>
  u === null
    ? "null"
    : Array.isArray(u)
      ? "a list"
      : typeof u === "object"
        ? "an object"
        : `${typeof u} ${JSON.stringify(u)}`

/** Warehouse values are strings; numbers and booleans in a hand-written file are taken as their text. */
const cell = (value: unknown): string | null | undefined =>
  value === null
    ? null
    : typeof value === "string"
      ? value
      : typeof value === "number" || typeof value === "boolean"
        ? String(value)
        : undefined

interface Reader {
  readonly issues: Array<Issue.Issue>
  readonly columns: (value: unknown, path: ReadonlyArray<Issue.PathSegment>, typeKey: string) => Array<Column>
  /** `width` is unknown (undefined) when the columns themselves are invalid. */
  readonly rows: (
    value: unknown,
    path: ReadonlyArray<Issue.PathSegment>,
    width: number | undefined
  ) => Array<Array<string | null>>
}

const reader = (): Reader => {
  const issues: Array<Issue.Issue> = []
  const fail = (code: string, path: ReadonlyArray<Issue.PathSegment>, message: string) =>
    issues.push(Issue.error(code, Issue.formatPath(path), message))
  return {
    issues,
    columns: (value, path, typeKey) => {
      if (!Array.isArray(value) || value.length === 0) {
        fail("InvalidType", path, `must be a non-empty list of columns, got ${describe(value)}`)
        return []
      }
      return value.flatMap((c: unknown, i) => {
        const name = isRecord(c) ? c["name"] : undefined
        const type = isRecord(c) ? c[typeKey] : undefined
        const text = isRecord(c) ? c["type_text"] : undefined
        if (typeof name !== "string") fail("MissingField", [...path, i, "name"], "each column needs a string name")
        if (typeof type !== "string") {
          fail(
            "MissingField",
            [...path, i, typeKey],
            `each column needs a string ${typeKey} (e.g. "STRING", "DECIMAL")`
          )
        }
        if (typeof name !== "string" || typeof type !== "string") return []
        return [new Column({ name, typeName: type, ...(typeof text === "string" ? { typeText: text } : {}) })]
      })
    },
    rows: (value, path, width) => {
      if (value === undefined) return []
      if (!Array.isArray(value)) {
        fail("InvalidType", path, `must be a list of rows, got ${describe(value)}`)
        return []
      }
      return value.flatMap((row: unknown, r) => {
        if (!Array.isArray(row)) {
          fail("InvalidType", [...path, r], `must be a list of values, got ${describe(row)}`)
          return []
        }
        if (width !== undefined && row.length !== width) {
          fail("WrongWidth", [...path, r], `has ${row.length} values, expected ${width} (one per column)`)
          return []
        }
        const values = row.map((v: unknown, c) => {
          const text = cell(v)
          if (text === undefined)
            fail("InvalidValue", [...path, r, c], `must be a string, number, boolean or null, got ${describe(v)}`)
          return text ?? null
        })
        return [values]
      })
    }
  }
}

const fromStatement = (
  root: Record<string, unknown>,
  prefix: ReadonlyArray<Issue.PathSegment>,
  read: Reader
): ResultSet | StageFailed => {
  const status = root["status"]
  if (isRecord(status) && status["state"] !== undefined && status["state"] !== "SUCCEEDED") {
    // A failed statement is a valid file: it says the query failed (an excluded benchmark, or Genie's failure).
    const error = isRecord(status["error"]) ? status["error"]["message"] : undefined
    const state = typeof status["state"] === "string" ? status["state"] : describe(status["state"])
    return new StageFailed({
      stage: "execute",
      message: typeof error === "string" ? `${state}: ${error}` : state,
      retryable: false
    })
  }
  const manifest = isRecord(root["manifest"]) ? root["manifest"] : {}
  const schema = isRecord(manifest["schema"]) ? manifest["schema"] : {}
  const before = read.issues.length
  const columns = read.columns(schema["columns"], [...prefix, "manifest", "schema", "columns"], "type_name")
  const width = read.issues.length === before ? columns.length : undefined
  const result = isRecord(root["result"]) ? root["result"] : {}
  // Databricks omits data_array when the result is empty.
  const rows = read.rows(result["data_array"], [...prefix, "result", "data_array"], width)
  const total = typeof manifest["total_row_count"] === "number" ? manifest["total_row_count"] : rows.length
  return new ResultSet({
    columns,
    rows,
    rowCount: total,
    // More rows than this file holds: truncated by row_limit, or later chunks not included.
    truncated: manifest["truncated"] === true || total > rows.length,
    elapsedMs: 0
  })
}

const fromSimple = (root: Record<string, unknown>, read: Reader) => {
  const columns = read.columns(root["columns"], ["columns"], "type")
  const rows = read.rows(root["rows"] ?? [], ["rows"], read.issues.length === 0 ? columns.length : undefined)
  return new ResultSet({
    columns,
    rows,
    rowCount: rows.length,
    truncated: root["truncated"] === true,
    elapsedMs: 0
  })
}

const parseJson = (text: string, source: string): Effect.Effect<unknown, ConfigInvalid> =>
  Effect.try({
    try: (): unknown => JSON.parse(text),
    catch: () => {
      // JSON.parse does not say where; the YAML parser (JSON is YAML) does.
      const error = parseDocument(text).errors[0]
      const position = error?.linePos?.[0]
      return new ConfigInvalid({
        source,
        issues: [
          Issue.error(
            "InvalidJson",
            "$",
            `not valid JSON${error === undefined ? "" : `: ${error.message.split("\n")[0]}`}`,
            position === undefined ? {} : { line: position.line, column: position.col }
          )
        ]
      })
    }
  })

/**
 * Parses a result-set file (either shape, told apart by its keys). A StatementResponse whose state is not
 * `SUCCEEDED` yields a `StageFailed` carrying the warehouse's message: the query failed, there is no result.
 *
 * @category constructors
 */
export const parse = Effect.fn("ResultSetFile.parse")(function* (text: string, source: string) {
  const root = yield* parseJson(text, source)
  const read = reader()
  let result: ResultSet | StageFailed | undefined
  if (isRecord(root) && isRecord(root["statement_response"])) {
    result = fromStatement(root["statement_response"], ["statement_response"], read)
  } else if (isRecord(root) && ["manifest", "result", "statement_id", "status"].some((key) => key in root)) {
    result = fromStatement(root, [], read)
  } else if (isRecord(root) && "columns" in root) {
    result = fromSimple(root, read)
  } else {
    read.issues.push(
      Issue.error(
        "UnknownShape",
        "$",
        `expected a Databricks StatementResponse (manifest.schema.columns + result.data_array) or {"columns": [{"name", "type"}], "rows": [[…]]}, got ${describe(root)}`
      )
    )
  }
  if (read.issues.length > 0 || result === undefined) {
    return yield* new ConfigInvalid({ source, issues: locateIssues(text, read.issues) })
  }
  return result
})

/**
 * Reads and parses a result-set file; a missing file is a `FileNotFound` issue naming it.
 *
 * @category constructors
 */
export const load = Effect.fn("ResultSetFile.load")(function* (path: string) {
  const text = yield* TextFile.read(path)
  return yield* parse(text, path)
})
