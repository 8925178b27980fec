/**
 * Declarative descriptor of the `serialized_space` protobuf-JSON format (databricks-api.md §3.2–3.7).
 *
 * Validation, canonical ordering and diffing are all driven from this one table, so adding a field the API starts
 * accepting is a one-line change here.
 */

/** A Genie space format version. */
export type Version = 1 | 2

/** How a field's value is shaped. */
export type FieldKind =
  /** Free text: an array of strings, concatenated without separators by the API. */
  | { readonly _tag: "Text" }
  /** A list of plain string values (not free text), e.g. a parameter's default values. */
  | { readonly _tag: "Strings" }
  /** A plain string; `id` marks 32-hex ids, `identifier` marks three-part Unity Catalog names. */
  | { readonly _tag: "String"; readonly id?: boolean; readonly identifier?: boolean }
  | { readonly _tag: "Boolean" }
  | { readonly _tag: "Integer" }
  | { readonly _tag: "Message"; readonly message: MessageSpec }
  /**
   * A repeated message. `key` identifies an item (diff matching, duplicate detection); `sorted` says the API wants
   * the list in ascending byte order of `key`.
   */
  | {
      readonly _tag: "List"
      readonly message: MessageSpec
      readonly key?: ReadonlyArray<string>
      readonly sorted?: boolean
    }

/** One field of a message. */
export interface FieldSpec {
  readonly kind: FieldKind
  /** Severity of a missing value; absent means optional. */
  readonly required?: "error" | "warning"
  /** Versions that accept the field; absent means every version. */
  readonly versions?: ReadonlyArray<Version>
  /** The field that plays the same role in the other version (v1 `get_example_values` ↔ v2 `enable_format_assistance`). */
  readonly counterpart?: string
}

/** A protobuf message: its fully qualified name and its known fields. */
export interface MessageSpec {
  readonly name: string
  readonly fields: Readonly<Record<string, FieldSpec>>
}

const pkg = "databricks.datarooms.export"

const text: FieldSpec = { kind: { _tag: "Text" } }
const requiredText: FieldSpec = { kind: { _tag: "Text" }, required: "error" }
const id: FieldSpec = { kind: { _tag: "String", id: true }, required: "error" }
const string = (required?: "error" | "warning"): FieldSpec =>
  required === undefined ? { kind: { _tag: "String" } } : { kind: { _tag: "String" }, required }
const identifier: FieldSpec = { kind: { _tag: "String", identifier: true }, required: "error" }
const boolean: FieldSpec = { kind: { _tag: "Boolean" } }
const message = (m: MessageSpec, required?: "error" | "warning"): FieldSpec =>
  required === undefined
    ? { kind: { _tag: "Message", message: m } }
    : { kind: { _tag: "Message", message: m }, required }
const list = (
  m: MessageSpec,
  key: ReadonlyArray<string>,
  sorted: boolean,
  required?: "error" | "warning"
): FieldSpec => ({ kind: { _tag: "List", message: m, key, sorted }, ...(required === undefined ? {} : { required }) })

const SampleQuestion: MessageSpec = { name: `${pkg}.SampleQuestion`, fields: { id, question: requiredText } }

const ColumnConfig: MessageSpec = {
  name: `${pkg}.ColumnConfig`,
  fields: {
    column_name: string("error"),
    description: text,
    synonyms: text,
    exclude: boolean,
    enable_format_assistance: { ...boolean, versions: [2], counterpart: "get_example_values" },
    enable_entity_matching: { ...boolean, versions: [2], counterpart: "build_value_dictionary" },
    get_example_values: { ...boolean, versions: [1], counterpart: "enable_format_assistance" },
    build_value_dictionary: { ...boolean, versions: [1], counterpart: "enable_entity_matching" }
  }
}

const tableFields = {
  identifier,
  description: text,
  column_configs: list(ColumnConfig, ["column_name"], true)
}
const Table: MessageSpec = { name: `${pkg}.Table`, fields: tableFields }
const MetricView: MessageSpec = { name: `${pkg}.MetricView`, fields: tableFields }

const TextInstruction: MessageSpec = { name: `${pkg}.TextInstruction`, fields: { id, content: text } }

const ParameterDefaultValue: MessageSpec = {
  name: `${pkg}.ParameterDefaultValue`,
  fields: { values: { kind: { _tag: "Strings" } } }
}

const Parameter: MessageSpec = {
  name: `${pkg}.Parameter`,
  fields: {
    name: string("error"),
    type_hint: string(),
    description: text,
    default_value: message(ParameterDefaultValue)
  }
}

const ExampleQuestionSql: MessageSpec = {
  name: `${pkg}.ExampleQuestionSql`,
  fields: {
    id,
    question: requiredText,
    sql: requiredText,
    // Sorted by name per workbench only; the real export lists them unsorted, so their order is kept.
    parameters: list(Parameter, ["name"], false),
    usage_guidance: text
  }
}

const SqlFunction: MessageSpec = { name: `${pkg}.SqlFunction`, fields: { id, identifier } }

const JoinSpecSide: MessageSpec = { name: `${pkg}.JoinSpecSide`, fields: { identifier, alias: string("error") } }

const JoinSpec: MessageSpec = {
  name: `${pkg}.JoinSpec`,
  fields: {
    id,
    left: message(JoinSpecSide, "error"),
    right: message(JoinSpecSide, "error"),
    sql: requiredText,
    comment: text,
    instruction: text
  }
}

// `display_name` is required per genie_enhancer's schema but optional per the optimizer's models: a warning.
const snippetFields = {
  id,
  sql: requiredText,
  display_name: string("warning"),
  synonyms: text,
  instruction: text,
  comment: text
}
// Real API names: "Cannot find field: alias in message databricks.datarooms.export.Filter".
const Filter: MessageSpec = { name: `${pkg}.Filter`, fields: snippetFields }
const Expression: MessageSpec = { name: `${pkg}.Expression`, fields: { ...snippetFields, alias: string("error") } }
const Measure: MessageSpec = { name: `${pkg}.Measure`, fields: { ...snippetFields, alias: string("error") } }

const SqlSnippets: MessageSpec = {
  name: `${pkg}.SqlSnippets`,
  fields: {
    filters: list(Filter, ["id"], true),
    expressions: list(Expression, ["id"], true),
    measures: list(Measure, ["id"], true)
  }
}

const Instructions: MessageSpec = {
  name: `${pkg}.Instructions`,
  fields: {
    text_instructions: list(TextInstruction, ["id"], true),
    example_question_sqls: list(ExampleQuestionSql, ["id"], true),
    sql_functions: list(SqlFunction, ["id", "identifier"], true),
    join_specs: list(JoinSpec, ["id"], true),
    sql_snippets: message(SqlSnippets)
  }
}

const BenchmarkAnswer: MessageSpec = {
  name: `${pkg}.BenchmarkAnswer`,
  fields: { format: string("error"), content: requiredText }
}

const BenchmarkQuestion: MessageSpec = {
  name: `${pkg}.BenchmarkQuestion`,
  fields: { id, question: requiredText, answer: list(BenchmarkAnswer, [], false, "error") }
}

const SpaceConfig: MessageSpec = {
  name: `${pkg}.GenieSpaceConfig`,
  fields: { sample_questions: list(SampleQuestion, ["id"], true) }
}

const DataSources: MessageSpec = {
  name: `${pkg}.DataSources`,
  fields: {
    tables: list(Table, ["identifier"], true),
    metric_views: list(MetricView, ["identifier"], true)
  }
}

const Benchmarks: MessageSpec = {
  // The real export lists benchmark questions in descending id order, so they are exempt from the sort rule.
  name: `${pkg}.Benchmarks`,
  fields: { questions: list(BenchmarkQuestion, ["id"], false) }
}

/** The root message of `serialized_space`. */
export const GenieSpaceExport: MessageSpec = {
  name: `${pkg}.GenieSpaceExport`,
  fields: {
    version: { kind: { _tag: "Integer" }, required: "error" },
    config: message(SpaceConfig),
    // Optional in the proto, but the optimizer treats a space without data sources as invalid.
    data_sources: message(DataSources, "warning"),
    instructions: message(Instructions),
    benchmarks: message(Benchmarks)
  }
}

/** Keys the GET response carries next to `serialized_space`; the API rejects them inside it. */
export const metadataKeys: ReadonlySet<string> = new Set([
  "id",
  "title",
  "description",
  "creator",
  "creator_id",
  "updated_by",
  "updated_at",
  "created_at",
  "warehouse_id",
  "execute_as_user_id",
  "space_status"
])

/** A list collection of the format, with its dotted location (`instructions.sql_snippets.measures`). */
export interface Collection {
  readonly path: ReadonlyArray<string>
  readonly name: string
  readonly message: MessageSpec
  readonly key: ReadonlyArray<string>
  readonly sorted: boolean
}

/** Every top-level collection reachable through messages only (not nested inside list items). */
export const collections: ReadonlyArray<Collection> = (() => {
  const out: Array<Collection> = []
  const visit = (spec: MessageSpec, path: ReadonlyArray<string>) => {
    for (const [field, f] of Object.entries(spec.fields)) {
      if (f.kind._tag === "Message") visit(f.kind.message, [...path, field])
      else if (f.kind._tag === "List")
        out.push({
          path: [...path, field],
          name: [...path, field].join("."),
          message: f.kind.message,
          key: f.kind.key ?? [],
          sorted: f.kind.sorted ?? false
        })
    }
  }
  visit(GenieSpaceExport, [])
  return out
})()

/** Proto message name of every message location, keyed by a path pattern (`$.data_sources.tables[]`). */
export const messageNamesByPath: Readonly<Record<string, string>> = (() => {
  const out: Record<string, string> = {}
  const visit = (spec: MessageSpec, path: string) => {
    out[path] = spec.name
    for (const [field, f] of Object.entries(spec.fields)) {
      if (f.kind._tag === "Message") visit(f.kind.message, `${path}.${field}`)
      else if (f.kind._tag === "List") visit(f.kind.message, `${path}.${field}[]`)
    }
  }
  visit(GenieSpaceExport, "$")
  return out
})()

/** A plain JSON object (not an array, not null). */
export const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * Compares strings by Unicode code point, which equals UTF-8 byte order (what "byte order" in the docs means).
 * JavaScript's `<` compares UTF-16 code units, which misorders astral characters against U+E000–U+FFFF.
 */
export const compareCodePoints = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) return fixup(x) - fixup(y)
      return x - y
    }
  }
  return a.length - b.length
}

// Surrogates (astral code points) must sort above U+E000–U+FFFF.
const fixup = (c: number): number => (c >= 0xe000 ? c - 0x800 : c + 0x2000)

/** The sort/identity key values of an item; `undefined` for a part that is not a string. */
export const keyOf = (item: unknown, key: ReadonlyArray<string>): ReadonlyArray<string | undefined> =>
  key.map((k) => {
    const v = isRecord(item) ? item[k] : undefined
    return typeof v === "string" ? v : undefined
  })

/** Compares two key tuples part by part in code-point order; a missing part sorts first. */
export const compareKeys = (a: ReadonlyArray<string | undefined>, b: ReadonlyArray<string | undefined>): number => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? ""
    const y = b[i] ?? ""
    const c = compareCodePoints(x, y)
    if (c !== 0) return c
  }
  return 0
}
