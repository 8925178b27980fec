import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import type { ComparisonPolicy } from "../src/model/Benchmark.js"
import * as ResultSetCompare from "../src/stages/evaluate/ResultSetCompare.js"
import type { ResultRows } from "../src/stages/evaluate/ResultSetCompare.js"
import type { ReasonCode } from "../src/stages/Stages.js"

type Cell = string | null

/** `rs("region:STRING,total:DECIMAL", [["EU", "1.5"]])`; `truncated` marks a cut result. */
const rs = (spec: string, rows: ReadonlyArray<ReadonlyArray<Cell>>, truncated = false): ResultRows => ({
  columns: spec.split(",").map((c) => {
    const [name, typeName] = c.split(":")
    return { name: name, typeName: typeName }
  }),
  rows,
  truncated
})

interface Case {
  readonly name: string
  readonly expected: ResultRows
  readonly actual: ResultRows
  readonly policy?: ComparisonPolicy
  readonly sql?: string
  readonly outcome: "pass" | "fail" | "inconclusive"
  readonly decidedBy?: ResultSetCompare.Rule
  readonly reasons?: ReadonlyArray<ReasonCode>
}

const sales = rs("region:STRING,total:DECIMAL", [
  ["EU", "10.50"],
  ["US", "20.00"],
  ["APAC", "5.25"]
])
const salesDesc = rs("region:STRING,total:DECIMAL", [
  ["US", "20.00"],
  ["EU", "10.50"],
  ["APAC", "5.25"]
])
const salesAsc = rs("region:STRING,total:DECIMAL", [
  ["APAC", "5.25"],
  ["EU", "10.50"],
  ["US", "20.00"]
])
const orderedSql = "SELECT region, SUM(amount) AS total FROM orders GROUP BY region ORDER BY total DESC"
const hiddenKeySql = "SELECT region, SUM(amount) AS total FROM orders GROUP BY region ORDER BY MAX(order_date)"
const top3Sql = "SELECT name, score FROM players ORDER BY score DESC LIMIT 3"
const anyThreeSql = "SELECT name, score FROM players LIMIT 3"
const one = (spec: string, value: Cell) => rs(spec, [[value]])

const cases: ReadonlyArray<Case> = [
  // --- bag and set semantics -------------------------------------------------------------------------------------
  { name: "bag: identical rows pass", expected: sales, actual: sales, outcome: "pass", decidedBy: "bag-equality" },
  {
    name: "bag: rows in another order pass when the SQL has no ORDER BY",
    expected: sales,
    actual: salesAsc,
    outcome: "pass"
  },
  {
    name: "bag: a missing duplicate row fails",
    expected: rs("x:LONG", [["1"], ["1"], ["2"]]),
    actual: rs("x:LONG", [["1"], ["2"]]),
    outcome: "fail",
    reasons: ["RESULT_MISSING_ROWS"]
  },
  {
    name: "bag: an extra duplicate row fails",
    expected: rs("x:LONG", [["1"], ["2"]]),
    actual: rs("x:LONG", [["1"], ["2"], ["2"]]),
    outcome: "fail",
    reasons: ["RESULT_EXTRA_ROWS"]
  },
  {
    name: "set: a missing duplicate row passes",
    expected: rs("x:LONG", [["1"], ["1"], ["2"]]),
    actual: rs("x:LONG", [["2"], ["1"]]),
    policy: { rows: "set" },
    outcome: "pass",
    decidedBy: "set-equality"
  },
  {
    name: "set: a missing distinct row still fails",
    expected: rs("x:LONG", [["1"], ["1"], ["2"]]),
    actual: rs("x:LONG", [["1"]]),
    policy: { rows: "set" },
    outcome: "fail",
    reasons: ["RESULT_MISSING_ROWS"]
  },
  {
    name: "bag: an extra distinct row fails",
    expected: sales,
    actual: rs("region:STRING,total:DECIMAL", [...sales.rows, ["LATAM", "1.00"]]),
    outcome: "fail",
    reasons: ["RESULT_EXTRA_ROWS"]
  },
  {
    name: "bag: several different rows fail with missing and extra rows",
    expected: sales,
    actual: rs("region:STRING,total:DECIMAL", [
      ["EU", "11.50"],
      ["US", "21.00"],
      ["APAC", "5.25"]
    ]),
    outcome: "fail",
    reasons: ["RESULT_MISSING_ROWS", "RESULT_EXTRA_ROWS"]
  },
  {
    name: "single cell: one differing cell among many rows",
    expected: sales,
    actual: rs("region:STRING,total:DECIMAL", [
      ["EU", "10.50"],
      ["US", "20.01"],
      ["APAC", "5.25"]
    ]),
    outcome: "fail",
    decidedBy: "bag-equality",
    reasons: ["SINGLE_CELL_DIFFERENCE"]
  },
  {
    name: "single cell: two differing cells in one row are not a single-cell difference",
    expected: sales,
    actual: rs("region:STRING,total:DECIMAL", [
      ["EU", "10.50"],
      ["USA", "20.01"],
      ["APAC", "5.25"]
    ]),
    outcome: "fail",
    reasons: ["RESULT_MISSING_ROWS", "RESULT_EXTRA_ROWS"]
  },

  // --- row order --------------------------------------------------------------------------------------------------
  {
    name: "order auto: same order as the ORDER BY passes",
    expected: salesDesc,
    actual: salesDesc,
    sql: orderedSql,
    outcome: "pass",
    decidedBy: "ordered-prefix"
  },
  {
    name: "order auto: reversed order under ORDER BY fails",
    expected: salesDesc,
    actual: salesAsc,
    sql: orderedSql,
    outcome: "fail",
    decidedBy: "ordered-prefix",
    reasons: ["ORDER_DIFFERENCE"]
  },
  {
    name: "order auto: ORDER BY only inside a subquery does not order the result",
    expected: salesDesc,
    actual: salesAsc,
    sql: "SELECT * FROM (SELECT region, SUM(amount) AS total FROM orders GROUP BY region ORDER BY total DESC LIMIT 10) t",
    outcome: "pass",
    decidedBy: "bag-equality"
  },
  {
    name: "order auto: ORDER BY by ordinal is checked",
    expected: salesDesc,
    actual: salesAsc,
    sql: "SELECT region, SUM(amount) FROM orders GROUP BY region ORDER BY 2 DESC",
    outcome: "fail",
    reasons: ["ORDER_DIFFERENCE"]
  },
  {
    name: "order auto: ORDER BY an aggregate that is selected under an alias is checked",
    expected: salesDesc,
    actual: salesAsc,
    sql: "SELECT region, SUM(amount) AS total FROM orders GROUP BY region ORDER BY SUM(amount) DESC",
    outcome: "fail",
    reasons: ["ORDER_DIFFERENCE"]
  },
  {
    name: "order auto: rows tied on the sort key may come in any order",
    expected: rs("name:STRING,score:LONG", [
      ["a", "9"],
      ["b", "7"],
      ["c", "7"]
    ]),
    actual: rs("name:STRING,score:LONG", [
      ["a", "9"],
      ["c", "7"],
      ["b", "7"]
    ]),
    sql: "SELECT name, score FROM players ORDER BY score DESC",
    outcome: "pass",
    decidedBy: "ordered-prefix"
  },
  {
    name: "order auto: only the prefix of sort keys present in the output is checked",
    expected: rs("name:STRING,score:LONG", [
      ["a", "9"],
      ["b", "7"],
      ["c", "7"]
    ]),
    actual: rs("name:STRING,score:LONG", [
      ["a", "9"],
      ["c", "7"],
      ["b", "7"]
    ]),
    sql: "SELECT name, score FROM players ORDER BY score DESC, joined_at",
    outcome: "pass",
    decidedBy: "ordered-prefix"
  },
  {
    name: "order auto: a sort key outside the output, same order, passes",
    expected: salesDesc,
    actual: salesDesc,
    sql: hiddenKeySql,
    outcome: "pass"
  },
  {
    name: "order auto: a sort key outside the output, different order, is inconclusive",
    expected: salesDesc,
    actual: salesAsc,
    sql: hiddenKeySql,
    outcome: "inconclusive",
    decidedBy: "order-unverifiable",
    reasons: ["ORDER_DIFFERENCE"]
  },
  {
    name: "order auto: an unreadable expected SQL cannot prove an order difference",
    expected: salesDesc,
    actual: salesAsc,
    sql: "SELEC region FROM",
    outcome: "inconclusive",
    decidedBy: "order-unverifiable"
  },
  {
    name: "order auto: without expected SQL the order is not checked",
    expected: salesDesc,
    actual: salesAsc,
    outcome: "pass",
    decidedBy: "bag-equality"
  },
  {
    name: "order strict: reversed rows fail even without ORDER BY",
    expected: salesDesc,
    actual: salesAsc,
    policy: { row_order: "strict" },
    outcome: "fail",
    decidedBy: "strict-order",
    reasons: ["ORDER_DIFFERENCE"]
  },
  {
    name: "order strict: the same sequence passes",
    expected: salesDesc,
    actual: salesDesc,
    policy: { row_order: "strict" },
    outcome: "pass",
    decidedBy: "strict-order"
  },
  {
    name: "order ignore: reversed rows pass despite ORDER BY",
    expected: salesDesc,
    actual: salesAsc,
    sql: orderedSql,
    policy: { row_order: "ignore" },
    outcome: "pass",
    decidedBy: "bag-equality"
  },

  // --- columns ----------------------------------------------------------------------------------------------------
  {
    name: "columns: permuted columns pass",
    expected: sales,
    actual: rs("total:DECIMAL,region:STRING", [
      ["20.00", "US"],
      ["5.25", "APAC"],
      ["10.50", "EU"]
    ]),
    outcome: "pass"
  },
  {
    name: "columns: renamed columns pass (matched by values)",
    expected: sales,
    actual: rs("r:STRING,sum_amount:DECIMAL", sales.rows),
    outcome: "pass"
  },
  {
    name: "columns: an extra Genie column is allowed by default and noted",
    expected: sales,
    actual: rs("region:STRING,orders:LONG,total:DECIMAL", [
      ["EU", "3", "10.50"],
      ["US", "4", "20.00"],
      ["APAC", "1", "5.25"]
    ]),
    outcome: "pass",
    reasons: ["RESULT_EXTRA_COLUMNS"]
  },
  {
    name: "columns: an extra Genie column fails when the policy forbids it",
    expected: sales,
    actual: rs("region:STRING,orders:LONG,total:DECIMAL", [
      ["EU", "3", "10.50"],
      ["US", "4", "20.00"],
      ["APAC", "1", "5.25"]
    ]),
    policy: { allow_extra_columns: false },
    outcome: "fail",
    decidedBy: "column-match",
    reasons: ["RESULT_EXTRA_COLUMNS"]
  },
  {
    name: "columns: a missing expected column fails",
    expected: sales,
    actual: rs("region:STRING", [["EU"], ["US"], ["APAC"]]),
    outcome: "fail",
    decidedBy: "column-match",
    reasons: ["RESULT_MISSING_COLUMNS"]
  },
  {
    name: "columns: a column of another kind of value is missing, not a cell difference",
    expected: rs("region:STRING,total:DECIMAL", [["EU", "1.5"]]),
    actual: rs("region:STRING,label:STRING", [["EU", "one and a half"]]),
    outcome: "fail",
    reasons: ["RESULT_MISSING_COLUMNS"]
  },
  {
    name: "columns: values swapped between rows (same column values, different rows) fail",
    expected: rs("a:STRING,b:LONG", [
      ["x", "1"],
      ["y", "2"]
    ]),
    actual: rs("a:STRING,b:LONG", [
      ["x", "2"],
      ["y", "1"]
    ]),
    outcome: "fail",
    reasons: ["RESULT_MISSING_ROWS", "RESULT_EXTRA_ROWS"]
  },
  {
    name: "columns: same shape with different values is never a pass",
    expected: sales,
    actual: rs("region:STRING,total:DECIMAL", [
      ["LATAM", "1.00"],
      ["MEA", "2.00"],
      ["ANZ", "3.00"]
    ]),
    outcome: "fail"
  },

  // --- values -----------------------------------------------------------------------------------------------------
  {
    name: "values: DECIMAL 10.50 equals DOUBLE 10.5",
    expected: one("v:DECIMAL", "10.50"),
    actual: one("v:DOUBLE", "10.5"),
    outcome: "pass"
  },
  {
    name: "values: DOUBLE within the default relative tolerance passes",
    expected: one("v:DOUBLE", "1234.5678"),
    actual: one("v:DOUBLE", "1234.5678001"),
    outcome: "pass"
  },
  {
    name: "values: renamed, swapped DOUBLE columns equal only within tolerance are still matched",
    expected: rs("revenue:DOUBLE,cost:DOUBLE", [
      ["100.1", "7.25"],
      ["200.2", "8.5"]
    ]),
    actual: rs("c:DOUBLE,r:DOUBLE", [
      ["8.500000001", "200.20000001"],
      ["7.250000001", "100.10000001"]
    ]),
    outcome: "pass"
  },
  {
    name: "values: DOUBLE beyond the default tolerance fails",
    expected: one("v:DOUBLE", "1234.5678"),
    actual: one("v:DOUBLE", "1234.57"),
    outcome: "fail",
    reasons: ["SINGLE_CELL_DIFFERENCE"]
  },
  {
    name: "values: a per-benchmark relative tolerance of 1% lets 0.5% through",
    expected: one("v:DOUBLE", "200"),
    actual: one("v:DOUBLE", "201"),
    policy: { relative_tolerance: 0.01 },
    outcome: "pass"
  },
  {
    name: "values: zero tolerance rejects the smallest difference",
    expected: one("v:DOUBLE", "0.1"),
    actual: one("v:DOUBLE", "0.1000000001"),
    policy: { relative_tolerance: 0, absolute_tolerance: 0 },
    outcome: "fail"
  },
  {
    name: "values: integers compare exactly despite the relative tolerance",
    expected: one("n:LONG", "1000000"),
    actual: one("n:LONG", "1000001"),
    outcome: "fail",
    reasons: ["SINGLE_CELL_DIFFERENCE"]
  },
  {
    name: "values: DECIMAL(38,0) ids beyond 2^53 compare exactly",
    expected: one("id:DECIMAL", "12345678901234567890"),
    actual: one("id:DECIMAL", "12345678901234567891"),
    outcome: "fail"
  },
  {
    name: "values: INT 2 equals DECIMAL 2.00",
    expected: one("n:INT", "2"),
    actual: one("n:DECIMAL", "2.00"),
    outcome: "pass"
  },
  {
    name: "values: a DATE equals a TIMESTAMP at UTC midnight",
    expected: one("d:DATE", "2024-03-01"),
    actual: one("d:TIMESTAMP", "2024-03-01T00:00:00.000Z"),
    outcome: "pass"
  },
  {
    name: "values: timestamps are compared as UTC instants",
    expected: one("t:TIMESTAMP", "2024-03-01T10:00:00Z"),
    actual: one("t:TIMESTAMP", "2024-03-01T12:00:00+02:00"),
    outcome: "pass"
  },
  {
    name: "values: a timestamp without zone is UTC (DuckDB style)",
    expected: one("t:TIMESTAMP", "2024-03-01T10:00:00.000Z"),
    actual: one("t:TIMESTAMP", "2024-03-01 10:00:00"),
    outcome: "pass"
  },
  {
    name: "values: different instants fail",
    expected: one("t:TIMESTAMP", "2024-03-01T10:00:00Z"),
    actual: one("t:TIMESTAMP", "2024-03-01T10:00:01Z"),
    outcome: "fail"
  },
  {
    name: "values: NULL equals NULL",
    expected: rs("a:STRING,b:LONG", [["x", null]]),
    actual: rs("a:STRING,b:LONG", [["x", null]]),
    outcome: "pass"
  },
  {
    name: "values: NULL is not 0",
    expected: rs("a:STRING,b:LONG", [["x", null]]),
    actual: rs("a:STRING,b:LONG", [["x", "0"]]),
    outcome: "fail",
    reasons: ["SINGLE_CELL_DIFFERENCE"]
  },
  {
    name: "values: NULL is not the empty string",
    expected: rs("a:LONG,b:STRING", [["1", null]]),
    actual: rs("a:LONG,b:STRING", [["1", ""]]),
    outcome: "fail"
  },
  {
    name: "values: booleans ignore case",
    expected: one("f:BOOLEAN", "true"),
    actual: one("f:BOOLEAN", "TRUE"),
    outcome: "pass"
  },
  {
    name: "values: true is not false",
    expected: one("f:BOOLEAN", "true"),
    actual: one("f:BOOLEAN", "false"),
    outcome: "fail"
  },
  {
    name: "values: strings are exact by default",
    expected: one("s:STRING", "EU"),
    actual: one("s:STRING", "eu"),
    outcome: "fail"
  },
  {
    name: "values: case-insensitive strings when the policy says so",
    expected: one("s:STRING", "EU"),
    actual: one("s:STRING", "eu"),
    policy: { case_insensitive_strings: true },
    outcome: "pass"
  },
  {
    name: "values: trailing whitespace is a difference",
    expected: one("s:STRING", "EU"),
    actual: one("s:STRING", "EU "),
    outcome: "fail"
  },
  { name: "values: NaN equals NaN", expected: one("v:DOUBLE", "NaN"), actual: one("v:DOUBLE", "NaN"), outcome: "pass" },
  {
    name: "values: map keys are unordered",
    expected: one("m:MAP", '{"a":1,"b":2}'),
    actual: one("m:MAP", '{"b":2,"a":1}'),
    outcome: "pass"
  },
  {
    name: "values: array order matters",
    expected: one("a:ARRAY", "[1,2]"),
    actual: one("a:ARRAY", "[2,1]"),
    outcome: "fail"
  },
  {
    name: "values: numbers returned as text are inconclusive (type difference)",
    expected: one("n:LONG", "42"),
    actual: one("n:STRING", "42"),
    outcome: "inconclusive",
    decidedBy: "type-difference",
    reasons: ["COLUMN_TYPE_DIFFERENCE"]
  },
  {
    name: "values: text that does not match after conversion fails",
    expected: one("n:LONG", "42"),
    actual: one("n:STRING", "43"),
    outcome: "fail"
  },

  // --- scalar answers ---------------------------------------------------------------------------------------------
  {
    name: "scalar: the same value under another name passes",
    expected: one("total_revenue:DECIMAL", "1234.50"),
    actual: one("sum(amount):DECIMAL", "1234.5"),
    outcome: "pass",
    decidedBy: "scalar"
  },
  {
    name: "scalar: a different value fails",
    expected: one("total_revenue:DECIMAL", "1234.50"),
    actual: one("revenue:DECIMAL", "1200.00"),
    outcome: "fail",
    decidedBy: "scalar",
    reasons: ["SINGLE_CELL_DIFFERENCE"]
  },
  {
    name: "scalar: the value among extra columns passes",
    expected: one("n:LONG", "42"),
    actual: rs("label:STRING,n:LONG", [["orders", "42"]]),
    outcome: "pass",
    decidedBy: "scalar",
    reasons: ["RESULT_EXTRA_COLUMNS"]
  },
  {
    name: "scalar: two rows for a one-row answer fail",
    expected: one("n:LONG", "42"),
    actual: rs("n:LONG", [["42"], ["7"]]),
    outcome: "fail",
    reasons: ["RESULT_EXTRA_ROWS"]
  },
  {
    name: "scalar: LONG 42 equals DOUBLE 42.0",
    expected: one("n:LONG", "42"),
    actual: one("n:DOUBLE", "42.0"),
    outcome: "pass"
  },

  // --- empty results ----------------------------------------------------------------------------------------------
  {
    name: "empty: both empty pass with the BOTH_EMPTY flag",
    expected: rs("x:LONG", []),
    actual: rs("y:STRING", []),
    outcome: "pass",
    decidedBy: "both-empty",
    reasons: ["BOTH_EMPTY"]
  },
  {
    name: "empty: Genie empty where rows are expected fails",
    expected: sales,
    actual: rs("region:STRING,total:DECIMAL", []),
    outcome: "fail",
    decidedBy: "empty-result",
    reasons: ["EMPTY_RESULT"]
  },
  {
    name: "empty: rows where none are expected fail",
    expected: rs("region:STRING,total:DECIMAL", []),
    actual: sales,
    outcome: "fail",
    decidedBy: "unexpected-rows",
    reasons: ["RESULT_EXTRA_ROWS"]
  },

  // --- truncation -------------------------------------------------------------------------------------------------
  {
    name: "truncated: Genie cut, visible rows consistent, is inconclusive",
    expected: sales,
    actual: rs("region:STRING,total:DECIMAL", [["US", "20.00"]], true),
    outcome: "inconclusive",
    decidedBy: "truncated",
    reasons: ["TRUNCATED_RESULT"]
  },
  {
    name: "truncated: Genie cut with a row the expected result lacks fails",
    expected: sales,
    actual: rs("region:STRING,total:DECIMAL", [["MEA", "1.00"]], true),
    outcome: "fail",
    decidedBy: "truncated",
    reasons: ["RESULT_EXTRA_ROWS", "TRUNCATED_RESULT"]
  },
  {
    name: "truncated: Genie cut after every expected row has more rows than expected",
    expected: sales,
    actual: rs("region:STRING,total:DECIMAL", sales.rows, true),
    outcome: "fail",
    reasons: ["RESULT_EXTRA_ROWS", "TRUNCATED_RESULT"]
  },
  {
    name: "truncated: expected cut, Genie complete with fewer rows misses rows",
    expected: rs("region:STRING,total:DECIMAL", sales.rows.slice(0, 2), true),
    actual: rs("region:STRING,total:DECIMAL", sales.rows.slice(0, 1)),
    outcome: "fail",
    reasons: ["RESULT_MISSING_ROWS", "TRUNCATED_RESULT"]
  },
  {
    name: "truncated: expected cut, Genie complete and consistent is inconclusive",
    expected: rs("region:STRING,total:DECIMAL", sales.rows.slice(0, 2), true),
    actual: sales,
    outcome: "inconclusive",
    reasons: ["TRUNCATED_RESULT"]
  },
  {
    name: "truncated: both cut is inconclusive",
    expected: rs("region:STRING,total:DECIMAL", sales.rows.slice(0, 2), true),
    actual: rs("region:STRING,total:DECIMAL", sales.rows.slice(1, 3), true),
    outcome: "inconclusive",
    reasons: ["TRUNCATED_RESULT"]
  },

  // --- LIMIT ties and unordered LIMIT -----------------------------------------------------------------------------
  {
    name: "limit: rows differing only in a tie at the LIMIT boundary pass, noted as LIMIT_TIE",
    expected: rs("name:STRING,score:LONG", [
      ["a", "9"],
      ["b", "8"],
      ["c", "7"]
    ]),
    actual: rs("name:STRING,score:LONG", [
      ["a", "9"],
      ["b", "8"],
      ["d", "7"]
    ]),
    sql: top3Sql,
    outcome: "pass",
    decidedBy: "limit-tie",
    reasons: ["LIMIT_TIE"]
  },
  {
    name: "limit: a tie at the LIMIT on the visible keys, with an ORDER BY key not in the output, is inconclusive",
    expected: rs("name:STRING,score:LONG", [
      ["a", "9"],
      ["b", "8"],
      ["c", "7"]
    ]),
    actual: rs("name:STRING,score:LONG", [
      ["a", "9"],
      ["b", "8"],
      ["d", "7"]
    ]),
    sql: "SELECT name, score FROM players ORDER BY score DESC, joined_at LIMIT 3",
    outcome: "inconclusive",
    decidedBy: "limit-tie",
    reasons: ["SINGLE_CELL_DIFFERENCE", "LIMIT_TIE"]
  },
  {
    name: "limit: a difference above the tie fails",
    expected: rs("name:STRING,score:LONG", [
      ["a", "9"],
      ["b", "8"],
      ["c", "7"]
    ]),
    actual: rs("name:STRING,score:LONG", [
      ["z", "9"],
      ["b", "8"],
      ["c", "7"]
    ]),
    sql: top3Sql,
    outcome: "fail",
    decidedBy: "bag-equality"
  },
  {
    name: "limit: LIMIT without ORDER BY allows another subset (inconclusive)",
    expected: rs("name:STRING,score:LONG", [
      ["a", "9"],
      ["b", "8"],
      ["c", "7"]
    ]),
    actual: rs("name:STRING,score:LONG", [
      ["d", "1"],
      ["b", "8"],
      ["c", "7"]
    ]),
    sql: anyThreeSql,
    outcome: "inconclusive",
    decidedBy: "unordered-limit",
    reasons: ["UNORDERED_LIMIT"]
  },
  {
    name: "limit: LIMIT without ORDER BY still fails on a missing row",
    expected: rs("name:STRING,score:LONG", [
      ["a", "9"],
      ["b", "8"],
      ["c", "7"]
    ]),
    actual: rs("name:STRING,score:LONG", [
      ["b", "8"],
      ["c", "7"]
    ]),
    sql: anyThreeSql,
    outcome: "fail",
    reasons: ["RESULT_MISSING_ROWS"]
  },
  {
    name: "limit: a LIMIT that did not cut (fewer rows than the limit) decides normally",
    expected: rs("name:STRING,score:LONG", [
      ["a", "9"],
      ["b", "8"]
    ]),
    actual: rs("name:STRING,score:LONG", [
      ["a", "9"],
      ["x", "8"]
    ]),
    sql: top3Sql,
    outcome: "fail"
  }
]

describe("ResultSetCompare.compare: rules", () => {
  it("has at least 60 labelled cases", () => {
    assert.isAtLeast(cases.length, 60)
    assert.strictEqual(new Set(cases.map((c) => c.name)).size, cases.length)
  })

  for (const c of cases) {
    it(c.name, () => {
      const result = ResultSetCompare.compare(c.expected, c.actual, {
        ...(c.policy === undefined ? {} : { policy: c.policy }),
        ...(c.sql === undefined ? {} : { expectedSql: c.sql })
      })
      assert.strictEqual(result.outcome, c.outcome, JSON.stringify(result))
      if (c.decidedBy !== undefined) assert.strictEqual(result.decidedBy, c.decidedBy)
      if (c.reasons !== undefined) assert.includeMembers([...result.reasons], [...c.reasons])
    })
  }
})

describe("ResultSetCompare.compare: evidence", () => {
  it("maps columns by values, reports counts and the first differing cells with raw values", () => {
    const actual = rs("sum_total:DECIMAL,r:STRING", [
      ["10.50", "EU"],
      ["20.01", "US"],
      ["5.25", "APAC"]
    ])
    const result = ResultSetCompare.compare(sales, actual)
    assert.deepStrictEqual(result.evidence.columnMapping, [
      { expected: "region", actual: "r" },
      { expected: "total", actual: "sum_total" }
    ])
    assert.strictEqual(result.evidence.missingRows, 1)
    assert.strictEqual(result.evidence.extraRows, 1)
    assert.deepStrictEqual(result.evidence.differences, [
      { row: 1, column: "total", expected: "20.00", actual: "20.01" }
    ])
    assert.deepStrictEqual(result.evidence.sampleMissingRows, [["US", "20.00"]])
  })

  it("uses names to break ties between columns with identical values", () => {
    const expected = rs("a:LONG,b:LONG", [["1", "1"]])
    const actual = rs("b:LONG,a:LONG", [["1", "1"]])
    const result = ResultSetCompare.compare(expected, actual)
    assert.deepStrictEqual(result.evidence.columnMapping, [
      { expected: "a", actual: "a" },
      { expected: "b", actual: "b" }
    ])
  })

  it("names the ordered prefix it checked", () => {
    const result = ResultSetCompare.compare(salesDesc, salesDesc, { expectedSql: orderedSql })
    assert.deepStrictEqual(result.evidence.orderKeys, ["total"])
  })

  it("marks a column matched across types", () => {
    const result = ResultSetCompare.compare(one("n:LONG", "42"), one("n:STRING", "42"))
    assert.deepStrictEqual(result.evidence.columnMapping, [{ expected: "n", actual: "n", typeDifference: true }])
  })
})

describe("ResultSetCompare.resolvePolicy", () => {
  it("fills defaults and lets later policies win", () => {
    const policy = ResultSetCompare.resolvePolicy({ relative_tolerance: 0.1, rows: "set" }, { rows: "bag" })
    assert.deepStrictEqual(policy, {
      ...ResultSetCompare.defaultPolicy,
      rows: "bag",
      tolerance: { relative: 0.1, absolute: 1e-9 }
    })
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------------------

const columnTypes = ["LONG", "DOUBLE", "STRING", "DATE", "BOOLEAN"] as const
type ColumnType = (typeof columnTypes)[number]

const valueOf = (type: ColumnType): fc.Arbitrary<Cell> => {
  const value: fc.Arbitrary<string> =
    type === "LONG"
      ? fc.integer({ min: -5, max: 5 }).map(String)
      : type === "DOUBLE"
        ? fc.integer({ min: -400, max: 400 }).map((n) => String(n / 4))
        : type === "STRING"
          ? fc.constantFrom("a", "b", "c", "A")
          : type === "DATE"
            ? fc.constantFrom("2024-01-01", "2024-01-02", "2024-02-29")
            : fc.constantFrom("true", "false")
  return fc.option(value, { nil: null, freq: 6 })
}

const table = fc
  .array(fc.constantFrom(...columnTypes), { minLength: 1, maxLength: 4 })
  .chain((types) =>
    fc.record({
      types: fc.constant(types),
      rows: fc.array(fc.tuple(...types.map(valueOf)), { minLength: 1, maxLength: 10 })
    })
  )
  .map(({ types, rows }) => rs(types.map((t, i) => `c${i}:${t}`).join(","), rows))

/** A table and a variant of it: itself, a row dropped or duplicated, or one cell replaced by another draw. */
const tableAndVariant = table.chain((expected) =>
  fc
    .record({
      kind: fc.constantFrom("same", "drop", "duplicate", "cell"),
      row: fc.nat({ max: expected.rows.length - 1 }),
      column: fc.nat({ max: expected.columns.length - 1 }),
      cell: valueOf(expected.columns[0].typeName as ColumnType)
    })
    .map(({ kind, row, column, cell }) => {
      const rows = expected.rows.map((r) => [...r])
      if (kind === "drop") rows.splice(row, 1)
      if (kind === "duplicate") rows.push([...rows[row]])
      if (kind === "cell" && column === 0) rows[row][0] = cell
      return { expected, actual: { ...expected, rows } }
    })
)

const permute = <A>(items: ReadonlyArray<A>, order: ReadonlyArray<number>): Array<A> =>
  [...items.keys()].sort((x, y) => order[x] - order[y] || x - y).map((i) => items[i])

describe("ResultSetCompare.compare: properties", () => {
  it("permuting the rows and columns of an unordered result never changes the verdict", () => {
    fc.assert(
      fc.property(
        tableAndVariant,
        fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
        fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
        ({ expected, actual }, rowOrder, columnOrder) => {
          const columns = permute(
            actual.columns.map((c, i) => ({ c, i })),
            columnOrder
          )
          const shuffled: ResultRows = {
            columns: columns.map(({ c }) => c),
            rows: permute(actual.rows, rowOrder).map((row) => columns.map(({ i }) => row[i] ?? null))
          }
          const before = ResultSetCompare.compare(expected, actual)
          const after = ResultSetCompare.compare(expected, shuffled)
          assert.strictEqual(after.outcome, before.outcome)
          assert.deepStrictEqual([...after.reasons].sort(), [...before.reasons].sort())
        }
      ),
      { numRuns: 300 }
    )
  })

  it("changing any single cell beyond tolerance always fails", () => {
    const changed = (type: string, value: Cell): Cell => {
      if (value === null) return type === "STRING" ? "zz" : type === "BOOLEAN" ? "true" : "1"
      switch (type) {
        case "LONG":
        case "DOUBLE":
          return String(Number(value) + 1 + Math.abs(Number(value)))
        case "DATE":
          return "1999-12-31"
        case "BOOLEAN":
          return value === "true" ? "false" : "true"
        default:
          return `${value}!`
      }
    }
    fc.assert(
      fc.property(
        table.chain((expected) =>
          fc.record({
            expected: fc.constant(expected),
            row: fc.nat({ max: expected.rows.length - 1 }),
            column: fc.nat({ max: expected.columns.length - 1 })
          })
        ),
        ({ expected, row, column }) => {
          const rows = expected.rows.map((r) => [...r])
          rows[row][column] = changed(expected.columns[column].typeName, rows[row][column] ?? null)
          const result = ResultSetCompare.compare(expected, { ...expected, rows })
          assert.strictEqual(result.outcome, "fail", JSON.stringify({ expected, rows, result }))
        }
      ),
      { numRuns: 300 }
    )
  })
})
