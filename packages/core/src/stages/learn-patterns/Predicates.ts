/**
 * Patterns read from WHERE clauses and the data:
 *
 * - `filter`: a recurring predicate, with how often it is implicit (its literal never written in the question) and
 *   the measures it is folded into ({@link FilterDetails});
 * - `value`: a string column whose values questions name (→ entity matching), or a categorical column of a table
 *   the benchmarks read, measured on the data ({@link ValueDetails});
 * - `date-convention`: calendar years, relative windows, explicit ranges (including years that start in another
 *   month, such as fiscal years) and grains ({@link DateConventionDetails}).
 */
import { Effect } from "effect"
import * as SqlAnalysis from "../../sql/SqlAnalysis.js"
import type { Executor } from "../execute/Executor.js"
import * as Catalog from "./Catalog.js"
import type { Item, PredicateUse } from "./Corpus.js"
import { mentions, splitColumn } from "./Corpus.js"
import type { MeasureDetails } from "./Measures.js"
import type { Context } from "./Mining.js"
import { explains, pattern } from "./Mining.js"
import type { Pattern } from "./PatternLearner.js"
import * as Tokens from "./Tokens.js"

/** `details` of a `filter` pattern. @category models */
export interface FilterDetails {
  readonly predicate: string
  /** `table.column` (short table names). */
  readonly columns: ReadonlyArray<string>
  readonly tables: ReadonlyArray<string>
  /** Uses whose question never writes the literal. */
  readonly implicit: number
  readonly occurrences: number
  /** Measure names the filter is folded into. */
  readonly foldedInto: ReadonlyArray<string>
  /** True when a space filter snippet already has this predicate. */
  readonly configured: boolean
}

/** `details` of a `value` pattern. @category models */
export interface ValueDetails {
  /** Full table identifier. */
  readonly table: string
  readonly column: string
  /** `question`: questions name its values; `profile`: a categorical column found on the data. */
  readonly source: "question" | "profile"
  /** Values the questions name, as stored, with how a question wrote them when that differs. */
  readonly mentioned: ReadonlyArray<{ readonly value: string; readonly asWritten?: string }>
  readonly distinct?: number
  /** The most frequent values (at most `sampleValues`). */
  readonly sample: ReadonlyArray<string>
  readonly entityMatching: boolean
}

/** `details` of a `date-convention` pattern. @category models */
export interface DateConventionDetails {
  /** `table.column` (short table name) and its full table. */
  readonly column: string
  readonly table: string
  readonly form: "calendar-year" | "relative-window" | "explicit-range" | "offset-year" | "grain"
  readonly grain?: string
  /** Relative windows: amount and unit (`30`, `day`). */
  readonly window?: { readonly value: string; readonly unit: string }
  /** Offset years: the month the year starts in, and its calendar year relative to the year named. */
  readonly startMonth?: number
  readonly yearOffset?: number
  /** Question words next to the year that name the convention (not calendar or function words). */
  readonly cue: ReadonlyArray<string>
}

const short = (full: string) => full.split(".").pop() ?? full

/** Mines `filter` patterns (predicates seen twice, or implicit ones). @category constructors */
export const mineFilters = (ctx: Context, measures: ReadonlyArray<Pattern>): ReadonlyArray<Pattern> => {
  const groups = new Map<string, Array<{ item: Item; p: PredicateUse }>>()
  for (const item of ctx.corpus.items)
    for (const p of item.predicates)
      if (!p.time && p.clause === "where") groups.set(p.sql, [...(groups.get(p.sql) ?? []), { item, p }])
  const configuredSnippets = (ctx.space.instructions?.sql_snippets?.filters ?? []).map((f) =>
    f.sql.join(" ").replace(/\s+/g, " ").toLowerCase()
  )
  const patterns: Array<Pattern> = []
  for (const [sql, uses] of groups) {
    const implicit = uses.filter((u) => !u.p.explicit).length
    if (uses.length < 2 && implicit === 0) continue
    const foldedInto = measures
      .filter((m) => (m.details as MeasureDetails).filters.includes(sql))
      .map((m) => (m.details as MeasureDetails).name)
    const tables = [
      ...new Set(uses.flatMap((u) => u.p.columns.map((c) => u.item.tables[splitColumn(c)[0]] ?? splitColumn(c)[0])))
    ].sort()
    const configured = configuredSnippets.some((s) => s === sql.toLowerCase())
    const details: FilterDetails = {
      predicate: sql,
      columns: uses[0].p.columns,
      tables,
      implicit,
      occurrences: uses.length,
      foldedInto,
      configured
    }
    const supporting = uses.map((u) => u.item.benchmark.id)
    patterns.push(
      pattern({
        kind: "filter",
        key: sql,
        description: `${sql}: ${uses.length} use(s), ${implicit} implicit${foldedInto.length > 0 ? `; folded into ${foldedInto.join(", ")}` : ""}`,
        sql,
        details,
        supporting,
        explains: explains(ctx, supporting, configured || foldedInto.length > 0, [sql])
      })
    )
  }
  return patterns
}

/** Mines `value` patterns: columns questions name values of, then categorical columns of the tables read. @category constructors */
export const mineValues = (ctx: Context, executor: Executor["Type"]) =>
  Effect.gen(function* () {
    const byColumn = new Map<
      string,
      { table: string; column: string; mentioned: Map<string, string | undefined>; items: Set<string> }
    >()
    const referenced = new Map<string, Set<string>>() // full table → columns the SQL reads
    for (const item of ctx.corpus.items) {
      for (const [alias, full] of Object.entries(item.tables)) {
        const cols = referenced.get(full) ?? new Set<string>()
        for (const c of [
          ...item.facts.outputs.flatMap((o) => o.columns),
          ...item.facts.groupBy,
          ...item.predicates.flatMap((p) => p.columns)
        ])
          if (splitColumn(c)[0] === alias) cols.add(splitColumn(c)[1])
        referenced.set(full, cols)
      }
      for (const p of item.predicates) {
        if (!p.explicit || p.columns.length !== 1 || p.subject !== p.columns[0]) continue
        const [alias, column] = splitColumn(p.columns[0])
        const table = item.tables[alias]
        if (table === undefined || !Catalog.isString(Catalog.column(ctx.catalog, table, column))) continue
        const key = `${table}.${column}`
        const entry = byColumn.get(key) ?? { table, column, mentioned: new Map(), items: new Set() }
        for (const l of p.literals.filter((x) => x.type === "string")) {
          const written = item.tokens.find((t) => t.lower === l.value.toLowerCase() && t.raw !== l.value)?.raw
          const asWritten =
            written ??
            (mentions(item.tokens, l.value) && !item.benchmark.question.includes(l.value)
              ? l.value.toLowerCase()
              : undefined)
          entry.mentioned.set(l.value, asWritten)
        }
        entry.items.add(item.benchmark.id)
        byColumn.set(key, entry)
      }
    }
    // Categorical string columns of every table the benchmarks read, measured on the data.
    const candidates: Array<{ table: string; column: string }> = []
    for (const table of referenced.keys()) {
      for (const c of ctx.catalog.get(table)?.columns ?? []) {
        if (Catalog.isString(c)) candidates.push({ table, column: c.name.toLowerCase() })
      }
    }
    const profiles = new Map<string, Catalog.Profile | undefined>()
    for (const table of new Set(candidates.map((c) => c.table))) {
      profiles.set(
        table,
        yield* Catalog.profile(
          executor,
          table,
          candidates.filter((c) => c.table === table).map((c) => c.column)
        )
      )
    }
    const configs = (table: string, column: string) =>
      (ctx.space.data_sources?.tables ?? [])
        .find((t) => t.identifier.toLowerCase() === table)
        ?.column_configs?.find((c) => c.column_name.toLowerCase() === column)
    const patterns: Array<Pattern> = []
    for (const { table, column } of candidates) {
      const key = `${table}.${column}`
      const found = byColumn.get(key)
      const distinct = profiles.get(table)?.distinct.get(column)
      const rows = profiles.get(table)?.rows ?? 0
      const categorical =
        distinct !== undefined && distinct >= 2 && distinct <= ctx.options.maxCategoricalValues && distinct < rows
      if (found === undefined && !categorical) continue
      const sample = yield* Catalog.distinctValues(executor, table, column, ctx.options.sampleValues)
      const config = configs(table, column)
      const entityMatching = config?.enable_entity_matching === true || config?.build_value_dictionary === true
      const usedBy = ctx.corpus.items
        .filter((i) =>
          Object.entries(i.tables).some(
            ([alias, full]) =>
              full === table &&
              [
                ...i.facts.groupBy,
                ...i.facts.outputs.flatMap((o) => o.columns),
                ...i.predicates.flatMap((p) => p.columns)
              ].includes(`${alias}.${column}`)
          )
        )
        .map((i) => i.benchmark.id)
      const supporting = found === undefined ? usedBy : [...found.items]
      const mentioned = [...(found?.mentioned ?? new Map<string, string | undefined>()).entries()].map(
        ([value, asWritten]) => (asWritten === undefined ? { value } : { value, asWritten })
      )
      const details: ValueDetails = {
        table,
        column,
        source: found === undefined ? "profile" : "question",
        mentioned,
        ...(distinct === undefined ? {} : { distinct }),
        sample,
        entityMatching
      }
      patterns.push(
        pattern({
          kind: "value",
          key,
          description:
            found === undefined
              ? `${short(table)}.${column}: categorical, ${distinct} distinct values (${sample.slice(0, 5).join(", ")}${sample.length > 5 ? ", …" : ""})`
              : `${short(table)}.${column}: questions name ${mentioned.map((m) => m.value).join(", ")}`,
          details,
          supporting,
          explains: explains(ctx, supporting, entityMatching, [column, ...mentioned.map((m) => m.value)])
        })
      )
    }
    return patterns
  })

const isoDate = (s: string): { y: number; m: number; d: number } | undefined => {
  const parts = s.split("-").map(Number)
  return parts.length === 3 && parts.every((n) => Number.isInteger(n))
    ? { y: parts[0], m: parts[1], d: parts[2] }
    : undefined
}

/** Mines `date-convention` patterns from time predicates and grains. @category constructors */
export const mineDateConventions = (ctx: Context): ReadonlyArray<Pattern> => {
  const groups = new Map<string, { details: DateConventionDetails; items: Array<string> }>()
  const add = (details: DateConventionDetails, id: string) => {
    const key = JSON.stringify({ ...details, cue: details.cue.join(" ") })
    const entry = groups.get(key) ?? { details, items: [] }
    entry.items.push(id)
    groups.set(key, entry)
  }
  for (const item of ctx.corpus.items) {
    const years = item.tokens.filter((t) => /^(19|20)\d\d$/.test(t.lower))
    const time = item.predicates.filter((p) => p.time && p.columns.length === 1)
    const byColumn = new Map<string, Array<PredicateUse>>()
    for (const p of time) byColumn.set(p.columns[0], [...(byColumn.get(p.columns[0]) ?? []), p])
    for (const [column, ps] of byColumn) {
      const table = item.tables[splitColumn(column)[0]] ?? ""
      const base = { column, table }
      const dates = ps.flatMap((p) =>
        p.literals.filter((l) => l.type === "date").map((l) => ({ p, date: isoDate(l.value) }))
      )
      const start = dates.find((d) => d.p.operator === "gte" || d.p.operator === "gt")?.date
      const end = dates.find((d) => d.p.operator === "lt" || d.p.operator === "lte")?.date
      for (const p of ps) {
        const head = p.subject === undefined ? undefined : SqlAnalysis.expressionHead(p.subject)?.head
        if (head === "year" && p.literals.some((l) => l.type === "number"))
          add({ ...base, form: "calendar-year", cue: [] }, item.benchmark.id)
        const relative = p.subject !== undefined && p.literals.length === 0
        if (relative && (p.operator === "gte" || p.operator === "gt")) {
          const window = relativeWindow(p.sql)
          if (window !== undefined) add({ ...base, form: "relative-window", window, cue: [] }, item.benchmark.id)
        }
      }
      if (start !== undefined && end !== undefined) {
        const named = years.map((t) => Number(t.lower))
        const year = named.find((y) => y === start.y || y === end.y || y === start.y + 1)
        const spansYear = end.y === start.y + 1 && end.m === start.m && start.d === 1 && end.d === 1
        if (spansYear && start.m === 1) add({ ...base, form: "calendar-year", cue: [] }, item.benchmark.id)
        else if (spansYear && year !== undefined) {
          const at = years.find((t) => Number(t.lower) === year)!.index
          const cue = item.tokens
            .filter((t) => t.index < at && t.index >= at - 3 && !Tokens.isFunctionWord(t) && !Tokens.isNumeric(t))
            .map((t) => t.lower)
          add({ ...base, form: "offset-year", startMonth: start.m, yearOffset: start.y - year, cue }, item.benchmark.id)
        } else add({ ...base, form: "explicit-range", cue: [] }, item.benchmark.id)
      }
    }
    for (const d of item.dimensions) {
      if (d.kind !== "grain" || d.columns.length !== 1) continue
      const table = item.tables[splitColumn(d.columns[0])[0]] ?? ""
      add({ column: d.columns[0], table, form: "grain", grain: d.grain ?? "day", cue: [] }, item.benchmark.id)
    }
  }
  return [...groups.values()].map(({ details, items }) =>
    pattern({
      kind: "date-convention",
      key: JSON.stringify(details),
      description:
        details.form === "offset-year"
          ? `"${details.cue.join(" ")} N" on ${details.column} runs from ${details.startMonth}/1 of N${details.yearOffset! >= 0 ? "+" : ""}${details.yearOffset} for one year (${items.length} benchmark(s))`
          : `${details.form}${details.grain === undefined ? "" : ` ${details.grain}`}${details.window === undefined ? "" : ` last ${details.window.value} ${details.window.unit}`} on ${details.column} (${items.length} benchmark(s))`,
      details,
      supporting: items,
      explains: explains(ctx, items, details.form !== "offset-year", [details.column])
    })
  )
}

const relativeWindow = (predicateSql: string): { value: string; unit: string } | undefined => {
  // The right-hand side of `col >= <clock> - INTERVAL n unit`.
  const a = SqlAnalysis.expressionHead(`(${predicateSql})`)
  return a?.relative === true && a.intervalValue !== undefined ? a.intervalValue : undefined
}
