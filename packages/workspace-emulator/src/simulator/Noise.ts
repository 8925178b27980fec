/**
 * Seeded noise, to model Genie's non-determinism: a share of answers (the noise rate) is flipped to a plausible
 * wrong query — a dropped condition, the opposite sort order, a different limit, or an average instead of a
 * total — or, when the query has nothing to flip, to a clarifying question. Whether a question is noisy and how
 * depends only on the seed and the question.
 */
import type { Query } from "./Query.js"
import * as Text from "./Text.js"

/** True when the answer to `question` is noisy at `rate` under `seed`. */
export const isNoisy = (rate: number, seed: number, question: string): boolean =>
  rate > 0 && Text.fraction(`noise:${seed}:${question.trim().toLowerCase()}`) < rate

type Flip = (q: Query) => Query | undefined

const flips: ReadonlyArray<Flip> = [
  (q) => (q.where.length === 0 ? undefined : { ...q, where: q.where.slice(0, -1) }),
  (q) =>
    q.orderBy.length === 0 || q.limit === undefined
      ? undefined
      : { ...q, orderBy: q.orderBy.map((o, i) => (i === 0 ? { ...o, descending: !o.descending } : o)) },
  (q) => (q.limit === undefined ? undefined : { ...q, limit: q.limit + 1 }),
  (q) => {
    const i = q.measures.findIndex((m) => /^(SUM|COUNT)\((?!\*)/i.test(m.sql))
    if (i < 0) return undefined
    const sql = q.measures[i].sql.replace(/^(SUM|COUNT)\(/i, "AVG(")
    return { ...q, measures: q.measures.map((m, k) => (k === i ? { ...m, sql } : m)) }
  }
]

/** A plausible wrong variant of a query (tried in an order derived from seed and question), if any applies. */
export const flip = (query: Query, seed: number, question: string): Query | undefined => {
  const start = Text.hash(`flip:${seed}:${question.trim().toLowerCase()}`) % flips.length
  for (let k = 0; k < flips.length; k++) {
    const flipped = flips[(start + k) % flips.length](query)
    if (flipped !== undefined) return flipped
  }
  return undefined
}
