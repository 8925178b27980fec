/**
 * The canonical benchmark file: questions with their expected Databricks SQL, grouped by category, with a
 * difficulty, an optional train/holdout split and an optional per-benchmark comparison policy.
 *
 * Only this format is read by {@link parse}/{@link load}; other formats (the original tool's JSON, a space's own
 * benchmarks, CSV) go through `BenchmarkImport`.
 */
import { Ajv } from "ajv"
import type { ErrorObject, JSONSchemaType, ValidateFunction } from "ajv"
import { Effect, Either } from "effect"
import { Document, isMap, isScalar, isSeq, parseDocument, Scalar, visit } from "yaml"
import type { YAMLError } from "yaml"
import { ConfigInvalid } from "./Errors.js"
import * as SqlGuard from "../sql/SqlGuard.js"
import * as Issue from "./Issue.js"
import * as TextFile from "./TextFile.js"
import { didYouMean } from "../internal/didYouMean.js"
import { locateIssues, parsePath } from "../internal/sourceLocation.js"

/** How hard a benchmark question is for Genie. @category models */
export type Difficulty = "easy" | "medium" | "hard"

/** Which side of the train/holdout split a benchmark is on. @category models */
export type Split = "train" | "holdout"

/** Whether row order matters: `auto` = only when the expected SQL has a top-level ORDER BY. @category models */
export type RowOrder = "auto" | "strict" | "ignore"

/** `bag` compares rows with multiplicity, `set` ignores duplicate rows. @category models */
export type RowMatching = "bag" | "set"

/**
 * How the result of Genie's SQL is compared with the result of the expected SQL for one benchmark. Every field is
 * optional; the scorer's profile supplies the defaults.
 *
 * @category models
 */
export interface ComparisonPolicy {
  readonly row_order?: RowOrder
  readonly rows?: RowMatching
  /** Genie may return columns the expected SQL does not. */
  readonly allow_extra_columns?: boolean
  readonly relative_tolerance?: number
  readonly absolute_tolerance?: number
  readonly case_insensitive_strings?: boolean
}

/**
 * One benchmark: a natural-language question and the Databricks SQL whose result answers it.
 *
 * @category models
 */
export interface Benchmark {
  /** Stable identifier, `/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/`; results and history are keyed by it. */
  readonly id: string
  readonly question: string
  /** Databricks SQL, kept byte-exact. */
  readonly expected_sql: string
  readonly category: string
  readonly difficulty: Difficulty
  /** An explicit split always wins over the computed one (`BenchmarkSplit.assign`). */
  readonly split?: Split
  readonly comparison?: ComparisonPolicy
  readonly tags?: ReadonlyArray<string>
  /** The question in other languages, keyed by language tag (`ko`, `ja`, `pt-BR`). */
  readonly question_alt?: Readonly<Record<string, string>>
}

/**
 * A canonical benchmark file (YAML or JSON).
 *
 * @category models
 */
export interface BenchmarkFile {
  readonly apiVersion: 1
  readonly benchmarks: ReadonlyArray<Benchmark>
}

/**
 * A benchmark as written in a file: only `question` and `expected_sql` are required; {@link parse} fills in a stable
 * id derived from the question ({@link deriveId}), {@link defaultCategory} and {@link defaultDifficulty}.
 *
 * @category models
 */
export type BenchmarkInput = Omit<Benchmark, "id" | "category" | "difficulty"> & {
  readonly id?: string
  readonly category?: string
  readonly difficulty?: Difficulty
}

/** A benchmark file as written, before defaults. @category models */
export interface BenchmarkFileInput {
  readonly apiVersion: 1
  readonly benchmarks: ReadonlyArray<BenchmarkInput>
}

/** The category of a benchmark that names none. @category configuration */
export const defaultCategory = "uncategorized"

/** The difficulty of a benchmark that names none. @category configuration */
export const defaultDifficulty: Difficulty = "medium"

/**
 * How many benchmarks of a file took a default: a derived id, {@link defaultCategory}, {@link defaultDifficulty}.
 *
 * @category models
 */
export interface Defaults {
  readonly id: number
  readonly category: number
  readonly difficulty: number
}

/** The allowed difficulties, in increasing order. @category models */
export const difficulties: ReadonlyArray<Difficulty> = ["easy", "medium", "hard"]

/** The allowed splits. @category models */
export const splits: ReadonlyArray<Split> = ["train", "holdout"]

const idPattern = "^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"
// A pattern rather than minLength so that whitespace-only text is rejected too.
const nonBlank = "\\S"
const languageTag = "^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$"

/**
 * JSON Schema (draft-07) of the canonical benchmark file; `configs/benchmarks.schema.json` is this constant.
 *
 * **Details**
 * Optional properties carry `nullable: true` because ajv's `JSONSchemaType` demands it for optional members; editors
 * ignore the keyword, and {@link validate} rejects explicit `null`s itself.
 *
 * @category configuration
 */
export const jsonSchema: JSONSchemaType<BenchmarkFileInput> = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "urn:genie-enhancer:schema:benchmarks",
  title: "Genie Enhancer benchmarks",
  description: "Benchmark questions with their expected Databricks SQL, used to score a Genie space.",
  type: "object",
  properties: {
    apiVersion: { type: "integer", const: 1, description: "Format version; always 1." },
    benchmarks: {
      type: "array",
      description: "The benchmarks; ids must be unique.",
      items: {
        type: "object",
        properties: {
          id: {
            type: "string",
            pattern: idPattern,
            nullable: true,
            description:
              "Stable id: a letter or digit, then letters, digits, _ . : - (at most 128 characters). Default: derived from the question (q_ + 12 hex digits)."
          },
          question: { type: "string", pattern: nonBlank, description: "The natural-language question asked to Genie." },
          expected_sql: {
            type: "string",
            pattern: nonBlank,
            description: "Databricks SQL whose result is the correct answer."
          },
          category: {
            type: "string",
            pattern: nonBlank,
            nullable: true,
            description: "Free-form grouping; splits are stratified by it. Default: uncategorized."
          },
          difficulty: {
            type: "string",
            enum: ["easy", "medium", "hard"],
            nullable: true,
            description: "easy, medium or hard. Default: medium."
          },
          split: {
            type: "string",
            enum: ["train", "holdout"],
            nullable: true,
            description: "Explicit split; when absent the split is computed from the id."
          },
          comparison: {
            type: "object",
            description: "Per-benchmark result comparison policy; unset fields use the profile's defaults.",
            properties: {
              row_order: {
                type: "string",
                enum: ["auto", "strict", "ignore"],
                nullable: true,
                description: "auto: order matters only if the expected SQL ends with ORDER BY."
              },
              rows: { type: "string", enum: ["bag", "set"], nullable: true, description: "bag keeps duplicate rows." },
              allow_extra_columns: { type: "boolean", nullable: true },
              relative_tolerance: { type: "number", minimum: 0, nullable: true },
              absolute_tolerance: { type: "number", minimum: 0, nullable: true },
              case_insensitive_strings: { type: "boolean", nullable: true }
            },
            required: [],
            additionalProperties: false,
            nullable: true
          },
          tags: {
            type: "array",
            items: { type: "string", pattern: nonBlank },
            uniqueItems: true,
            nullable: true,
            description: "Free-form labels."
          },
          question_alt: {
            type: "object",
            description: "The question in other languages, keyed by language tag (ko, ja, pt-BR).",
            propertyNames: { pattern: languageTag },
            additionalProperties: { type: "string", pattern: nonBlank },
            required: [],
            nullable: true
          }
        },
        required: ["question", "expected_sql"],
        additionalProperties: false
      }
    }
  },
  required: ["apiVersion", "benchmarks"],
  additionalProperties: false
}

// Fields people write by habit (the original tool's names, other tools' names) and where they belong.
const knownMisnames: Readonly<Record<string, string>> = {
  korean_question: "question_alt",
  sql: "expected_sql",
  query: "expected_sql",
  answer: "expected_sql",
  level: "difficulty"
}

const optionalObjectFields: Readonly<Record<string, string>> = {
  id: "a stable id such as rev_001",
  category: "a category name",
  difficulty: 'one of "easy", "medium", "hard"',
  split: 'one of "train", "holdout"',
  comparison: "an object",
  tags: "a list of strings",
  question_alt: "an object of translated questions",
  row_order: 'one of "auto", "strict", "ignore"',
  rows: 'one of "bag", "set"',
  allow_extra_columns: "a boolean",
  relative_tolerance: "a number",
  absolute_tolerance: "a number",
  case_insensitive_strings: "a boolean"
}

const requiredHelp: Readonly<Record<string, string>> = {
  apiVersion: "set apiVersion: 1",
  benchmarks: "a list of benchmarks",
  id: "a stable id such as rev_001",
  question: "the natural-language question",
  expected_sql: "the Databricks SQL that answers the question",
  category: "a category name",
  difficulty: 'one of "easy", "medium", "hard"'
}

let compiled: ValidateFunction<BenchmarkFileInput> | undefined
const validator = (): ValidateFunction<BenchmarkFileInput> =>
  (compiled ??= new Ajv({ allErrors: true, strict: true, verbose: true }).compile(jsonSchema))

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const describe = (value: unknown): string => {
  if (value === null) return "an empty value"
  if (Array.isArray(value)) return "a list"
  if (typeof value === "object") return "an object"
  if (typeof value === "string") return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`
  return typeof value === "number" || typeof value === "boolean" ? `${typeof value} ${value}` : typeof value
}

const typeName: Readonly<Record<string, string>> = {
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "a boolean",
  array: "a list",
  object: "an object"
}

/** JSON pointer → path segments, with array indexes as numbers (decided by the data, not the digits). */
const pointerSegments = (pointer: string, root: unknown): Array<Issue.PathSegment> => {
  const segments: Array<Issue.PathSegment> = []
  let node = root
  for (const raw of pointer === "" ? [] : pointer.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~")
    if (Array.isArray(node)) {
      segments.push(Number(key))
      node = node[Number(key)] as unknown
    } else {
      segments.push(key)
      node = isRecord(node) ? node[key] : undefined
    }
  }
  return segments
}

const fromAjvError = (error: ErrorObject, root: unknown): Issue.Issue | undefined => {
  const segments = pointerSegments(error.instancePath, root)
  const at = Issue.formatPath(segments)
  const params = error.params as Record<string, unknown>
  const data: unknown = error.data
  const field = segments[segments.length - 1]
  switch (error.keyword) {
    case "additionalProperties": {
      const key = String(params["additionalProperty"])
      const schemaProperties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties
      const allowed = Object.keys(schemaProperties ?? {})
      const suggestion = knownMisnames[key] ?? didYouMean(key, allowed)
      return Issue.error(
        "UnknownField",
        Issue.formatPath([...segments, key]),
        `unknown field "${key}"; allowed fields are ${allowed.join(", ")}`,
        suggestion === undefined ? {} : { suggestion }
      )
    }
    case "required": {
      const key = String(params["missingProperty"])
      const help = requiredHelp[key]
      return Issue.error(
        "MissingField",
        Issue.formatPath([...segments, key]),
        `missing required field "${key}"${help === undefined ? "" : ` (${help})`}`
      )
    }
    case "type": {
      const expected = typeName[String(params["type"])] ?? String(params["type"])
      const hint = typeof data === "number" && params["type"] === "string" ? " (quote the value)" : ""
      const original =
        segments.length === 0 && Array.isArray(data)
          ? " (a bare list looks like the original tool's format: import it with BenchmarkImport)"
          : ""
      return Issue.error("InvalidType", at, `must be ${expected}, got ${describe(data)}${hint}${original}`)
    }
    case "enum": {
      const allowed = (params["allowedValues"] as ReadonlyArray<unknown>).map(String)
      const suggestion = typeof data === "string" ? didYouMean(data, allowed) : undefined
      return Issue.error(
        "InvalidValue",
        at,
        `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${describe(data)}`,
        suggestion === undefined ? {} : { suggestion }
      )
    }
    case "const":
      return Issue.error(
        field === "apiVersion" ? "UnsupportedVersion" : "InvalidValue",
        at,
        `must be ${JSON.stringify(params["allowedValue"])}, got ${describe(data)}`
      )
    case "pattern": {
      // The nested propertyNames error carries `propertyName`; the outer `propertyNames` error reports it.
      if (error.propertyName !== undefined) return undefined
      if (params["pattern"] === nonBlank) return Issue.error("EmptyValue", at, "must not be empty")
      if (params["pattern"] === idPattern)
        return Issue.error(
          "InvalidId",
          at,
          `must start with a letter or digit and contain only letters, digits, "_", ".", ":" or "-" (at most 128 characters), got ${describe(data)}`
        )
      return Issue.error("InvalidValue", at, `must match ${String(params["pattern"])}, got ${describe(data)}`)
    }
    case "propertyNames": {
      const name = String(params["propertyName"])
      return Issue.error(
        "InvalidKey",
        Issue.formatPath([...segments, name]),
        `"${name}" is not a language tag (expected e.g. "ko", "ja", "pt-BR")`
      )
    }
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return Issue.error(
        "OutOfRange",
        at,
        `must be ${String(params["comparison"])} ${String(params["limit"])}, got ${describe(data)}`
      )
    case "uniqueItems":
      return Issue.error(
        "DuplicateValue",
        at,
        `must not repeat values (items ${String(params["j"])} and ${String(params["i"])} are equal)`
      )
    default:
      return Issue.error("InvalidValue", at, error.message ?? "is invalid")
  }
}

/** Explicit `null`s in optional fields: ajv lets them through because of `nullable` (see {@link jsonSchema}). */
const nullIssues = (root: unknown): Array<Issue.Issue> => {
  const issues: Array<Issue.Issue> = []
  const scan = (
    object: Record<string, unknown>,
    path: ReadonlyArray<Issue.PathSegment>,
    fields: ReadonlyArray<string>
  ) => {
    for (const field of fields) {
      if (object[field] === null)
        issues.push(
          Issue.error(
            "InvalidType",
            Issue.formatPath([...path, field]),
            `must be ${optionalObjectFields[field]}, got an empty value (omit the field to leave it unset)`
          )
        )
    }
  }
  if (!isRecord(root) || !Array.isArray(root["benchmarks"])) return issues
  root["benchmarks"].forEach((item: unknown, index) => {
    if (!isRecord(item)) return
    scan(item, ["benchmarks", index], ["id", "category", "difficulty", "split", "comparison", "tags", "question_alt"])
    const comparison = item["comparison"]
    if (isRecord(comparison))
      scan(
        comparison,
        ["benchmarks", index, "comparison"],
        [
          "row_order",
          "rows",
          "allow_extra_columns",
          "relative_tolerance",
          "absolute_tolerance",
          "case_insensitive_strings"
        ]
      )
  })
  return issues
}

const duplicateIdIssues = (root: unknown): Array<Issue.Issue> => {
  const issues: Array<Issue.Issue> = []
  if (!isRecord(root) || !Array.isArray(root["benchmarks"])) return issues
  const seen = new Map<string, number>()
  root["benchmarks"].forEach((item: unknown, index) => {
    const id = !isRecord(item)
      ? undefined
      : item["id"] === undefined && typeof item["question"] === "string"
        ? deriveId(item["question"])
        : item["id"]
    if (typeof id !== "string") return
    const first = seen.get(id)
    const derived = isRecord(item) && item["id"] === undefined
    if (first === undefined) seen.set(id, index)
    else
      issues.push(
        derived
          ? Issue.error(
              "DuplicateId",
              Issue.formatPath(["benchmarks", index, "question"]),
              `duplicate question: its derived id "${id}" is already used by ${Issue.formatPath(["benchmarks", first])}; give one of them an id`
            )
          : Issue.error(
              "DuplicateId",
              Issue.formatPath(["benchmarks", index, "id"]),
              `duplicate id "${id}": already used by ${Issue.formatPath(["benchmarks", first])}`
            )
      )
  })
  return issues
}

const comparePaths = (a: string, b: string): number => {
  const sa = parsePath(a)
  const sb = parsePath(b)
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    const x = sa[i]
    const y = sb[i]
    if (x === y) continue
    if (typeof x === "number" && typeof y === "number") return x - y
    return 0 // same depth, different keys: keep the schema's order
  }
  return sa.length - sb.length
}

/**
 * Checks a parsed value against the canonical format: the JSON Schema (every problem, not just the first) plus ids
 * unique across the file.
 *
 * **Details**
 * Issues carry JSON paths (`$.benchmarks[3].difficulty`) but no line; {@link parse} adds lines. Unknown keys are
 * `UnknownField` with a did-you-mean `suggestion`, enum mismatches list the allowed values, a repeated id is
 * `DuplicateId` naming the first index that used it.
 *
 * @category constructors
 */
export const validate = (value: unknown): ReadonlyArray<Issue.Issue> => {
  const check = validator()
  const nulls = nullIssues(value)
  const nullPaths = new Set(nulls.map((i) => i.path))
  const schemaIssues: Array<Issue.Issue> = []
  if (!check(value)) {
    for (const error of check.errors ?? []) {
      const issue = fromAjvError(error, value)
      if (issue !== undefined && !nullPaths.has(issue.path)) schemaIssues.push(issue)
    }
  }
  const all = [...nulls, ...schemaIssues, ...duplicateIdIssues(value)]
  const unique = all.filter((issue, i) => all.findIndex((o) => o.code === issue.code && o.path === issue.path) === i)
  // Stable sort: reading order by benchmark index, schema order within one benchmark.
  return unique.sort((a, b) => comparePaths(a.path, b.path))
}

const yamlIssue = (error: YAMLError): Issue.Issue => {
  const position = error.linePos?.[0]
  const message = (error.message.split("\n")[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, "")
  return Issue.error(
    "InvalidYaml",
    "$",
    message,
    position === undefined ? {} : { line: position.line, column: position.col }
  )
}

/** The JSON syntax error of `text` with its line and column, or `undefined` when it is valid JSON. */
const jsonIssue = (text: string): Issue.Issue | undefined => {
  const error = Either.try(() => JSON.parse(text) as unknown)
  if (Either.isRight(error)) return undefined
  const message = error.left instanceof Error ? error.left.message : String(error.left)
  const at = /at position (\d+)/.exec(message)
  const offset = at === null ? text.length : Number(at[1])
  const before = text.slice(0, offset).split("\n")
  const line = before.length
  const column = (before.at(-1)?.length ?? 0) + 1
  const truncated = at === null && /end of JSON input/i.test(message)
  return Issue.error(
    "InvalidJson",
    "$",
    truncated
      ? "the JSON ends too early (truncated file?)"
      : `invalid JSON: ${message.replace(/ in JSON at position \d+.*$/s, "").replace(/ \(line \d+ column \d+\)$/, "")}`,
    { line, column }
  )
}

/**
 * Parses YAML or JSON text (JSON is YAML) into a plain value; syntax errors, duplicate keys and several documents
 * in one file become `InvalidYaml` issues with their line. Shared by the importers.
 *
 * @category constructors
 */
export const parseYaml = (text: string, source: string): Effect.Effect<unknown, ConfigInvalid> => {
  const doc = parseDocument(text, { uniqueKeys: true })
  if (doc.errors.length > 0) {
    // A `.json` file (e.g. truncated) gets the JSON parser's error, not the YAML parser's view of broken JSON.
    const json = source.toLowerCase().endsWith(".json") ? jsonIssue(text) : undefined
    return Effect.fail(new ConfigInvalid({ source, issues: json === undefined ? doc.errors.map(yamlIssue) : [json] }))
  }
  return Effect.try({
    try: (): unknown => doc.toJS(),
    // toJS throws on unresolved or excessive aliases.
    catch: (cause) =>
      new ConfigInvalid({
        source,
        issues: [Issue.error("InvalidYaml", "$", cause instanceof Error ? cause.message : String(cause))]
      })
  })
}

/**
 * Parses a canonical benchmark file (YAML or JSON, told apart by content) and validates it. Every issue is located
 * (line/column) in `text`.
 *
 * @category constructors
 */
export const parse = Effect.fn("Benchmark.parse")(function* (text: string, source: string) {
  return (yield* parseDetailed(text, source)).file
})

/**
 * A parsed benchmark file and how many of its benchmarks took a default (id, category, difficulty).
 *
 * @category models
 */
export interface Parsed {
  readonly file: BenchmarkFile
  readonly defaults: Defaults
}

/**
 * Fills in the optional fields: a derived id ({@link deriveId}), {@link defaultCategory}, {@link defaultDifficulty}.
 *
 * @category constructors
 */
export const withDefaults = (input: BenchmarkFileInput): Parsed => {
  const defaults = { id: 0, category: 0, difficulty: 0 }
  const benchmarks = input.benchmarks.map((b): Benchmark => {
    if (b.id === undefined) defaults.id++
    if (b.category === undefined) defaults.category++
    if (b.difficulty === undefined) defaults.difficulty++
    return {
      ...b,
      id: b.id ?? deriveId(b.question),
      category: b.category ?? defaultCategory,
      difficulty: b.difficulty ?? defaultDifficulty
    }
  })
  return { file: { apiVersion: 1, benchmarks }, defaults }
}

/**
 * Like {@link parse}, also saying which defaults were applied.
 *
 * @category constructors
 */
export const parseDetailed = Effect.fn("Benchmark.parseDetailed")(function* (text: string, source: string) {
  const value = yield* parseYaml(text, source)
  const issues = validate(value)
  if (Issue.hasErrors(issues)) return yield* new ConfigInvalid({ source, issues: locateIssues(text, issues) })
  return withDefaults(value as BenchmarkFileInput)
})

/**
 * Reads and parses a canonical benchmark file. A missing file fails with a `FileNotFound` issue naming the path.
 *
 * @category constructors
 */
export const load = Effect.fn("Benchmark.load")(function* (path: string) {
  return (yield* loadDetailed(path)).file
})

/**
 * Like {@link load}, also saying which defaults were applied and the SHA-256 of the file's content (a run records it
 * so `--resume` can tell the same benchmarks from others).
 *
 * @category constructors
 */
export const loadDetailed = Effect.fn("Benchmark.loadDetailed")(function* (path: string) {
  const text = yield* TextFile.read(path)
  const parsed = yield* parseDetailed(text, path)
  return { ...parsed, text, contentHash: yield* contentHash(text) }
})

/**
 * The expected SQL that may not leave the process: each benchmark whose `expected_sql` is not exactly one read-only
 * query (`SqlGuard`), as an `UnsafeSql` error at `$.benchmarks[i].expected_sql`, located in `text` when given.
 *
 * **Details**
 * Benchmark files come from other people: a `DELETE`, a second statement or a DuckDB `checkpoint()` must never reach
 * a warehouse. `benchmarks validate` and `validate` report these; `score` excludes such benchmarks with the reason.
 *
 * @category constructors
 */
export const unsafeSqlIssues = (
  benchmarks: ReadonlyArray<Pick<Benchmark, "expected_sql">>,
  text?: string
): ReadonlyArray<Issue.Issue> => {
  const issues = benchmarks.flatMap((b, i) => {
    const problem = SqlGuard.check(b.expected_sql)
    return problem === undefined
      ? []
      : [Issue.error("UnsafeSql", Issue.formatPath(["benchmarks", i, "expected_sql"]), problem.message)]
  })
  return text === undefined ? issues : locateIssues(text, issues)
}

/**
 * The SHA-256 (hex) of a benchmark file's text.
 *
 * @category constructors
 */
export const contentHash = (text: string): Effect.Effect<string> =>
  Effect.promise(async () => {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("")
  })

/** The schema comment {@link stringify} writes by default: right for a file two folders below the repository root. @category configuration */
export const defaultSchemaPath = "../../configs/benchmarks.schema.json"

/** Options of {@link stringify}. @category models */
export interface StringifyOptions {
  /** Path (relative to the written file) or URL of the schema for the editor comment; `false` omits the comment. */
  readonly schemaPath?: string | false
}

const orderComparison = (c: ComparisonPolicy): ComparisonPolicy => ({
  ...(c.row_order === undefined ? {} : { row_order: c.row_order }),
  ...(c.rows === undefined ? {} : { rows: c.rows }),
  ...(c.allow_extra_columns === undefined ? {} : { allow_extra_columns: c.allow_extra_columns }),
  ...(c.relative_tolerance === undefined ? {} : { relative_tolerance: c.relative_tolerance }),
  ...(c.absolute_tolerance === undefined ? {} : { absolute_tolerance: c.absolute_tolerance }),
  ...(c.case_insensitive_strings === undefined ? {} : { case_insensitive_strings: c.case_insensitive_strings })
})

const orderBenchmark = (b: Benchmark): Benchmark => ({
  id: b.id,
  question: b.question,
  expected_sql: b.expected_sql,
  category: b.category,
  difficulty: b.difficulty,
  ...(b.split === undefined ? {} : { split: b.split }),
  ...(b.tags === undefined ? {} : { tags: [...b.tags] }),
  ...(b.question_alt === undefined ? {} : { question_alt: { ...b.question_alt } }),
  ...(b.comparison === undefined ? {} : { comparison: orderComparison(b.comparison) })
})

/**
 * Writes a benchmark file as canonical YAML: schema comment first, keys in a fixed order (id, question,
 * expected_sql, category, difficulty, split, tags, question_alt, comparison), multi-line text as `|` block scalars,
 * a blank line between benchmarks. `parse(stringify(file))` gives back `file`.
 *
 * @category constructors
 */
export const stringify = (file: BenchmarkFile, options?: StringifyOptions): string => {
  const doc = new Document({ apiVersion: file.apiVersion, benchmarks: file.benchmarks.map(orderBenchmark) })
  const schemaPath = options?.schemaPath ?? defaultSchemaPath
  if (schemaPath !== false) doc.commentBefore = ` yaml-language-server: $schema=${schemaPath}`
  visit(doc, {
    Pair(_, pair) {
      if (isSeq(pair.value) && isScalar(pair.key) && pair.key.value === "tags") pair.value.flow = true
    },
    Scalar(_, node) {
      // yaml falls back to a quoted scalar by itself when a block cannot hold the text (e.g. control characters).
      if (typeof node.value === "string" && node.value.includes("\n")) node.type = Scalar.BLOCK_LITERAL
    }
  })
  const list = doc.get("benchmarks", true)
  if (isSeq(list))
    list.items.forEach((item, i) => {
      if (i > 0 && isMap(item)) item.spaceBefore = true
    })
  return doc.toString({ lineWidth: 0 })
}

const FNV_OFFSET = 0xcbf29ce484222325n
const FNV_PRIME = 0x100000001b3n
const MASK_64 = 0xffffffffffffffffn

function* utf8(text: string): Generator<number> {
  for (const char of text) {
    const cp = char.codePointAt(0)!
    if (cp < 0x80) yield cp
    else if (cp < 0x800) yield* [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)]
    else if (cp < 0x10000) yield* [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]
    else yield* [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]
  }
}

/**
 * A stable 64-bit hash of a string as 16 lowercase hex digits: FNV-1a over the UTF-8 bytes, then MurmurHash3's
 * 64-bit finalizer. Same input, same output, on every platform and run.
 *
 * **Details**
 * The finalizer matters for ranking: plain FNV-1a barely moves the high bits when only the last character changes
 * (`kpi_001` vs `kpi_002`), so hashes of similar ids would sort almost like the ids themselves.
 *
 * @category constructors
 */
export const stableHash = (text: string): string => {
  let h = FNV_OFFSET
  for (const byte of utf8(text)) h = ((h ^ BigInt(byte)) * FNV_PRIME) & MASK_64
  h ^= h >> 33n
  h = (h * 0xff51afd7ed558ccdn) & MASK_64
  h ^= h >> 33n
  h = (h * 0xc4ceb9fe1a85ec53n) & MASK_64
  h ^= h >> 33n
  return h.toString(16).padStart(16, "0")
}

/**
 * The form of a question that derived ids are computed from: Unicode NFKC, lower case, whitespace collapsed, outer
 * whitespace and trailing sentence punctuation removed.
 *
 * @category constructors
 */
export const normalizeQuestion = (question: string): string =>
  question
    .normalize("NFKC")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[\s?.!。？！]+$/u, "")

/**
 * A deterministic id for a benchmark that has none: `q_` + 12 hex digits of {@link stableHash} of the
 * {@link normalizeQuestion normalised} question. Never random, so re-importing a file yields the same ids.
 *
 * @category constructors
 */
export const deriveId = (question: string): string => `q_${stableHash(normalizeQuestion(question)).slice(0, 12)}`
