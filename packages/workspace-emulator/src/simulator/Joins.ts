/**
 * Join planning through the space's join specs only: the tables a query needs are connected to its base table by
 * the shortest chains of configured joins (first-configured wins ties). Without a chain the simulator cannot
 * relate the tables, as Genie cannot write a join nobody taught it — the simulator never guesses joins from column
 * names.
 */
import type { Join, Model } from "./Model.js"

export interface Step {
  /** The table this step adds. */
  readonly table: string
  readonly on: string
}

export type Plan =
  | { readonly _tag: "Joined"; readonly steps: ReadonlyArray<Step> }
  | { readonly _tag: "Missing"; readonly tables: ReadonlyArray<string> }

const other = (join: Join, table: string): string | undefined =>
  join.left === table ? join.right : join.right === table ? join.left : undefined

/** Joins that connect `required` tables to `base`, in an order where each step joins a table already present. */
export const plan = (model: Model, base: string, required: ReadonlyArray<string>): Plan => {
  const present = new Set([base])
  const steps: Array<Step> = []
  const missing: Array<string> = []
  for (const target of required) {
    if (present.has(target)) continue
    // Breadth-first from every table already joined; `via` remembers how each table was reached.
    const via = new Map<string, { from: string; join: Join }>()
    const queue = [...present]
    const seen = new Set(present)
    while (queue.length > 0 && !seen.has(target)) {
      const current = queue.shift()!
      for (const join of model.joins) {
        const next = other(join, current)
        if (next === undefined || seen.has(next)) continue
        seen.add(next)
        via.set(next, { from: current, join })
        queue.push(next)
      }
    }
    if (!seen.has(target)) {
      missing.push(target)
      continue
    }
    const path: Array<Step> = []
    for (let t = target; !present.has(t);) {
      const hop = via.get(t)!
      path.unshift({ table: t, on: hop.join.on })
      t = hop.from
    }
    for (const step of path) {
      present.add(step.table)
      steps.push(step)
    }
  }
  return missing.length > 0 ? { _tag: "Missing", tables: missing } : { _tag: "Joined", steps }
}

/** Join hops between two tables (Infinity when no chain of join specs connects them). */
export const distance = (model: Model, from: string, to: string): number => {
  const seen = new Map([[from, 0]])
  const queue = [from]
  while (queue.length > 0) {
    const current = queue.shift()!
    if (current === to) return seen.get(current)!
    for (const join of model.joins) {
      const next = other(join, current)
      if (next !== undefined && !seen.has(next)) {
        seen.set(next, seen.get(current)! + 1)
        queue.push(next)
      }
    }
  }
  return Number.POSITIVE_INFINITY
}
