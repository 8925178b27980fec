// Result-set comparison at 10k rows × 10 columns: how long `ResultSetCompare.compare` takes against the budget of
// one second, for the common cases (equal after shuffling rows and columns, equal within a numeric tolerance, one
// differing cell, ordered by the expected SQL). Build first: `pnpm build`, then `node bench/compare.bench.mjs`.
import { performance } from "node:perf_hooks"
import { ResultSetCompare } from "../packages/core/dist/index.js"

const ROWS = 10_000
const RUNS = 7
const BUDGET_MS = 1000

// A deterministic generator, so every run measures the same data.
let seed = 42
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31
  return seed / 2 ** 31
}

const types = ["STRING", "STRING", "STRING", "LONG", "LONG", "LONG", "DOUBLE", "DOUBLE", "DATE", "BOOLEAN"]
const columns = types.map((typeName, i) => ({ name: `c${i}`, typeName }))
const cell = (type, r) => {
  switch (type) {
    case "STRING":
      return `name-${Math.floor(random() * 5000)}`
    case "LONG":
      return String(Math.floor(random() * 1_000_000))
    case "DOUBLE":
      return (random() * 10_000).toFixed(6)
    case "DATE":
      return `2024-${String(1 + (r % 12)).padStart(2, "0")}-${String(1 + (r % 28)).padStart(2, "0")}`
    default:
      return random() < 0.5 ? "true" : "false"
  }
}
const rows = Array.from({ length: ROWS }, (_, r) => types.map((t) => cell(t, r)))
const expected = { columns, rows }

const shuffle = (items) => {
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[copy[i], copy[j]] = [copy[j], copy[i]]
  }
  return copy
}
const columnOrder = shuffle(columns.map((_, i) => i))
const permuted = (rowList) => ({
  columns: columnOrder.map((i) => ({ ...columns[i], name: `genie_${i}` })),
  rows: shuffle(rowList).map((row) => columnOrder.map((i) => row[i]))
})

const noisy = rows.map((row) => row.map((v, i) => (types[i] === "DOUBLE" ? String(Number(v) * (1 + 1e-9)) : v)))
const oneCell = rows.map((row, r) => (r === 5000 ? [...row.slice(0, 3), "-1", ...row.slice(4)] : row))
const byKey = [...rows].sort((a, b) => Number(b[3]) - Number(a[3]))

const scenarios = [
  { name: "equal, rows and columns shuffled, renamed", expected, actual: permuted(rows), outcome: "pass" },
  { name: "equal within tolerance (DOUBLE noise 1e-9)", expected, actual: permuted(noisy), outcome: "pass" },
  { name: "one differing cell", expected, actual: permuted(oneCell), outcome: "fail" },
  {
    name: "ordered by the expected SQL",
    expected: { columns, rows: byKey },
    actual: { columns, rows: byKey },
    options: { expectedSql: "SELECT * FROM t ORDER BY c3 DESC" },
    outcome: "pass"
  }
]

console.log(`ResultSetCompare.compare, ${ROWS} rows × ${columns.length} columns, median of ${RUNS} runs`)
for (const s of scenarios) {
  const times = []
  let result
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now()
    result = ResultSetCompare.compare(s.expected, s.actual, s.options)
    times.push(performance.now() - start)
  }
  if (result.outcome !== s.outcome) throw new Error(`${s.name}: expected ${s.outcome}, got ${JSON.stringify(result)}`)
  const median = times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]
  console.log(
    `  ${s.name.padEnd(45)} ${result.outcome.padEnd(5)} ${median.toFixed(1).padStart(7)} ms  (${(median / BUDGET_MS).toFixed(3)} of the 1 s budget)`
  )
}
