/**
 * Measure patterns: aggregate expressions the expected SQL outputs, normalised (columns qualified by table), with
 * the implicit filters they always come with folded in (`SUM(x) FILTER (WHERE t.flag = 'y')`), named from the SQL
 * alias. Trivial aggregates (a count of rows, an aggregate of one bare column with no filter and a name that only
 * repeats the column's) are left to the space's columns.
 *
 * `details`: {@link MeasureDetails}.
 */
import * as SqlAnalysis from "../../sql/SqlAnalysis.js"
import type { Item, MeasureUse } from "./Corpus.js"
import { splitColumn } from "./Corpus.js"
import type { Context } from "./Mining.js"
import { explains, pattern } from "./Mining.js"
import type { Pattern } from "./PatternLearner.js"
import * as Tokens from "./Tokens.js"

/** `details` of a `measure` pattern. @category models */
export interface MeasureDetails {
  /** Snake-case name from the SQL alias the benchmarks give it (`total_amount`). */
  readonly name: string
  /** True when the name equals a table or column name, so it cannot name the measure on its own. */
  readonly nameCollides: boolean
  /** The aggregate without its filters (normalised SQL). */
  readonly expression: string
  /** Implicit predicates every supporting query applies (never written in its question). */
  readonly filters: ReadonlyArray<string>
  /** Full identifiers of the tables it reads (with its filters). */
  readonly tables: ReadonlyArray<string>
  readonly aliases: ReadonlyArray<string>
  /** Other spellings seen under the same name, with their support. */
  readonly variants: ReadonlyArray<{ readonly sql: string; readonly support: number }>
  /** Benchmarks where only a window or nested query uses it (shares, growth). */
  readonly embeddedIn: ReadonlyArray<string>
  /** True when a space snippet already computes it (same SQL or same name). */
  readonly configured: boolean
}

interface Group {
  readonly sql: string
  readonly uses: Array<{ readonly item: Item; readonly use: MeasureUse }>
}

/** A count of rows, or one aggregate over one bare column. */
const trivialShape = (use: MeasureUse): boolean => {
  const head = SqlAnalysis.expressionHead(use.sql)
  if (head === undefined) return false
  if (head.head === "count" && use.columns.length <= 1) return true
  if (!["sum", "avg", "min", "max"].includes(head.head) || use.columns.length !== 1) return false
  return use.sql.toLowerCase() === `${head.head}(${use.columns[0]})`
}

const implicitFilters = (item: Item): ReadonlyArray<string> =>
  item.predicates.filter((p) => p.clause === "where" && !p.time && !p.explicit).map((p) => p.sql)

const mostCommon = (xs: ReadonlyArray<string>): string | undefined => {
  const counts = new Map<string, number>()
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1)
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0]
}

/** Names a space's own elements already use: table and column names (lower case). */
const schemaNames = (ctx: Context): ReadonlySet<string> => {
  const names = new Set<string>()
  for (const table of ctx.catalog.values()) {
    names.add((table.identifier.split(".").pop() ?? "").toLowerCase())
    for (const c of table.columns) names.add(c.name.toLowerCase())
  }
  return names
}

/**
 * Mines the measures of the train split.
 *
 * @category constructors
 */
export const mine = (ctx: Context): ReadonlyArray<Pattern> => {
  const groups = new Map<string, Group>()
  for (const item of ctx.corpus.items) {
    for (const use of item.measures) {
      const g = groups.get(use.sql) ?? { sql: use.sql, uses: [] }
      g.uses.push({ item, use })
      groups.set(use.sql, g)
    }
  }
  // Spellings that share an alias are one measure; the most used spelling wins (ties: the longer, often join-safe).
  const byName = new Map<string, Array<Group>>()
  for (const g of groups.values()) {
    const alias = mostCommon(g.uses.flatMap((u) => (u.use.alias === undefined ? [] : [u.use.alias]))) ?? g.sql
    byName.set(alias, [...(byName.get(alias) ?? []), g])
  }
  const names = schemaNames(ctx)
  const snippets = ctx.space.instructions?.sql_snippets?.measures ?? []
  const patterns: Array<Pattern> = []
  for (const [alias, variants] of byName) {
    const ranked = [...variants].sort((a, b) => b.uses.length - a.uses.length || b.sql.length - a.sql.length)
    const main = ranked[0]
    const uses = ranked.flatMap((g) => g.uses)
    // The filters every use comes with.
    let filters: ReadonlyArray<string> | undefined
    for (const { item } of uses) {
      const f = implicitFilters(item)
      filters = filters === undefined ? f : filters.filter((x) => f.includes(x))
    }
    const always = [...new Set(filters ?? [])].sort()
    const aliasWords = Tokens.stems(alias)
    const columnWords = main.uses[0].use.columns.flatMap((c) => Tokens.stems(splitColumn(c)[1]))
    const repeatsColumn = aliasWords.every(
      (w) => columnWords.includes(w) || ["avg", "sum", "min", "max", "total", "count"].includes(w)
    )
    const isCount = SqlAnalysis.expressionHead(main.sql)?.head === "count"
    if (always.length === 0 && trivialShape(main.uses[0].use) && (repeatsColumn || isCount)) continue
    const folded =
      always.length === 0 ? main.sql : (SqlAnalysis.withAggregateFilter(main.sql, always.join(" AND ")) ?? main.sql)
    const tables = new Set<string>()
    for (const { item, use } of uses) {
      for (const c of [
        ...use.columns,
        ...item.predicates.filter((p) => always.includes(p.sql)).flatMap((p) => p.columns)
      ]) {
        const full = item.tables[splitColumn(c)[0]]
        if (full !== undefined) tables.add(full)
      }
    }
    const name =
      alias
        .replace(/[^\p{L}\p{N}]+/gu, "_")
        .replace(/^_+|_+$/g, "")
        .toLowerCase() || "measure"
    const configured = snippets.some(
      (s) =>
        (s.alias ?? "").toLowerCase() === name ||
        (s.display_name ?? "").toLowerCase().replace(/\s+/g, "_") === name ||
        s.sql.join(" ").replace(/\s+/g, " ").toLowerCase().includes(main.sql.toLowerCase())
    )
    const direct = new Set(uses.map((u) => u.item.benchmark.id))
    const embeddedIn = ctx.corpus.items
      .filter(
        (i) =>
          !direct.has(i.benchmark.id) &&
          [i.facts, ...i.blocks].some((f) => ranked.some((g) => f.aggregates.includes(g.sql)))
      )
      .map((i) => i.benchmark.id)
    const supporting = [...direct, ...embeddedIn]
    const details: MeasureDetails = {
      name,
      nameCollides: names.has(name),
      expression: main.sql,
      filters: always,
      tables: [...tables].sort(),
      aliases: [...new Set(uses.flatMap((u) => (u.use.alias === undefined ? [] : [u.use.alias])))].sort(),
      variants: ranked.slice(1).map((g) => ({ sql: g.sql, support: g.uses.length })),
      embeddedIn,
      configured
    }
    patterns.push(
      pattern({
        kind: "measure",
        key: name,
        description: `${name} = ${folded} (${supporting.length} benchmark(s)${always.length > 0 ? `; always with ${always.join(" AND ")}` : ""})`,
        sql: folded,
        details,
        supporting,
        explains: explains(ctx, supporting, configured, [main.sql, ...always])
      })
    )
  }
  return patterns
}
