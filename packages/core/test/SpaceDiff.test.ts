import { assert, describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import type { SerializedSpace } from "../src/model/Space.js"
import * as SpaceDiff from "../src/model/SpaceDiff.js"

const hex = (n: number): string => n.toString(16).padStart(32, "0")

const base = (): Record<string, any> => ({
  version: 2,
  config: { sample_questions: [{ id: hex(0x10), question: ["Total sales by month?"] }] },
  data_sources: {
    tables: [
      {
        identifier: "main.sales.customers",
        column_configs: [{ column_name: "name" }]
      },
      {
        identifier: "main.sales.orders",
        description: ["One row per order.\n"],
        column_configs: [
          { column_name: "order_date", enable_format_assistance: true },
          { column_name: "region", synonyms: ["area"], enable_format_assistance: true }
        ]
      }
    ]
  },
  instructions: {
    text_instructions: [{ id: hex(0x20), content: ["## PURPOSE\n"] }],
    sql_functions: [
      { id: hex(0x22), identifier: "main.sales.f" },
      { id: hex(0x23), identifier: "main.sales.g" }
    ],
    join_specs: [
      {
        id: hex(0x24),
        left: { identifier: "main.sales.orders", alias: "orders" },
        right: { identifier: "main.sales.customers", alias: "customers" },
        sql: ["`orders`.`customer_id` = `customers`.`customer_id`", "--rt=FROM_RELATIONSHIP_TYPE_MANY_TO_ONE--"]
      }
    ],
    sql_snippets: {
      measures: [
        { id: hex(0x26), alias: "total_sales", display_name: "Total sales", sql: ["SUM(orders.amount)"] },
        { id: hex(0x27), alias: "order_count", display_name: "Orders", sql: ["COUNT(*)"] }
      ]
    }
  },
  benchmarks: {
    questions: [
      { id: hex(0x12), question: ["Q2"], answer: [{ format: "SQL", content: ["SELECT 2"] }] },
      { id: hex(0x11), question: ["Q1"], answer: [{ format: "SQL", content: ["SELECT 1"] }] }
    ]
  }
})

const diff = (a: Record<string, any>, b: Record<string, any>) =>
  SpaceDiff.diff(a as SerializedSpace, b as SerializedSpace)

const section = (d: SpaceDiff.SpaceDiff, name: string) => d.sections.find((s) => s.section === name)

describe("SpaceDiff.diff", () => {
  it("finds nothing between a space and itself, or the real export and a copy", () => {
    assert.deepStrictEqual(diff(base(), base()), { sections: [], identical: true })
    const fixture = JSON.parse(
      readFileSync(new URL("./fixtures/genie-space-v2-export.json", import.meta.url), "utf8")
    ) as Record<string, any>
    assert.isTrue(diff(fixture, structuredClone(fixture)).identical)
  })

  it("ignores pure reordering of collections and object keys", () => {
    const b = base()
    b.data_sources.tables.reverse()
    b.data_sources.tables[1].column_configs.reverse()
    b.instructions.sql_functions.reverse()
    b.instructions.sql_snippets.measures.reverse()
    b.benchmarks.questions.reverse()
    b.instructions.join_specs[0] = Object.fromEntries(Object.entries(b.instructions.join_specs[0]).reverse())
    const d = diff(base(), b)
    assert.isTrue(d.identical)
    assert.deepStrictEqual(d.sections, [])
  })

  it("reports added, removed and changed items per section, matched by id or identifier", () => {
    const b = base()
    b.data_sources.tables.push({ identifier: "main.sales.products" })
    b.instructions.sql_snippets.measures.splice(1, 1)
    b.instructions.join_specs[0].comment = ["Each order has one customer.\n"]
    b.instructions.join_specs[0].sql[1] = "--rt=FROM_RELATIONSHIP_TYPE_ONE_TO_ONE--"
    b.benchmarks.questions[1].answer[0].content = ["SELECT 11"]
    b.config.sample_questions.push({ id: hex(0x13), question: ["Top customers?"] })
    const d = diff(base(), b)
    assert.isFalse(d.identical)
    assert.deepStrictEqual(
      d.sections.map((s) => s.section),
      [
        "config.sample_questions",
        "data_sources.tables",
        "instructions.join_specs",
        "instructions.sql_snippets.measures",
        "benchmarks.questions"
      ]
    )
    assert.deepStrictEqual(section(d, "data_sources.tables")!.added, [
      { key: "main.sales.products", value: { identifier: "main.sales.products" } }
    ])
    assert.deepStrictEqual(
      section(d, "instructions.sql_snippets.measures")!.removed.map((e) => e.key),
      [hex(0x27)]
    )
    const join = section(d, "instructions.join_specs")!.changed
    assert.deepStrictEqual(
      join.map((c) => [c.key, c.fields]),
      [[hex(0x24), ["sql", "comment"]]]
    )
    assert.deepStrictEqual((join[0].after as { comment: Array<string> }).comment, ["Each order has one customer.\n"])
    assert.deepStrictEqual(
      section(d, "benchmarks.questions")!.changed.map((c) => [c.key, c.fields]),
      [[hex(0x11), ["answer"]]]
    )
    assert.deepStrictEqual(
      section(d, "config.sample_questions")!.added.map((e) => e.key),
      [hex(0x13)]
    )
  })

  it("names changed columns inside a table by column_name", () => {
    const b = base()
    const orders = b.data_sources.tables[1]
    orders.column_configs[1].synonyms = ["area", "territory"]
    orders.column_configs.push({ column_name: "status" })
    orders.column_configs.splice(0, 1)
    orders.description = ["Orders.\n"]
    const changed = section(diff(base(), b), "data_sources.tables")!.changed
    assert.strictEqual(changed.length, 1)
    assert.strictEqual(changed[0].key, "main.sales.orders")
    assert.sameMembers(
      [...changed[0].fields],
      ["description", "column_configs[region].synonyms", "+column_configs[status]", "-column_configs[order_date]"]
    )
  })

  it("matches sql functions by (id, identifier)", () => {
    const b = base()
    b.instructions.sql_functions[0].identifier = "main.sales.f2"
    const s = section(diff(base(), b), "instructions.sql_functions")!
    assert.deepStrictEqual(
      s.added.map((e) => e.key),
      [`${hex(0x22)} main.sales.f2`]
    )
    assert.deepStrictEqual(
      s.removed.map((e) => e.key),
      [`${hex(0x22)} main.sales.f`]
    )
    assert.deepStrictEqual(s.changed, [])
  })

  it("compares version and unknown sections as whole values", () => {
    const a = base()
    a.x_legacy = { keep: true }
    a.instructions.x_note = "a"
    const b = base()
    b.version = 1
    b.x_future = [1]
    b.instructions.x_note = "b"
    const d = diff(a, b)
    assert.deepStrictEqual(section(d, "version")!.changed, [{ key: "version", before: 2, after: 1, fields: [] }])
    const other = section(d, "other")!
    assert.deepStrictEqual(other.added, [{ key: "x_future", value: [1] }])
    assert.deepStrictEqual(other.removed, [{ key: "x_legacy", value: { keep: true } }])
    assert.deepStrictEqual(other.changed, [{ key: "instructions.x_note", before: "a", after: "b", fields: [] }])
  })

  it("treats a collection missing on one side as all added", () => {
    const a = base()
    delete a.instructions.sql_snippets
    const d = diff(a, base())
    assert.deepStrictEqual(
      section(d, "instructions.sql_snippets.measures")!.added.map((e) => e.key),
      [hex(0x26), hex(0x27)]
    )
    assert.isUndefined(section(d, "other"))
  })
})

describe("SpaceDiff.formatDiff", () => {
  it("renders one block per section with +, - and ~ lines", () => {
    const b = base()
    b.data_sources.tables.push({ identifier: "main.sales.products" })
    b.instructions.sql_snippets.measures.splice(1, 1)
    b.instructions.join_specs[0].comment = ["x"]
    b.version = 1
    const text = SpaceDiff.formatDiff(diff(base(), b))
    expect(text).toContain("version\n  ~ version (2 → 1)")
    expect(text).toContain("data_sources.tables\n  + main.sales.products")
    expect(text).toContain(`instructions.join_specs\n  ~ ${hex(0x24)} (comment)`)
    expect(text).toContain(`instructions.sql_snippets.measures\n  - ${hex(0x27)}  "Orders"`)
    assert.strictEqual(SpaceDiff.formatDiff(diff(base(), base())), "No differences.")
  })
})
