/**
 * Converts benchmark files of other formats into the canonical {@link Benchmark.BenchmarkFile}: the original tool's
 * JSON array and wrapped JSON, a Genie space's own `benchmarks.questions`, and CSV.
 */
import { parse as parseCsv } from "csv-parse/sync"
import { Effect } from "effect"
import { parseDocument } from "yaml"
import * as Benchmark from "./Benchmark.js"
import { ConfigInvalid } from "./Errors.js"
import * as Issue from "./Issue.js"
import { didYouMean } from "../internal/didYouMean.js"
import { locateIssues, parsePath } from "../internal/sourceLocation.js"

/** The formats {@link importText} reads. @category models */
export type ImportFormat = "canonical" | "original-array" | "original-wrapped" | "space" | "csv"

/** Every {@link ImportFormat}, in the order they are tried by name. @category models */
export const formats: ReadonlyArray<ImportFormat> = ["canonical", "original-array", "original-wrapped", "space", "csv"]

/** Options of {@link importText}. @category models */
export interface ImportOptions {
  /** File name or other label for messages; its extension also helps {@link detectFormat}. */
  readonly source: string
  /** Skips detection. */
  readonly format?: ImportFormat
  /** For items without a category (default `uncategorized`). */
  readonly defaultCategory?: string
  /** For items without a difficulty (default `medium`). */
  readonly defaultDifficulty?: Benchmark.Difficulty
}

/** What {@link importText} produced: the canonical file, the format it read, and non-fatal issues. @category models */
export interface ImportResult {
  readonly file: Benchmark.BenchmarkFile
  readonly format: ImportFormat
  readonly warnings: ReadonlyArray<Issue.Issue>
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const classify = (value: unknown): ImportFormat | undefined => {
  if (Array.isArray(value)) return value.every(isRecord) ? "original-array" : undefined
  if (!isRecord(value)) return undefined
  if ("apiVersion" in value) return "canonical"
  if (typeof value["serialized_space"] === "string" || isRecord(value["serialized_space"])) return "space"
  const benchmarks = value["benchmarks"]
  if (isRecord(benchmarks) && Array.isArray(benchmarks["questions"])) return "space"
  if (typeof value["version"] === "number" && ("data_sources" in value || "instructions" in value)) return "space"
  if (Array.isArray(benchmarks)) return "original-wrapped"
  return undefined
}

const csvColumns = ["id", "question", "expected_sql", "category", "difficulty", "split", "tags", "korean_question"]

const normalizeHeader = (header: string): string =>
  header.trim().replace(/^"|"$/g, "").trim().toLowerCase().replace(/\s+/g, "_")

const looksLikeCsv = (text: string): boolean => {
  const header = text.replace(/^\uFEFF/, "").split(/\r?\n/, 1)[0] ?? ""
  const names = header.split(",").map(normalizeHeader)
  return names.length > 1 && names.includes("question")
}

/**
 * Guesses the format of a benchmark file from its name (`.csv`) and content; `undefined` when nothing fits.
 *
 * **Details**
 * `apiVersion` at the top means canonical; a bare list, the original tool's array; `{benchmarks: [...]}`, its
 * wrapped form; `serialized_space` or `benchmarks.questions`, a Genie space; a first line of comma-separated
 * headers including `question`, CSV.
 *
 * @category constructors
 */
export const detectFormat = (text: string, fileName: string): ImportFormat | undefined => {
  if (/\.(csv|tsv)$/i.test(fileName)) return "csv"
  const doc = parseDocument(text, { uniqueKeys: false })
  let value: unknown
  if (doc.errors.length === 0) {
    try {
      value = doc.toJS()
    } catch {
      value = undefined
    }
  }
  return classify(value) ?? (looksLikeCsv(text) ? "csv" : undefined)
}

/** One benchmark-like item of the input, before mapping. */
interface SourceItem {
  /** Where the item sits in the input (`$[4]`, `$.benchmarks.questions[2]`). */
  readonly path: ReadonlyArray<Issue.PathSegment>
  /** CSV rows: the line the row starts on (CSV text cannot be located by path). */
  readonly line?: number
  /** Raw values keyed by canonical field name (plus `korean_question`). */
  readonly values: Readonly<Record<string, unknown>>
  /** Canonical field → where it came from in the item, when the names differ. */
  readonly origin: Readonly<Record<string, ReadonlyArray<Issue.PathSegment>>>
}

/** The items read from an input plus the issues found while reading it. */
interface Reading {
  readonly items: ReadonlyArray<SourceItem>
  readonly issues: ReadonlyArray<Issue.Issue>
  /** The space format carries no categories or difficulties at all; one summary warning beats one per item. */
  readonly perItemDefaultsWarnings: boolean
}

const canonicalFields = new Set([
  "id",
  "question",
  "expected_sql",
  "category",
  "difficulty",
  "split",
  "comparison",
  "tags",
  "question_alt"
])
// Fields of the original tool's items that carry nothing the canonical format needs.
const silentlyDropped = new Set(["korean_question", "source_file", "question_number"])

const readOriginalItems = (
  list: ReadonlyArray<unknown>,
  base: ReadonlyArray<Issue.PathSegment>,
  issues: Array<Issue.Issue>
): Array<SourceItem> => {
  const items: Array<SourceItem> = []
  list.forEach((raw, index) => {
    const path = [...base, index]
    if (!isRecord(raw)) {
      issues.push(
        Issue.error(
          "InvalidType",
          Issue.formatPath(path),
          "must be an object with question and expected_sql, got " + (Array.isArray(raw) ? "a list" : typeof raw)
        )
      )
      return
    }
    const values: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(raw)) {
      if (canonicalFields.has(key) || key === "korean_question") values[key] = value
      if (!canonicalFields.has(key) && !silentlyDropped.has(key)) {
        const suggestion = didYouMean(key, canonicalFields)
        issues.push(
          Issue.warning(
            "IgnoredField",
            Issue.formatPath([...path, key]),
            `field "${key}" has no place in the canonical format and was not imported`,
            suggestion === undefined ? {} : { suggestion }
          )
        )
      }
    }
    items.push({
      path,
      values,
      origin: { question_alt: "question_alt" in raw ? ["question_alt"] : ["korean_question"] }
    })
  })
  return items
}

const joinText = (value: unknown): string | undefined => {
  if (typeof value === "string") return value
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.join("")
  return undefined
}

const readSpace = Effect.fnUntraced(function* (value: unknown, source: string) {
  const issues: Array<Issue.Issue> = []
  let space = value
  let base: Array<Issue.PathSegment> = []
  if (isRecord(value) && "serialized_space" in value) {
    base = ["serialized_space"]
    const inner = value["serialized_space"]
    space =
      typeof inner === "string"
        ? yield* Benchmark.parseYaml(inner, source).pipe(
            Effect.mapError(
              (e) =>
                new ConfigInvalid({
                  source,
                  issues: e.issues.map((i) =>
                    Issue.error("InvalidJson", "$.serialized_space", `serialized_space is not valid JSON: ${i.message}`)
                  )
                })
            )
          )
        : inner
  }
  if (!isRecord(space)) {
    issues.push(Issue.error("InvalidType", Issue.formatPath(base), "must be a serialized Genie space (a JSON object)"))
    return { items: [], issues, perItemDefaultsWarnings: false } satisfies Reading
  }
  const benchmarks = space["benchmarks"]
  const questions = isRecord(benchmarks) ? benchmarks["questions"] : undefined
  if (benchmarks === undefined || (isRecord(benchmarks) && questions === undefined)) {
    issues.push(Issue.warning("NoBenchmarks", Issue.formatPath(base), "the space has no benchmarks.questions"))
    return { items: [], issues, perItemDefaultsWarnings: false } satisfies Reading
  }
  if (!Array.isArray(questions)) {
    issues.push(
      Issue.error("InvalidType", Issue.formatPath([...base, "benchmarks", "questions"]), "must be a list of questions")
    )
    return { items: [], issues, perItemDefaultsWarnings: false } satisfies Reading
  }
  const items: Array<SourceItem> = []
  questions.forEach((raw: unknown, index) => {
    const path = [...base, "benchmarks", "questions", index]
    if (!isRecord(raw)) {
      issues.push(Issue.error("InvalidType", Issue.formatPath(path), "must be an object {id, question, answer}"))
      return
    }
    const question = joinText(raw["question"])
    if (question === undefined && raw["question"] !== undefined)
      issues.push(Issue.error("InvalidType", Issue.formatPath([...path, "question"]), "must be a list of strings"))
    const answers = Array.isArray(raw["answer"]) ? (raw["answer"] as ReadonlyArray<unknown>) : []
    const sqlIndex = answers.findIndex((a) => isRecord(a) && String(a["format"]).toUpperCase() === "SQL")
    const answer = answers[sqlIndex]
    const sql = isRecord(answer) ? joinText(answer["content"]) : undefined
    if (sqlIndex === -1)
      issues.push(Issue.error("MissingSql", Issue.formatPath([...path, "answer"]), "has no answer with format SQL"))
    else if (sql === undefined)
      issues.push(
        Issue.error(
          "InvalidType",
          Issue.formatPath([...path, "answer", sqlIndex, "content"]),
          "must be a list of strings"
        )
      )
    if (answers.length > 1 && sqlIndex >= 0)
      issues.push(
        Issue.warning(
          "ExtraAnswers",
          Issue.formatPath([...path, "answer"]),
          `has ${answers.length} answers; only the SQL answer at index ${sqlIndex} was imported`
        )
      )
    items.push({
      path,
      values: { id: raw["id"], question, expected_sql: sql },
      origin: { expected_sql: ["answer", Math.max(sqlIndex, 0), "content"] }
    })
  })
  return { items, issues, perItemDefaultsWarnings: false } satisfies Reading
})

interface CsvRow {
  readonly record: Record<string, string>
  readonly info: { readonly lines: number; readonly empty_lines: number; readonly comment_lines: number }
}

const readCsv = Effect.fnUntraced(function* (text: string, source: string) {
  const issues: Array<Issue.Issue> = []
  let header: ReadonlyArray<string> = []
  const rows = yield* Effect.try({
    try: () =>
      parseCsv<CsvRow>(text, {
        bom: true,
        skip_empty_lines: true,
        info: true,
        columns: (names: Array<string>) => (header = names.map(normalizeHeader))
      }),
    catch: (cause) => {
      const { message, lines } = cause as { message?: string; lines?: number }
      return new ConfigInvalid({
        source,
        issues: [Issue.error("InvalidCsv", "$", message ?? String(cause), lines === undefined ? {} : { line: lines })]
      })
    }
  })
  for (const name of header) {
    if (csvColumns.includes(name) || /^question_alt\.[a-z]{2,3}(-[a-z0-9]+)*$/.test(name)) continue
    const suggestion = didYouMean(name, csvColumns)
    issues.push(
      Issue.warning(
        "IgnoredColumn",
        "$",
        `column "${name}" is not a benchmark field and was not imported`,
        suggestion === undefined ? { line: 1 } : { line: 1, suggestion }
      )
    )
  }
  for (const required of ["question", "expected_sql"])
    if (!header.includes(required))
      issues.push(
        Issue.error(
          "MissingColumn",
          "$",
          `the header row has no "${required}" column (columns: ${csvColumns.join(", ")})`,
          { line: 1 }
        )
      )
  if (Issue.hasErrors(issues)) return { items: [], issues, perItemDefaultsWarnings: true } satisfies Reading
  let previousEnd = 1
  let previousSkipped = 0
  const items = rows.map(({ record, info }, index): SourceItem => {
    const skipped = info.empty_lines + info.comment_lines
    const line = previousEnd + 1 + (skipped - previousSkipped)
    previousEnd = info.lines
    previousSkipped = skipped
    const cell = (name: string): string | undefined => {
      const value = record[name]?.trim()
      return value === undefined || value === "" ? undefined : value
    }
    const tags = cell("tags")
      ?.split(/[;|]/)
      .map((t) => t.trim())
      .filter((t) => t !== "")
    const alternatives = Object.fromEntries(
      Object.entries(record)
        .filter(([name, value]) => name.startsWith("question_alt.") && value.trim() !== "")
        .map(([name, value]) => [name.slice("question_alt.".length), value])
    )
    return {
      path: [index],
      line,
      values: {
        id: cell("id"),
        // Free text and SQL are kept as written; only the short enum-like cells are trimmed.
        question: record["question"],
        expected_sql: record["expected_sql"],
        category: cell("category"),
        difficulty: cell("difficulty"),
        split: cell("split"),
        tags,
        korean_question: record["korean_question"]?.trim() === "" ? undefined : record["korean_question"],
        question_alt: Object.keys(alternatives).length === 0 ? undefined : alternatives
      },
      origin: { question_alt: ["korean_question"] }
    }
  })
  return { items, issues, perItemDefaultsWarnings: true } satisfies Reading
})

const read = Effect.fnUntraced(function* (text: string, source: string, format: ImportFormat) {
  if (format === "csv") return yield* readCsv(text, source)
  const value = yield* Benchmark.parseYaml(text, source)
  if (format === "space") return yield* readSpace(value, source)
  const issues: Array<Issue.Issue> = []
  if (format === "original-array") {
    if (!Array.isArray(value)) {
      issues.push(Issue.error("InvalidType", "$", "must be a list of benchmarks (the original tool's array format)"))
      return { items: [], issues, perItemDefaultsWarnings: true } satisfies Reading
    }
    return { items: readOriginalItems(value, [], issues), issues, perItemDefaultsWarnings: true } satisfies Reading
  }
  if (!isRecord(value) || !Array.isArray(value["benchmarks"])) {
    issues.push(Issue.error("InvalidType", "$", 'must be an object {"benchmarks": [...], "metadata": {...}}'))
    return { items: [], issues, perItemDefaultsWarnings: true } satisfies Reading
  }
  for (const key of Object.keys(value))
    if (key !== "benchmarks" && key !== "metadata")
      issues.push(Issue.warning("IgnoredField", Issue.formatPath([key]), `field "${key}" was not imported`))
  const items = readOriginalItems(value["benchmarks"] as ReadonlyArray<unknown>, ["benchmarks"], issues)
  return { items, issues, perItemDefaultsWarnings: true } satisfies Reading
})

const isBlank = (value: unknown): boolean => value === undefined || value === null || value === ""

/** Maps one source item to a (not yet validated) benchmark; the id is settled later, across all items. */
const toBenchmark = (
  item: SourceItem,
  defaults: { readonly category: string; readonly difficulty: Benchmark.Difficulty; readonly warn: boolean },
  issues: Array<Issue.Issue>
): Record<string, unknown> => {
  const v = item.values
  const at = (field: string) => Issue.formatPath([...item.path, field])
  const extra = item.line === undefined ? {} : { line: item.line }
  const out: Record<string, unknown> = {}
  if (!isBlank(v["id"])) out["id"] = typeof v["id"] === "number" ? String(v["id"]) : v["id"]
  const korean = v["korean_question"]
  // The original tool filled either field; use the Korean one when it is the only question.
  out["question"] = isBlank(v["question"]) && typeof korean === "string" ? korean : v["question"]
  out["expected_sql"] = v["expected_sql"]
  if (isBlank(v["category"])) {
    out["category"] = defaults.category
    if (defaults.warn)
      issues.push(Issue.warning("DefaultCategory", at("category"), `no category; using "${defaults.category}"`, extra))
  } else out["category"] = v["category"]
  if (isBlank(v["difficulty"])) {
    out["difficulty"] = defaults.difficulty
    if (defaults.warn)
      issues.push(
        Issue.warning("DefaultDifficulty", at("difficulty"), `no difficulty; using "${defaults.difficulty}"`, extra)
      )
  } else
    out["difficulty"] = typeof v["difficulty"] === "string" ? v["difficulty"].trim().toLowerCase() : v["difficulty"]
  for (const field of ["split", "comparison", "tags"]) if (!isBlank(v[field])) out[field] = v[field]
  const alt: Record<string, unknown> = isRecord(v["question_alt"]) ? { ...v["question_alt"] } : {}
  if (typeof korean === "string" && korean.trim() !== "" && korean !== out["question"] && alt["ko"] === undefined)
    alt["ko"] = korean
  if (v["question_alt"] !== undefined && !isRecord(v["question_alt"])) out["question_alt"] = v["question_alt"]
  else if (Object.keys(alt).length > 0) out["question_alt"] = alt
  return out
}

/**
 * Gives every id-less benchmark `deriveId(question)`, suffixing `_2`, `_3`… on collisions. Colliding items are
 * ordered by content, not position, so shuffling the input does not change which item gets which id.
 */
const settleIds = (benchmarks: ReadonlyArray<Record<string, unknown>>): number => {
  const taken = new Set(benchmarks.map((b) => b["id"]).filter((id): id is string => typeof id === "string"))
  const groups = new Map<string, Array<Record<string, unknown>>>()
  for (const b of benchmarks) {
    if (b["id"] !== undefined || typeof b["question"] !== "string") continue
    const base = Benchmark.deriveId(b["question"])
    groups.set(base, [...(groups.get(base) ?? []), b])
  }
  const contentKey = (b: Record<string, unknown>) => JSON.stringify(b)
  for (const base of [...groups.keys()].sort()) {
    const group = groups.get(base)!.map((b) => ({ b, key: contentKey(b) }))
    group.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0))
    let n = 1
    for (const { b } of group) {
      let id = n === 1 ? base : `${base}_${n}`
      while (taken.has(id)) id = `${base}_${++n}`
      b["id"] = id
      taken.add(id)
      n++
    }
  }
  return [...groups.values()].reduce((sum, g) => sum + g.length, 0)
}

/** Rewrites an issue about the canonical result (`$.benchmarks[k].field`) into the input's terms. */
const toInputTerms = (issue: Issue.Issue, items: ReadonlyArray<SourceItem>): Issue.Issue => {
  const segments = parsePath(issue.path)
  const index = segments[1]
  const item = typeof index === "number" && segments[0] === "benchmarks" ? items[index] : undefined
  const message = issue.message.replace(/\$\.benchmarks\[(\d+)\]/g, (whole, k: string) => {
    const other = items[Number(k)]
    return other === undefined ? whole : Issue.formatPath(other.path)
  })
  if (item === undefined) return { ...issue, message }
  const field = segments[2]
  const rest = segments.slice(3)
  const origin = typeof field === "string" ? item.origin[field] : undefined
  const path =
    field === undefined ? item.path : origin !== undefined ? [...item.path, ...origin] : [...item.path, field, ...rest]
  return {
    ...issue,
    path: Issue.formatPath(path),
    message,
    ...(item.line === undefined ? {} : { line: item.line })
  }
}

/**
 * Reads benchmarks in any supported format and returns them as a validated canonical file.
 *
 * **Details**
 * - Ids are kept. Items without one get a stable id derived from the question (`Benchmark.deriveId`), identical on
 *   every import of the same file whatever the item order.
 * - `korean_question` that differs from `question` becomes `question_alt.ko`; SQL is kept byte-exact.
 * - Missing category/difficulty fall back to the defaults (`uncategorized`, `medium`) with a warning.
 * - Problems name the item in the input's own terms (`$[4].expected_sql`, `$.benchmarks.questions[2].answer`) and
 *   carry its line. The failure lists warnings too, after the errors.
 *
 * @category constructors
 */
export const importText = Effect.fn("BenchmarkImport.importText")(function* (text: string, options: ImportOptions) {
  const source = options.source
  const format = options.format ?? detectFormat(text, source)
  if (format === undefined)
    return yield* new ConfigInvalid({
      source,
      issues: [
        Issue.error(
          "UnknownFormat",
          "$",
          `cannot tell the benchmark format; supported formats are ${formats.join(", ")}`
        )
      ]
    })
  if (format === "canonical") {
    const file = yield* Benchmark.parse(text, source)
    return { file, format, warnings: [] as ReadonlyArray<Issue.Issue> } satisfies ImportResult
  }
  const reading = yield* read(text, source, format)
  const issues = [...reading.issues]
  const defaults = {
    category: options.defaultCategory ?? "uncategorized",
    difficulty: options.defaultDifficulty ?? "medium",
    warn: reading.perItemDefaultsWarnings
  }
  const benchmarks = reading.items.map((item) => toBenchmark(item, defaults, issues))
  if (!reading.perItemDefaultsWarnings && benchmarks.length > 0 && options.defaultCategory === undefined)
    issues.push(
      Issue.warning(
        "DefaultCategory",
        "$",
        `a space's benchmarks have no category or difficulty; all ${benchmarks.length} use "${defaults.category}" and "${defaults.difficulty}"`
      )
    )
  const derived = settleIds(benchmarks)
  if (derived > 0)
    issues.push(
      Issue.warning(
        "DerivedId",
        "$",
        `${derived} item${derived === 1 ? "" : "s"} had no id; derived stable ids (q_…) from the question text`
      )
    )
  const file = { apiVersion: 1, benchmarks } as unknown as Benchmark.BenchmarkFile
  // Reader issues are more specific than the schema's view of the same value (e.g. "must be a list of strings").
  const readerPaths = new Set(issues.filter((i) => i.severity === "error").map((i) => i.path))
  const validation = Benchmark.validate(file)
    // An id is never required on import (it is derived); a missing one means the question is broken, reported already.
    .filter((issue) => !(issue.code === "MissingField" && parsePath(issue.path)[2] === "id"))
    .map((issue) => toInputTerms(issue, reading.items))
    .filter((issue) => !readerPaths.has(issue.path))
  const all = [...issues, ...validation]
  // CSV issues already carry their line; CSV text cannot be located by JSON path.
  const located = format === "csv" ? all : locateIssues(text, all)
  if (Issue.hasErrors(located))
    return yield* new ConfigInvalid({
      source,
      issues: [...located.filter((i) => i.severity === "error"), ...located.filter((i) => i.severity === "warning")]
    })
  return { file, format, warnings: located } satisfies ImportResult
})
