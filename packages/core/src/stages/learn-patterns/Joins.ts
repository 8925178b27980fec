/**
 * Join patterns: the table pairs and conditions the expected SQL joins on, with the relationship type measured on
 * the data (row and distinct-key counts of both sides).
 *
 * `details`: {@link JoinDetails}.
 */
import { Effect } from "effect"
import type { Executor } from "../execute/Executor.js"
import * as Catalog from "./Catalog.js"
import { splitColumn } from "./Corpus.js"
import type { Context } from "./Mining.js"
import { explains, pattern } from "./Mining.js"
import type { Pattern } from "./PatternLearner.js"

/** One side of a join: the full table identifier and its key columns. @category models */
export interface JoinSide {
  readonly table: string
  readonly columns: ReadonlyArray<string>
  /** Rows and distinct keys, when profiling could read them. */
  readonly rows?: number
  readonly distinctKeys?: number
}

/** `details` of a `join` pattern. The left side is the "many" side when the sides differ. @category models */
export interface JoinDetails {
  readonly left: JoinSide
  readonly right: JoinSide
  /** Condition over the short table names, `left.col = right.col [AND …]`. */
  readonly condition: string
  readonly relationship: "MANY_TO_ONE" | "ONE_TO_MANY" | "ONE_TO_ONE" | "MANY_TO_MANY"
  /** Join kinds the benchmarks used (`INNER`, `LEFT`, …). */
  readonly kinds: ReadonlyArray<string>
  /** True when the space already has a join spec between the two tables. */
  readonly configured: boolean
}

interface Found {
  readonly pairs: ReadonlyArray<readonly [string, string]>
  readonly tables: readonly [string, string]
  readonly kinds: Set<string>
  readonly items: Array<string>
}

/**
 * Mines the joins of the train split. Only column-equality joins between two different tables are kept.
 *
 * @category constructors
 */
export const mine = (ctx: Context, executor: Executor["Type"]) =>
  Effect.gen(function* () {
    const found = new Map<string, Found>()
    for (const item of ctx.corpus.items) {
      const withPairs = [item.facts, ...item.blocks].flatMap((f) =>
        f.joins.map((join, i) => ({ join, equalities: f.joinEqualities?.[i] ?? [] }))
      )
      for (const { join, equalities } of withPairs) {
        if (equalities.length === 0 || join.tables.length !== 2) continue
        // Orient each pair by table name so `a.x = b.y` and `b.y = a.x` are one join.
        const [ta, tb] = [...join.tables].sort()
        const pairs = equalities
          .map(([l, r]) => (splitColumn(l)[0] === ta ? ([l, r] as const) : ([r, l] as const)))
          .filter(([l, r]) => splitColumn(l)[0] === ta && splitColumn(r)[0] === tb)
          .sort((x, y) => (x[0] < y[0] ? -1 : 1))
        if (pairs.length === 0) continue
        const fullA = item.tables[ta]
        const fullB = item.tables[tb]
        if (fullA === undefined || fullB === undefined) continue
        const key = `${fullA}|${fullB}|${pairs.map((p) => p.join("=")).join("&")}`
        const entry = found.get(key) ?? { pairs, tables: [fullA, fullB] as const, kinds: new Set(), items: [] }
        entry.kinds.add(join.kind)
        entry.items.push(item.benchmark.id)
        found.set(key, entry)
      }
    }
    const specs = ctx.space.instructions?.join_specs ?? []
    const patterns: Array<Pattern> = []
    for (const [key, f] of found) {
      const [a, b] = f.tables
      const colsA = f.pairs.map((p) => splitColumn(p[0])[1])
      const colsB = f.pairs.map((p) => splitColumn(p[1])[1])
      const [pa, pb] = yield* Effect.all([Catalog.profile(executor, a, colsA), Catalog.profile(executor, b, colsB)])
      const side = (table: string, columns: ReadonlyArray<string>, p: Catalog.Profile | undefined): JoinSide => {
        // Several key columns: the distinct count of the first is a lower bound; uniqueness is only claimed for one.
        const distinct = columns.length === 1 ? p?.distinct.get(columns[0].toLowerCase()) : undefined
        return {
          table,
          columns,
          ...(p === undefined ? {} : { rows: p.rows }),
          ...(distinct === undefined ? {} : { distinctKeys: distinct })
        }
      }
      const sa = side(a, colsA, pa)
      const sb = side(b, colsB, pb)
      const unique = (s: JoinSide) => s.rows !== undefined && s.distinctKeys !== undefined && s.rows === s.distinctKeys
      // The many side goes left, as exports write MANY_TO_ONE joins.
      const [left, right] = unique(sa) && !unique(sb) ? [sb, sa] : [sa, sb]
      const relationship =
        unique(left) && unique(right)
          ? "ONE_TO_ONE"
          : unique(right)
            ? "MANY_TO_ONE"
            : unique(left)
              ? "ONE_TO_MANY"
              : "MANY_TO_MANY"
      const short = (t: string) => t.split(".").pop() ?? t
      const condition = left.columns
        .map((c, i) => `${short(left.table)}.${c} = ${short(right.table)}.${right.columns[i]}`)
        .join(" AND ")
      const configured = specs.some((s) => {
        const pair = [s.left.identifier.toLowerCase(), s.right.identifier.toLowerCase()].sort().join("|")
        return pair === [a, b].sort().join("|")
      })
      const details: JoinDetails = { left, right, condition, relationship, kinds: [...f.kinds].sort(), configured }
      patterns.push(
        pattern({
          kind: "join",
          key,
          description: `${short(left.table)} ⋈ ${short(right.table)} on ${condition} (${relationship.toLowerCase().replace(/_/g, "-")}), in ${f.items.length} benchmark(s)`,
          sql: condition,
          details,
          supporting: f.items,
          explains: explains(ctx, f.items, configured, [short(a), short(b)])
        })
      )
    }
    return patterns
  })
