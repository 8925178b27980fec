/**
 * The train split read once: each benchmark's expected SQL analysed (every query block, with `SqlAnalysis`), its
 * question tokenised, and the SQL elements it uses named — measures, dimensions, predicates (time or not, explicit
 * in the question or implicit), shapes. Every pattern kind is mined from this.
 */
import type { Benchmark } from "../../model/Benchmark.js"
import * as SqlAnalysis from "../../sql/SqlAnalysis.js"
import type { LiteralFact, SqlFacts } from "../../sql/SqlAnalysis.js"
import * as Catalog from "./Catalog.js"
import * as Tokens from "./Tokens.js"

/** An aggregate expression a query outputs. @category models */
export interface MeasureUse {
  /** Normalised SQL (`SUM(t.a * t.b)`); columns qualified by short table names. */
  readonly sql: string
  readonly alias: string | undefined
  readonly columns: ReadonlyArray<string>
}

/** What a query groups by: a column, a calendar grain of a date column, or a derived expression. @category models */
export interface DimensionUse {
  readonly sql: string
  readonly alias: string | undefined
  readonly kind: "column" | "grain" | "expression"
  readonly columns: ReadonlyArray<string>
  /** For grains: `day`, `week`, `month`, `quarter`, `year`. */
  readonly grain?: string
}

/** A WHERE or HAVING conjunct, classified. @category models */
export interface PredicateUse {
  readonly sql: string
  readonly clause: "where" | "having"
  readonly columns: ReadonlyArray<string>
  readonly operator: string | undefined
  readonly subject: string | undefined
  readonly literals: ReadonlyArray<LiteralFact>
  /** It constrains a date or timestamp column (a time window). */
  readonly time: boolean
  /** Every string literal of it is written in the question (`'Big'` for "big boxes"). */
  readonly explicit: boolean
}

/** One train benchmark, analysed. @category models */
export interface Item {
  readonly benchmark: Benchmark
  readonly facts: SqlFacts
  /** Full table identifiers (lower case) by short name. */
  readonly tables: Readonly<Record<string, string>>
  readonly measures: ReadonlyArray<MeasureUse>
  readonly dimensions: ReadonlyArray<DimensionUse>
  readonly predicates: ReadonlyArray<PredicateUse>
  /** Facts of each nested query block (subqueries, CTE bodies). */
  readonly blocks: ReadonlyArray<SqlFacts>
  readonly tokens: ReadonlyArray<Tokens.Token>
}

/** The whole train split analysed; benchmarks whose SQL cannot be analysed are listed apart. @category models */
export interface Corpus {
  readonly items: ReadonlyArray<Item>
  readonly unparseable: ReadonlyArray<{ readonly id: string; readonly message: string }>
}

const grainUnits: Readonly<Record<string, string>> = {
  year: "year",
  quarter: "quarter",
  month: "month",
  week: "week",
  weekofyear: "week",
  day: "day",
  dayofmonth: "day",
  to_date: "day",
  date: "day"
}

/** `table.column` → [table, column]. */
export const splitColumn = (ref: string): readonly [string, string] => {
  const dot = ref.lastIndexOf(".")
  return dot < 0 ? ["", ref] : [ref.slice(0, dot), ref.slice(dot + 1)]
}

const grainOf = (sql: string, columns: ReadonlyArray<string>, temporal: (ref: string) => boolean) => {
  if (columns.length !== 1 || !temporal(columns[0])) return undefined
  const head = SqlAnalysis.expressionHead(sql)
  if (head === undefined) return undefined
  if (head.head === "date_trunc" || head.head === "trunc") {
    const unit = head.literals.find((l) => l.type === "string")?.value.toLowerCase()
    return unit === undefined ? undefined : (grainUnits[unit] ?? unit)
  }
  return grainUnits[head.head]
}

/** True when a value (possibly several words) is written in the question. */
export const mentions = (tokens: ReadonlyArray<Tokens.Token>, value: string): boolean => {
  const words = Tokens.tokenize(value).map((t) => t.lower)
  if (words.length === 0) return false
  for (let i = 0; i + words.length <= tokens.length; i++) {
    if (words.every((w, k) => Tokens.sameWord(tokens[i + k].lower, w) || tokens[i + k].stem === Tokens.stem(w)))
      return true
  }
  return false
}

/** A benchmark with its SQL analysed (before the catalog is known). @category models */
export interface Parsed {
  readonly benchmark: Benchmark
  readonly analysis: SqlAnalysis.Analysis
  /** SQL of the nested query blocks. */
  readonly blockSql: ReadonlyArray<string>
}

/** Analyses the benchmarks' SQL once. @category constructors */
export const parse = (benchmarks: ReadonlyArray<Benchmark>): ReadonlyArray<Parsed> =>
  benchmarks.map((benchmark) => {
    const analysis = SqlAnalysis.analyze(benchmark.expected_sql)
    const blockSql =
      analysis._tag === "Analyzed" && (analysis.facts.nestedSelects ?? 0) > 0
        ? SqlAnalysis.queryBlocks(benchmark.expected_sql).slice(1)
        : []
    return { benchmark, analysis, blockSql }
  })

/**
 * Analyses the train benchmarks against the catalog (which says which columns are dates).
 *
 * @category constructors
 */
export const make = (
  benchmarks: ReadonlyArray<Benchmark> | ReadonlyArray<Parsed>,
  catalog: Catalog.Catalog
): Corpus => {
  const items: Array<Item> = []
  const unparseable: Array<{ id: string; message: string }> = []
  for (const entry of benchmarks) {
    const { benchmark, analysis, blockSql } = "analysis" in entry ? entry : parse([entry])[0]
    if (analysis._tag === "Unparseable") {
      unparseable.push({ id: benchmark.id, message: analysis.message })
      continue
    }
    const facts = analysis.facts
    const tables: Record<string, string> = {}
    for (const full of facts.tables) tables[SqlAnalysis.shortName(full)] = full
    const temporal = (ref: string) => {
      const [table, name] = splitColumn(ref)
      const full = tables[table]
      return full !== undefined && Catalog.isTemporal(Catalog.column(catalog, full, name))
    }
    const tokens = Tokens.tokenize(benchmark.question)
    const blocks = blockSql.flatMap((sql) => {
      const a = SqlAnalysis.analyze(sql)
      return a._tag === "Analyzed" ? [a.facts] : []
    })

    const measures: Array<MeasureUse> = []
    const consumed = new Set<string>()
    for (const o of facts.outputs) {
      if (!o.aggregate || o.window === true || o.star || blocks.length === 0) continue
      const rewritten = averageOfTotals(o, facts, blocks, tables, catalog, temporal)
      if (rewritten === undefined) continue
      measures.push(rewritten.measure)
      consumed.add(rewritten.inner)
    }
    for (const f of [facts, ...blocks]) {
      for (const o of f.outputs) {
        if (!o.aggregate || o.window === true || o.star || consumed.has(o.sql)) continue
        // An aggregate of a derived table's column (no such column in the catalog) has no flat form.
        if (o.columns.some((c) => !isCatalogColumn(c, tables, catalog))) continue
        // The latest (or first) date a nested query looks up is a bound of a filter, not a measure.
        const head = SqlAnalysis.expressionHead(o.sql)?.head
        if (f !== facts && (head === "max" || head === "min") && o.columns.length === 1 && temporal(o.columns[0]))
          continue
        if (!measures.some((m) => m.sql === o.sql)) measures.push({ sql: o.sql, alias: o.name, columns: o.columns })
      }
    }

    const dimensions: Array<DimensionUse> = []
    const outputsByName = new Map(
      [facts, ...blocks].flatMap((f) => f.outputs.filter((o) => !o.aggregate).map((o) => [o.sql, o.name] as const))
    )
    for (const sql of [...new Set([...facts.groupBy, ...blocks.flatMap((b) => b.groupBy)])]) {
      const columns =
        [facts, ...blocks].flatMap((f) => f.outputs).find((o) => o.sql === sql)?.columns ??
        columnsOfExpression(sql, tables)
      const grain = grainOf(sql, columns, temporal)
      const plain = columns.length === 1 && columns[0] === sql
      dimensions.push({
        sql,
        alias: outputsByName.get(sql),
        kind: plain ? "column" : grain !== undefined ? "grain" : "expression",
        columns,
        ...(grain === undefined ? {} : { grain })
      })
    }
    // Listed columns of a query without aggregates ("list the … names") are dimensions too.
    if (measures.length === 0) {
      for (const o of facts.outputs) {
        if (o.star || o.aggregate || dimensions.some((d) => d.sql === o.sql)) continue
        const plain = o.columns.length === 1 && o.columns[0] === o.sql
        dimensions.push({ sql: o.sql, alias: o.name, kind: plain ? "column" : "expression", columns: o.columns })
      }
    }

    const predicates: Array<PredicateUse> = facts.filters.map((f) => {
      const literals = f.literals ?? []
      const time = f.columns.some(temporal)
      const strings = literals.filter((l) => l.type === "string")
      return {
        sql: f.sql,
        clause: f.clause,
        columns: f.columns,
        operator: f.operator,
        subject: f.subject,
        literals,
        time,
        explicit: strings.length > 0 && strings.every((l) => mentions(tokens, l.value))
      }
    })
    items.push({ benchmark, facts, tables, measures, dimensions, predicates, blocks, tokens })
  }
  return { items, unparseable }
}

const isCatalogColumn = (ref: string, tables: Readonly<Record<string, string>>, catalog: Catalog.Catalog) => {
  const [table, name] = splitColumn(ref)
  const full = tables[table]
  return full === undefined || catalog.get(full) === undefined || Catalog.column(catalog, full, name) !== undefined
}

/**
 * The average of per-period totals (`AVG(t)` over a subquery of `SUM(x) AS t … GROUP BY <dims>, <date>`, the outer
 * query grouping by `<dims>`) as one flat aggregate: `TRY_DIVIDE(SUM(x), COUNT(DISTINCT <date>))`, which is equal
 * on every group. Returns it with the inner total it replaces, or undefined for any other shape.
 */
const averageOfTotals = (
  output: SqlAnalysis.OutputFact,
  facts: SqlFacts,
  blocks: ReadonlyArray<SqlFacts>,
  tables: Readonly<Record<string, string>>,
  catalog: Catalog.Catalog,
  temporal: (ref: string) => boolean
): { readonly measure: MeasureUse; readonly inner: string } | undefined => {
  if (SqlAnalysis.expressionHead(output.sql)?.head !== "avg" || output.columns.length !== 1) return undefined
  if (isCatalogColumn(output.columns[0], tables, catalog)) return undefined
  const name = splitColumn(output.columns[0])[1]
  const outerDims = facts.outputs.filter((o) => !o.aggregate).map((o) => splitColumn(o.sql)[1])
  for (const block of blocks) {
    const inner = block.outputs.find((o) => o.aggregate && o.name?.toLowerCase() === name && o.window !== true)
    if (inner === undefined || SqlAnalysis.expressionHead(inner.sql)?.head !== "sum") continue
    const extra = [...new Set(block.groupBy)].filter((g) => !outerDims.includes(splitColumn(g)[1]))
    if (extra.length !== 1 || !temporal(extra[0])) continue
    return {
      measure: {
        sql: `TRY_DIVIDE(${inner.sql}, COUNT(DISTINCT ${extra[0]}))`,
        alias: output.name,
        columns: [...inner.columns, extra[0]]
      },
      inner: inner.sql
    }
  }
  return undefined
}

/** Columns of a normalised expression, read by analysing `SELECT <expr> FROM <tables>`. */
const columnsOfExpression = (sql: string, tables: Readonly<Record<string, string>>): ReadonlyArray<string> => {
  const from = Object.entries(tables)
    .map(([short, full]) => `${full} AS ${short}`)
    .join(" CROSS JOIN ")
  const a = SqlAnalysis.analyze(`SELECT ${sql} FROM ${from || "dual"}`)
  return a._tag === "Analyzed" ? (a.facts.outputs[0]?.columns ?? []) : []
}

/** Temporal columns (`table.column`) of the tables an item reads. @category constructors */
export const temporalColumns = (item: Item, catalog: Catalog.Catalog): ReadonlyArray<string> =>
  Object.entries(item.tables).flatMap(([short, full]) =>
    (catalog.get(full)?.columns ?? [])
      .filter((c) => Catalog.isTemporal(c))
      .map((c) => `${short}.${c.name.toLowerCase()}`)
  )
