import { describe, expect, it } from "@effect/vitest"
import type { Space } from "@genie-enhancer/core"
import type { Warehouse } from "../src/index.js"
import * as Examples from "../src/simulator/Examples.js"
import * as Joins from "../src/simulator/Joins.js"
import * as Model from "../src/simulator/Model.js"
import * as Query from "../src/simulator/Query.js"
import * as Text from "../src/simulator/Text.js"
import * as TimeWindows from "../src/simulator/TimeWindows.js"
import * as Vocabulary from "../src/simulator/Vocabulary.js"

const column = (name: string, typeName: string): Warehouse.CatalogColumn => ({
  name,
  typeName,
  typeText: typeName,
  nullable: true
})
const table = (name: string, columns: ReadonlyArray<Warehouse.CatalogColumn>): Warehouse.CatalogTable => ({
  identifier: `main.shop.${name}`,
  catalog: "main",
  schema: "shop",
  name,
  columns
})
const catalog = [
  table("orders", [
    column("order_id", "LONG"),
    column("customer_id", "LONG"),
    column("amount", "DECIMAL"),
    column("status", "STRING"),
    column("order_date", "DATE"),
    column("internal_note", "STRING")
  ]),
  table("customers", [column("customer_id", "LONG"), column("customer_name", "STRING"), column("region", "STRING")]),
  table("regions", [column("region", "STRING"), column("manager", "STRING")])
]

const space: Space.SerializedSpace = {
  version: 2,
  data_sources: {
    tables: [
      { identifier: "main.shop.customers", column_configs: [{ column_name: "region", synonyms: ["territory"] }] },
      {
        identifier: "main.shop.orders",
        column_configs: [
          { column_name: "internal_note", exclude: true },
          { column_name: "status", enable_format_assistance: true, enable_entity_matching: true }
        ]
      },
      { identifier: "main.shop.regions" },
      { identifier: "main.shop.not_in_warehouse" }
    ]
  },
  instructions: {
    join_specs: [
      {
        id: "01000000000000000000000000000001",
        left: { identifier: "main.shop.orders", alias: "o" },
        right: { identifier: "main.shop.customers", alias: "c" },
        sql: ["`o`.`customer_id` = `c`.`customer_id`", "--rt=FROM_RELATIONSHIP_TYPE_MANY_TO_ONE--"]
      }
    ],
    sql_snippets: {
      measures: [
        {
          id: "02000000000000000000000000000001",
          alias: "sales",
          display_name: "Total sales",
          sql: ["SUM(main.shop.orders.amount)"],
          synonyms: ["turnover"]
        }
      ]
    },
    example_question_sqls: [
      {
        id: "03000000000000000000000000000001",
        question: ["Sales of shipped orders in 2024"],
        sql: [
          "SELECT SUM(o.amount) FROM main.shop.orders AS o WHERE o.status = :status AND year(o.order_date) = :year"
        ],
        parameters: [
          { name: "status", type_hint: "STRING", default_value: { values: ["shipped"] } },
          { name: "year", type_hint: "INTEGER" }
        ]
      }
    ]
  }
}

const model = Model.make(space, catalog)
const values: Vocabulary.Values = new Map([["orders.status", ["shipped", "returned"]]])
const vocabulary = Vocabulary.make(model, values)
const parse = (question: string) => {
  const tokens = Text.tokenize(question)
  return Examples.parse(tokens, vocabulary.tag(tokens))
}

describe("Text", () => {
  it("stems plurals and irregular forms the way questions and phrases both need", () => {
    expect(["categories", "boxes", "status", "sales", "spent", "orders", "business", "this"].map(Text.stem)).toEqual([
      "category",
      "box",
      "status",
      "sale",
      "spend",
      "order",
      "business",
      "this"
    ])
  })

  it("keeps ISO dates whole, splits hyphens and underscores, and keeps the original case", () => {
    const tokens = Text.tokenize("In-Store orders since 2025-03-01 by payment_method")
    expect(tokens.map((t) => t.stem)).toEqual([
      "in",
      "store",
      "order",
      "since",
      "2025-03-01",
      "by",
      "payment",
      "method"
    ])
    expect(tokens[0].raw).toBe("In")
  })
})

describe("TimeWindows", () => {
  const windows = (question: string, reserved?: ReadonlySet<number>) => {
    const time = TimeWindows.parse(Text.tokenize(question), reserved)
    return { conditions: time.windows.map((w) => w.condition("d")), grain: time.grain, used: [...time.used] }
  }

  it("reads years, months, quarters, relative and open-ended windows", () => {
    expect(windows("revenue in 2024").conditions).toEqual(["year(d) = 2024"])
    expect(windows("orders in March 2025").conditions).toEqual(["year(d) = 2025 AND month(d) = 3"])
    expect(windows("units in Q1 2024").conditions).toEqual(["year(d) = 2024 AND quarter(d) = 1"])
    expect(windows("the second quarter of 2023").conditions).toEqual(["year(d) = 2023 AND quarter(d) = 2"])
    expect(windows("sales in the last 30 days").conditions).toEqual(["d >= current_date() - INTERVAL 30 DAYS"])
    expect(windows("sales in the past 2 weeks").conditions).toEqual(["d >= current_date() - INTERVAL 14 DAYS"])
    expect(windows("revenue last year").conditions).toEqual(["year(d) = year(current_date()) - 1"])
    expect(windows("orders last month").conditions).toEqual([
      "date_trunc('MONTH', d) = date_trunc('MONTH', current_date() - INTERVAL 1 MONTHS)"
    ])
    expect(windows("orders this year").conditions).toEqual(["year(d) = year(current_date())"])
    expect(windows("orders since 2024").conditions).toEqual(["d >= DATE'2024-01-01'"])
    expect(windows("orders between 2023 and 2024").conditions).toEqual(["year(d) BETWEEN 2023 AND 2024"])
  })

  it("marks the numbers it used, so that 'last 30 days' is not a limit of 30", () => {
    expect(windows("top customers in the last 30 days").used).toEqual([4, 5, 6])
  })

  it("two years are a comparison by year; grains come from adjectives and cues", () => {
    expect(windows("Compare revenue in 2024 and 2025")).toMatchObject({
      conditions: ["year(d) IN (2024, 2025)"],
      grain: "year"
    })
    expect(windows("Show monthly revenue").grain).toBe("month")
    expect(windows("orders per quarter").grain).toBe("quarter")
    expect(TimeWindows.bucket("year", "d")).toBe("year(d)")
    expect(TimeWindows.bucket("week", "d")).toBe("date_trunc('WEEK', d)")
  })

  it("leaves grain words to phrases the space configures", () => {
    expect(windows("Which day of the week is busiest").grain).toBe("day")
    expect(windows("Which day of the week is busiest", new Set([1, 2, 3, 4])).grain).toBeUndefined()
  })
})

describe("Model", () => {
  it("keeps the tables the warehouse has and the columns not excluded, with their configuration", () => {
    expect(model.tables.map((t) => t.alias)).toEqual(["customers", "orders", "regions"])
    expect(model.table("orders")!.columns.map((c) => c.name)).not.toContain("internal_note")
    expect(model.table("orders")!.columns.find((c) => c.name === "status")!.entityMatching).toBe(true)
    expect(model.table("customers")!.columns.find((c) => c.name === "region")!.synonyms).toEqual(["territory"])
  })

  it("rewrites join-spec aliases and three-part snippet references to its own aliases", () => {
    expect(model.joins).toEqual([
      { left: "orders", right: "customers", on: "orders.`customer_id` = customers.`customer_id`" }
    ])
    const sales = model.snippets.find((s) => s.alias === "sales")!
    expect(sales).toMatchObject({
      sql: "SUM(orders.amount)",
      tables: ["orders"],
      names: ["Total sales", "sales", "turnover"]
    })
  })

  it("labels a table by its name column, else its key", () => {
    expect(Model.labelColumn(model.table("customers")!)?.name).toBe("customer_name")
    expect(Model.labelColumn(model.table("orders")!)?.name).toBe("order_id")
  })
})

describe("Joins", () => {
  it("connects tables only through join specs", () => {
    expect(Joins.plan(model, "customers", ["orders"])).toEqual({
      _tag: "Joined",
      steps: [{ table: "orders", on: "orders.`customer_id` = customers.`customer_id`" }]
    })
    expect(Joins.plan(model, "orders", ["customers", "regions"])).toEqual({ _tag: "Missing", tables: ["regions"] })
    expect(Joins.distance(model, "orders", "regions")).toBe(Number.POSITIVE_INFINITY)
  })
})

describe("Vocabulary", () => {
  it("finds the longest phrase; snippets beat values, values beat columns, columns beat tables", () => {
    const mentions = vocabulary.tag(Text.tokenize("turnover of returned orders by customer region"))
    expect(mentions.map((m) => [m.start, m.end, Vocabulary.conceptKey(m.candidates[0])])).toEqual([
      [0, 1, "s:02000000000000000000000000000001"],
      [2, 3, "v:orders.status"],
      [3, 4, "t:orders"],
      [5, 7, "c:customers.region"]
    ])
  })
})

describe("Examples", () => {
  const retrieve = (question: string) =>
    Examples.retrieve(model, Examples.index(model, vocabulary), parse(question))?.sql

  it("uses a similar example, filling parameters from the question and defaults", () => {
    expect(retrieve("Sales of returned orders in 2023")).toBe(
      "SELECT SUM(o.amount) FROM main.shop.orders AS o WHERE o.status = 'returned' AND year(o.order_date) = 2023"
    )
    // A synonym of the same measure still matches; the status comes from the parameter's default.
    expect(retrieve("Turnover of orders in 2022")).toBe(
      "SELECT SUM(o.amount) FROM main.shop.orders AS o WHERE o.status = 'shipped' AND year(o.order_date) = 2022"
    )
  })

  it("does not use an example whose parameters cannot take the question's literals", () => {
    // No default for :year, no year in the question.
    expect(retrieve("Sales of returned orders")).toBeUndefined()
    // A number no parameter takes.
    expect(retrieve("Sales of 3 returned orders in 2023")).toBeUndefined()
    // Not similar enough.
    expect(retrieve("How many customers per territory?")).toBeUndefined()
  })

  it("scores similarity with Dice over signatures", () => {
    expect(Examples.similarity(new Set(["a", "b"]), new Set(["a", "b"]))).toBe(1)
    expect(Examples.similarity(new Set(["a", "b"]), new Set(["b", "c"]))).toBe(0.5)
  })
})

describe("Query", () => {
  it("renders grouped, filtered, ordered and limited queries", () => {
    const sql = Query.render({
      dimensions: [{ sql: "customers.region", alias: "region" }],
      measures: [{ sql: "SUM(orders.amount)", alias: "total sales" }],
      from: { identifier: "main.shop.orders", alias: "orders" },
      joins: [
        { identifier: "main.shop.customers", alias: "customers", on: "orders.customer_id = customers.customer_id" }
      ],
      where: ["orders.status = 'shipped'", "year(orders.order_date) = 2024"],
      orderBy: [{ sql: "`total sales`", descending: true }],
      limit: 3
    })
    expect(sql).toBe(
      [
        "SELECT customers.region AS region, SUM(orders.amount) AS `total sales`",
        "FROM main.shop.orders AS orders",
        "JOIN main.shop.customers AS customers ON orders.customer_id = customers.customer_id",
        "WHERE (orders.status = 'shipped') AND (year(orders.order_date) = 2024)",
        "GROUP BY customers.region",
        "ORDER BY `total sales` DESC",
        "LIMIT 3"
      ].join("\n")
    )
  })
})
