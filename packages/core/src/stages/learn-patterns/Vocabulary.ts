/**
 * Vocabulary patterns: question words and phrases aligned with the SQL elements they stand for — measures,
 * grouped-by columns, derived expressions, counted tables, and date columns when a query could mean several.
 *
 * **How**
 * For each train benchmark, an element is *explained* when a word of its name (alias, column, table, configured
 * synonyms and snippet names) is in the question; a question word is explained when it names an element of the
 * query or a table or column it reads, is a literal, a function word or a calendar word. The unexplained phrases
 * (1–3 consecutive unexplained words) of a question are credited to its unexplained elements, split evenly. A
 * phrase maps to the element that takes at least `minPrecision` of the phrase's questions and one full credit
 * (one unambiguous question, or two ambiguous ones); sub-phrases of an accepted phrase with the same support go.
 * Works the same for any language: Hangul words are compared without their particles (매출은, 매출을 → 매출).
 *
 * `details`: {@link VocabularyDetails}.
 */
import * as SqlAnalysis from "../../sql/SqlAnalysis.js"
import type { Item } from "./Corpus.js"
import { splitColumn, temporalColumns } from "./Corpus.js"
import type { ExpressionDetails } from "./Expressions.js"
import type { MeasureDetails } from "./Measures.js"
import type { Context } from "./Mining.js"
import { explains, pattern } from "./Mining.js"
import type { Pattern } from "./PatternLearner.js"
import * as Tokens from "./Tokens.js"

/** What a phrase stands for. @category models */
export interface VocabularyTarget {
  readonly kind: "measure" | "column" | "expression" | "table"
  /** Measure/expression: the pattern id; column: full table identifier + `.` + column; table: full identifier. */
  readonly ref: string
  /** Full table identifier and column (columns), or the name (measures, expressions). */
  readonly table?: string
  readonly column?: string
  readonly name?: string
}

/** `details` of a `vocabulary` pattern. @category models */
export interface VocabularyDetails {
  /** The phrase as a question wrote it (particles stripped from Hangul words). */
  readonly phrase: string
  readonly stems: ReadonlyArray<string>
  readonly target: VocabularyTarget
  /** Questions with the phrase whose query uses the target (fractional when shared with other elements). */
  readonly support: number
  /** Share of the phrase's questions whose query uses the target. */
  readonly precision: number
}

interface Element {
  readonly key: string
  readonly target: VocabularyTarget
  readonly names: ReadonlyArray<ReadonlyArray<string>>
}

const short = (full: string) => full.split(".").pop() ?? full

/** Configured synonyms of a column and names of snippets, as stem lists. */
const configuredNames = (ctx: Context) => {
  const columns = new Map<string, Array<ReadonlyArray<string>>>()
  for (const t of ctx.space.data_sources?.tables ?? [])
    for (const c of t.column_configs ?? [])
      columns.set(`${t.identifier.toLowerCase()}.${c.column_name.toLowerCase()}`, (c.synonyms ?? []).map(Tokens.stems))
  return columns
}

const elementsOf = (
  ctx: Context,
  item: Item,
  measures: ReadonlyArray<Pattern>,
  expressions: ReadonlyArray<Pattern>,
  synonyms: ReadonlyMap<string, ReadonlyArray<ReadonlyArray<string>>>
): Array<Element> => {
  const out: Array<Element> = []
  const column = (ref: string): Element | undefined => {
    const [alias, name] = splitColumn(ref)
    const table = item.tables[alias]
    if (table === undefined) return undefined
    const key = `${table}.${name}`
    return {
      key: `column:${key}`,
      target: { kind: "column", ref: key, table, column: name },
      names: [
        Tokens.stems(name),
        [...Tokens.stems(short(table)).slice(-1), ...Tokens.stems(name)],
        ...(synonyms.get(key) ?? [])
      ]
    }
  }
  // Measures the query outputs; a measure only nested in another (a share's total) counts when none is output.
  const id = item.benchmark.id
  const direct = measures.filter(
    (m) => m.supportingBenchmarkIds.includes(id) && !(m.details as MeasureDetails).embeddedIn.includes(id)
  )
  for (const m of direct.length > 0 ? direct : measures.filter((x) => x.supportingBenchmarkIds.includes(id))) {
    const d = m.details as MeasureDetails
    out.push({
      key: `measure:${m.id}`,
      target: { kind: "measure", ref: m.id, name: d.name },
      names: d.aliases.map(Tokens.stems)
    })
  }
  for (const e of expressions) {
    const d = e.details as ExpressionDetails
    if (!e.supportingBenchmarkIds.includes(item.benchmark.id)) continue
    out.push({
      key: `expression:${e.id}`,
      target: { kind: "expression", ref: e.id, name: d.name },
      names: [Tokens.stems(d.name)]
    })
  }
  for (const d of item.dimensions)
    if (d.kind === "column" && d.columns.length === 1) {
      const c = column(d.columns[0])
      if (c !== undefined) out.push(c)
    }
  // The table a query counts rows of ("how many X").
  if (
    item.measures.length > 0 &&
    item.measures.every((m) => m.columns.length <= 1 && SqlAnalysis.expressionHead(m.sql)?.head === "count") &&
    Object.keys(item.tables).length === 1
  ) {
    const table = Object.values(item.tables)[0]
    out.push({
      key: `table:${table}`,
      target: { kind: "table", ref: table, table },
      names: [Tokens.stems(short(table))]
    })
  }
  // A date column when the query's tables have several: the question must say which.
  const temporal = temporalColumns(item, ctx.catalog)
  if (temporal.length > 1) {
    for (const p of item.predicates)
      if (p.time && p.columns.length === 1) {
        const c = column(p.columns[0])
        if (c !== undefined && !out.some((e) => e.key === c.key)) out.push(c)
      }
  }
  return out
}

/** Decides which words of a question are explained by the query's elements and what it reads. */
const explainer = (ctx: Context, item: Item, own: ReadonlyArray<Element>) => {
  // Words of everything the query reads explain question words too (a table or column name, a literal).
  const readNames: Array<ReadonlyArray<string>> = [
    ...own.flatMap((e) => e.names),
    ...Object.values(item.tables).flatMap((t) => [
      Tokens.stems(short(t)),
      ...(ctx.catalog.get(t)?.columns ?? []).map((c) => Tokens.stems(c.name))
    ]),
    ...item.predicates.flatMap((p) => p.literals.map((l) => Tokens.stems(l.value)))
  ]
  const nameWords = new Set(readNames.flat())
  const explainedWord = (t: Tokens.Token) =>
    Tokens.isFunctionWord(t) ||
    Tokens.isCalendarWord(t) ||
    Tokens.isNumeric(t) ||
    [...nameWords].some((w) => Tokens.sameWord(t.stem, w) || Tokens.sameWord(t.lower, w))
  return explainedWord
}

/**
 * Indexes of the question's words that name what the query reads, or are literals, function or calendar words.
 *
 * @category constructors
 */
export const explainedIndexes = (
  ctx: Context,
  item: Item,
  measures: ReadonlyArray<Pattern>,
  expressions: ReadonlyArray<Pattern>
): ReadonlySet<number> => {
  const explainedWord = explainer(ctx, item, elementsOf(ctx, item, measures, expressions, configuredNames(ctx)))
  return new Set(item.tokens.filter(explainedWord).map((t) => t.index))
}

/** Mines the vocabulary of the train split. @category constructors */
export const mine = (
  ctx: Context,
  measures: ReadonlyArray<Pattern>,
  expressions: ReadonlyArray<Pattern>
): ReadonlyArray<Pattern> => {
  const synonyms = configuredNames(ctx)
  const phraseCount = new Map<string, Set<string>>()
  const credit = new Map<string, Map<string, { credit: number; items: Set<string>; raw: string }>>()
  const elements = new Map<string, Element>()
  for (const item of ctx.corpus.items) {
    const own = elementsOf(ctx, item, measures, expressions, synonyms)
    own.forEach((e) => elements.set(e.key, e))
    const explainedWord = explainer(ctx, item, own)
    const unexplainedAt = new Set(item.tokens.filter((t) => !explainedWord(t)).map((t) => t.index))
    // Phrases run over content words (no function, calendar or number words) and hold an unexplained word.
    const content = item.tokens.filter(
      (t) => !Tokens.isFunctionWord(t) && !Tokens.isCalendarWord(t) && !Tokens.isNumeric(t)
    )
    const unexplained = own.filter(
      (e) => !e.names.some((n) => n.length > 0 && n.some((w) => item.tokens.some((t) => Tokens.sameWord(t.stem, w))))
    )
    const phrases = new Map<string, string>()
    for (const g of Tokens.ngrams(content, 3)) {
      if (!item.tokens.slice(g.start, g.end).some((t) => unexplainedAt.has(t.index))) continue
      const raw = item.tokens
        .slice(g.start, g.end)
        .map((t) => (Tokens.isHangul(t.lower) ? t.stem : t.lower))
        .join(" ")
      phrases.set(g.stems.join(" "), raw)
    }
    for (const [p] of phrases) phraseCount.set(p, (phraseCount.get(p) ?? new Set()).add(item.benchmark.id))
    if (unexplained.length === 0) continue
    for (const [p, raw] of phrases) {
      const byElement = credit.get(p) ?? new Map<string, { credit: number; items: Set<string>; raw: string }>()
      for (const e of unexplained) {
        const c = byElement.get(e.key) ?? { credit: 0, items: new Set<string>(), raw }
        c.credit += 1 / unexplained.length
        c.items.add(item.benchmark.id)
        byElement.set(e.key, c)
      }
      credit.set(p, byElement)
    }
  }
  const accepted: Array<{
    phrase: string
    element: Element
    support: number
    precision: number
    items: Set<string>
    raw: string
  }> = []
  for (const [p, byElement] of credit) {
    const total = phraseCount.get(p)?.size ?? 0
    const best = [...byElement.entries()].sort((a, b) => b[1].credit - a[1].credit)[0]
    if (best === undefined) continue
    const [key, c] = best
    const precision = c.items.size / Math.max(1, total)
    if (c.credit + 1e-9 < 1 || precision < ctx.options.minPrecision) continue
    accepted.push({ phrase: p, element: elements.get(key)!, support: c.credit, precision, items: c.items, raw: c.raw })
  }
  const contains = (long: string, shortPhrase: string) =>
    ` ${long} `.includes(` ${shortPhrase} `) && long !== shortPhrase
  const kept = accepted.filter(
    (a) =>
      !accepted.some(
        (b) => b.element.key === a.element.key && contains(b.phrase, a.phrase) && b.items.size === a.items.size
      )
  )
  return kept.map((a) => {
    const details: VocabularyDetails = {
      phrase: a.raw,
      stems: a.phrase.split(" "),
      target: a.element.target,
      support: Math.round(a.support * 100) / 100,
      precision: Math.round(a.precision * 100) / 100
    }
    const supporting = [...a.items]
    const label = a.element.target.name ?? a.element.target.ref
    return pattern({
      kind: "vocabulary",
      key: `${a.phrase}→${a.element.key}`,
      description: `"${a.raw}" → ${a.element.target.kind} ${label} (support ${details.support}, precision ${details.precision})`,
      details,
      supporting,
      explains: explains(ctx, supporting, false, [a.element.target.column ?? label])
    })
  })
}
