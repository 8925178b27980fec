/**
 * Composes a query when no example fits: measures (snippet measures, or a count / sum / average of what the
 * question names), dimensions ("by X", "per X", "each X", "which X", "top 5 X", a time grain, two values of one
 * column compared), filters (snippet filters, entity values, capitalised values next to a column name, time
 * windows), ordering and limits, and joins through join specs. When it cannot tell what to compute, or cannot join
 * what it needs, the answer is text.
 */
import * as Hangul from "./Hangul.js"
import * as Joins from "./Joins.js"
import type { Column, Model, Snippet } from "./Model.js"
import { keyColumn, labelColumn } from "./Model.js"
import type { OrderKey, Output, Query } from "./Query.js"
import { quoteAlias } from "./Query.js"
import * as Text from "./Text.js"
import * as TimeWindows from "./TimeWindows.js"
import type { Concept, Mention } from "./Vocabulary.js"

export type Composed =
  | {
      readonly _tag: "Query"
      readonly query: Query
      readonly title: string
      /** What the answer was built from, in words (the reply's description). */
      readonly notes: ReadonlyArray<string>
    }
  | { readonly _tag: "Text"; readonly text: string }

type Aggregate = "COUNT" | "SUM" | "AVG" | "MAX" | "MIN"

/** A measure before joins are known: a count becomes COUNT(DISTINCT key) once the query joins other tables. */
type Measure =
  | { readonly _tag: "Snippet"; readonly snippet: Snippet }
  | { readonly _tag: "Aggregate"; readonly fn: Aggregate; readonly table: string; readonly column?: Column }

type Dimension =
  | { readonly _tag: "Column"; readonly column: Column; readonly mention?: Mention }
  | { readonly _tag: "Snippet"; readonly snippet: Snippet; readonly mention: Mention }
  | { readonly _tag: "Grain"; readonly grain: TimeWindows.Grain }

const descending = new Set(["top", "most", "highest", "largest", "biggest", "best", "greatest"])
const ascending = new Set(["bottom", "least", "lowest", "fewest", "smallest", "worst"])
const aggregates: Readonly<Record<string, Aggregate>> = {
  "@count": "COUNT",
  "@sum": "SUM",
  "@avg": "AVG",
  maximum: "MAX",
  max: "MAX",
  minimum: "MIN",
  min: "MIN",
  // "the most orders": a count
  most: "COUNT",
  fewest: "COUNT",
  least: "COUNT"
}
const dimensionCues = new Set(["by", "per", "each", "every", "which", "top", "bottom", "across"])
const listCues = new Set(["list", "show", "which", "what", "who", "name"])
// Words between a cue and what it applies to that do not break the link ("how many distinct customers").
const skippable = new Set(["distinct", "unique", "different", "individual", "single"])

const ref = (column: Column): string => `${column.table}.${column.name}`
const unique = <A>(xs: ReadonlyArray<A>): Array<A> => [...new Set(xs)]
const first = (m: Mention): Concept => m.candidates[0]
const text = (t: string): Composed => ({ _tag: "Text", text: t })

/** The question as the composer reads it. */
interface Context {
  readonly model: Model
  readonly tokens: ReadonlyArray<Text.Token>
  readonly mentions: ReadonlyArray<Mention>
  readonly time: TimeWindows.Time
  /** Tables the question names as such ("customers", "stores"). */
  readonly tables: ReadonlyArray<string>
}

/** The first mention after token i, if only fillers, numbers, ordering words and skippable words stand between. */
const mentionAfter = (ctx: Context, i: number): Mention | undefined => {
  for (let j = i + 1; j < ctx.tokens.length; j++) {
    const m = ctx.mentions.find((x) => x.start === j)
    if (m !== undefined) return m
    const t = ctx.tokens[j]
    const skip =
      Text.fillers.has(t.lower) ||
      skippable.has(t.lower) ||
      Text.numberOf(t) !== undefined ||
      descending.has(t.lower) ||
      ascending.has(t.lower)
    if (!skip || ctx.time.used.has(j)) return undefined
  }
  return undefined
}

const isQualifier = (c: Concept): boolean => c._tag === "Value" || (c._tag === "Snippet" && c.snippet.kind === "filter")

/**
 * What a cue word applies to; values and filter snippets in between only qualify it ("top 3 Electronics brands",
 * "how many completed orders"). Without a subject, the last qualifier.
 */
const subjectAfter = (ctx: Context, i: number): Mention | undefined => {
  let m = mentionAfter(ctx, i)
  while (m !== undefined && isQualifier(first(m))) {
    const next = mentionAfter(ctx, m.end - 1)
    if (next === undefined) return m
    m = next
  }
  return m
}

/**
 * Chooses among same-named columns (or values): one of a table the question names, else of the base table, else of
 * the table fewest joins away, else the first in the space.
 */
const pick = <C extends { readonly column: Column }>(
  ctx: Context,
  candidates: ReadonlyArray<C>,
  base: string | undefined
): C => {
  const named = candidates.find((c) => ctx.tables.includes(c.column.table))
  if (named !== undefined) return named
  const own = candidates.find((c) => c.column.table === base)
  if (own !== undefined || base === undefined) return own ?? candidates[0]
  const distance = (c: C) => Joins.distance(ctx.model, base, c.column.table)
  return [...candidates].sort((a, b) => distance(a) - distance(b))[0]
}

const pickColumn = (ctx: Context, m: Mention, base: string | undefined): Column =>
  pick(
    ctx,
    m.candidates.filter((c): c is Extract<Concept, { _tag: "Column" }> => c._tag === "Column"),
    base
  ).column

const snippetsOf = (ctx: Context, kind: Snippet["kind"]): Array<Snippet> =>
  unique(
    ctx.mentions.flatMap((m) =>
      m.candidates.flatMap((c) => (c._tag === "Snippet" && c.snippet.kind === kind ? [c.snippet] : [])).slice(0, 1)
    )
  )

/** The last mention before token i, if only fillers and skippable words stand between (Korean: 고객 수). */
const mentionBefore = (ctx: Context, i: number): Mention | undefined => {
  for (let j = i - 1; j >= 0; j--) {
    const m = ctx.mentions.find((x) => x.end === j + 1)
    if (m !== undefined) return m
    const t = ctx.tokens[j]
    if (!(Text.fillers.has(t.lower) || skippable.has(t.lower)) || ctx.time.used.has(j)) return undefined
  }
  return undefined
}

/** What an aggregate word applies to: what follows it, or for Korean words also (or only) what precedes it. */
const subjectOf = (ctx: Context, i: number): Mention | undefined => {
  switch (ctx.tokens[i].cue) {
    case "before":
      return mentionBefore(ctx, i) ?? subjectAfter(ctx, i)
    case "either":
      return subjectAfter(ctx, i) ?? mentionBefore(ctx, i)
    default:
      return subjectAfter(ctx, i)
  }
}

/** Snippet measures the question names; else one count / sum / average / max / min of what follows such a word. */
const findMeasures = (ctx: Context) => {
  const snippets = snippetsOf(ctx, "measure")
  if (snippets.length > 0) {
    return { measures: snippets.map((snippet): Measure => ({ _tag: "Snippet", snippet })), asksForNumbers: true }
  }
  let asksForNumbers = false
  for (let i = 0; i < ctx.tokens.length; i++) {
    const fn = aggregates[Text.signatureWord(ctx.tokens, i) ?? ""]
    if (fn === undefined) continue
    asksForNumbers = true
    const m = subjectOf(ctx, i)
    const concept = m === undefined ? undefined : first(m)
    // "how many fulfilled orders", where a filter snippet's phrase names the rows: count its table.
    const counted =
      concept?._tag === "Table"
        ? concept.table
        : concept?._tag === "Snippet" && concept.snippet.kind === "filter"
          ? concept.snippet.tables[0]
          : undefined
    if (counted !== undefined && fn === "COUNT") {
      return { measures: [{ _tag: "Aggregate", fn, table: counted } as Measure], counted, asksForNumbers }
    }
    const superlative = ["most", "fewest", "least"].includes(ctx.tokens[i].lower)
    if (concept?._tag === "Column" && concept.column.kind === "number" && !superlative) {
      const column = pickColumn(ctx, m!, undefined)
      const measure: Measure = { _tag: "Aggregate", fn: fn === "COUNT" ? "SUM" : fn, table: column.table, column }
      return { measures: [measure], asksForNumbers }
    }
  }
  return { measures: [] as Array<Measure>, asksForNumbers }
}

/** Entity values, grouped by the column they belong to. */
const findValues = (ctx: Context, base: string | undefined): Map<Column, Array<string>> => {
  const groups = new Map<Column, Array<string>>()
  for (const m of ctx.mentions) {
    if (first(m)._tag !== "Value") continue
    const values = m.candidates.filter((c): c is Extract<Concept, { _tag: "Value" }> => c._tag === "Value")
    const chosen = pick(ctx, values, base)
    groups.set(chosen.column, unique([...(groups.get(chosen.column) ?? []), chosen.value]))
  }
  return groups
}

/** What follows "by", "per", "each", "which", "top N" …, and a column whose values the question compares. */
const findDimensions = (
  ctx: Context,
  base: string | undefined,
  counted: string | undefined,
  values: ReadonlyMap<Column, ReadonlyArray<string>>
): Array<Dimension> => {
  const dimensions: Array<Dimension> = []
  const add = (d: Dimension) => {
    const key = (x: Dimension) =>
      x._tag === "Column" ? ref(x.column) : x._tag === "Snippet" ? x.snippet.id : `grain:${x.grain}`
    if (!dimensions.some((x) => key(x) === key(d))) dimensions.push(d)
  }
  ctx.tokens.forEach((t, i) => {
    const cue = dimensionCues.has(t.lower) || (i === 0 && t.lower === "what")
    const m = cue && !ctx.time.used.has(i) ? subjectAfter(ctx, i) : undefined
    if (m === undefined) return
    const concept = first(m)
    if (concept._tag === "Column") {
      add({ _tag: "Column", column: pickColumn(ctx, m, base), mention: m })
    } else if (concept._tag === "Snippet" && concept.snippet.kind === "expression") {
      add({ _tag: "Snippet", snippet: concept.snippet, mention: m })
    } else if (concept._tag === "Table" && concept.table !== counted) {
      // "top 5 customers": the table's name column
      const label = labelColumn(ctx.model.table(concept.table)!)
      if (label !== undefined) add({ _tag: "Column", column: label, mention: m })
    }
  })
  // Korean: a phrase followed by 별 or 마다 ("지역별": by region).
  for (const m of ctx.mentions) {
    if (!Hangul.groupsBy(m.particles)) continue
    const concept = first(m)
    if (concept._tag === "Column") add({ _tag: "Column", column: pickColumn(ctx, m, base), mention: m })
    else if (concept._tag === "Snippet" && concept.snippet.kind === "expression")
      add({ _tag: "Snippet", snippet: concept.snippet, mention: m })
    else if (concept._tag === "Table" && concept.table !== counted) {
      const label = labelColumn(ctx.model.table(concept.table)!)
      if (label !== undefined) add({ _tag: "Column", column: label, mention: m })
    }
  }
  for (const [column, vs] of values) if (vs.length > 1) add({ _tag: "Column", column })
  return dimensions
}

interface Filters {
  readonly where: Array<string>
  readonly tables: Array<string>
  readonly notes: Array<string>
}

/** Snippet filters, entity values and capitalised words right before a string column ("the West region"). */
const findFilters = (
  ctx: Context,
  base: string | undefined,
  values: ReadonlyMap<Column, ReadonlyArray<string>>,
  dimensions: ReadonlyArray<Dimension>
): Filters => {
  const filters: Filters = { where: [], tables: [], notes: [] }
  const add = (sql: string, tables: ReadonlyArray<string>, note: string) => {
    filters.where.push(sql)
    filters.tables.push(...tables)
    filters.notes.push(note)
  }
  for (const s of snippetsOf(ctx, "filter")) add(s.sql, s.tables, `filter snippet "${s.names[0] ?? s.alias}"`)
  for (const [column, vs] of values) {
    const sql =
      vs.length === 1
        ? `${ref(column)} = ${Text.sqlString(vs[0])}`
        : `${ref(column)} IN (${vs.map(Text.sqlString).join(", ")})`
    add(sql, [column.table], `entity value${vs.length > 1 ? "s" : ""} ${vs.join(", ")} of ${ref(column)}`)
  }
  const inMention = (j: number) => ctx.mentions.some((x) => x.start <= j && j < x.end)
  for (const m of ctx.mentions) {
    const concept = first(m)
    if (concept._tag !== "Column" || concept.column.kind !== "string") continue
    const column = pickColumn(ctx, m, base)
    if (values.has(column) || dimensions.some((d) => d._tag === "Column" && d.column === column)) continue
    const words: Array<string> = []
    for (let j = m.start - 1; j > 0 && /^\p{Lu}/u.test(ctx.tokens[j].raw) && !inMention(j); j--) {
      words.unshift(ctx.tokens[j].raw)
    }
    if (words.length > 0) {
      const value = words.join(" ")
      add(`${ref(column)} = ${Text.sqlString(value)}`, [column.table], `value ${value} of ${ref(column)} as written`)
    }
  }
  return filters
}

/** "List the online stores", "Which stores are in the West region": a list cue right before a table. */
const listedTable = (ctx: Context): string | undefined =>
  ctx.tokens.flatMap((t, i) => {
    const m = listCues.has(t.lower) ? subjectAfter(ctx, i) : undefined
    const concept = m === undefined ? undefined : first(m)
    return concept?._tag === "Table" ? [concept.table] : []
  })[0]

/**
 * The date column time windows and grains apply to: a date column the question names; else the first of the
 * measures' tables, the tables the question names (other than the one counted: "customers who ordered in 2025"
 * means order dates), the base table and the filters' tables that has one.
 */
const dateColumnOf = (ctx: Context, tables: ReadonlyArray<string>): Column | undefined => {
  const named = ctx.mentions.flatMap((m) => {
    const c = first(m)
    return c._tag === "Column" && c.column.kind === "date" ? [c.column] : []
  })
  return (
    named[0] ??
    unique(tables)
      .map((t) => ctx.model.table(t)?.columns.find((c) => c.kind === "date"))
      .find((c) => c !== undefined)
  )
}

/** Sort direction from "top", "most", "lowest" …; the limit from "top 5", "which 10", "top" (10) or a singular noun. */
const orderAndLimit = (
  ctx: Context,
  dimensions: ReadonlyArray<Dimension>,
  outputs: { readonly dimensions: ReadonlyArray<Output>; readonly measures: ReadonlyArray<Output> }
): { readonly orderBy: Array<OrderKey>; readonly limit?: number } => {
  let direction: "desc" | "asc" | undefined
  let limit: number | undefined
  ctx.tokens.forEach((t, i) => {
    direction ??= descending.has(t.lower) ? "desc" : ascending.has(t.lower) ? "asc" : undefined
    const n = ctx.time.used.has(i + 1) ? undefined : Text.numberOf(ctx.tokens[i + 1])
    if (["top", "bottom", "which"].includes(t.lower)) limit ??= n
    if (t.lower === "top" || t.lower === "bottom") limit ??= 10
  })
  const grain = dimensions.findIndex((d) => d._tag === "Grain")
  if (outputs.measures.length === 0) return { orderBy: [{ sql: outputs.dimensions[0].sql, descending: false }] }
  if (outputs.dimensions.length === 0) return { orderBy: [] }
  if (direction !== undefined) {
    // "Which store had the highest revenue": a singular noun asks for one row.
    const mention = dimensions.find((d) => d._tag !== "Grain")?.mention
    const noun = mention === undefined ? undefined : ctx.tokens[mention.end - 1]
    if (noun !== undefined && Text.isSingular(noun)) limit ??= 1
    const orderBy = [{ sql: quoteAlias(outputs.measures[0].alias), descending: direction === "desc" }]
    return limit === undefined ? { orderBy } : { orderBy, limit }
  }
  return { orderBy: grain < 0 ? [] : [{ sql: quoteAlias(outputs.dimensions[grain].alias), descending: false }] }
}

const cannotCompute = text(
  "I could not work out what to calculate for this question from the tables, column names, synonyms and SQL " +
    "snippets of this space. Could you rephrase it, or name the measure or column you mean?"
)

/** Composes a query for a question (see the module description). */
export const compose = (
  model: Model,
  tokens: ReadonlyArray<Text.Token>,
  mentions: ReadonlyArray<Mention>,
  time: TimeWindows.Time
): Composed => {
  const tables = unique(
    mentions.flatMap((m) => {
      const concept = first(m)
      return concept._tag === "Table" ? [concept.table] : []
    })
  )
  const ctx: Context = { model, tokens, mentions, time, tables }

  const { measures, counted, asksForNumbers } = findMeasures(ctx)
  const measured = measures[0]
  const base =
    measured === undefined
      ? undefined
      : measured._tag === "Aggregate"
        ? measured.table
        : (measured.snippet.tables[0] ?? tables[0] ?? model.tables[0].alias)
  const values = findValues(ctx, base)
  const from = base ?? (asksForNumbers ? undefined : listedTable(ctx))
  if (from === undefined) return cannotCompute
  const dimensions: Array<Dimension> =
    base === undefined
      ? [{ _tag: "Column", column: labelColumn(model.table(from)!) ?? model.table(from)!.columns[0] }]
      : findDimensions(ctx, base, counted, values)
  const filters = findFilters(ctx, base, values, dimensions)
  const notes = [
    ...measures.map((m) =>
      m._tag === "Snippet"
        ? `measure snippet "${m.snippet.names[0] ?? m.snippet.alias}"`
        : `${m.fn.toLowerCase()} of ${m.column === undefined ? m.table : ref(m.column)}`
    ),
    ...filters.notes
  ]

  const snippetTables = measures.flatMap((m) => (m._tag === "Snippet" ? m.snippet.tables : []))
  let dateColumn: Column | undefined
  if (time.windows.length > 0 || time.grain !== undefined) {
    dateColumn = dateColumnOf(ctx, [...snippetTables, ...tables.filter((t) => t !== counted), from, ...filters.tables])
    if (dateColumn === undefined) notes.push("no date column in the tables used, so the time window was ignored")
  }
  if (dateColumn !== undefined) {
    for (const w of time.windows) {
      filters.where.push(w.condition(ref(dateColumn)))
      notes.push(`time window ${w.label} on ${ref(dateColumn)}`)
    }
    filters.tables.push(dateColumn.table)
    if (time.grain !== undefined && base !== undefined) dimensions.unshift({ _tag: "Grain", grain: time.grain })
  }

  const needed = unique([
    ...measures.flatMap((m) => (m._tag === "Snippet" ? m.snippet.tables : [m.table])),
    ...dimensions.flatMap((d) =>
      d._tag === "Column" ? [d.column.table] : d._tag === "Snippet" ? d.snippet.tables : []
    ),
    ...filters.tables
  ])
  const planned = Joins.plan(model, from, needed)
  if (planned._tag === "Missing") {
    return text(
      `I could not find how to join ${from} with ${planned.tables.join(", ")}: this space defines no join between ` +
        "them. Add a join to the space, or ask about one table at a time."
    )
  }
  for (const step of planned.steps) notes.push(`join ${step.table} on ${step.on}`)

  const outputs = {
    dimensions: dimensions.map((d): Output =>
      d._tag === "Column"
        ? { sql: ref(d.column), alias: d.column.name }
        : d._tag === "Snippet"
          ? { sql: d.snippet.sql, alias: d.snippet.alias }
          : { sql: TimeWindows.bucket(d.grain, ref(dateColumn!)), alias: d.grain }
    ),
    measures: measures.map((m): Output => {
      if (m._tag === "Snippet") return { sql: m.snippet.sql, alias: m.snippet.alias }
      if (m.column !== undefined)
        return { sql: `${m.fn}(${ref(m.column)})`, alias: `${m.fn.toLowerCase()}_${m.column.name}` }
      const key = keyColumn(model.table(m.table)!)
      const sql = planned.steps.length > 0 && key !== undefined ? `COUNT(DISTINCT ${ref(key)})` : "COUNT(*)"
      return { sql, alias: `${m.table}_count` }
    })
  }
  const fromTable = model.table(from)!
  const query: Query = {
    ...outputs,
    from: { identifier: fromTable.identifier, alias: fromTable.alias },
    joins: planned.steps.map((s) => ({ identifier: model.table(s.table)!.identifier, alias: s.table, on: s.on })),
    where: filters.where,
    ...orderAndLimit(ctx, dimensions, outputs)
  }
  const measureNames = outputs.measures.map((m) => m.alias.replace(/_/g, " ")).join(", ")
  const title =
    measureNames === ""
      ? fromTable.alias
      : outputs.dimensions.length === 0
        ? measureNames
        : `${measureNames} by ${outputs.dimensions.map((d) => d.alias).join(", ")}`
  return { _tag: "Query", query, title: title.charAt(0).toUpperCase() + title.slice(1), notes }
}
