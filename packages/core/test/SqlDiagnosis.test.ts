import { assert, describe, it } from "@effect/vitest"
import * as SqlAnalysis from "../src/sql/SqlAnalysis.js"
import * as SqlDiagnosis from "../src/stages/evaluate/SqlDiagnosis.js"
import type { FailureCategory, ReasonCode } from "../src/stages/Stages.js"

const expectedSql = `
  SELECT c.region, SUM(o.amount) AS revenue
  FROM main.sales.orders o
  JOIN main.sales.customers c ON o.customer_id = c.id
  WHERE o.status = 'complete' AND o.order_date >= '2024-01-01'
  GROUP BY c.region
  ORDER BY revenue DESC
  LIMIT 5`

/** The expected query with one textual replacement. */
const genie = (from: string, to: string) => {
  assert.include(expectedSql, from)
  return expectedSql.replace(from, to)
}

interface Case {
  readonly name: string
  readonly genieSql: string
  readonly reasons?: ReadonlyArray<ReasonCode>
  readonly category: FailureCategory
  /** A finding message the diagnosis must contain. */
  readonly finding: string
}

const cases: ReadonlyArray<Case> = [
  {
    name: "WRONG_TABLE: another table in place of the expected one",
    genieSql: genie("main.sales.orders o", "main.sales.orders_archive o"),
    category: "WRONG_TABLE",
    finding: "expected table orders, Genie used orders_archive"
  },
  {
    name: "WRONG_TABLE: an expected table that is not joined is simply not read",
    genieSql: "SELECT SUM(amount) FROM main.sales.payments",
    category: "WRONG_TABLE",
    finding: "expected table refunds, Genie did not read it"
  },
  {
    name: "MISSING_JOIN: the joined table is left out",
    genieSql: `SELECT o.region, SUM(o.amount) AS revenue FROM main.sales.orders o
      WHERE o.status = 'complete' AND o.order_date >= '2024-01-01' GROUP BY o.region ORDER BY revenue DESC LIMIT 5`,
    category: "MISSING_JOIN",
    finding: "expected a join with customers (customers.id = orders.customer_id), Genie had none"
  },
  {
    name: "WRONG_JOIN: joined on the wrong column",
    genieSql: genie("o.customer_id = c.id", "o.seller_id = c.id"),
    category: "WRONG_JOIN",
    finding:
      "expected join customers–orders on customers.id = orders.customer_id, Genie joined on customers.id = orders.seller_id"
  },
  {
    name: "WRONG_JOIN: a LEFT join where an inner join is expected",
    genieSql: genie("JOIN main.sales.customers", "LEFT JOIN main.sales.customers"),
    category: "WRONG_JOIN",
    finding: "expected a INNER join customers–orders, Genie used LEFT"
  },
  {
    name: "WRONG_JOIN: an extra joined table",
    genieSql: genie("WHERE o.status", "JOIN main.sales.returns r ON r.order_id = o.id WHERE o.status"),
    category: "WRONG_JOIN",
    finding: "Genie joined returns (orders.id = returns.order_id), which the expected query does not use"
  },
  {
    name: "WRONG_FILTER: a filter left out",
    genieSql: genie("o.status = 'complete' AND ", ""),
    category: "WRONG_FILTER",
    finding: "expected filter orders.status = 'complete', Genie had none"
  },
  {
    name: "WRONG_FILTER: another literal",
    genieSql: genie("'complete'", "'shipped'"),
    category: "WRONG_FILTER",
    finding: "expected filter orders.status = 'complete', Genie had orders.status = 'shipped'"
  },
  {
    name: "WRONG_FILTER: an extra filter",
    genieSql: genie("WHERE o.status", "WHERE c.segment = 'SMB' AND o.status"),
    category: "WRONG_FILTER",
    finding: "Genie filtered customers.segment = 'SMB', which the expected query does not"
  },
  {
    name: "WRONG_AGGREGATION: AVG in place of SUM",
    genieSql: genie("SUM(o.amount)", "AVG(o.amount)"),
    category: "WRONG_AGGREGATION",
    finding: "expected SUM(orders.amount), Genie had AVG(orders.amount)"
  },
  {
    name: "WRONG_AGGREGATION: COUNT without DISTINCT",
    genieSql: "SELECT COUNT(o.customer_id) FROM main.sales.orders o",
    category: "WRONG_AGGREGATION",
    finding: "expected COUNT(DISTINCT orders.customer_id), Genie had COUNT(orders.customer_id)"
  },
  {
    name: "WRONG_GROUPING: grouped by another column",
    genieSql: genie("SELECT c.region", "SELECT c.region, c.country").replace(
      "GROUP BY c.region",
      "GROUP BY c.region, c.country"
    ),
    category: "WRONG_GROUPING",
    finding: "expected GROUP BY customers.region, Genie had GROUP BY customers.country, customers.region"
  },
  {
    name: "WRONG_ORDER_OR_LIMIT: another LIMIT",
    genieSql: genie("LIMIT 5", "LIMIT 10"),
    category: "WRONG_ORDER_OR_LIMIT",
    finding: "expected LIMIT 5, Genie had LIMIT 10"
  },
  {
    name: "WRONG_ORDER_OR_LIMIT: ascending where descending is expected",
    genieSql: genie("revenue DESC", "revenue ASC"),
    reasons: ["ORDER_DIFFERENCE"],
    category: "WRONG_ORDER_OR_LIMIT",
    finding: "expected ORDER BY SUM(orders.amount) DESC, Genie had ORDER BY SUM(orders.amount)"
  },
  {
    name: "WRONG_COLUMNS: an expected output column not selected",
    genieSql: genie("SELECT c.region, SUM", "SELECT SUM").replace("GROUP BY c.region", "GROUP BY c.region"),
    reasons: ["RESULT_MISSING_COLUMNS"],
    category: "WRONG_COLUMNS",
    finding: "expected output column customers.region, Genie did not select it"
  },
  {
    name: "OTHER: equivalent spelling (aliases, IN with one value, GROUP BY and ORDER BY ordinals)",
    genieSql: `SELECT customers.region, SUM(orders.amount) AS total FROM main.sales.orders
      JOIN main.sales.customers ON customers.id = orders.customer_id
      WHERE orders.status IN ('complete') AND '2024-01-01' <= orders.order_date
      GROUP BY 1 ORDER BY 2 DESC LIMIT 5`,
    category: "OTHER",
    finding: "the queries read the same tables"
  },
  {
    name: "OTHER: Genie's SQL that cannot be analysed",
    genieSql: "SELECT FROM WHERE",
    category: "OTHER",
    finding: "Genie's SQL could not be analysed"
  }
]

const expectedFor = (c: Case) =>
  c.name.startsWith("WRONG_TABLE: an expected table that is not joined")
    ? "SELECT (SELECT SUM(amount) FROM main.sales.payments) - (SELECT SUM(amount) FROM main.sales.refunds)"
    : c.name.startsWith("WRONG_AGGREGATION: COUNT")
      ? "SELECT COUNT(DISTINCT o.customer_id) FROM main.sales.orders o"
      : expectedSql

describe("SqlDiagnosis.diagnose: failure categories", () => {
  for (const c of cases) {
    it(c.name, () => {
      const diagnosis = SqlDiagnosis.diagnose(expectedFor(c), c.genieSql, c.reasons)
      assert.strictEqual(diagnosis.category, c.category, JSON.stringify(diagnosis))
      assert.isTrue(
        diagnosis.findings.some((f) => f.message.includes(c.finding)),
        `no finding "${c.finding}" in ${JSON.stringify(diagnosis.findings)}`
      )
    })
  }

  it("ranks a wrong table above the differences it causes", () => {
    const diagnosis = SqlDiagnosis.diagnose(expectedSql, genie("main.sales.orders o", "main.sales.orders_archive o"))
    assert.strictEqual(diagnosis.category, "WRONG_TABLE")
    assert.isTrue(diagnosis.findings.some((f) => f.category === "WRONG_FILTER"))
  })

  it("a result that only differs in order is an order problem even when other differences exist", () => {
    const diagnosis = SqlDiagnosis.diagnose(expectedSql, genie("'complete'", "'shipped'"), ["ORDER_DIFFERENCE"])
    assert.strictEqual(diagnosis.category, "WRONG_ORDER_OR_LIMIT")
    assert.strictEqual(diagnosis.findings[0]?.category, "WRONG_ORDER_OR_LIMIT")
  })

  it("findings carry the expected and actual fragments", () => {
    const diagnosis = SqlDiagnosis.diagnose(expectedSql, genie("'complete'", "'shipped'"))
    assert.deepStrictEqual(diagnosis.findings[0], {
      category: "WRONG_FILTER",
      message: "expected filter orders.status = 'complete', Genie had orders.status = 'shipped'",
      expected: "orders.status = 'complete'",
      actual: "orders.status = 'shipped'"
    })
  })
})

describe("SqlAnalysis.analyze", () => {
  const facts = (sql: string) => {
    const analysis = SqlAnalysis.analyze(sql)
    assert.strictEqual(analysis._tag, "Analyzed", JSON.stringify(analysis))
    return (analysis as Extract<SqlAnalysis.Analysis, { _tag: "Analyzed" }>).facts
  }

  it("reads tables, joins, filters, aggregates, grouping, order and limit", () => {
    const f = facts(expectedSql)
    assert.deepStrictEqual(f.tables, ["main.sales.customers", "main.sales.orders"])
    assert.deepStrictEqual(f.joins, [
      { tables: ["customers", "orders"], kind: "INNER", condition: "customers.id = orders.customer_id" }
    ])
    assert.deepStrictEqual(
      f.filters.map((x) => x.sql),
      ["orders.status = 'complete'", "orders.order_date >= '2024-01-01'"]
    )
    assert.deepStrictEqual(f.aggregates, ["SUM(orders.amount)"])
    assert.deepStrictEqual(f.groupBy, ["customers.region"])
    assert.deepStrictEqual(f.orderBy, [{ sql: "SUM(orders.amount)", descending: true, name: "revenue" }])
    assert.strictEqual(f.limit, 5)
  })

  it("resolves columns through CTEs and treats WHERE equalities between tables as joins", () => {
    const f = facts(`WITH recent AS (SELECT o.customer_id, o.amount FROM main.sales.orders o WHERE o.status = 'x')
      SELECT c.name, SUM(recent.amount) FROM recent, main.sales.customers c WHERE c.id = recent.customer_id GROUP BY 1`)
    assert.deepStrictEqual(f.aggregates, ["SUM(orders.amount)"])
    assert.deepStrictEqual(f.joins[0]?.condition, "customers.id = orders.customer_id")
    assert.deepStrictEqual(
      f.filters.map((x) => x.sql),
      ["orders.status = 'x'"]
    )
    assert.deepStrictEqual(f.groupBy, ["customers.name"])
  })

  it("finds the ORDER BY and LIMIT of a set operation, and none for an ORDER BY inside a subquery", () => {
    const union = facts("SELECT a FROM t UNION ALL SELECT a FROM u ORDER BY a DESC LIMIT 3")
    assert.deepStrictEqual(union.orderBy, [{ sql: "a", descending: true, name: "a" }])
    assert.strictEqual(union.limit, 3)
    const nested = facts("SELECT * FROM (SELECT a FROM t ORDER BY a LIMIT 3) s")
    assert.deepStrictEqual(nested.orderBy, [])
    assert.strictEqual(nested.limit, undefined)
  })

  it("maps ORDER BY items to result columns by ordinal, output expression or name", () => {
    const f = facts("SELECT region, SUM(amount) AS total FROM t GROUP BY region ORDER BY SUM(amount), 1, region")
    assert.deepStrictEqual(
      f.orderBy.map((item) => SqlAnalysis.outputIndex(f, item, ["REGION", "total"])),
      [1, 0, 0]
    )
    const hidden = facts("SELECT region FROM t ORDER BY created_at")
    assert.strictEqual(SqlAnalysis.outputIndex(hidden, hidden.orderBy[0], ["region"]), undefined)
  })

  it("refuses anything but one query", () => {
    assert.strictEqual(SqlAnalysis.analyze("SELECT 1; SELECT 2")._tag, "Unparseable")
    assert.strictEqual(SqlAnalysis.analyze("DROP TABLE t")._tag, "Unparseable")
    assert.strictEqual(SqlAnalysis.analyze("SELECT FROM WHERE")._tag, "Unparseable")
  })
})
