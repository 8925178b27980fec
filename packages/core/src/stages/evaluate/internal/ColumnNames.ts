/**
 * Column names as evidence. Columns are paired by their values; names only confirm or contradict that pairing.
 * A name matches after normalising case, separators (`Total Revenue`, `total_revenue`, `totalRevenue`), a table
 * qualifier, quoting, and common aggregate forms (`sum_units`, `units_total`, `SUM(units)`, `count(*)` for `count`),
 * as long as the aggregates do not disagree (`min_price` is not `max_price`).
 */

/** A column name, normalised for matching. */
export interface NormalName {
  /** Every word, lower case, joined by `_`: `Total Revenue` → `total_revenue`. */
  readonly words: string
  /** The words without aggregate prefixes and suffixes: `total_revenue` → `revenue`. */
  readonly base: string
  /** The aggregate the name states (`sum`, `count`, `avg`, `min`, `max`), if any. */
  readonly aggregate: string | undefined
}

// Words naming an aggregate: the function they stand for, or "" for words that say "aggregated" without saying how
// ("total" is a sum as often as a count).
const aggregateWords: ReadonlyMap<string, string> = new Map([
  ["sum", "sum"],
  ["total", ""],
  ["count", "count"],
  ["cnt", "count"],
  ["num", "count"],
  ["number", "count"],
  ["nb", "count"],
  ["avg", "avg"],
  ["average", "avg"],
  ["mean", "avg"],
  ["min", "min"],
  ["minimum", "min"],
  ["max", "max"],
  ["maximum", "max"],
  ["distinct", ""],
  ["approx", ""]
])

/** `round(sum(x), 2)` → `{ fn: "round", first: "sum(x)" }`; `undefined` when `text` is not one call. */
const call = (text: string): { fn: string; first: string } | undefined => {
  const open = text.indexOf("(")
  if (open <= 0 || !text.endsWith(")")) return undefined
  const fn = text.slice(0, open).trim()
  if (!/^[a-z_][a-z0-9_]*$/i.test(fn)) return undefined
  const inner = text.slice(open + 1, -1)
  let depth = 0
  for (let k = 0; k < inner.length; k++) {
    const ch = inner[k]
    if (ch === "(") depth++
    else if (ch === ")" && --depth < 0) return undefined
    else if (ch === "," && depth === 0) return { fn, first: inner.slice(0, k).trim() }
  }
  return depth === 0 ? { fn, first: inner.trim() } : undefined
}

const wordsOf = (text: string): Array<string> =>
  text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0)

/**
 * Normalises a column name for matching.
 *
 * @example
 * ```ts
 * normalize("SUM(o.units)") // { words: "sum_units", base: "units", aggregate: "sum" }
 * normalize("Total Units")  // { words: "total_units", base: "units", aggregate: undefined }
 * ```
 */
export const normalize = (name: string): NormalName => {
  let text = name.trim().replace(/[`"[\]]/g, "")
  let aggregate: string | undefined
  const prefix: Array<string> = []
  for (let c = call(text); c !== undefined; c = call(text)) {
    const fn = c.fn.toLowerCase()
    const kind = aggregateWords.get(fn)
    if (kind !== undefined && kind !== "") aggregate ??= kind
    prefix.push(fn)
    // `count(*)`, `count()`: the function is all the name says.
    text = c.first === "*" || c.first === "" ? "" : c.first
  }
  // `o.units` → `units` (a qualifier is not part of the name).
  const dot = text.lastIndexOf(".")
  if (dot >= 0 && !/^\d*\.\d+$/.test(text)) text = text.slice(dot + 1)
  const words = [...prefix.flatMap(wordsOf), ...wordsOf(text)]
  const rest = wordsOf(text).length === 0 ? [...prefix] : [...wordsOf(text)]
  const strip = (at: () => string | undefined, drop: () => void) => {
    for (let word = at(); rest.length > 1 && word !== undefined; word = at()) {
      const kind = aggregateWords.get(word)
      if (kind === undefined) {
        if (word !== "of") return
      } else if (kind !== "") aggregate ??= kind
      drop()
    }
  }
  strip(
    () => rest[0],
    () => rest.shift()
  )
  strip(
    () => rest[rest.length - 1],
    () => rest.pop()
  )
  return { words: words.join("_"), base: rest.join("_"), aggregate }
}

/**
 * Pairs expected columns with actual columns of the same name: first by the name's words (case and separators
 * aside), then by base name with compatible aggregates. Only one-to-one matches count; an ambiguous name (two
 * columns that normalise alike on either side) says nothing.
 */
export const match = (
  expected: ReadonlyArray<string>,
  actual: ReadonlyArray<string>
): ReadonlyArray<number | undefined> => {
  const e = expected.map(normalize)
  const a = actual.map(normalize)
  const named = new Array<number | undefined>(expected.length).fill(undefined)
  const taken = new Set<number>()
  const pairUp = (fits: (x: NormalName, y: NormalName) => boolean) => {
    const candidates = e.map((x, i) =>
      named[i] !== undefined ? [] : a.flatMap((y, j) => (!taken.has(j) && fits(x, y) ? [j] : []))
    )
    const claims = new Map<number, number>()
    for (const list of candidates) for (const j of list) claims.set(j, (claims.get(j) ?? 0) + 1)
    candidates.forEach((list, i) => {
      if (list.length === 1 && claims.get(list[0]) === 1) named[i] = list[0]
    })
    for (const j of named) if (j !== undefined) taken.add(j)
  }
  pairUp((x, y) => x.words.length > 0 && x.words === y.words)
  pairUp(
    (x, y) =>
      x.base.length > 0 &&
      x.base === y.base &&
      (x.aggregate === undefined || y.aggregate === undefined || x.aggregate === y.aggregate)
  )
  return named
}

/** How a value pairing contradicts the names. */
export interface Conflict {
  /**
   * Closed cycles of expected columns whose same-named Genie columns hold each other's values: names that traded
   * values. Each cycle lists expected column indices.
   */
  readonly trades: ReadonlyArray<ReadonlyArray<number>>
  /** Expected columns paired by value with a column of another name while a column of their name holds other values. */
  readonly mixed: ReadonlyArray<number>
}

/**
 * Where a complete value pairing (`mapping`: expected → actual column) contradicts the name pairing; `undefined`
 * when it does not.
 */
export const conflict = (
  named: ReadonlyArray<number | undefined>,
  mapping: ReadonlyArray<number>
): Conflict | undefined => {
  const contradicts = (i: number) => named[i] !== undefined && mapping[i] >= 0 && mapping[i] !== named[i]
  if (!named.some((_, i) => contradicts(i))) return undefined
  const byActual = new Map<number, number>()
  mapping.forEach((j, i) => {
    if (j >= 0) byActual.set(j, i)
  })
  const trades: Array<Array<number>> = []
  const mixed: Array<number> = []
  const seen = new Set<number>()
  named.forEach((_, start) => {
    if (seen.has(start) || !contradicts(start)) return
    // Follow: the column of my name holds the values of expected column k; does k's name lead back to me?
    const path = [start]
    let closed = false
    for (let current = start; path.length <= named.length;) {
      const k = byActual.get(named[current]!)
      if (k === start) {
        closed = true
        break
      }
      if (k === undefined || !contradicts(k) || path.includes(k)) break
      path.push(k)
      current = k
    }
    for (const i of path) seen.add(i)
    if (closed) trades.push(path)
    else mixed.push(...path)
  })
  return { trades, mixed: [...new Set(mixed)] }
}
