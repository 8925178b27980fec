/**
 * Measure patterns: aggregate expressions the expected SQL outputs, normalised (columns qualified by table), with
 * the implicit filters they always come with folded in (`SUM(x) FILTER (WHERE t.flag = 'y')`), named from the SQL
 * alias. Trivial aggregates (a count of rows, an aggregate of one bare column with no filter and a name that only
 * repeats the column's) are marked `trivial`: the fixer names them only when questions call them in other words or
 * never ask for the aggregate ("지난달 판매량은?", "Monthly sales volume").
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
  /** Snake-case name from the SQL alias the benchmarks give it (`total_cost`). */
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
  /**
   * A count of rows, or one aggregate of one bare column with no filter whose name only repeats the column's: the
   * space's columns express it whenever a question asks for the aggregate in words ("total", "how many", 평균).
   */
  readonly trivial?: boolean
  /** The aggregate function of the expression (`sum`, `count`, `avg`, …). */
  readonly aggregate?: string
  /** Supporting benchmarks whose question never asks for the aggregate in words: a named measure must say it. */
  readonly uncued?: ReadonlyArray<string>
  /**
   * How questions say a name that abbreviates an aggregate (`avg_xyz`): the question's aggregate word with the rest
   * of the name, as written ("average xyz", "평균 xyz").
   */
  readonly spoken?: ReadonlyArray<string>
}

interface Group {
  readonly sql: string
  /** A count of rows: the tables it counts. */
  readonly counted: ReadonlyArray<string>
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
 * Phrases of the questions that say a name with an aggregate abbreviation (`avg_xyz`): a word asking for the
 * same aggregate next to the rest of the name ("average XYZ", "평균 XYZ는" → "평균 xyz").
 */
const spokenNames = (alias: string, questions: ReadonlyArray<ReadonlyArray<Tokens.Token>>): Array<string> => {
  const words = Tokens.stems(alias)
  const fn = ["sum", "avg", "count", "max", "min"].find((f) => words.some((w) => Tokens.asksFor([token(w)], f)))
  if (fn === undefined) return []
  const rest = words.filter((w) => !Tokens.asksFor([token(w)], fn))
  if (rest.length === 0) return []
  const out = new Set<string>()
  for (const tokens of questions) {
    for (let i = 0; i < tokens.length; i++) {
      if (!Tokens.asksFor([tokens[i]], fn)) continue
      const after = tokens.slice(i + 1, i + 1 + rest.length)
      if (after.length === rest.length && rest.every((w, k) => Tokens.sameWord(after[k].stem, w)))
        out.add([tokens[i], ...after].map((t) => (Tokens.isHangul(t.lower) ? t.stem : t.lower)).join(" "))
    }
  }
  return [...out].sort()
}

const token = (w: string): Tokens.Token => ({ raw: w, lower: w, stem: w, index: 0 })

/**
 * Mines the measures of the train split.
 *
 * @category constructors
 */
export const mine = (ctx: Context, keys: ReadonlyMap<string, string> = new Map()): ReadonlyArray<Pattern> => {
  const groups = new Map<string, Group>()
  for (const item of ctx.corpus.items) {
    for (const use of item.measures) {
      // A count of rows is one measure per table it counts.
      const counted = use.columns.length === 0 ? [...new Set(Object.values(item.tables))].sort() : []
      // … and per set of implicit filters (a count of the rows a filter keeps is not a count of all rows).
      const key = [use.sql, counted.join(","), ...[...implicitFilters(item)].sort()].join("\u0000")
      const g = groups.get(key) ?? { sql: use.sql, uses: [], counted }
      g.uses.push({ item, use })
      groups.set(key, g)
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
    const head = SqlAnalysis.expressionHead(main.sql)?.head
    const isCount = head === "count"
    const trivial = always.length === 0 && trivialShape(main.uses[0].use) && (repeatsColumn || isCount)
    // A count of one table's rows names the table through its key (COUNT(DISTINCT t.id)), so it is found by table.
    const key = main.counted.length === 1 ? keys.get(main.counted[0]) : undefined
    const rendered =
      key === undefined || !/^count\(\*\)$/i.test(main.sql)
        ? main.sql
        : `COUNT(DISTINCT ${SqlAnalysis.shortName(main.counted[0])}.${key})`
    const folded =
      always.length === 0 ? rendered : (SqlAnalysis.withAggregateFilter(rendered, always.join(" AND ")) ?? rendered)
    const tables = new Set<string>(main.counted.length === 1 ? main.counted : [])
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
      expression: rendered,
      filters: always,
      tables: [...tables].sort(),
      aliases: [...new Set(uses.flatMap((u) => (u.use.alias === undefined ? [] : [u.use.alias])))].sort(),
      variants: ranked.slice(1).map((g) => ({ sql: g.sql, support: g.uses.length })),
      embeddedIn,
      configured,
      ...(trivial ? { trivial } : {}),
      ...(head === undefined ? {} : { aggregate: head }),
      spoken: spokenNames(
        alias,
        uses.map((u) => u.item.tokens)
      ),
      uncued: [
        ...new Set(
          uses.filter((u) => head !== undefined && !Tokens.asksFor(u.item.tokens, head)).map((u) => u.item.benchmark.id)
        )
      ].sort()
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
