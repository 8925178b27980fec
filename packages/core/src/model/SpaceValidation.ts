/**
 * Validation of a Genie `serialized_space` as strictly as the Databricks API parses it (databricks-api.md §3).
 *
 * A generic walker checks structure (unknown fields, types, required fields, ids, sort order, size limits) from the
 * descriptor in `internal/spaceSchema.ts`; a second pass checks the rules that span several fields (uniqueness,
 * instruction budgets, join-spec markers, benchmark answers, version flags).
 */
import * as Issue from "./Issue.js"
import { didYouMean } from "../internal/didYouMean.js"
import type { FieldSpec, MessageSpec, Version } from "../internal/spaceSchema.js"
import {
  compareKeys,
  GenieSpaceExport,
  isRecord,
  keyOf,
  messageNamesByPath,
  metadataKeys
} from "../internal/spaceSchema.js"
import * as SpaceId from "./SpaceId.js"

/** How fields this version does not know are treated (the API rejects them). @category configuration */
export const unknownFieldsModes = ["error", "warning"] as const

/** How collections out of the API's canonical sort order are treated. @category configuration */
export const sortOrderModes = ["error", "warning", "ignore"] as const

/**
 * How strict validation is about rules whose enforcement by the real API is uncertain or that a user may want to
 * relax while editing.
 *
 * @category configuration
 */
export interface Options {
  /** Severity of a field the format does not know. Default `"error"`, as the API rejects them. */
  readonly unknownFields?: (typeof unknownFieldsModes)[number]
  /** Severity of an unsorted collection, or `"ignore"`. Default `"error"` (the API "rejects unsorted arrays"). */
  readonly sortOrder?: (typeof sortOrderModes)[number]
}

/**
 * Limits the API documents for a space (§3.5).
 *
 * @category configuration
 */
export const limits = {
  maxStringLength: 25_000,
  maxArrayLength: 10_000,
  maxTextInstructions: 1,
  maxInstructionSlots: 100,
  maxSnippets: 200
} as const

/**
 * Proto message name used in `UnknownField` messages, for every message location of the format, keyed by a path
 * pattern: `"$"` → `databricks.datarooms.export.GenieSpaceExport`, `"$.data_sources.tables[]"` → `…Table`,
 * `"$.instructions.sql_snippets.filters[]"` → `…Filter`.
 *
 * @category models
 */
export const protoMessageNames: Readonly<Record<string, string>> = messageNamesByPath

/**
 * Relationship types accepted in a join spec's `--rt=FROM_RELATIONSHIP_TYPE_<T>--` marker.
 *
 * @category models
 */
export const relationshipTypes: ReadonlyArray<string> = ["MANY_TO_ONE", "ONE_TO_MANY", "MANY_TO_MANY", "ONE_TO_ONE"]

type Path = ReadonlyArray<Issue.PathSegment>

interface Context {
  readonly issues: Array<Issue.Issue>
  readonly version: Version | undefined
  readonly unknownFields: "error" | "warning"
  readonly sortOrder: "error" | "warning" | "ignore"
}

const report = (
  ctx: Context,
  severity: "error" | "warning",
  code: string,
  path: Path,
  message: string,
  suggestion?: string
): void => {
  ctx.issues.push({
    code,
    path: Issue.formatPath(path),
    message,
    severity,
    ...(suggestion === undefined ? {} : { suggestion })
  })
}

const describe = (u: unknown): string =>
  u === null
    ? "null"
    : Array.isArray(u)
      ? "an array"
      : typeof u === "object"
        ? "an object"
        : typeof u === "string"
          ? `a string (${JSON.stringify(u.length > 40 ? `${u.slice(0, 40)}…` : u)})`
          : `a ${typeof u} (${JSON.stringify(u) ?? typeof u})`

const shortName = (spec: MessageSpec): string => spec.name.slice(spec.name.lastIndexOf(".") + 1)

/**
 * Validates a decoded `serialized_space` value and returns every problem found; an empty array means valid.
 *
 * **Details**
 * Pure and total: any JSON value is accepted and never throws. Unknown fields are reported like the API
 * (`Cannot find field: <field> in message <proto name>`) with a did-you-mean suggestion. `benchmarks.questions` is
 * exempt from the sort rule because real exports list it in descending order.
 *
 * @category constructors
 */
export const validate = (space: unknown, options?: Options): ReadonlyArray<Issue.Issue> => {
  const version = isRecord(space) && (space.version === 1 || space.version === 2) ? space.version : undefined
  const ctx: Context = {
    issues: [],
    version,
    unknownFields: options?.unknownFields ?? "error",
    sortOrder: options?.sortOrder ?? "error"
  }
  if (!isRecord(space)) {
    report(ctx, "error", "WrongType", [], `expected a JSON object (the serialized space), found ${describe(space)}`)
    return ctx.issues
  }
  if (space.version !== undefined && space.version !== null && version === undefined) {
    report(
      ctx,
      "error",
      "UnsupportedVersion",
      ["version"],
      `unsupported version ${JSON.stringify(space.version)}: expected 1 or 2`
    )
  }
  checkMessage(ctx, space, GenieSpaceExport, [], true)
  checkCrossField(ctx, space)
  return ctx.issues
}

// --- structure ------------------------------------------------------------------------------------------------

const checkMessage = (ctx: Context, value: unknown, spec: MessageSpec, path: Path, root = false): void => {
  if (!isRecord(value)) {
    report(ctx, "error", "WrongType", path, `expected an object (${shortName(spec)}), found ${describe(value)}`)
    return
  }
  for (const [key, v] of Object.entries(value)) {
    const field = Object.hasOwn(spec.fields, key) ? spec.fields[key] : undefined
    if (field === undefined) {
      if (root && metadataKeys.has(key)) {
        report(
          ctx,
          "error",
          "MetadataInSpace",
          [...path, key],
          `"${key}" is space metadata: it belongs to the space envelope (create/update request), not inside serialized_space`
        )
      } else {
        report(
          ctx,
          ctx.unknownFields,
          "UnknownField",
          [...path, key],
          `Cannot find field: ${key} in message ${spec.name}`,
          didYouMean(key, Object.keys(spec.fields))
        )
      }
      continue
    }
    if (field.versions !== undefined && ctx.version !== undefined && !field.versions.includes(ctx.version)) {
      const replacement = field.counterpart === undefined ? "" : `; use ${field.counterpart} instead`
      report(
        ctx,
        "error",
        "VersionFlagMismatch",
        [...path, key],
        `${key} is not a version ${ctx.version} field${replacement}`
      )
      continue
    }
    // Protobuf JSON treats null as "not set".
    if (v === null) continue
    checkField(ctx, v, field, [...path, key], key)
  }
  for (const [key, field] of Object.entries(spec.fields)) {
    if (field.required !== undefined && (value[key] === undefined || value[key] === null)) {
      report(
        ctx,
        field.required,
        "MissingField",
        [...path, key],
        `missing required field "${key}" in ${shortName(spec)}${field.required === "warning" ? " (recommended)" : ""}`
      )
    }
  }
}

const checkField = (ctx: Context, value: unknown, field: FieldSpec, path: Path, name: string): void => {
  const kind = field.kind
  switch (kind._tag) {
    case "Text":
    case "Strings":
      return checkStrings(ctx, value, path, kind._tag === "Text")
    case "String": {
      if (typeof value !== "string") {
        const hint =
          Array.isArray(value) && value.every((x) => typeof x === "string")
            ? "found an array of strings (join the elements)"
            : `found ${describe(value)}`
        return report(ctx, "error", "WrongType", path, `expected a plain string, ${hint}`)
      }
      checkLength(ctx, value, path)
      if (kind.id === true && !SpaceId.isValid(value)) report(ctx, "error", "InvalidId", path, invalidIdMessage(value))
      if (kind.identifier === true) checkIdentifier(ctx, value, path)
      return
    }
    case "Boolean":
      if (typeof value !== "boolean")
        report(ctx, "error", "WrongType", path, `expected true or false, found ${describe(value)}`)
      return
    case "Integer":
      if (typeof value !== "number" || !Number.isInteger(value))
        report(ctx, "error", "WrongType", path, `expected an integer, found ${describe(value)}`)
      return
    case "Message":
      return checkMessage(ctx, value, kind.message, path)
    case "List": {
      if (!Array.isArray(value)) {
        return report(
          ctx,
          "error",
          "WrongType",
          path,
          `expected an array of ${shortName(kind.message)} objects, found ${describe(value)}`
        )
      }
      checkArrayLength(ctx, value, path)
      value.forEach((item, i) => checkMessage(ctx, item, kind.message, [...path, i]))
      if (kind.sorted === true && kind.key !== undefined && ctx.sortOrder !== "ignore") {
        checkSorted(ctx, value, kind.key, path, name)
      }
      return
    }
  }
}

const checkStrings = (ctx: Context, value: unknown, path: Path, freeText: boolean): void => {
  if (typeof value === "string") {
    const hint = freeText ? " (split the text at newlines)" : ""
    return report(ctx, "error", "WrongType", path, `expected an array of strings${hint}, found a plain string`)
  }
  if (!Array.isArray(value)) {
    return report(ctx, "error", "WrongType", path, `expected an array of strings, found ${describe(value)}`)
  }
  checkArrayLength(ctx, value, path)
  value.forEach((item, i) => {
    if (typeof item === "string") checkLength(ctx, item, [...path, i])
    else report(ctx, "error", "WrongType", [...path, i], `expected a string, found ${describe(item)}`)
  })
}

const checkLength = (ctx: Context, value: string, path: Path): void => {
  if (value.length > limits.maxStringLength) {
    report(
      ctx,
      "error",
      "StringTooLong",
      path,
      `string has ${value.length} characters; at most ${limits.maxStringLength} are allowed`
    )
  }
}

const checkArrayLength = (ctx: Context, value: ReadonlyArray<unknown>, path: Path): void => {
  if (value.length > limits.maxArrayLength) {
    report(
      ctx,
      "error",
      "ArrayTooLong",
      path,
      `array has ${value.length} items; at most ${limits.maxArrayLength} are allowed`
    )
  }
}

const invalidIdMessage = (id: string): string => {
  const bad = [...new Set(id.replace(/[0-9a-f]/g, ""))].slice(0, 5).join("")
  const why = [
    id.length === 32 ? undefined : `${id.length} characters`,
    bad === "" ? undefined : `invalid characters ${JSON.stringify(bad)}`
  ].filter((x) => x !== undefined)
  return `invalid id ${JSON.stringify(id)} (${why.join(", ")}): expected exactly 32 lowercase hex characters (0-9, a-f, no dashes)`
}

/** Splits a Unity Catalog name into its parts, honouring backtick quoting (`` `a.b` `` is one part). */
const nameParts = (name: string): ReadonlyArray<string> => {
  const parts: Array<string> = []
  let current = ""
  let quoted = false
  for (let i = 0; i < name.length; i++) {
    const c = name[i]
    if (c === "`") {
      if (quoted && name[i + 1] === "`") {
        current += "`"
        i++
      } else quoted = !quoted
    } else if (c === "." && !quoted) {
      parts.push(current)
      current = ""
    } else current += c
  }
  parts.push(current)
  return parts
}

const checkIdentifier = (ctx: Context, value: string, path: Path): void => {
  const parts = nameParts(value)
  if (parts.length !== 3 || parts.some((p) => p.trim() === "")) {
    report(
      ctx,
      "error",
      "InvalidIdentifier",
      path,
      `expected a three-part name catalog.schema.name, found ${JSON.stringify(value)} (${parts.length} part${parts.length === 1 ? "" : "s"})`
    )
  }
}

const checkSorted = (
  ctx: Context,
  items: ReadonlyArray<unknown>,
  key: ReadonlyArray<string>,
  path: Path,
  name: string
): void => {
  for (let i = 1; i < items.length; i++) {
    const prev = keyOf(items[i - 1], key)
    const cur = keyOf(items[i], key)
    if (prev.includes(undefined) || cur.includes(undefined)) continue
    if (compareKeys(prev, cur) > 0) {
      const show = (k: ReadonlyArray<string | undefined>) => k.map((x) => JSON.stringify(x)).join(", ")
      report(
        ctx,
        ctx.sortOrder === "warning" ? "warning" : "error",
        "Unsorted",
        path,
        `${name} must be sorted by ${key.join(", ")} in ascending byte order, but item ${i - 1} (${show(prev)}) comes before item ${i} (${show(cur)})`
      )
      return
    }
  }
}

// --- rules spanning several fields -------------------------------------------------------------------------------

const record = (u: unknown): Readonly<Record<string, unknown>> => (isRecord(u) ? u : {})
const array = (u: unknown): ReadonlyArray<unknown> => (Array.isArray(u) ? u : [])
const strings = (u: unknown): ReadonlyArray<string> | undefined =>
  Array.isArray(u) && u.every((x) => typeof x === "string") ? u : undefined

interface Located {
  readonly value: unknown
  readonly path: Path
}

const items = (root: Readonly<Record<string, unknown>>, path: ReadonlyArray<string>): ReadonlyArray<Located> => {
  let node: unknown = root
  for (const segment of path) node = record(node)[segment]
  return array(node).map((value, i) => ({ value, path: [...path, i] }))
}

const checkUnique = (
  ctx: Context,
  entries: ReadonlyArray<Located>,
  field: string,
  code: string,
  what: string,
  scope: string
): void => {
  const seen = new Map<string, Path>()
  for (const { path, value } of entries) {
    const v = record(value)[field]
    if (typeof v !== "string") continue
    const first = seen.get(v)
    if (first === undefined) seen.set(v, path)
    else
      report(
        ctx,
        "error",
        code,
        [...path, field],
        `duplicate ${what} ${JSON.stringify(v)}: already used at ${Issue.formatPath(first)} (${scope})`
      )
  }
}

const checkCrossField = (ctx: Context, space: Readonly<Record<string, unknown>>): void => {
  const snippetKinds = ["filters", "expressions", "measures"] as const
  const at = (...path: ReadonlyArray<string>) => items(space, path)
  const textInstructions = at("instructions", "text_instructions")
  const examples = at("instructions", "example_question_sqls")
  const functions = at("instructions", "sql_functions")
  const joins = at("instructions", "join_specs")
  const snippets = snippetKinds.map((k) => at("instructions", "sql_snippets", k))

  checkUnique(
    ctx,
    [...at("config", "sample_questions"), ...at("benchmarks", "questions")],
    "id",
    "DuplicateId",
    "id",
    "question ids must be unique across sample and benchmark questions"
  )
  checkUnique(
    ctx,
    [...textInstructions, ...examples, ...functions, ...joins, ...snippets.flat()],
    "id",
    "DuplicateId",
    "id",
    "instruction ids must be unique across text instructions, example SQL, SQL functions, join specs and SQL snippets"
  )
  const tables = [...at("data_sources", "tables"), ...at("data_sources", "metric_views")]
  checkUnique(ctx, tables, "identifier", "DuplicateTable", "table", "each table or metric view may appear once")
  for (const table of tables) {
    const columns = array(record(table.value).column_configs).map((value, i) => ({
      value,
      path: [...table.path, "column_configs", i]
    }))
    checkUnique(ctx, columns, "column_name", "DuplicateColumn", "column", "each column of a table is configured once")
    for (const column of columns) checkFlags(ctx, record(column.value), column.path)
  }

  if (textInstructions.length > limits.maxTextInstructions) {
    report(
      ctx,
      "error",
      "TooManyTextInstructions",
      ["instructions", "text_instructions"],
      `found ${textInstructions.length} text instructions; at most ${limits.maxTextInstructions} is allowed (merge them into one)`
    )
  }
  const slots = examples.length + functions.length + (textInstructions.length > 0 ? 1 : 0)
  if (slots > limits.maxInstructionSlots) {
    report(
      ctx,
      "error",
      "TooManyInstructionSlots",
      ["instructions"],
      `instructions use ${slots} slots (${examples.length} example SQL + ${functions.length} SQL functions + ${textInstructions.length > 0 ? 1 : 0} text block); at most ${limits.maxInstructionSlots} are allowed`
    )
  }
  const snippetCount = snippets.reduce((n, s) => n + s.length, 0)
  if (snippetCount > limits.maxSnippets) {
    report(
      ctx,
      "error",
      "TooManySnippets",
      ["instructions", "sql_snippets"],
      `found ${snippetCount} SQL snippets (filters + expressions + measures); at most ${limits.maxSnippets} are allowed`
    )
  }

  for (const join of joins) checkJoin(ctx, record(join.value), join.path)
  snippetKinds.forEach((kind, k) => {
    for (const snippet of snippets[k] ?? []) checkSnippet(ctx, record(snippet.value), snippet.path, kind)
  })
  for (const question of at("benchmarks", "questions")) checkBenchmark(ctx, record(question.value), question.path)
}

const checkFlags = (ctx: Context, column: Readonly<Record<string, unknown>>, path: Path): void => {
  const [format, entity] =
    ctx.version === 1
      ? ["get_example_values", "build_value_dictionary"]
      : ["enable_format_assistance", "enable_entity_matching"]
  if (column[entity] === true && column[format] !== true) {
    report(
      ctx,
      "warning",
      "EntityMatchingNeedsFormatAssistance",
      [...path, entity],
      `${entity} is true but ${format} is not: entity matching only works with ${format} enabled`
    )
  }
}

const relationshipMarker = /^--rt=FROM_RELATIONSHIP_TYPE_([A-Za-z0-9_]*)--$/

const checkJoin = (ctx: Context, join: Readonly<Record<string, unknown>>, path: Path): void => {
  const sql = strings(join.sql)
  if (sql === undefined) return
  const sqlPath = [...path, "sql"]
  const last = sql.length > 0 ? sql[sql.length - 1].trim() : undefined
  const match = last === undefined ? null : relationshipMarker.exec(last)
  if (match === null) {
    report(
      ctx,
      "error",
      "JoinSpecMissingRelationship",
      sql.length > 0 ? [...sqlPath, sql.length - 1] : sqlPath,
      `the last sql element must be the relationship marker --rt=FROM_RELATIONSHIP_TYPE_<T>-- (T one of ${relationshipTypes.join(", ")})${last === undefined ? "" : `, found ${JSON.stringify(last)}`}`
    )
  } else if (!relationshipTypes.includes(match[1])) {
    report(
      ctx,
      "error",
      "JoinSpecInvalidRelationship",
      [...sqlPath, sql.length - 1],
      `unknown relationship type ${JSON.stringify(match[1])}: expected one of ${relationshipTypes.join(", ")}`
    )
  }
  const conditions = (match === null ? sql : sql.slice(0, -1)).filter((s) => !s.trim().startsWith("--rt="))
  if (!conditions.some((s) => s.trim() !== "")) {
    report(
      ctx,
      "error",
      "JoinSpecMissingCondition",
      sqlPath,
      "sql must start with a join condition using the aliases (e.g. `orders`.`customer_id` = `customers`.`customer_id`) before the relationship marker"
    )
  }
}

const checkSnippet = (
  ctx: Context,
  snippet: Readonly<Record<string, unknown>>,
  path: Path,
  kind: "filters" | "expressions" | "measures"
): void => {
  const sql = strings(snippet.sql)
  if (sql === undefined) return
  const text = sql.join("").trim()
  if (text === "") {
    report(ctx, "error", "EmptySql", [...path, "sql"], "snippet sql must not be empty")
  } else if (kind === "filters" && /^where\b/i.test(text)) {
    report(
      ctx,
      "warning",
      "SnippetFilterHasWhere",
      [...path, "sql"],
      "filter sql should be a bare condition without the WHERE keyword"
    )
  }
}

const checkBenchmark = (ctx: Context, question: Readonly<Record<string, unknown>>, path: Path): void => {
  const answers = question.answer
  if (!Array.isArray(answers)) return
  if (answers.length !== 1) {
    report(
      ctx,
      "error",
      "BenchmarkAnswer",
      [...path, "answer"],
      `expected exactly one answer with format "SQL", found ${answers.length}`
    )
  }
  answers.forEach((answer, i) => {
    const format = record(answer).format
    if (typeof format === "string" && format !== "SQL") {
      report(
        ctx,
        "error",
        "BenchmarkAnswer",
        [...path, "answer", i, "format"],
        `unsupported answer format ${JSON.stringify(format)}: only "SQL" is supported`
      )
    }
  })
}
