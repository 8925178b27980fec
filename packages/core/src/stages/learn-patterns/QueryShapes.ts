/**
 * Query shapes no snippet can express, as candidates for parameterised example SQL: share of total
 * (`m / SUM(m) OVER ()`), growth between periods (`LAG` over a grain), top-N per group (`ROW_NUMBER() OVER
 * (PARTITION BY …)`), threshold counts (entities whose aggregate passes a number, `HAVING`), and plain top-N.
 *
 * `details`: {@link QueryShapeDetails}.
 */
import * as SqlAnalysis from "../../sql/SqlAnalysis.js"
import type { Item } from "./Corpus.js"
import type { MeasureDetails } from "./Measures.js"
import type { Context } from "./Mining.js"
import { explains, pattern } from "./Mining.js"
import type { Pattern } from "./PatternLearner.js"
import * as Tokens from "./Tokens.js"

/** @category models */
export type Shape = "share-of-total" | "period-growth" | "top-n-per-group" | "threshold-count" | "top-n"

/** One benchmark's use of a shape. @category models */
export interface ShapeInstance {
  readonly benchmarkId: string
  /** Measure pattern id, when the shape is over a learned measure. */
  readonly measure?: string
  /** Grouping column or expression (normalised SQL), and the grain for growth. */
  readonly dimension?: string
  readonly grain?: string
  /** Whether the benchmark restricts time with a calendar year. */
  readonly yearFilter: boolean
}

/** `details` of a `query-shape` pattern. @category models */
export interface QueryShapeDetails {
  readonly shape: Shape
  readonly instances: ReadonlyArray<ShapeInstance>
  /** Question words the shape's questions share that no element explains ("share", "growth", 비중). */
  readonly cues: ReadonlyArray<string>
}

const measureIn = (item: Item, measures: ReadonlyArray<Pattern>): Pattern | undefined =>
  measures.find((m) => {
    const d = m.details as MeasureDetails
    return (
      item.facts.aggregates.includes(d.expression) ||
      item.measures.some((u) => u.sql === d.expression) ||
      item.blocks.some((b) => b.aggregates.includes(d.expression))
    )
  })

const shapesOf = (item: Item): Array<Shape> => {
  const windows = item.facts.windows ?? []
  const out: Array<Shape> = []
  if (windows.some((w) => w.overAggregate && w.partitionBy.length === 0 && ["sum", "count"].includes(w.name)))
    out.push("share-of-total")
  if (windows.some((w) => ["lag", "lead"].includes(w.name))) out.push("period-growth")
  if (windows.some((w) => ["row_number", "rank", "dense_rank"].includes(w.name) && w.partitionBy.length > 0))
    out.push("top-n-per-group")
  if (item.predicates.some((p) => p.clause === "having" && p.literals.some((l) => l.type === "number")))
    out.push("threshold-count")
  if (
    out.length === 0 &&
    item.facts.limit !== undefined &&
    item.facts.orderBy.some((o) => o.descending || !o.descending)
  )
    if (item.measures.length > 0) out.push("top-n")
  return out
}

/** Mines the query shapes of the train split. @category constructors */
export const mine = (
  ctx: Context,
  measures: ReadonlyArray<Pattern>,
  explainedWords: (item: Item) => ReadonlySet<number>
): ReadonlyArray<Pattern> => {
  const groups = new Map<Shape, Array<{ item: Item; instance: ShapeInstance }>>()
  for (const item of ctx.corpus.items) {
    for (const shape of shapesOf(item)) {
      const measure = measureIn(item, measures)
      const dimension = item.dimensions.find((d) => d.kind !== "grain")?.sql
      const grain = item.dimensions.find((d) => d.kind === "grain")?.grain
      const yearFilter = item.predicates.some(
        (p) => p.time && SqlAnalysis.expressionHead(p.subject ?? "")?.head === "year"
      )
      const instance: ShapeInstance = {
        benchmarkId: item.benchmark.id,
        ...(measure === undefined ? {} : { measure: measure.id }),
        ...(dimension === undefined ? {} : { dimension }),
        ...(grain === undefined ? {} : { grain }),
        yearFilter
      }
      groups.set(shape, [...(groups.get(shape) ?? []), { item, instance }])
    }
  }
  return [...groups.entries()].map(([shape, uses]) => {
    // Cue words: unexplained words common to the shape's questions (all of them when there is one).
    const counts = new Map<string, number>()
    for (const { item } of uses) {
      const explained = explainedWords(item)
      for (const w of new Set(item.tokens.filter((t) => !explained.has(t.index)).map((t) => t.stem)))
        counts.set(w, (counts.get(w) ?? 0) + 1)
    }
    const cues = [...counts.entries()]
      .filter(([, n]) => n >= Math.max(1, Math.ceil(uses.length / 2)))
      .map(([w]) => w)
      .filter((w) => !Tokens.isNumeric({ raw: w, lower: w, stem: w, index: 0 }))
    const details: QueryShapeDetails = { shape, instances: uses.map((u) => u.instance), cues }
    const supporting = uses.map((u) => u.item.benchmark.id)
    return pattern({
      kind: "query-shape",
      key: shape,
      description: `${shape}: ${supporting.length} benchmark(s)${cues.length > 0 ? `; cue words ${cues.join(", ")}` : ""}`,
      details,
      supporting,
      explains: explains(ctx, supporting, shape === "top-n", [])
    })
  })
}
