/**
 * The `rules` fixer: turns a pattern book, the failures' diagnoses and the space into typed fixes in all nine
 * categories, without an LLM. Prefers the most general lever that explains the failures — metadata (synonyms,
 * entity matching) before join specs, join specs before snippets, snippets before the instruction and examples —
 * and writes example SQL only as a parameterised shape over learned measures, never a benchmark's query.
 * Deletes only what the evidence contradicts, always as high-risk fixes with their reason.
 */
import { Effect, Layer } from "effect"
import type { TrainSet } from "../../model/BenchmarkSplit.js"
import type { BenchmarkResult } from "../../model/Results.js"
import type { SerializedSpace } from "../../model/Space.js"
import * as SpaceId from "../../model/SpaceId.js"
import { definePlugin } from "../../plugins/Plugin.js"
import * as SqlAnalysis from "../../sql/SqlAnalysis.js"
import type { JoinDetails } from "../learn-patterns/Joins.js"
import type { MeasureDetails } from "../learn-patterns/Measures.js"
import type { Pattern, PatternBook } from "../learn-patterns/PatternLearner.js"
import type { DateConventionDetails, FilterDetails, ValueDetails } from "../learn-patterns/Predicates.js"
import type { ExpressionDetails } from "../learn-patterns/Expressions.js"
import type { QueryShapeDetails } from "../learn-patterns/QueryShapes.js"
import type { VocabularyDetails } from "../learn-patterns/Vocabulary.js"
import * as Tokens from "../learn-patterns/Tokens.js"
import type * as Changes from "./Changes.js"
import type { FixCategory, FixInput, FixRisk } from "./Fixer.js"
import { Fix, Fixer, Plan } from "./Fixer.js"

/** Options of the rules fixer (`fix` section of the profile). @category configuration */
export interface Options {
  /** Fixes per plan at most (`fix.maxFixes`). */
  readonly maxFixes: number
  /** Language of generated text (`fix.language`): `en` or `ko`; others get English. */
  readonly language: string
  /** Propose entity matching for categorical columns found on the data, not only for values questions name. */
  readonly profiledEntityMatching: boolean
}

/** @category configuration */
export const defaultOptions: Options = { maxFixes: 50, language: "en", profiledEntityMatching: true }

/** Order of levers: the most general first. */
const leverOrder: ReadonlyArray<FixCategory> = [
  "metadata-add",
  "join-spec-add",
  "sql-snippet-add",
  "instruction-fix",
  "example-query-add",
  "metadata-delete",
  "join-spec-delete",
  "sql-snippet-delete",
  "example-query-delete"
]

const short = (identifier: string) => identifier.split(".").pop() ?? identifier

/** `average_order_value` → `Average order value`. */
const humanize = (name: string) => {
  const words = name.replace(/[_\s]+/g, " ").trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

interface Builder {
  readonly fixes: Array<Fix>
  readonly add: <C extends FixCategory>(fields: {
    readonly category: C
    readonly target: string
    readonly change: Changes.Change<C>
    readonly rationale: string
    readonly sources: ReadonlyArray<string>
    readonly targets: ReadonlyArray<string>
    readonly risk: FixRisk
  }) => void
}

const builder = (exclude: ReadonlySet<string>): Builder => {
  const fixes: Array<Fix> = []
  return {
    fixes,
    add: (f) => {
      const id = SpaceId.fromSeed(`${f.category}\u0000${f.target}\u0000${JSON.stringify(f.change)}`)
      if (exclude.has(id) || fixes.some((x) => x.id === id)) return
      fixes.push(
        new Fix({
          id,
          category: f.category,
          target: f.target,
          change: f.change,
          rationale: f.rationale,
          sourceBenchmarkIds: [...new Set(f.sources)].sort(),
          targetsFailures: [...new Set(f.targets)].sort(),
          risk: f.risk,
          origin: "rules"
        })
      )
    }
  }
}

interface Ctx {
  readonly book: PatternBook
  readonly space: SerializedSpace
  readonly train: TrainSet
  readonly failed: ReadonlySet<string>
  readonly results: ReadonlyMap<string, BenchmarkResult>
  readonly options: Options
  readonly b: Builder
}

const of = <D>(ctx: Ctx, kind: Pattern["kind"]) =>
  ctx.book.patterns.filter((p) => p.kind === kind).map((p) => ({ p, d: p.details as D }))
const failing = (ctx: Ctx, p: Pattern) => [
  ...new Set([...p.explainsFailures, ...p.supportingBenchmarkIds.filter((id) => ctx.failed.has(id))])
]
const spaceTable = (ctx: Ctx, identifier: string) =>
  (ctx.space.data_sources?.tables ?? []).find((t) => t.identifier.toLowerCase() === identifier.toLowerCase())
const columnConfig = (ctx: Ctx, table: string, column: string) =>
  spaceTable(ctx, table)?.column_configs?.find((c) => c.column_name.toLowerCase() === column.toLowerCase())

// --- metadata ----------------------------------------------------------------------------------------------------

const metadataRules = (ctx: Ctx) => {
  // Column synonyms from the vocabulary.
  const byColumn = new Map<
    string,
    { table: string; primary: string; column: string; phrases: Array<string>; p: Array<Pattern> }
  >()
  // A table's own noun stays the table's: as a column synonym it would shadow the table ("how many <table noun>").
  const tableNouns = new Set(
    (ctx.space.data_sources?.tables ?? []).flatMap((t) => {
      const words = Tokens.stems(short(t.identifier))
      return [words.join(" "), words.slice(-1).join(" ")]
    })
  )
  // A column's own values are matched as values (entity matching), never as the column's name.
  const valuesOf = new Map(
    of<ValueDetails>(ctx, "value").map(({ d }) => [
      `${d.table}.${d.column}`.toLowerCase(),
      new Set(d.sample.map((v) => Tokens.stems(v).join(" ")))
    ])
  )
  for (const { p, d } of of<VocabularyDetails>(ctx, "vocabulary")) {
    if (d.target.kind !== "column" || d.target.table === undefined || d.target.column === undefined) continue
    if (spaceTable(ctx, d.target.table) === undefined || tableNouns.has(d.stems.join(" "))) continue
    if (valuesOf.get(`${d.target.table}.${d.target.column}`.toLowerCase())?.has(d.stems.join(" ")) === true) continue
    // On every table of the space whose same-named column the supporting queries use (the one they read it from most
    // first): one concept across tables, so a question grouping by it over any of them finds the column.
    const tables = [d.target.table, ...(d.target.tables ?? [])].filter(
      (t, i, all) => all.findIndex((x) => x.toLowerCase() === t.toLowerCase()) === i
    )
    for (const table of tables) {
      if (spaceTable(ctx, table) === undefined) continue
      if (valuesOf.get(`${table}.${d.target.column}`.toLowerCase())?.has(d.stems.join(" ")) === true) continue
      const existing = columnConfig(ctx, table, d.target.column)?.synonyms ?? []
      if (existing.some((s) => s.toLowerCase() === d.phrase.toLowerCase())) continue
      const key = `${table}.${d.target.column}`.toLowerCase()
      const entry = byColumn.get(key) ?? { table, primary: d.target.table, column: d.target.column, phrases: [], p: [] }
      entry.phrases.push(d.phrase)
      entry.p.push(p)
      byColumn.set(key, entry)
    }
  }
  for (const e of byColumn.values()) {
    ctx.b.add({
      category: "metadata-add",
      target: `${e.table}.${e.column}`,
      change: {
        _tag: "ColumnSynonyms",
        table: spaceTable(ctx, e.table)!.identifier,
        column: e.column,
        synonyms: e.phrases
      },
      rationale:
        `questions say ${e.phrases.map((x) => `"${x}"`).join(", ")} where the expected SQL uses ${short(e.primary)}.${e.column}` +
        (e.primary.toLowerCase() === e.table.toLowerCase()
          ? ""
          : `; ${short(e.table)} has the same column, so questions over it need the same words`),
      sources: e.p.flatMap((p) => p.supportingBenchmarkIds),
      targets: e.p.flatMap((p) => failing(ctx, p)),
      risk: "low"
    })
  }
  // Entity matching (with format assistance) for columns whose values questions name, or categorical columns.
  for (const { p, d } of of<ValueDetails>(ctx, "value")) {
    const table = spaceTable(ctx, d.table)
    if (table === undefined || d.entityMatching) continue
    if (d.source === "profile" && !ctx.options.profiledEntityMatching) continue
    ctx.b.add({
      category: "metadata-add",
      target: `${d.table}.${d.column}`,
      change: { _tag: "EntityMatching", table: table.identifier, column: d.column },
      rationale:
        d.source === "question"
          ? `questions name its values (${d.mentioned.map((m) => m.value).join(", ")}); Genie must match them to ${short(d.table)}.${d.column}`
          : `categorical column (${d.distinct ?? "?"} values: ${d.sample.slice(0, 4).join(", ")}…) of a table the benchmarks read`,
      sources: p.supportingBenchmarkIds,
      targets: failing(ctx, p),
      risk: d.source === "question" ? "low" : "medium"
    })
  }
}

// --- joins -------------------------------------------------------------------------------------------------------

const joinRules = (ctx: Ctx) => {
  const specs = ctx.space.instructions?.join_specs ?? []
  for (const { p, d } of of<JoinDetails>(ctx, "join")) {
    const left = spaceTable(ctx, d.left.table)
    const right = spaceTable(ctx, d.right.table)
    if (left === undefined || right === undefined) continue
    const pair = [d.left.table, d.right.table].sort().join("|")
    const existing = specs.filter(
      (s) => [s.left.identifier.toLowerCase(), s.right.identifier.toLowerCase()].sort().join("|") === pair
    )
    if (existing.length === 0) {
      ctx.b.add({
        category: "join-spec-add",
        target: `${short(d.left.table)} ⋈ ${short(d.right.table)}`,
        change: {
          left: { identifier: left.identifier, alias: short(left.identifier) },
          right: { identifier: right.identifier, alias: short(right.identifier) },
          condition: d.condition,
          relationship: d.relationship,
          comment: `Learnt from ${p.supportingBenchmarkIds.length} benchmark(s); ${d.relationship.toLowerCase().replace(/_/g, "-")} measured on the data (${d.left.rows ?? "?"} rows, ${d.left.distinctKeys ?? "?"} distinct keys; ${d.right.rows ?? "?"} rows, ${d.right.distinctKeys ?? "?"} distinct keys).`
        },
        rationale: `the expected SQL joins ${short(d.left.table)} and ${short(d.right.table)} on ${d.condition} in ${p.supportingBenchmarkIds.length} benchmark(s); the space has no join spec for them`,
        sources: p.supportingBenchmarkIds,
        targets: failing(ctx, p),
        risk: "low"
      })
      continue
    }
    // A configured join on other columns, contradicted by at least two benchmarks and never confirmed.
    if (p.supportingBenchmarkIds.length < 2) continue
    for (const spec of existing) {
      const condition = spec.sql.filter((s) => !s.trim().startsWith("--")).join(" AND ")
      const analysed = SqlAnalysis.analyze(
        `SELECT 1 FROM ${spec.left.identifier} AS ${spec.left.alias} JOIN ${spec.right.identifier} AS ${spec.right.alias} ON ${condition}`
      )
      const specCondition = analysed._tag === "Analyzed" ? analysed.facts.joins[0]?.condition : undefined
      const learnt = SqlAnalysis.analyze(
        `SELECT 1 FROM ${d.left.table} AS ${short(d.left.table)} JOIN ${d.right.table} AS ${short(d.right.table)} ON ${d.condition}`
      )
      const learntCondition = learnt._tag === "Analyzed" ? learnt.facts.joins[0]?.condition : undefined
      if (specCondition === undefined || learntCondition === undefined || specCondition === learntCondition) continue
      ctx.b.add({
        category: "join-spec-delete",
        target: `join spec ${spec.id}`,
        change: { id: spec.id, left: spec.left.identifier, right: spec.right.identifier },
        rationale: `join spec ${spec.id} joins on ${specCondition}, but ${p.supportingBenchmarkIds.length} benchmarks join these tables on ${learntCondition} and none on the spec's condition (it may be human-written: review before applying)`,
        sources: p.supportingBenchmarkIds,
        targets: failing(ctx, p),
        risk: "high"
      })
    }
  }
}

// --- snippets ----------------------------------------------------------------------------------------------------

/** Question phrases the vocabulary maps to a measure or expression pattern. */
const phrasesFor = (ctx: Ctx, patternId: string) =>
  of<VocabularyDetails>(ctx, "vocabulary").filter(({ d }) => d.target.ref === patternId)

const snippetRules = (ctx: Ctx) => {
  const snippets = ctx.space.instructions?.sql_snippets
  for (const { p, d } of of<MeasureDetails>(ctx, "measure")) {
    const vocab = phrasesFor(ctx, p.id)
    const phrases = vocab.map((v) => v.d.phrase)
    const existing = (snippets?.measures ?? []).find(
      (s) =>
        (s.alias ?? "").toLowerCase() === d.name || (s.display_name ?? "").toLowerCase().replace(/\s+/g, "_") === d.name
    )
    if (d.configured) {
      // Synonym before snippet: an existing measure only needs the words questions use for it.
      const fresh = phrases.filter((x) => !(existing?.synonyms ?? []).some((s) => s.toLowerCase() === x.toLowerCase()))
      if (existing !== undefined && fresh.length > 0)
        ctx.b.add({
          category: "metadata-add",
          target: `measure ${existing.id}`,
          change: { _tag: "SnippetSynonyms", kind: "measure", id: existing.id, synonyms: fresh },
          rationale: `questions say ${fresh.map((x) => `"${x}"`).join(", ")} for ${d.name}`,
          sources: vocab.flatMap((v) => v.p.supportingBenchmarkIds),
          targets: vocab.flatMap((v) => failing(ctx, v.p)),
          risk: "low"
        })
      continue
    }
    // A count or a plain aggregate of one column is the column's, unless questions call it in other words or never
    // ask for the aggregate ("지난달 판매량은?", "Monthly sales volume").
    const uncued = d.uncued ?? []
    if (d.trivial === true && phrases.length === 0 && (uncued.length === 0 || p.supportingBenchmarkIds.length < 2))
      continue
    // A count of rows that names no table (the counted table has no key) cannot stand alone as a snippet.
    if (d.trivial === true && !/\w\.\w/.test(d.expression)) continue
    const displayName = d.nameCollides ? (phrases[0] ?? humanize(d.name)) : humanize(d.name)
    if (p.sql === undefined) continue
    const synonyms = [
      ...new Set(
        [
          ...d.aliases.filter((a) => a.toLowerCase() !== d.name).map(humanize),
          ...(d.nameCollides ? [humanize(d.name)] : []),
          ...(d.spoken ?? []),
          ...phrases
        ].filter((s) => s.toLowerCase() !== displayName.toLowerCase())
      )
    ]
    ctx.b.add({
      category: "sql-snippet-add",
      target: `measure ${d.name}`,
      change: {
        kind: "measure",
        sql: p.sql,
        displayName,
        alias: d.nameCollides ? `${d.name}_value` : d.name,
        synonyms,
        ...(d.filters.length === 0
          ? {}
          : { comment: `Counts only rows where ${d.filters.join(" AND ")}, as every benchmark computing it does.` })
      },
      rationale: `${p.supportingBenchmarkIds.length} benchmark(s) compute ${d.expression}${d.filters.length > 0 ? ` always with ${d.filters.join(" AND ")}` : ""}; the space has no measure for it`,
      sources: p.supportingBenchmarkIds,
      targets: failing(ctx, p),
      risk: "medium"
    })
  }
  for (const { p, d } of of<FilterDetails>(ctx, "filter")) {
    // The words questions use for a filter they never spell out (반품 → state = 'r').
    const vocab = phrasesFor(ctx, p.id)
    const phrases = vocab.map((v) => v.d.phrase)
    if (d.configured || d.foldedInto.length > 0 || (d.implicit < 2 && phrases.length === 0)) continue
    const literal = SqlAnalysis.expressionHead(d.predicate)?.literals[0]?.value
    const name = [literal, ...d.tables.map((t) => Tokens.stems(short(t)).join(" "))]
      .filter((x) => x !== undefined)
      .join(" ")
    ctx.b.add({
      category: "sql-snippet-add",
      target: `filter ${d.predicate}`,
      change: { kind: "filter", sql: d.predicate, displayName: humanize(name), synonyms: phrases },
      rationale:
        phrases.length > 0
          ? `questions say ${phrases.map((x) => `"${x}"`).join(", ")} for ${d.predicate} without naming its value`
          : `${d.implicit} benchmark(s) apply ${d.predicate} without their question saying so`,
      sources: [...p.supportingBenchmarkIds, ...vocab.flatMap((v) => v.p.supportingBenchmarkIds)],
      targets: [...failing(ctx, p), ...vocab.flatMap((v) => failing(ctx, v.p))],
      risk: "medium"
    })
  }
  for (const { p, d } of of<ExpressionDetails>(ctx, "expression")) {
    if (d.configured) continue
    const phrases = phrasesFor(ctx, p.id).map((v) => v.d.phrase)
    ctx.b.add({
      category: "sql-snippet-add",
      target: `expression ${d.name}`,
      change: {
        kind: "expression",
        sql: d.expression,
        displayName: humanize(d.name),
        alias: d.name,
        synonyms: phrases
      },
      rationale: `${p.supportingBenchmarkIds.length} benchmark(s) group by or output ${d.expression}`,
      sources: p.supportingBenchmarkIds,
      targets: failing(ctx, p),
      risk: "medium"
    })
  }
}

// --- instruction -------------------------------------------------------------------------------------------------

const monthNames = "January February March April May June July August September October November December".split(" ")

const instructionRules = (ctx: Ctx) => {
  const ko = ctx.options.language.toLowerCase().startsWith("ko")
  const lines: Array<string> = []
  const sources: Array<string> = []
  const targets: Array<string> = []
  for (const { p, d } of of<MeasureDetails>(ctx, "measure")) {
    if (d.filters.length === 0) continue
    lines.push(
      ko
        ? `- ${humanize(d.name)}: ${d.filters.join(" AND ")} 조건의 행만 집계합니다.`
        : `- ${humanize(d.name)} counts only rows where ${d.filters.join(" AND ")}.`
    )
    sources.push(...p.supportingBenchmarkIds)
    targets.push(...failing(ctx, p))
  }
  for (const { p, d } of of<DateConventionDetails>(ctx, "date-convention")) {
    if (d.form !== "offset-year" || d.startMonth === undefined || d.yearOffset === undefined) continue
    const cue = d.cue.join(" ") || "year"
    const month = monthNames[d.startMonth - 1] ?? String(d.startMonth)
    lines.push(
      ko
        ? `- "${cue} N"은 N${d.yearOffset >= 0 ? "+" : ""}${d.yearOffset}년 ${d.startMonth}월 1일부터 1년간입니다 (${d.column}).`
        : `- "${cue} N" runs for one year from ${month} 1 of year N${d.yearOffset >= 0 ? "+" : ""}${d.yearOffset} (filter ${d.column} >= that date and < one year later).`
    )
    sources.push(...p.supportingBenchmarkIds)
    targets.push(...failing(ctx, p))
  }
  if (lines.length === 0) return
  ctx.b.add({
    category: "instruction-fix",
    target: "text instruction",
    change: { append: [ko ? "## 학습된 규칙\n" : "## Learnt conventions\n", ...lines.map((l) => `${l}\n`)] },
    rationale:
      "business rules every supporting benchmark follows but no question states; appended, never replacing what is there",
    sources,
    targets,
    risk: "low"
  })
}

// --- examples ----------------------------------------------------------------------------------------------------

interface Graph {
  readonly joins: ReadonlyArray<JoinDetails>
}

/** FROM … JOIN … connecting the tables through learnt joins (breadth first from the first), or undefined. */
const fromClause = (graph: Graph, tables: ReadonlyArray<string>): string | undefined => {
  if (tables.length === 0) return undefined
  const [start, ...rest] = [...new Set(tables)]
  const joined = new Set([start])
  const parts = [`${start} AS ${short(start)}`]
  const want = new Set(rest)
  let progress = true
  while ([...want].some((t) => !joined.has(t)) && progress) {
    progress = false
    for (const j of graph.joins) {
      const [a, b] = [j.left.table, j.right.table]
      const next = joined.has(a) && !joined.has(b) ? b : joined.has(b) && !joined.has(a) ? a : undefined
      if (next === undefined) continue
      // Only walk towards tables that are wanted, or one step through a bridge table.
      parts.push(`JOIN ${next} AS ${short(next)} ON ${j.condition}`)
      joined.add(next)
      progress = true
    }
  }
  return [...want].every((t) => joined.has(t)) ? parts.join("\n") : undefined
}

/** Group-by columns (short `table.column`) the supporting benchmarks of a measure use. */
const dimensionsOf = (ctx: Ctx, measure: Pattern): Array<string> => {
  const counts = new Map<string, number>()
  for (const b of ctx.train) {
    if (!measure.supportingBenchmarkIds.includes(b.id)) continue
    const a = SqlAnalysis.analyze(b.expected_sql)
    if (a._tag === "Unparseable") continue
    for (const g of a.facts.groupBy) {
      const cols = a.facts.outputs.find((o) => o.sql === g)?.columns ?? []
      if (cols.length === 1 && cols[0] === g) counts.set(g, (counts.get(g) ?? 0) + 1)
    }
  }
  return [...counts.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).map(([g]) => g)
}

const exampleRules = (ctx: Ctx) => {
  const ko = ctx.options.language.toLowerCase().startsWith("ko")
  const graph: Graph = { joins: of<JoinDetails>(ctx, "join").map((x) => x.d) }
  const measures = of<MeasureDetails>(ctx, "measure")
  const dateColumn = (tables: ReadonlyArray<string>) =>
    of<DateConventionDetails>(ctx, "date-convention")
      .filter(({ d }) => tables.includes(d.table) && (d.form === "calendar-year" || d.form === "grain"))
      .sort((a, b) => b.p.supportingBenchmarkIds.length - a.p.supportingBenchmarkIds.length)[0]?.d
  const fullOf = (alias: string) =>
    [...ctx.book.patterns]
      .flatMap((p) =>
        p.kind === "join" ? [(p.details as JoinDetails).left.table, (p.details as JoinDetails).right.table] : []
      )
      .find((t) => short(t) === alias)
  for (const { p, d } of of<QueryShapeDetails>(ctx, "query-shape")) {
    if (d.shape === "share-of-total") {
      for (const instance of d.instances) {
        const measure = measures.find((m) => m.p.id === instance.measure)
        if (measure === undefined || measure.p.sql === undefined) continue
        // Another dimension than every benchmark of the shape: the pattern, not a restatement.
        const used = new Set(d.instances.map((i) => i.dimension))
        const dimension = dimensionsOf(ctx, measure.p).find((g) => !used.has(g))
        if (dimension === undefined) continue
        const [alias, column] = [
          dimension.slice(0, dimension.lastIndexOf(".")),
          dimension.slice(dimension.lastIndexOf(".") + 1)
        ]
        const dimTable = fullOf(alias) ?? measure.d.tables.find((t) => short(t) === alias)
        if (dimTable === undefined) continue
        const from = fromClause(graph, [...measure.d.tables, dimTable])
        if (from === undefined) continue
        const m = measure.p.sql
        const sql = [
          `SELECT ${dimension} AS ${column},`,
          `       ${m} * 1.0 / SUM(${m}) OVER () AS ${measure.d.name}_share`,
          `FROM ${from}`,
          `GROUP BY ${dimension}`
        ].join("\n")
        const dimPhrase = [...Tokens.stems(alias).slice(-1), ...Tokens.stems(column)]
          .filter((w, i, all) => all.indexOf(w) === i)
          .join(" ")
        const cue = d.cues.find((c) => !Tokens.isFunctionWord({ raw: c, lower: c, stem: c, index: 0 })) ?? "share"
        ctx.b.add({
          category: "example-query-add",
          target: `example: ${d.shape} of ${measure.d.name} by ${dimension}`,
          change: {
            question: ko
              ? `${dimPhrase}별 ${humanize(measure.d.name)} ${cue}`
              : `What ${cue} of total ${humanize(measure.d.name).toLowerCase()} does each ${dimPhrase} contribute?`,
            sql,
            parameters: [],
            usageGuidance: ko
              ? "전체 대비 비중(share of total)을 묻는 질문의 패턴입니다. 차원과 측정값을 바꿔 사용하세요."
              : "Pattern for a share of the total: swap in the dimension and measure the question asks for."
          },
          rationale: `${p.supportingBenchmarkIds.length} benchmark(s) ask for a share of a total, which no snippet can express; shown over another dimension (${dimension}) so it teaches the pattern, not an answer`,
          sources: p.supportingBenchmarkIds,
          targets: failing(ctx, p),
          risk: "medium"
        })
        break
      }
    }
    if (d.shape === "period-growth") {
      const used = new Set(d.instances.map((i) => i.measure))
      const instance = d.instances.find((i) => i.grain !== undefined)
      // Another measure than the benchmarks', over the same grain.
      const measure = measures.find(
        (m) => !used.has(m.p.id) && m.p.sql !== undefined && dateColumn(m.d.tables) !== undefined
      )
      if (instance === undefined || measure === undefined) continue
      const date = dateColumn(measure.d.tables)
      const from = fromClause(graph, [...measure.d.tables, date.table])
      if (from === undefined) continue
      const grain = instance.grain!.toUpperCase()
      const name = measure.d.name
      const sql = [
        "WITH periods AS (",
        `  SELECT date_trunc('${grain}', ${date.column}) AS period, ${measure.p.sql} AS ${name}`,
        `  FROM ${from.replace(/\n/g, "\n  ")}`,
        `  WHERE year(${date.column}) = :year`,
        `  GROUP BY date_trunc('${grain}', ${date.column})`,
        ")",
        `SELECT period, ${name},`,
        `       try_divide(${name} - LAG(${name}) OVER (ORDER BY period), LAG(${name}) OVER (ORDER BY period)) AS growth`,
        "FROM periods",
        "ORDER BY period"
      ].join("\n")
      const years = ctx.train
        .flatMap((b) =>
          Tokens.tokenize(b.question)
            .filter((t) => /^(19|20)\d\d$/.test(t.lower))
            .map((t) => t.lower)
        )
        .sort()
      const year = years[years.length - 1] ?? String(new Date().getUTCFullYear())
      const g = instance.grain!.toLowerCase()
      ctx.b.add({
        category: "example-query-add",
        target: `example: ${d.shape} of ${name} by ${g}`,
        change: {
          question: ko
            ? `${year}년 ${humanize(name)} 전${g === "month" ? "월" : "기"} 대비 성장률`
            : `What was the ${g}-over-${g} ${humanize(name).toLowerCase()} growth in ${year}?`,
          sql,
          parameters: [{ name: "year", typeHint: "INTEGER", description: "Calendar year.", defaultValue: year }],
          usageGuidance: ko
            ? "기간 대비 성장률을 묻는 질문의 패턴입니다 (LAG)."
            : "Pattern for growth between consecutive periods (LAG over the period); swap in the measure and grain asked for."
        },
        rationale: `${p.supportingBenchmarkIds.length} benchmark(s) ask for growth between periods, which no snippet can express; shown for another measure (${name}) so it teaches the pattern, not an answer`,
        sources: p.supportingBenchmarkIds,
        targets: failing(ctx, p),
        risk: "medium"
      })
    }
  }
  // Examples that restate a train benchmark's query: already leaking into the space.
  for (const e of ctx.space.instructions?.example_question_sqls ?? []) {
    const canonical = SqlAnalysis.canonicalSql(e.sql.join(""))
    if (canonical === undefined) {
      ctx.b.add({
        category: "example-query-delete",
        target: `example ${e.id}`,
        change: { id: e.id, question: e.question.join("") },
        rationale: "its SQL does not parse, so it can only mislead (it may be human-written: review before applying)",
        sources: [],
        targets: [],
        risk: "high"
      })
      continue
    }
    const restated = ctx.train.filter((b) => SqlAnalysis.canonicalSql(b.expected_sql) === canonical).map((b) => b.id)
    if (restated.length > 0)
      ctx.b.add({
        category: "example-query-delete",
        target: `example ${e.id}`,
        change: { id: e.id, question: e.question.join("") },
        rationale: `its SQL is the expected SQL of ${restated.join(", ")}: a memorised answer that inflates the score (it may be human-written: review before applying)`,
        sources: restated,
        targets: [],
        risk: "high"
      })
  }
}

// --- metadata deletes --------------------------------------------------------------------------------------------

const metadataDeleteRules = (ctx: Ctx) => {
  const vocab = of<VocabularyDetails>(ctx, "vocabulary")
  for (const table of ctx.space.data_sources?.tables ?? []) {
    for (const c of table.column_configs ?? []) {
      for (const synonym of c.synonyms ?? []) {
        const stems = Tokens.stems(synonym).join(" ")
        const elsewhere = vocab.find(
          ({ d }) =>
            d.stems.join(" ") === stems &&
            d.support >= 2 &&
            !(
              d.target.kind === "column" &&
              d.target.column === c.column_name.toLowerCase() &&
              [d.target.table, ...(d.target.tables ?? [])].includes(table.identifier.toLowerCase())
            )
        )
        if (elsewhere === undefined) continue
        ctx.b.add({
          category: "metadata-delete",
          target: `${table.identifier}.${c.column_name}`,
          change: { _tag: "ColumnSynonym", table: table.identifier, column: c.column_name, synonym },
          rationale: `"${synonym}" is configured on ${c.column_name}, but ${elsewhere.d.support} benchmarks use it for ${elsewhere.d.target.name ?? elsewhere.d.target.ref} (it may be human-written: review before applying)`,
          sources: elsewhere.p.supportingBenchmarkIds,
          targets: failing(ctx, elsewhere.p),
          risk: "high"
        })
      }
    }
  }
}

/**
 * Proposes a plan (unvalidated: run it through `PlanValidator`).
 *
 * @category constructors
 */
export const propose = (input: FixInput, options: Partial<Options> = {}): Plan => {
  const opts: Options = { ...defaultOptions, ...options }
  const trainIds = new Set(input.train.map((b) => b.id))
  const failures = input.failures.filter((r) => trainIds.has(r.benchmarkId) && r.verdict.outcome !== "pass")
  const ctx: Ctx = {
    book: input.patterns,
    space: input.space,
    train: input.train,
    failed: new Set(failures.map((r) => r.benchmarkId)),
    results: new Map(failures.map((r) => [r.benchmarkId, r])),
    options: opts,
    // Fixes an earlier fixer of the profile proposed are not proposed again.
    b: builder(new Set([...(input.excludeFixIds ?? []), ...(input.proposed ?? []).map((f) => f.id)]))
  }
  metadataRules(ctx)
  joinRules(ctx)
  snippetRules(ctx)
  instructionRules(ctx)
  exampleRules(ctx)
  metadataDeleteRules(ctx)
  const ranked = [...ctx.b.fixes].sort(
    (a, b) =>
      leverOrder.indexOf(a.category) - leverOrder.indexOf(b.category) ||
      b.targetsFailures.length - a.targetsFailures.length ||
      b.sourceBenchmarkIds.length - a.sourceBenchmarkIds.length ||
      (a.id < b.id ? -1 : 1)
  )
  // The cap keeps the fixes that target the most failures, in lever order.
  const kept = [...ranked]
    .sort((a, b) => b.targetsFailures.length - a.targetsFailures.length || ranked.indexOf(a) - ranked.indexOf(b))
    .slice(0, opts.maxFixes)
  return new Plan({ fixes: ranked.filter((f) => kept.includes(f)), rejected: [] })
}

/**
 * The rules fixer as a `Fixer` layer (needs nothing: it reads its input only).
 *
 * @category layers
 */
export const layer = (options: Partial<Options> = {}): Layer.Layer<Fixer> =>
  Layer.succeed(
    Fixer,
    Fixer.of({
      propose: (input) => Effect.sync(() => propose(input, options)).pipe(Effect.withSpan("RulesFixer.propose"))
    })
  )

/** JSON Schema of the fixer's options. @category configuration */
export const optionsSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    maxFixes: { type: "integer", minimum: 1 },
    language: { type: "string", minLength: 2 },
    profiledEntityMatching: { type: "boolean" }
  }
} as const

/**
 * The plugin manifest of the built-in fixer.
 *
 * @category layers
 */
export const plugin = definePlugin({
  id: "rules",
  version: "1.0.0",
  kind: "fixer",
  description: "Turns learnt patterns and failure diagnoses into typed fixes in all nine categories, without an LLM.",
  optionsSchema,
  // The profile's `fix.language` and `fix.maxFixes`, under the options given explicitly.
  layer: (options: Partial<Options>, context) =>
    layer({
      language: context.profile.fix.language,
      maxFixes: context.profile.fix.maxFixes,
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined))
    })
})
