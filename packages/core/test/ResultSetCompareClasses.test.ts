// The three classes of issue 20, each as properties in both directions: the right variant passes, the wrong one
// still fails. (1) named columns that trade values; (2) ties on the ORDER BY keys, at a LIMIT and without one;
// (3) dates and timestamps returned as text.
import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import * as ColumnNames from "../src/stages/evaluate/internal/ColumnNames.js"
import * as ResultSetCompare from "../src/stages/evaluate/ResultSetCompare.js"
import type { ResultRows } from "../src/stages/evaluate/ResultSetCompare.js"
import * as ValueCoercion from "../src/stages/evaluate/ValueCoercion.js"

type Cell = string | null
type Row = ReadonlyArray<Cell>

const table = (columns: ReadonlyArray<readonly [string, string]>, rows: ReadonlyArray<Row>): ResultRows => ({
  columns: columns.map(([name, typeName]) => ({ name, typeName })),
  rows
})

/** Reorders `items` by sort keys drawn by fast-check (a permutation). */
const permute = <A>(items: ReadonlyArray<A>, order: ReadonlyArray<number>): Array<A> =>
  [...items.keys()].sort((x, y) => (order[x] ?? 0) - (order[y] ?? 0) || x - y).map((i) => items[i])

const bag = (rows: ReadonlyArray<Row>) =>
  rows
    .map((r) => JSON.stringify(r))
    .sort()
    .join("|")

const show = (value: unknown) => JSON.stringify(value)

// ---------------------------------------------------------------------------------------------------------------
// 1. Names versus values
// ---------------------------------------------------------------------------------------------------------------

const metricNames = ["units", "returns", "revenue", "orders", "sessions"] as const

/** How Genie may spell a metric's name: all of these normalise to the name. */
const spellings = (name: string): ReadonlyArray<string> => [
  name,
  name.toUpperCase(),
  `sum(${name})`,
  `SUM(t.${name})`,
  `total_${name}`,
  `Total ${name[0].toUpperCase()}${name.slice(1)}`,
  `${name}_total`
]

/** A region column and 2–4 named metric columns. */
const metricTable = fc
  .record({
    metrics: fc.shuffledSubarray([...metricNames], { minLength: 2, maxLength: 4 }),
    rowCount: fc.integer({ min: 1, max: 6 })
  })
  .chain(({ metrics, rowCount }) =>
    fc.record({
      metrics: fc.constant(metrics),
      rows: fc.array(
        fc.array(fc.integer({ min: 0, max: 9_999 }), { minLength: metrics.length, maxLength: metrics.length }),
        {
          minLength: rowCount,
          maxLength: rowCount
        }
      )
    })
  )
  .map(({ metrics, rows }) => ({
    metrics,
    expected: table(
      [["region", "STRING"], ...metrics.map((m) => [m, "LONG"] as const)],
      rows.map((values, r) => [`r${r}`, ...values.map(String)])
    )
  }))

/** Genie's columns: the same metrics, each spelled one of the accepted ways, columns and rows shuffled. */
const genieSpelling = (
  expected: ResultRows,
  metrics: ReadonlyArray<string>,
  valueOf: ReadonlyArray<number>, // Genie's metric m holds the expected metric valueOf[m]
  spellingPick: ReadonlyArray<number>,
  columnOrder: ReadonlyArray<number>,
  rowOrder: ReadonlyArray<number>
): ResultRows => {
  const columns = [
    { name: "region", from: 0 },
    ...metrics.map((m, k) => {
      const names = spellings(m)
      return { name: names[(spellingPick[k] ?? 0) % names.length], from: 1 + valueOf[k] }
    })
  ]
  const shuffled = permute(columns, columnOrder)
  return table(
    shuffled.map((c) => [c.name, c.from === 0 ? "STRING" : "LONG"] as const),
    permute(expected.rows, rowOrder).map((row) => shuffled.map((c) => row[c.from]))
  )
}

const draws = fc.record({
  spellingPick: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
  columnOrder: fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
  rowOrder: fc.array(fc.nat(), { minLength: 6, maxLength: 6 })
})

describe("ResultSetCompare classes: named columns that trade values", () => {
  it("the issue's example fails with COLUMN_NAME_CONFLICT; the right answer passes", () => {
    const expected = table(
      [
        ["units", "LONG"],
        ["returns", "LONG"]
      ],
      [["5400", "310"]]
    )
    const traded = ResultSetCompare.compare(expected, {
      ...expected,
      rows: [["310", "5400"]]
    })
    assert.strictEqual(traded.outcome, "fail")
    assert.strictEqual(traded.decidedBy, "column-names")
    assert.include([...traded.reasons], "COLUMN_NAME_CONFLICT")
    assert.match(traded.evidence.message ?? "", /"returns" holds the expected "units"/)
    assert.strictEqual(ResultSetCompare.compare(expected, expected).outcome, "pass")
  })

  it("renamed columns keep passing by value (sum(amount) for revenue)", () => {
    const expected = table(
      [
        ["region", "STRING"],
        ["revenue", "DECIMAL"]
      ],
      [
        ["EU", "10.50"],
        ["US", "20.00"]
      ]
    )
    const actual = table(
      [
        ["sum(amount)", "DECIMAL"],
        ["r", "STRING"]
      ],
      [
        ["20.0", "US"],
        ["10.5", "EU"]
      ]
    )
    const result = ResultSetCompare.compare(expected, actual)
    assert.strictEqual(result.outcome, "pass", show(result))
    assert.deepStrictEqual([...result.reasons], [])
  })

  it("a column of the expected name holding other values, the expected values under another name, is inconclusive", () => {
    const expected = table([["units", "LONG"]], [["5400"]])
    const actual = table(
      [
        ["units", "LONG"],
        ["qty", "LONG"]
      ],
      [["310", "5400"]]
    )
    const result = ResultSetCompare.compare(expected, actual)
    assert.strictEqual(result.outcome, "inconclusive", show(result))
    assert.strictEqual(result.decidedBy, "column-names")
    assert.includeMembers([...result.reasons], ["COLUMN_NAME_CONFLICT", "RESULT_EXTRA_COLUMNS"])
  })

  it("columns with identical values are paired by name, not reported as a conflict", () => {
    const expected = table(
      [
        ["units", "LONG"],
        ["returns", "LONG"]
      ],
      [["7", "7"]]
    )
    const actual = table(
      [
        ["returns", "LONG"],
        ["units", "LONG"]
      ],
      [["7", "7"]]
    )
    assert.strictEqual(ResultSetCompare.compare(expected, actual).outcome, "pass")
  })

  it("normalises case, separators, qualifiers and aggregate forms; conflicting aggregates do not match", () => {
    const base = (name: string) => ColumnNames.normalize(name).base
    for (const name of ["units", "UNITS", "sum(units)", "SUM(o.units)", "total_units", "Total Units", "units_total"]) {
      assert.strictEqual(base(name), "units", name)
    }
    assert.strictEqual(base("count(*)"), "count")
    assert.strictEqual(base("number_of_orders"), "orders")
    assert.strictEqual(base("round(avg(price), 2)"), "price")
    assert.deepStrictEqual(ColumnNames.match(["min_price"], ["max_price"]), [undefined])
    assert.deepStrictEqual(ColumnNames.match(["price"], ["max_price"]), [0])
    // Ambiguous names say nothing.
    assert.deepStrictEqual(ColumnNames.match(["units", "total_units"], ["sum_units"]), [undefined, undefined])
    assert.deepStrictEqual(ColumnNames.match(["units", "total_units"], ["units", "total_units"]), [0, 1])
  })

  it("property: the same values under the same names, spelled any accepted way, in any order, pass", () => {
    fc.assert(
      fc.property(metricTable, draws, ({ metrics, expected }, d) => {
        const identity = metrics.map((_, k) => k)
        const actual = genieSpelling(expected, metrics, identity, d.spellingPick, d.columnOrder, d.rowOrder)
        const result = ResultSetCompare.compare(expected, actual)
        assert.strictEqual(result.outcome, "pass", show({ expected, actual, result }))
      }),
      { numRuns: 200 }
    )
  })

  it("property: named columns that trade values fail with COLUMN_NAME_CONFLICT, however spelled or ordered", () => {
    fc.assert(
      fc.property(
        metricTable.chain((t) =>
          fc.record({
            t: fc.constant(t),
            // A permutation of the metrics that moves at least two of them.
            trade: fc.shuffledSubarray(
              t.metrics.map((_, k) => k),
              { minLength: t.metrics.length, maxLength: t.metrics.length }
            )
          })
        ),
        draws,
        ({ t: { metrics, expected }, trade }, d) => {
          fc.pre(trade.some((k, i) => k !== i))
          const actual = genieSpelling(expected, metrics, trade, d.spellingPick, d.columnOrder, d.rowOrder)
          // When the traded columns happen to give the same rows under the right names, the answer is right.
          const rightNames = genieSpelling(expected, metrics, trade, [0, 0, 0, 0], [0, 1, 2, 3, 4], [0, 1, 2, 3, 4, 5])
          fc.pre(bag(rightNames.rows) !== bag(expected.rows))
          const result = ResultSetCompare.compare(expected, actual)
          assert.strictEqual(result.outcome, "fail", show({ expected, actual, result }))
          assert.include([...result.reasons], "COLUMN_NAME_CONFLICT", show(result))
        }
      ),
      { numRuns: 200 }
    )
  })

  it("property: renamed columns (names that match nothing) pass by value, whatever the column order", () => {
    fc.assert(
      fc.property(metricTable, draws, ({ metrics, expected }, d) => {
        const columns = permute(
          expected.columns.map((c, i) => ({ c: { ...c, name: i === 0 ? "r" : `sum(metric_${i})` }, i })),
          d.columnOrder
        )
        const actual = table(
          columns.map(({ c }) => [c.name, c.typeName]),
          permute(expected.rows, d.rowOrder).map((row) => columns.map(({ i }) => row[i]))
        )
        const result = ResultSetCompare.compare(expected, actual)
        assert.strictEqual(result.outcome, "pass", show({ metrics, expected, actual, result }))
      }),
      { numRuns: 200 }
    )
  })
})

// ---------------------------------------------------------------------------------------------------------------
// 2. Ties on the ORDER BY keys
// ---------------------------------------------------------------------------------------------------------------

const orderSql = "SELECT day, name, sessions FROM visits ORDER BY day, sessions DESC"
const limitSql = (n: number) => `${orderSql} LIMIT ${n}`

/** Rows (day, name, sessions) with many ties, sorted as the SQL says; names are unique. */
const visits = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 })), { minLength: 3, maxLength: 12 })
  .map((pairs) =>
    pairs
      .map(([day, sessions], k) => ({ day, sessions, name: `p${k}` }))
      .sort((x, y) => x.day - y.day || y.sessions - x.sessions)
  )

type Visit = { readonly day: number; readonly sessions: number; readonly name: string }
const visitTable = (rows: ReadonlyArray<Visit>) =>
  table(
    [
      ["day", "DATE"],
      ["name", "STRING"],
      ["sessions", "LONG"]
    ],
    rows.map((v) => [`2024-06-0${v.day}`, v.name, String(v.sessions)])
  )
const tied = (x: Visit, y: Visit) => x.day === y.day && x.sessions === y.sessions

/** Another valid sort of the same rows: ties broken at random. */
const resort = (rows: ReadonlyArray<Visit>, order: ReadonlyArray<number>) =>
  permute(rows, order).sort((x, y) => x.day - y.day || y.sessions - x.sessions)

describe("ResultSetCompare classes: ties on the ORDER BY keys", () => {
  it("the issue's example: the 6th row instead of the tied 5th passes and notes the tie", () => {
    const sql = "SELECT page, sessions FROM traffic ORDER BY sessions DESC LIMIT 5"
    const rows = [
      ["a", "90"],
      ["b", "80"],
      ["c", "70"],
      ["d", "60"],
      ["e", "50"]
    ]
    const expected = table(
      [
        ["page", "STRING"],
        ["sessions", "LONG"]
      ],
      rows
    )
    const result = ResultSetCompare.compare(
      expected,
      { ...expected, rows: [...rows.slice(0, 4), ["f", "50"]] },
      { expectedSql: sql }
    )
    assert.strictEqual(result.outcome, "pass", show(result))
    assert.strictEqual(result.decidedBy, "limit-tie")
    assert.deepStrictEqual([...result.reasons], ["LIMIT_TIE"])
    assert.match(result.evidence.message ?? "", /tie on sessions at the LIMIT 5/)
    assert.deepStrictEqual(result.evidence.sampleExtraRows, [["f", "50"]])
    // A row that does not tie is still wrong.
    const wrong = ResultSetCompare.compare(
      expected,
      { ...expected, rows: [...rows.slice(0, 4), ["f", "49"]] },
      { expectedSql: sql }
    )
    assert.strictEqual(wrong.outcome, "fail")
  })

  it("property: another valid pick at the LIMIT, in any order within ties, passes", { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(
        visits,
        fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
        fc.integer({ min: 1, max: 11 }),
        (all, order, cut) => {
          fc.pre(cut < all.length)
          const expected = visitTable(all.slice(0, cut))
          const actual = visitTable(resort(all, order).slice(0, cut))
          const result = ResultSetCompare.compare(expected, actual, { expectedSql: limitSql(cut) })
          assert.strictEqual(result.outcome, "pass", show({ expected, actual, result }))
          if (bag(expected.rows) !== bag(actual.rows)) {
            assert.strictEqual(result.decidedBy, "limit-tie")
            assert.include([...result.reasons], "LIMIT_TIE")
          }
        }
      ),
      { numRuns: 150 }
    )
  })

  it("property: a row outside the tie at the LIMIT, or keys out of sequence, fails", { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(visits, fc.integer({ min: 1, max: 11 }), fc.nat(), fc.boolean(), (all, cut, pick, reorder) => {
        fc.pre(cut < all.length)
        const top = all.slice(0, cut)
        const last = top[cut - 1]
        let actualRows: Array<Visit>
        if (reorder) {
          // Two rows that do not tie, swapped.
          const i = pick % cut
          const j = top.findIndex((v) => !tied(v, top[i]))
          fc.pre(j >= 0)
          actualRows = [...top]
          ;[actualRows[i], actualRows[j]] = [actualRows[j], actualRows[i]]
        } else {
          // The last row replaced by one that sorts after it without tying.
          const later = all.slice(cut).filter((v) => !tied(v, last))
          fc.pre(later.length > 0)
          actualRows = [...top.slice(0, -1), later[pick % later.length]]
        }
        const result = ResultSetCompare.compare(visitTable(top), visitTable(actualRows), {
          expectedSql: limitSql(cut)
        })
        assert.strictEqual(result.outcome, "fail", show({ top, actualRows, result }))
      }),
      { numRuns: 150 }
    )
  })

  it(
    "property: without a LIMIT, tied rows in another order pass (the tie is noted); untied rows swapped fail",
    { timeout: 60_000 },
    () => {
      fc.assert(
        fc.property(visits, fc.array(fc.nat(), { minLength: 12, maxLength: 12 }), fc.nat(), (all, order, pick) => {
          const expected = visitTable(all)
          const reordered = resort(all, order)
          const pass = ResultSetCompare.compare(expected, visitTable(reordered), { expectedSql: orderSql })
          assert.strictEqual(pass.outcome, "pass", show({ all, reordered, pass }))
          if (reordered.some((v, r) => v.name !== all[r].name)) {
            assert.match(pass.evidence.message ?? "", /tied on day, sessions come in another order/)
          }
          const i = pick % all.length
          const j = all.findIndex((v) => !tied(v, all[i]))
          fc.pre(j >= 0)
          const swapped = [...all]
          ;[swapped[i], swapped[j]] = [swapped[j], swapped[i]]
          const fail = ResultSetCompare.compare(expected, visitTable(swapped), { expectedSql: orderSql })
          assert.strictEqual(fail.outcome, "fail", show({ all, swapped, fail }))
          assert.include([...fail.reasons], "ORDER_DIFFERENCE")
        }),
        { numRuns: 150 }
      )
    }
  )
})

// ---------------------------------------------------------------------------------------------------------------
// 3. Dates returned as text
// ---------------------------------------------------------------------------------------------------------------

const monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
const fullMonthNames = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December"
]
const pad = (n: number, width = 2) => String(n).padStart(width, "0")

/** Ways Genie's SQL may format a date as text. */
const dateFormats: ReadonlyArray<(d: Date) => string> = [
  (d) => d.toISOString().slice(0, 10),
  (d) => `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`,
  (d) => `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()}`,
  (d) => `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()}`,
  (d) => `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`,
  (d) => `${monthNames[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`,
  (d) => `${d.getUTCDate()} ${fullMonthNames[d.getUTCMonth()]} ${d.getUTCFullYear()}`,
  (d) => `${d.toISOString().slice(0, 10)}T00:00:00.000Z`,
  (d) => `${d.toISOString().slice(0, 10)} 00:00:00`
]

/** A timestamp as local time at an offset (minutes), in a few notations. */
const timestampFormats: ReadonlyArray<(d: Date, offset: number) => string> = [
  (d, offset) => {
    const local = new Date(d.getTime() + offset * 60_000).toISOString().slice(0, 19)
    const sign = offset < 0 ? "-" : "+"
    return `${local}${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`
  },
  (d, offset) => {
    const local = new Date(d.getTime() + offset * 60_000).toISOString().slice(0, 23).replace("T", " ")
    const sign = offset < 0 ? "-" : "+"
    return `${local} ${sign}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`
  },
  (d) => d.toISOString(),
  (d) => `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`,
  (d) => {
    const h = d.getUTCHours()
    const clock = `${h % 12 === 0 ? 12 : h % 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? "AM" : "PM"}`
    return `${monthNames[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} ${clock} GMT`
  }
]

const day = fc.integer({ min: 0, max: 3_000 }).map((n) => new Date(Date.UTC(2020, 0, 1) + n * 86_400_000))
const instant = fc.integer({ min: 0, max: 3_000 * 86_400 }).map((s) => new Date(Date.UTC(2020, 0, 1) + s * 1000))
const offset = fc.integer({ min: -12 * 4, max: 14 * 4 }).map((q) => q * 15)

const datedTable = <A>(value: fc.Arbitrary<A>) =>
  fc
    .uniqueArray(value, { minLength: 1, maxLength: 8, selector: (d) => String(d) })
    .map((values) => values.map((v, r) => ({ label: `k${r}`, value: v })))

describe("ResultSetCompare classes: dates returned as text", () => {
  it("the issue's example: a DATE 2024-06-30 returned as STRING passes", () => {
    const result = ResultSetCompare.compare(
      table([["d", "DATE"]], [["2024-06-30"]]),
      table([["d", "STRING"]], [["2024-06-30"]])
    )
    assert.strictEqual(result.outcome, "pass", show(result))
    assert.deepStrictEqual(result.evidence.columnMapping, [{ expected: "d", actual: "d", typeDifference: true }])
    assert.match(result.evidence.message ?? "", /dates returned as text/)
  })

  it("numbers returned as text stay inconclusive", () => {
    const result = ResultSetCompare.compare(table([["n", "LONG"]], [["42"]]), table([["n", "STRING"]], [["42"]]))
    assert.strictEqual(result.outcome, "inconclusive")
  })

  it("parses common formats to the same instant", () => {
    const at = ValueCoercion.parseTemporal("2024-06-30T10:00:00Z")
    for (const text of [
      "2024-06-30 12:00:00+02:00",
      "2024-06-30T10:00:00.000+0000",
      "2024-06-30 05:30:00 -0430",
      "Jun 30, 2024 10:00 AM",
      "Sunday, 30 June 2024 10:00:00 GMT",
      "2024/06/30 10:00:00 UTC",
      "06/30/2024 10:00"
    ]) {
      assert.strictEqual(ValueCoercion.parseTemporal(text), at, text)
    }
    assert.strictEqual(ValueCoercion.parseTemporal("2024-02-30"), undefined)
    assert.strictEqual(ValueCoercion.parseTemporal("name-2024"), undefined)
    assert.strictEqual(ValueCoercion.parseTemporal("30/06/2024", { dayFirst: false }), undefined)
  })

  it("property: dates formatted as text pass against DATE, whichever side holds the text", () => {
    fc.assert(
      fc.property(
        datedTable(day),
        fc.nat({ max: dateFormats.length - 1 }),
        fc.boolean(),
        fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
        (rows, format, textExpected, order) => {
          const asDate = table(
            [
              ["label", "STRING"],
              ["d", "DATE"]
            ],
            rows.map((r) => [r.label, r.value.toISOString().slice(0, 10)])
          )
          const asText = table(
            [
              ["label", "STRING"],
              ["d", "STRING"]
            ],
            permute(rows, order).map((r) => [r.label, dateFormats[format](r.value)])
          )
          const [expected, actual] = textExpected ? [asText, asDate] : [asDate, asText]
          const result = ResultSetCompare.compare(expected, actual)
          assert.strictEqual(result.outcome, "pass", show({ expected, actual, result }))
        }
      ),
      { numRuns: 300 }
    )
  })

  it("property: timestamps written at any offset and in any notation pass as the same instants", () => {
    fc.assert(
      fc.property(
        datedTable(instant),
        fc.nat({ max: timestampFormats.length - 1 }),
        offset,
        (rows, format, minutes) => {
          const expected = table(
            [
              ["label", "STRING"],
              ["t", "TIMESTAMP"]
            ],
            rows.map((r) => [r.label, r.value.toISOString()])
          )
          const actual = table(
            [
              ["label", "STRING"],
              ["t", "STRING"]
            ],
            rows.map((r) => [r.label, timestampFormats[format](r.value, minutes)])
          )
          const result = ResultSetCompare.compare(expected, actual)
          assert.strictEqual(result.outcome, "pass", show({ expected, actual, result }))
        }
      ),
      { numRuns: 300 }
    )
  })

  it("property: a date or instant that differs, written as text, still fails", () => {
    fc.assert(
      fc.property(
        datedTable(instant),
        fc.nat({ max: timestampFormats.length - 1 }),
        offset,
        fc.nat(),
        fc.constantFrom(1, 60, 3_600, 86_400, -1, -86_400),
        fc.boolean(),
        (rows, format, minutes, pick, shiftSeconds, asDates) => {
          const row = pick % rows.length
          const shifted = rows.map((r, k) =>
            k === row ? { ...r, value: new Date(r.value.getTime() + shiftSeconds * 1000 * (asDates ? 86_400 : 1)) } : r
          )
          const dateOf = (d: Date) => d.toISOString().slice(0, 10)
          const expected = table(
            [
              ["label", "STRING"],
              ["t", asDates ? "DATE" : "TIMESTAMP"]
            ],
            rows.map((r) => [r.label, asDates ? dateOf(r.value) : r.value.toISOString()])
          )
          const actual = table(
            [
              ["label", "STRING"],
              ["t", "STRING"]
            ],
            shifted.map((r) => [
              r.label,
              asDates ? dateFormats[format % dateFormats.length](r.value) : timestampFormats[format](r.value, minutes)
            ])
          )
          const result = ResultSetCompare.compare(expected, actual)
          assert.strictEqual(result.outcome, "fail", show({ expected, actual, result }))
        }
      ),
      { numRuns: 300 }
    )
  })
})
