/**
 * Expression patterns: derived, non-aggregate expressions the expected SQL groups by or outputs (a weekday of a
 * date, a ratio of two columns, a CASE bucket), named from their SQL alias. Calendar grains of a date column are
 * date conventions instead.
 *
 * `details`: {@link ExpressionDetails}.
 */
import type { DimensionUse, Item } from "./Corpus.js"
import { splitColumn } from "./Corpus.js"
import type { Context } from "./Mining.js"
import { explains, pattern } from "./Mining.js"
import type { Pattern } from "./PatternLearner.js"

/** `details` of an `expression` pattern. @category models */
export interface ExpressionDetails {
  readonly name: string
  readonly expression: string
  /** `table.column` (short table names). */
  readonly columns: ReadonlyArray<string>
  readonly tables: ReadonlyArray<string>
  readonly configured: boolean
}

/** Mines the expressions of the train split. @category constructors */
export const mine = (ctx: Context): ReadonlyArray<Pattern> => {
  const groups = new Map<string, Array<{ item: Item; d: DimensionUse }>>()
  for (const item of ctx.corpus.items)
    for (const d of item.dimensions)
      if (d.kind === "expression") groups.set(d.sql, [...(groups.get(d.sql) ?? []), { item, d }])
  const configured = (ctx.space.instructions?.sql_snippets?.expressions ?? []).map((e) =>
    e.sql.join(" ").replace(/\s+/g, " ").toLowerCase()
  )
  return [...groups.entries()].map(([sql, uses]) => {
    const alias = uses.map((u) => u.d.alias).find((a) => a !== undefined) ?? "expression"
    const name = alias.replace(/[^\p{L}\p{N}]+/gu, "_").toLowerCase()
    const tables = [
      ...new Set(uses.flatMap((u) => u.d.columns.map((c) => u.item.tables[splitColumn(c)[0]] ?? "")))
    ].filter((t) => t !== "")
    const isConfigured = configured.includes(sql.toLowerCase())
    const details: ExpressionDetails = {
      name,
      expression: sql,
      columns: uses[0].d.columns,
      tables,
      configured: isConfigured
    }
    const supporting = uses.map((u) => u.item.benchmark.id)
    return pattern({
      kind: "expression",
      key: sql,
      description: `${name} = ${sql} (${supporting.length} benchmark(s))`,
      sql,
      details,
      supporting,
      explains: explains(ctx, supporting, isConfigured, [sql])
    })
  })
}
