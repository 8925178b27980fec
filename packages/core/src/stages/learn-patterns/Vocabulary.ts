/**
 * Vocabulary patterns: question words and phrases aligned with the SQL elements they stand for — measures,
 * grouped-by columns, derived expressions, implicit filters, counted tables, and date columns when a query could
 * mean several.
 *
 * **How**
 * For each train benchmark, an element is *explained* when one of its names (alias, column, table, configured
 * synonyms and snippet names) is written whole in the question; a question word is explained when it belongs to such
 * a name, to a table or column the query reads, or to a literal, or is a function, calendar or number word. The
 * phrases of unexplained words (1–3 consecutive content words) are then aligned with the unexplained elements by
 * competitive linking: the pair seen in the most questions (with at least `minPrecision` of the phrase's remaining
 * questions) is linked first, its words and element are taken out of those questions, and so on; a pair seen in one
 * question only is linked when nothing else in it is left to explain. A word that groups (Korean 별 / 마다: 지역별)
 * ends a phrase, and such a phrase only names a dimension. Column elements are keyed by column name, so the same
 * column in several tables learns one set of words.
 * Works the same for any language: Hangul words are compared without their particles (주문은, 주문을 → 주문).
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
import type { FilterDetails } from "./Predicates.js"
import * as Tokens from "./Tokens.js"

/** What a phrase stands for. @category models */
export interface VocabularyTarget {
  readonly kind: "measure" | "column" | "expression" | "table" | "filter"
  /**
   * Measure/expression/filter: the pattern id; column: full table identifier + `.` + column; table: full identifier.
   */
  readonly ref: string
  /** Full table identifier and column (columns), or the name (measures, expressions, filters). */
  readonly table?: string
  readonly column?: string
  readonly name?: string
  /** Columns: every table (full identifier) whose same-named column the supporting queries use. */
  readonly tables?: ReadonlyArray<string>
}

/** `details` of a `vocabulary` pattern. @category models */
export interface VocabularyDetails {
  /** The phrase as a question wrote it (particles stripped from Hangul words). */
  readonly phrase: string
  readonly stems: ReadonlyArray<string>
  readonly target: VocabularyTarget
  /** Questions where the phrase was linked with the target. */
  readonly support: number
  /** Share of the phrase's questions (those it was still unexplained in) where it was linked with the target. */
  readonly precision: number
}

interface Element {
  readonly key: string
  readonly target: VocabularyTarget
  readonly names: ReadonlyArray<ReadonlyArray<string>>
  /** Columns and expressions a query groups by or lists: the only elements a grouping phrase (지역별) names. */
  readonly dimension: boolean
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

/** A predicate with its columns written without their tables (`state = 'x'`): one filter across tables. */
const unqualified = (sql: string, columns: ReadonlyArray<string>) =>
  columns.reduce((acc, c) => acc.split(c).join(splitColumn(c)[1]), sql)

const elementsOf = (
  ctx: Context,
  item: Item,
  measures: ReadonlyArray<Pattern>,
  expressions: ReadonlyArray<Pattern>,
  filters: ReadonlyArray<Pattern>,
  synonyms: ReadonlyMap<string, ReadonlyArray<ReadonlyArray<string>>>
): Array<Element> => {
  const out: Array<Element> = []
  const push = (e: Element | undefined) => {
    if (e !== undefined && !out.some((x) => x.key === e.key)) out.push(e)
  }
  const column = (ref: string, dimension: boolean): Element | undefined => {
    const [alias, name] = splitColumn(ref)
    const table = item.tables[alias]
    if (table === undefined) return undefined
    const key = `${table}.${name}`
    const noun = Tokens.stems(short(table)).slice(-1)
    return {
      key: `column:${name}`,
      target: { kind: "column", ref: key, table, column: name, tables: [table] },
      names: [
        Tokens.stems(name),
        [...noun, ...Tokens.stems(name)],
        // A column named after its table (`item_name`, `item_code` of `items`) is what the table's noun names.
        ...(noun.length > 0 && Tokens.stems(name).includes(noun[0]) ? [noun] : []),
        ...(synonyms.get(key) ?? [])
      ],
      dimension
    }
  }
  // Measures the query outputs; a measure only nested in another (a share's total) counts when none is output.
  const id = item.benchmark.id
  const direct = measures.filter(
    (m) => m.supportingBenchmarkIds.includes(id) && !(m.details as MeasureDetails).embeddedIn.includes(id)
  )
  const outputMeasures = direct.length > 0 ? direct : measures.filter((x) => x.supportingBenchmarkIds.includes(id))
  for (const m of outputMeasures) {
    const d = m.details as MeasureDetails
    // A sum or average of one column the question asks for in words ("total cost", 평균 XYZ): the column is named.
    if (d.trivial === true && d.aggregate !== "count" && Tokens.asksFor(item.tokens, d.aggregate ?? "")) {
      const use = item.measures.find((u) => SqlAnalysis.expressionHead(u.sql)?.head === d.aggregate)
      if (use !== undefined && use.columns.length === 1) {
        push(column(use.columns[0], false))
        continue
      }
    }
    push({
      key: `measure:${m.id}`,
      target: { kind: "measure", ref: m.id, name: d.name },
      names: [...d.aliases.map(Tokens.stems), Tokens.stems(d.name)],
      dimension: false
    })
  }
  for (const e of expressions) {
    const d = e.details as ExpressionDetails
    if (!e.supportingBenchmarkIds.includes(item.benchmark.id)) continue
    push({
      key: `expression:${e.id}`,
      target: { kind: "expression", ref: e.id, name: d.name },
      names: [Tokens.stems(d.name)],
      dimension: true
    })
  }
  for (const d of item.dimensions) if (d.kind === "column" && d.columns.length === 1) push(column(d.columns[0], true))
  // Implicit filters no output measure folds in: the words a question uses for them (반품 → state = 'r').
  const folded = new Set(outputMeasures.flatMap((m) => (m.details as MeasureDetails).filters))
  for (const p of item.predicates) {
    if (p.time || p.explicit || p.clause !== "where" || folded.has(p.sql) || p.columns.length !== 1) continue
    if (!p.literals.some((l) => l.type === "string")) continue
    const f = filters.find((x) => (x.details as FilterDetails).predicate === p.sql)
    if (f === undefined) continue
    push({
      key: `filter:${unqualified(p.sql, p.columns)}`,
      target: { kind: "filter", ref: f.id, name: p.sql },
      names: [],
      dimension: false
    })
  }
  // The table a query counts rows of ("how many X"), unless a count measure stands for it.
  if (
    item.measures.length > 0 &&
    item.measures.every((m) => m.columns.length <= 1 && SqlAnalysis.expressionHead(m.sql)?.head === "count") &&
    Object.keys(item.tables).length === 1 &&
    !out.some((e) => e.target.kind === "measure")
  ) {
    const table = Object.values(item.tables)[0]
    push({
      key: `table:${table}`,
      target: { kind: "table", ref: table, table },
      names: [Tokens.stems(short(table))],
      dimension: false
    })
  }
  // A date column when the query's tables have several: the question must say which.
  const temporal = temporalColumns(item, ctx.catalog)
  if (temporal.length > 1) {
    for (const p of item.predicates) if (p.time && p.columns.length === 1) push(column(p.columns[0], false))
  }
  return out
}

/** Start indexes of the whole occurrences of a name (consecutive words) in the question. */
const occurrences = (tokens: ReadonlyArray<Tokens.Token>, name: ReadonlyArray<string>): Array<number> => {
  const at: Array<number> = []
  if (name.length === 0) return at
  for (let i = 0; i + name.length <= tokens.length; i++) {
    if (name.every((w, k) => Tokens.sameWord(tokens[i + k].stem, w) || Tokens.sameWord(tokens[i + k].lower, w)))
      at.push(i)
  }
  return at
}

/** Which elements a question names whole, and which of its words are explained. */
const explainer = (ctx: Context, item: Item, own: ReadonlyArray<Element>) => {
  // Whole names of everything the query reads explain question words (a table or column name, a literal).
  const readNames: Array<ReadonlyArray<string>> = [
    ...own.flatMap((e) => e.names),
    ...Object.values(item.tables).flatMap((t) => [
      Tokens.stems(short(t)),
      ...(ctx.catalog.get(t)?.columns ?? []).map((c) => Tokens.stems(c.name))
    ]),
    ...item.predicates.flatMap((p) => p.literals.map((l) => Tokens.stems(l.value)))
  ]
  const covered = new Set<number>()
  for (const name of readNames)
    for (const i of occurrences(item.tokens, name)) for (let k = 0; k < name.length; k++) covered.add(i + k)
  const explainedWord = (t: Tokens.Token) =>
    Tokens.isFunctionWord(t) || Tokens.isCalendarWord(t) || Tokens.isNumeric(t) || covered.has(t.index)
  const named = (e: Element) => e.names.some((n) => occurrences(item.tokens, n).length > 0)
  return { explainedWord, named }
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
  expressions: ReadonlyArray<Pattern>,
  filters: ReadonlyArray<Pattern> = []
): ReadonlySet<number> => {
  const { explainedWord } = explainer(
    ctx,
    item,
    elementsOf(ctx, item, measures, expressions, filters, configuredNames(ctx))
  )
  return new Set(item.tokens.filter(explainedWord).map((t) => t.index))
}

interface Phrase {
  readonly key: string
  readonly raw: string
  readonly start: number
  readonly end: number
  /** It ends with a grouping word (지역별): it names a dimension. */
  readonly groups: boolean
}

interface State {
  readonly item: Item
  readonly open: Map<string, Element>
  readonly phrases: Map<string, Phrase>
  /** Content words not yet linked, by token index. */
  readonly free: Set<number>
  /** Of them, the unexplained ones. */
  readonly unexplained: Set<number>
}

/** Phrases (1–3 consecutive free content words, a grouping word only last) holding an unexplained word. */
const phrasesOf = (state: State): Map<string, Phrase> => {
  const out = new Map<string, Phrase>()
  const tokens = state.item.tokens
  for (let i = 0; i < tokens.length; i++) {
    for (let n = 1; n <= 3 && i + n <= tokens.length; n++) {
      const span = tokens.slice(i, i + n)
      if (!span.every((t) => state.free.has(t.index))) break
      if (span.slice(0, -1).some(Tokens.groupsBy)) break
      if (!span.some((t) => state.unexplained.has(t.index))) continue
      const key = span.map((t) => t.stem).join(" ")
      const raw = span.map((t) => (Tokens.isHangul(t.lower) ? t.stem : t.lower)).join(" ")
      out.set(key, { key, raw, start: i, end: i + n, groups: Tokens.groupsBy(span[n - 1]) })
    }
  }
  return out
}

/** The runs of consecutive free words holding an unexplained word (a grouping word ends a run). */
const runsOf = (state: State): Array<string> => {
  const runs: Array<Array<Tokens.Token>> = []
  let current: Array<Tokens.Token> = []
  for (const t of state.item.tokens) {
    if (!state.free.has(t.index)) {
      if (current.length > 0) runs.push(current)
      current = []
      continue
    }
    current.push(t)
    if (Tokens.groupsBy(t)) {
      runs.push(current)
      current = []
    }
  }
  if (current.length > 0) runs.push(current)
  return runs.filter((r) => r.some((t) => state.unexplained.has(t.index))).map((r) => r.map((t) => t.stem).join(" "))
}

/** How many open elements of a question a phrase could name (a grouping phrase: dimensions only). */
const compatible = (state: State, phrase: Phrase): number =>
  [...state.open.values()].filter((e) => !phrase.groups || e.dimension).length

/** The one run of unexplained words of a question that no other question holds, if exactly one is. */
const singleRun = (state: State, seen: ReadonlyMap<string, number>): string | undefined => {
  const own = runsOf(state).filter((r) => (seen.get(r) ?? 0) <= 1)
  return own.length === 1 ? own[0] : undefined
}

/** Mines the vocabulary of the train split. @category constructors */
export const mine = (
  ctx: Context,
  measures: ReadonlyArray<Pattern>,
  expressions: ReadonlyArray<Pattern>,
  filters: ReadonlyArray<Pattern> = []
): ReadonlyArray<Pattern> => {
  const synonyms = configuredNames(ctx)
  const elements = new Map<string, Element>()
  const tablesOf = new Map<string, Map<string, number>>()
  const states: Array<State> = []
  for (const item of ctx.corpus.items) {
    const own = elementsOf(ctx, item, measures, expressions, filters, synonyms)
    for (const e of own) {
      if (!elements.has(e.key)) elements.set(e.key, e)
      if (e.target.kind === "column" && e.target.ref !== undefined) {
        const counts = tablesOf.get(e.key) ?? new Map<string, number>()
        counts.set(e.target.ref, (counts.get(e.target.ref) ?? 0) + 1)
        tablesOf.set(e.key, counts)
      }
    }
    const { explainedWord, named } = explainer(ctx, item, own)
    const content = item.tokens.filter(
      (t) => !Tokens.isFunctionWord(t) && !Tokens.isCalendarWord(t) && !Tokens.isNumeric(t)
    )
    const state: State = {
      item,
      open: new Map(own.filter((e) => !named(e)).map((e) => [e.key, e])),
      phrases: new Map(),
      free: new Set(content.map((t) => t.index)),
      unexplained: new Set(content.filter((t) => !explainedWord(t)).map((t) => t.index))
    }
    phrasesOf(state).forEach((p, k) => state.phrases.set(k, p))
    states.push(state)
  }
  // How many questions hold each phrase at all.
  const seen = new Map<string, number>()
  for (const st of states) for (const k of st.phrases.keys()) seen.set(k, (seen.get(k) ?? 0) + 1)
  const links: Array<{ phrase: Phrase; element: Element; items: Set<string>; available: number }> = []
  for (;;) {
    const available = new Map<string, number>()
    const pairs = new Map<string, { phrase: Phrase; element: Element; states: Array<State> }>()
    for (const st of states) {
      for (const p of st.phrases.values()) {
        available.set(p.key, (available.get(p.key) ?? 0) + 1)
        for (const e of st.open.values()) {
          if (p.groups && !e.dimension) continue
          const key = `${p.key}\u0000${e.key}`
          const pair = pairs.get(key) ?? { phrase: p, element: e, states: [] }
          pair.states.push(st)
          pairs.set(key, pair)
        }
      }
    }
    const ranked = [...pairs.values()]
      .map((x) => ({ ...x, precision: x.states.length / (available.get(x.phrase.key) ?? 1) }))
      .filter(
        (x) =>
          x.precision + 1e-9 >= ctx.options.minPrecision &&
          (x.states.length >= 2 ||
            // One question: when the element is all that is left for the phrase to name in it, and the phrase is its
            // only run of unexplained words no other question uses (or a whole grouping run: 지역별 names a dimension).
            (compatible(x.states[0], x.phrase) === 1 &&
              (x.phrase.groups
                ? runsOf(x.states[0]).includes(x.phrase.key)
                : singleRun(x.states[0], seen) === x.phrase.key)))
      )
      .sort(
        (a, b) =>
          b.states.length - a.states.length ||
          b.precision - a.precision ||
          b.phrase.end - b.phrase.start - (a.phrase.end - a.phrase.start) ||
          (a.phrase.key + a.element.key < b.phrase.key + b.element.key ? -1 : 1)
      )
    const best = ranked[0]
    if (best === undefined) break
    for (const st of best.states) {
      const p = st.phrases.get(best.phrase.key)!
      st.open.delete(best.element.key)
      for (let i = p.start; i < p.end; i++) st.free.delete(st.item.tokens[i].index)
      st.phrases.clear()
      phrasesOf(st).forEach((x, k) => st.phrases.set(k, x))
    }
    links.push({
      phrase: best.phrase,
      element: best.element,
      items: new Set(best.states.map((st) => st.item.benchmark.id)),
      available: available.get(best.phrase.key) ?? best.states.length
    })
  }
  return links.map((a) => {
    const counts = tablesOf.get(a.element.key)
    const target: VocabularyTarget =
      a.element.target.kind === "column" && counts !== undefined
        ? (() => {
            const refs = [...counts.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
            const [table, column] = splitColumn(refs[0][0])
            return {
              kind: "column",
              ref: refs[0][0],
              table,
              column,
              tables: refs.map(([r]) => splitColumn(r)[0]).sort()
            }
          })()
        : a.element.target
    const details: VocabularyDetails = {
      phrase: a.phrase.raw,
      stems: a.phrase.key.split(" "),
      target,
      support: a.items.size,
      precision: Math.round((a.items.size / Math.max(1, a.available)) * 100) / 100
    }
    const supporting = [...a.items]
    const label = target.name ?? target.ref
    return pattern({
      kind: "vocabulary",
      key: `${a.phrase.key}→${a.element.key}`,
      description: `"${a.phrase.raw}" → ${target.kind} ${label} (support ${details.support}, precision ${details.precision})`,
      details,
      supporting,
      explains: explains(ctx, supporting, false, [target.column ?? label])
    })
  })
}
