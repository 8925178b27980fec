/**
 * What the `llm` fixer sends: the inputs of the `fix/*` prompts, built in one place so the data-egress rules are
 * visible and testable here. Only the train split reaches a prompt (a `TrainSet`, and failures filtered to its
 * ids); with `sendRows: false` no result value does either: no result rows, no differing cells, no Genie text, no
 * judge explanation, no evidence message, and value patterns lose their data samples.
 */
import type { TrainSet } from "../../model/BenchmarkSplit.js"
import type { BenchmarkResult } from "../../model/Results.js"
import type { SerializedSpace } from "../../model/Space.js"
import type { Catalog } from "../learn-patterns/Catalog.js"
import type { Pattern, PatternBook } from "../learn-patterns/PatternLearner.js"
import type { ValueDetails } from "../learn-patterns/Predicates.js"
import type { Fix } from "./Fixer.js"

/** What may leave the process, from the profile's `evaluate` settings. @category models */
export interface Egress {
  /** `evaluate.sendRows`: result values may be sent. */
  readonly sendRows: boolean
  /** Rows per result set when they may be sent. */
  readonly sampleRows: number
}

const joinText = (text: ReadonlyArray<string> | undefined): string => (text ?? []).join("")
const jsonLines = (values: ReadonlyArray<unknown>): string =>
  values.length === 0 ? "(none)" : values.map((v) => JSON.stringify(v)).join("\n")

/**
 * The space as the model sees it: configured metadata, the text instruction, join specs, snippets and examples.
 *
 * @category constructors
 */
export const space = (s: SerializedSpace): string => {
  const instructions = s.instructions
  const snippet = (x: {
    readonly id: string
    readonly sql: ReadonlyArray<string>
    readonly display_name?: string
    readonly synonyms?: ReadonlyArray<string>
    readonly alias?: string
  }) => ({
    id: x.id,
    ...(x.alias === undefined ? {} : { alias: x.alias }),
    ...(x.display_name === undefined ? {} : { displayName: x.display_name }),
    sql: joinText(x.sql),
    ...(x.synonyms === undefined || x.synonyms.length === 0 ? {} : { synonyms: x.synonyms })
  })
  const summary = {
    tables: (s.data_sources?.tables ?? []).map((t) => ({
      identifier: t.identifier,
      ...(t.description === undefined ? {} : { description: joinText(t.description) }),
      columns: (t.column_configs ?? []).map((c) => ({
        name: c.column_name,
        ...(c.description === undefined ? {} : { description: joinText(c.description) }),
        ...(c.synonyms === undefined || c.synonyms.length === 0 ? {} : { synonyms: c.synonyms }),
        ...(c.enable_entity_matching === true || c.build_value_dictionary === true ? { entityMatching: true } : {}),
        ...(c.enable_format_assistance === true || c.get_example_values === true ? { formatAssistance: true } : {}),
        ...(c.exclude === true ? { excluded: true } : {})
      }))
    })),
    metricViews: (s.data_sources?.metric_views ?? []).map((m) => m.identifier),
    textInstruction: (instructions?.text_instructions ?? []).map((t) => joinText(t.content)).join("\n"),
    joinSpecs: (instructions?.join_specs ?? []).map((j) => ({
      id: j.id,
      left: j.left,
      right: j.right,
      sql: j.sql.filter((l) => !l.trim().startsWith("--")).join(" AND "),
      relationship: /--rt=FROM_RELATIONSHIP_TYPE_([A-Z_]+)--/.exec(j.sql.join(""))?.[1]
    })),
    snippets: {
      measures: (instructions?.sql_snippets?.measures ?? []).map(snippet),
      filters: (instructions?.sql_snippets?.filters ?? []).map(snippet),
      expressions: (instructions?.sql_snippets?.expressions ?? []).map(snippet)
    },
    examples: (instructions?.example_question_sqls ?? []).map((e) => ({
      id: e.id,
      question: joinText(e.question),
      sql: joinText(e.sql)
    }))
  }
  // One line per part, compact within: indentation would cost tokens on every call.
  const parts = Object.entries({ ...summary, ...summary.snippets, snippets: undefined }).filter(
    ([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0) && v !== ""
  )
  return `{\n${parts.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(",\n")}\n}`
}

/** The tables of the space with their columns and types, from the warehouse. @category constructors */
export const catalog = (c: Catalog): string =>
  jsonLines(
    [...c.values()].map((t) => ({ table: t.identifier, columns: t.columns.map((x) => `${x.name} ${x.typeName}`) }))
  )

/** A pattern without data values when rows may not be sent (value patterns carry a sample of the column). */
const patternView = (p: Pattern, egress: Egress) => {
  const base = {
    id: p.id,
    kind: p.kind,
    ...(p.sql === undefined ? {} : { sql: p.sql }),
    supportedBy: p.supportingBenchmarkIds,
    ...(p.explainsFailures.length === 0 ? {} : { explainsFailures: p.explainsFailures })
  }
  if (p.kind !== "value" || egress.sendRows) return { ...base, description: p.description, details: p.details }
  const d = p.details as ValueDetails | undefined
  if (d === undefined) return { ...base, description: `${p.kind} pattern` }
  // Only what the questions wrote: a stored value is data.
  const named = d.mentioned.map((m) => m.asWritten ?? m.value)
  return {
    ...base,
    description:
      named.length > 0
        ? `${d.table}.${d.column}: questions name ${named.join(", ")}`
        : `${d.table}.${d.column}: categorical${d.distinct === undefined ? "" : `, ${d.distinct} distinct values`}`,
    details: {
      table: d.table,
      column: d.column,
      source: d.source,
      questionsName: named,
      ...(d.distinct === undefined ? {} : { distinct: d.distinct }),
      entityMatching: d.entityMatching
    }
  }
}

/**
 * The pattern book, most supported first, at most `limit` patterns.
 *
 * @category constructors
 */
export const patterns = (book: PatternBook, egress: Egress, limit: number): string =>
  jsonLines(
    [...book.patterns]
      .sort(
        (a, b) =>
          b.explainsFailures.length - a.explainsFailures.length ||
          b.supportingBenchmarkIds.length - a.supportingBenchmarkIds.length
      )
      .slice(0, limit)
      .map((p) => patternView(p, egress))
  )

/** Fixes earlier fixers proposed, as the model sees them. @category constructors */
export const proposed = (fixes: ReadonlyArray<Fix>): string =>
  jsonLines(fixes.map((f) => ({ category: f.category, target: f.target, change: f.change })))

/**
 * The failed train benchmarks: holdout results are dropped (they must never reach a prompt), and with
 * `sendRows: false` only SQL, counts, column names and SQL findings remain.
 *
 * @category constructors
 */
export const failures = (
  results: ReadonlyArray<BenchmarkResult>,
  train: TrainSet,
  egress: Egress
): ReadonlyArray<Record<string, unknown>> => {
  const byId = new Map(train.map((b) => [b.id, b]))
  return results.flatMap((r) => {
    const b = byId.get(r.benchmarkId)
    if (b === undefined || r.verdict.outcome === "pass" || r.verdict.outcome === "excluded") return []
    const e = r.verdict.evidence
    const rows = (rs: ReadonlyArray<ReadonlyArray<string | null>> | undefined) =>
      egress.sendRows && rs !== undefined && rs.length > 0 ? rs.slice(0, egress.sampleRows) : undefined
    const evidence = {
      ...(e?.expectedRows === undefined ? {} : { expectedRows: e.expectedRows }),
      ...(e?.actualRows === undefined ? {} : { actualRows: e.actualRows }),
      ...(e?.expectedColumns === undefined ? {} : { expectedColumns: e.expectedColumns }),
      ...(e?.actualColumns === undefined ? {} : { actualColumns: e.actualColumns }),
      ...(e?.missingRows === undefined ? {} : { missingRows: e.missingRows }),
      ...(e?.extraRows === undefined ? {} : { extraRows: e.extraRows }),
      ...(egress.sendRows && e?.differences !== undefined ? { differences: e.differences.slice(0, 5) } : {}),
      ...(egress.sendRows && e?.message !== undefined ? { note: e.message } : {})
    }
    const expectedSample = rows(r.expected?.rows)
    const genieSample = rows(r.answer?.result?.rows)
    return [
      {
        id: b.id,
        question: b.question,
        expectedSql: b.expected_sql,
        genieSql: r.answer?.sql ?? null,
        ...(r.answer?.error === undefined ? {} : { genieError: r.answer.error.type }),
        ...(egress.sendRows && r.answer?.text !== undefined ? { genieText: r.answer.text } : {}),
        outcome: r.verdict.outcome,
        reasons: r.verdict.reasons,
        ...(r.failureCategory === undefined ? {} : { failureCategory: r.failureCategory }),
        ...(r.verdict.diagnosis === undefined ? {} : { findings: r.verdict.diagnosis.findings }),
        ...(Object.keys(evidence).length === 0 ? {} : { evidence }),
        ...(egress.sendRows && r.verdict.judge !== undefined ? { judge: r.verdict.judge.explanation } : {}),
        ...(expectedSample === undefined ? {} : { expectedRows: expectedSample }),
        ...(genieSample === undefined ? {} : { genieRows: genieSample })
      }
    ]
  })
}

/** Failures as prompt text, one JSON object per line. @category constructors */
export const failureLines = (items: ReadonlyArray<Record<string, unknown>>): string =>
  items.length === 0
    ? "(none: no failed benchmark was given; propose only what the patterns clearly support, or nothing)"
    : jsonLines(items)

/** The current text instruction, verbatim. @category constructors */
export const instruction = (s: SerializedSpace): string => {
  const text = (s.instructions?.text_instructions ?? []).map((t) => joinText(t.content)).join("\n")
  return text.trim() === "" ? "(empty)" : text
}

/** `ko` → `Korean (ko)`; unknown tags as given. @category constructors */
export const languageName = (tag: string): string => {
  const name = (() => {
    try {
      return new Intl.DisplayNames(["en"], { type: "language" }).of(tag)
    } catch {
      return undefined
    }
  })()
  return name === undefined || name === tag ? tag : `${name} (${tag})`
}
