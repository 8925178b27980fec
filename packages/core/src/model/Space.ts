/**
 * The Genie space configuration (`serialized_space`, versions 1 and 2), parsed losslessly and written back in
 * canonical order (databricks-api.md §3.2–3.7).
 */
import { Effect } from "effect"
import { ConfigInvalid } from "./Errors.js"
import * as Issue from "./Issue.js"
import type { FieldSpec, MessageSpec } from "../internal/spaceSchema.js"
import { compareKeys, GenieSpaceExport, isRecord, keyOf } from "../internal/spaceSchema.js"
import { locateIssues } from "../internal/sourceLocation.js"
import * as SpaceValidation from "./SpaceValidation.js"
import * as TextFile from "./TextFile.js"

/**
 * A `serialized_space` format version. Current exports are 2; 1 uses `get_example_values`/`build_value_dictionary`.
 *
 * @category models
 */
export type SpaceVersion = 1 | 2

/**
 * Free text as the API stores it: an array of strings, logically one string (concatenate with `""`; elements
 * usually end in `\n`).
 *
 * @category models
 */
export type Text = ReadonlyArray<string>

/** A UI starter question (`config.sample_questions[]`). @category models */
export interface SampleQuestion {
  readonly id: string
  readonly question: Text
  readonly [unknownField: string]: unknown
}

/** `config`: space-level settings. @category models */
export interface SpaceConfig {
  readonly sample_questions?: ReadonlyArray<SampleQuestion>
  readonly [unknownField: string]: unknown
}

/** Per-column metadata of a table (`column_configs[]`). @category models */
export interface ColumnConfig {
  readonly column_name: string
  readonly description?: Text
  readonly synonyms?: Text
  readonly exclude?: boolean
  /** v2: sample values and format hints ("prompt matching"). */
  readonly enable_format_assistance?: boolean
  /** v2: value dictionary; needs `enable_format_assistance`. */
  readonly enable_entity_matching?: boolean
  /** v1 name of `enable_format_assistance`. */
  readonly get_example_values?: boolean
  /** v1 name of `enable_entity_matching`. */
  readonly build_value_dictionary?: boolean
  readonly [unknownField: string]: unknown
}

/** A table or metric view of the space (`data_sources.tables[]`, `data_sources.metric_views[]`). @category models */
export interface Table {
  /** Three-part `catalog.schema.table`. */
  readonly identifier: string
  readonly description?: Text
  readonly column_configs?: ReadonlyArray<ColumnConfig>
  readonly [unknownField: string]: unknown
}

/** A metric view; same shape as a table. @category models */
export type MetricView = Table

/** `data_sources`. @category models */
export interface DataSources {
  readonly tables?: ReadonlyArray<Table>
  readonly metric_views?: ReadonlyArray<MetricView>
  readonly [unknownField: string]: unknown
}

/** The general instructions block (at most one). @category models */
export interface TextInstruction {
  readonly id: string
  readonly content?: Text
  readonly [unknownField: string]: unknown
}

/** A parameter's default value. @category models */
export interface ParameterDefaultValue {
  readonly values?: ReadonlyArray<string>
  readonly [unknownField: string]: unknown
}

/** A `:name` parameter of an example SQL query. @category models */
export interface Parameter {
  readonly name: string
  /** `STRING`, `INTEGER`, `DATE`, … */
  readonly type_hint?: string
  readonly description?: Text
  readonly default_value?: ParameterDefaultValue
  readonly [unknownField: string]: unknown
}

/** An example question with its ground-truth SQL. @category models */
export interface ExampleQuestionSql {
  readonly id: string
  readonly question: Text
  readonly sql: Text
  readonly parameters?: ReadonlyArray<Parameter>
  readonly usage_guidance?: Text
  readonly [unknownField: string]: unknown
}

/** A Unity Catalog function the space may call. @category models */
export interface SqlFunction {
  readonly id: string
  /** Three-part `catalog.schema.function`. */
  readonly identifier: string
  readonly [unknownField: string]: unknown
}

/** One side of a join spec. @category models */
export interface JoinSpecSide {
  readonly identifier: string
  /** Exports use the last identifier segment. */
  readonly alias: string
  readonly [unknownField: string]: unknown
}

/**
 * A join between two tables. `sql[0]` is the condition over the aliases; the last element is the relationship
 * marker `--rt=FROM_RELATIONSHIP_TYPE_<MANY_TO_ONE|ONE_TO_MANY|MANY_TO_MANY|ONE_TO_ONE>--`.
 *
 * @category models
 */
export interface JoinSpec {
  readonly id: string
  readonly left: JoinSpecSide
  readonly right: JoinSpecSide
  readonly sql: Text
  readonly comment?: Text
  /** Singular, as in real exports. */
  readonly instruction?: Text
  readonly [unknownField: string]: unknown
}

/** A reusable filter condition (no `WHERE`, no `alias`). @category models */
export interface SqlSnippetFilter {
  readonly id: string
  readonly sql: Text
  readonly display_name?: string
  readonly synonyms?: Text
  readonly instruction?: Text
  readonly comment?: Text
  readonly [unknownField: string]: unknown
}

/** A reusable dimension expression. @category models */
export interface SqlSnippetExpression extends SqlSnippetFilter {
  readonly alias: string
}

/** A reusable aggregate measure. @category models */
export interface SqlSnippetMeasure extends SqlSnippetFilter {
  readonly alias: string
}

/** Any SQL snippet. @category models */
export type SqlSnippet = SqlSnippetFilter | SqlSnippetExpression | SqlSnippetMeasure

/** `instructions.sql_snippets`. @category models */
export interface SqlSnippets {
  readonly filters?: ReadonlyArray<SqlSnippetFilter>
  readonly expressions?: ReadonlyArray<SqlSnippetExpression>
  readonly measures?: ReadonlyArray<SqlSnippetMeasure>
  readonly [unknownField: string]: unknown
}

/** `instructions`. @category models */
export interface Instructions {
  readonly text_instructions?: ReadonlyArray<TextInstruction>
  readonly example_question_sqls?: ReadonlyArray<ExampleQuestionSql>
  readonly sql_functions?: ReadonlyArray<SqlFunction>
  readonly join_specs?: ReadonlyArray<JoinSpec>
  readonly sql_snippets?: SqlSnippets
  readonly [unknownField: string]: unknown
}

/** The expected answer of a benchmark question: exactly one, format `SQL`. @category models */
export interface BenchmarkAnswer {
  readonly format: string
  readonly content: Text
  readonly [unknownField: string]: unknown
}

/** A benchmark question stored in the space. @category models */
export interface BenchmarkQuestion {
  readonly id: string
  readonly question: Text
  readonly answer: ReadonlyArray<BenchmarkAnswer>
  readonly [unknownField: string]: unknown
}

/** `benchmarks`. @category models */
export interface Benchmarks {
  readonly questions?: ReadonlyArray<BenchmarkQuestion>
  readonly [unknownField: string]: unknown
}

/**
 * A decoded `serialized_space`. The value is kept exactly as parsed: fields this model does not know stay in place
 * (index signatures) and are written back.
 *
 * @category models
 */
export interface SerializedSpace {
  readonly version: SpaceVersion
  readonly config?: SpaceConfig
  readonly data_sources?: DataSources
  readonly instructions?: Instructions
  readonly benchmarks?: Benchmarks
  readonly [unknownField: string]: unknown
}

const defaultSource = "serialized_space"

/**
 * Parses JSON text into a space without validating its content beyond the root: the root must be an object with
 * `version` 1 or 2.
 *
 * **Details**
 * A JSON syntax error becomes an `InvalidJson` issue with line and column. The result is the parsed value itself,
 * so unknown fields survive.
 *
 * @category constructors
 */
export const decode = Effect.fn("Space.decode")(function* (text: string, source?: string) {
  const from = source ?? defaultSource
  const value = yield* Effect.try({
    try: (): unknown => JSON.parse(text),
    catch: () => new ConfigInvalid({ source: from, issues: [invalidJson(text)] })
  })
  const issues: Array<Issue.Issue> = []
  if (!isRecord(value)) {
    issues.push(Issue.error("WrongType", "$", "expected a JSON object (the serialized space)"))
  } else if (value.version === undefined || value.version === null) {
    issues.push(Issue.error("MissingField", "$.version", `missing required field "version" (expected 1 or 2)`))
  } else if (value.version !== 1 && value.version !== 2) {
    issues.push(
      Issue.error(
        "UnsupportedVersion",
        "$.version",
        `unsupported version ${JSON.stringify(value.version)}: expected 1 or 2`
      )
    )
  }
  if (issues.length > 0) return yield* new ConfigInvalid({ source: from, issues: locateIssues(text, issues) })
  return value as SerializedSpace
})

/**
 * Decodes and validates a space. Fails with `ConfigInvalid` carrying every error (with line and column); warnings
 * alone do not fail (call `SpaceValidation.validate` to see them).
 *
 * @category constructors
 */
export const parse = Effect.fn("Space.parse")(function* (
  text: string,
  options?: { readonly source?: string } & SpaceValidation.Options
) {
  const source = options?.source ?? defaultSource
  const space = yield* decode(text, source)
  const errors = SpaceValidation.validate(space, options).filter((i) => i.severity === "error")
  if (errors.length > 0) return yield* new ConfigInvalid({ source, issues: locateIssues(text, errors) })
  return space
})

/**
 * Sorts every collection the API wants sorted (§3.4) in code-point (byte) order. `benchmarks.questions` keep their
 * order, as exports return them. Never mutates its input; object key order is preserved.
 *
 * @category constructors
 */
export const canonicalize = (space: SerializedSpace): SerializedSpace =>
  canonicalMessage(space, GenieSpaceExport) as SerializedSpace

const canonicalMessage = (value: unknown, spec: MessageSpec): unknown => {
  if (!isRecord(value)) return value
  let out: Record<string, unknown> | undefined
  for (const [name, field] of Object.entries(spec.fields)) {
    if (!Object.hasOwn(value, name)) continue
    const before = value[name]
    const after = canonicalField(before, field)
    if (after !== before) {
      out ??= { ...value }
      out[name] = after
    }
  }
  return out ?? value
}

const canonicalField = (value: unknown, field: FieldSpec): unknown => {
  const kind = field.kind
  if (kind._tag === "Message") return canonicalMessage(value, kind.message)
  if (kind._tag !== "List" || !Array.isArray(value)) return value
  const items = value.map((item: unknown) => canonicalMessage(item, kind.message))
  if (kind.sorted === true && kind.key !== undefined) {
    const key = kind.key
    // Array.prototype.sort is stable, so items with equal keys (duplicates) keep their relative order.
    items.sort((a, b) => compareKeys(keyOf(a, key), keyOf(b, key)))
  }
  return items.every((item, i) => item === value[i]) ? value : items
}

/**
 * Pretty-printed (2 spaces) JSON of the canonical form, ready to send as `serialized_space`.
 *
 * @category constructors
 */
export const serialize = (space: SerializedSpace): string => JSON.stringify(canonicalize(space), null, 2)

/**
 * Item counts of a space, per kind.
 *
 * @category models
 */
export interface Summary {
  readonly tables: number
  readonly metricViews: number
  readonly columnConfigs: number
  readonly textInstructions: number
  readonly exampleSqls: number
  readonly sqlFunctions: number
  readonly joinSpecs: number
  readonly snippets: number
  readonly sampleQuestions: number
  readonly benchmarkQuestions: number
}

const list = (u: unknown): ReadonlyArray<unknown> => (Array.isArray(u) ? u : [])
const field = (u: unknown, name: string): unknown => (isRecord(u) ? u[name] : undefined)

/**
 * Counts the items of a space (tolerates malformed parts by counting them as empty).
 *
 * @category constructors
 */
export const summary = (space: SerializedSpace): Summary => {
  const tables = list(space.data_sources?.tables)
  const metricViews = list(space.data_sources?.metric_views)
  const snippets = space.instructions?.sql_snippets
  return {
    tables: tables.length,
    metricViews: metricViews.length,
    columnConfigs: [...tables, ...metricViews].reduce<number>((n, t) => n + list(field(t, "column_configs")).length, 0),
    textInstructions: list(space.instructions?.text_instructions).length,
    exampleSqls: list(space.instructions?.example_question_sqls).length,
    sqlFunctions: list(space.instructions?.sql_functions).length,
    joinSpecs: list(space.instructions?.join_specs).length,
    snippets: ["filters", "expressions", "measures"].reduce((n, k) => n + list(field(snippets, k)).length, 0),
    sampleQuestions: list(space.config?.sample_questions).length,
    benchmarkQuestions: list(space.benchmarks?.questions).length
  }
}

// --- JSON syntax errors -------------------------------------------------------------------------------------------

// JSON.parse's messages do not always carry a position on Node 20, so the first error is found by a small scanner.
const invalidJson = (text: string): Issue.Issue => {
  const { offset, expected } = findSyntaxError(text)
  let line = 1
  let column = 1
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === "\n") {
      line++
      column = 1
    } else column++
  }
  const found = offset >= text.length ? "end of input" : JSON.stringify(text[offset])
  return Issue.error(
    "InvalidJson",
    "$",
    `invalid JSON at line ${line}, column ${column}: expected ${expected}, found ${found}`,
    {
      line,
      column
    }
  )
}

interface SyntaxError {
  readonly offset: number
  readonly expected: string
}

/** Recursive descent over JSON text; each step returns false once `error` is set. */
const findSyntaxError = (text: string): SyntaxError => {
  let i = 0
  let error: SyntaxError | undefined
  const fail = (expected: string): false => {
    error = { offset: i, expected }
    return false
  }
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++
  }
  const literal = (word: string): boolean => {
    for (const c of word) {
      if (text[i] !== c) return fail(`"${word}"`)
      i++
    }
    return true
  }
  const string = (): boolean => {
    i++
    for (;;) {
      if (i >= text.length) return fail(`a closing '"'`)
      const c = text.charCodeAt(i)
      if (c === 0x22) {
        i++
        return true
      }
      if (c < 0x20) return fail("an escaped control character")
      if (c === 0x5c) {
        i++
        const e = text[i]
        if (e === "u") {
          for (let k = 0; k < 4; k++) {
            i++
            if (!/[0-9a-fA-F]/.test(text[i] ?? "")) return fail("a hex digit")
          }
        } else if (e === undefined || !'"\\/bfnrt'.includes(e)) return fail("a valid escape sequence")
      }
      i++
    }
  }
  const number = (): boolean => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400))
    if (m === null) return fail("a value")
    i += m[0].length
    return true
  }
  const object = (): boolean => {
    i++
    ws()
    if (text[i] === "}") {
      i++
      return true
    }
    for (;;) {
      ws()
      if (text[i] !== '"') return fail("a double-quoted property name")
      if (!string()) return false
      ws()
      if (text[i] !== ":") return fail("':'")
      i++
      if (!value()) return false
      ws()
      if (text[i] === "}") {
        i++
        return true
      }
      if (text[i] !== ",") return fail("',' or '}'")
      i++
    }
  }
  const array = (): boolean => {
    i++
    ws()
    if (text[i] === "]") {
      i++
      return true
    }
    for (;;) {
      if (!value()) return false
      ws()
      if (text[i] === "]") {
        i++
        return true
      }
      if (text[i] !== ",") return fail("',' or ']'")
      i++
    }
  }
  const value = (): boolean => {
    ws()
    switch (text[i]) {
      case "{":
        return object()
      case "[":
        return array()
      case '"':
        return string()
      case "t":
        return literal("true")
      case "f":
        return literal("false")
      case "n":
        return literal("null")
      default:
        return number()
    }
  }
  if (value()) {
    ws()
    if (i < text.length) fail("end of input")
  }
  return error ?? { offset: text.length, expected: "valid JSON" }
}

/**
 * What a space file may carry besides the configuration: the metadata of the GET-space response it was exported
 * from (`spaces export` writes it, so `spaces import` needs no `--warehouse-id`).
 *
 * @category models
 */
export interface FileEnvelope {
  readonly spaceId?: string
  readonly title?: string
  readonly description?: string
  readonly warehouseId?: string
}

const text = (u: unknown): string | undefined => (typeof u === "string" && u !== "" ? u : undefined)

/**
 * Splits a space file's text into the serialized space's JSON text and its envelope. A file holds either the
 * serialized space itself, or a space as the spaces API returns it (`{space_id, title, warehouse_id,
 * serialized_space}`, where `serialized_space` is a JSON string or, as `spaces export` writes it, an object).
 *
 * @category constructors
 */
export const unwrapFile = (fileText: string): { readonly text: string; readonly envelope: FileEnvelope } => {
  let parsed: unknown
  try {
    parsed = JSON.parse(fileText)
  } catch {
    return { text: fileText, envelope: {} } // decode reports the syntax error with its line.
  }
  if (!isRecord(parsed) || !("serialized_space" in parsed)) return { text: fileText, envelope: {} }
  const inner = parsed.serialized_space
  const innerText = typeof inner === "string" ? inner : isRecord(inner) ? JSON.stringify(inner) : undefined
  if (innerText === undefined) return { text: fileText, envelope: {} }
  const envelope: FileEnvelope = {
    ...(text(parsed.space_id) === undefined ? {} : { spaceId: text(parsed.space_id)! }),
    ...(text(parsed.title) === undefined ? {} : { title: text(parsed.title)! }),
    ...(text(parsed.description) === undefined ? {} : { description: text(parsed.description)! }),
    ...(text(parsed.warehouse_id) === undefined ? {} : { warehouseId: text(parsed.warehouse_id)! })
  }
  return { text: innerText, envelope }
}

/**
 * The file `spaces export` writes: the GET-space envelope with the configuration as a readable object, in canonical
 * order.
 *
 * @category constructors
 */
export const serializeFile = (space: SerializedSpace, envelope: FileEnvelope): string =>
  JSON.stringify(
    {
      ...(envelope.spaceId === undefined ? {} : { space_id: envelope.spaceId }),
      ...(envelope.title === undefined ? {} : { title: envelope.title }),
      ...(envelope.description === undefined ? {} : { description: envelope.description }),
      ...(envelope.warehouseId === undefined ? {} : { warehouse_id: envelope.warehouseId }),
      serialized_space: JSON.parse(serialize(space)) as unknown
    },
    null,
    2
  ) + "\n"

/**
 * Reads and validates a space file (a serialized space or a GET-space response), with its envelope.
 *
 * @category constructors
 */
export const loadFile = Effect.fn("Space.loadFile")(function* (path: string, options?: SpaceValidation.Options) {
  const { text: inner, envelope } = unwrapFile(yield* TextFile.read(path))
  return { space: yield* parse(inner, { ...options, source: path }), envelope }
})

/**
 * Reads a space file checking only its JSON shape (for diffs of work in progress).
 *
 * @category constructors
 */
export const loadFileUnvalidated = Effect.fn("Space.loadFileUnvalidated")(function* (path: string) {
  const { text: inner, envelope } = unwrapFile(yield* TextFile.read(path))
  return { space: yield* decode(inner, path), envelope }
})
