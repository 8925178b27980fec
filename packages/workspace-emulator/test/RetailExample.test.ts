import { assert, beforeAll, describe, expect, it } from "@effect/vitest"
import { Benchmark, Space } from "@genie-enhancer/core"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Emulator } from "../src/index.js"

// The bundled example (examples/retail): its dataset, spaces and benchmarks.

const retail = fileURLToPath(new URL("../../../examples/retail/", import.meta.url))
const read = (file: string) => readFileSync(`${retail}${file}`, "utf8")
let benchmarks: ReadonlyArray<Benchmark.Benchmark> = []
// Loaded once before the tests (not at import: a failure then belongs to a test, not to collection).
beforeAll(async () => {
  benchmarks = (await Effect.runPromise(Benchmark.parse(read("benchmarks.yaml"), "benchmarks.yaml"))).benchmarks
})

describe("retail example workspace", () => {
  it.scoped("generates the documented tables, value sets and the same data on every run", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.start({ workspace: retail })
      const catalog = yield* emulator.warehouse.catalog
      assert.deepStrictEqual(
        catalog.map((t) => `${t.identifier}: ${t.columns.map((c) => `${c.name} ${c.typeText}`).join(", ")}`),
        [
          "main.retail.customers: customer_id BIGINT, customer_name STRING, segment STRING, region STRING, country STRING, city STRING, signup_date DATE",
          "main.retail.order_items: order_id BIGINT, line_number INT, product_id BIGINT, quantity INT, unit_price DECIMAL(10,2), discount DECIMAL(4,2)",
          "main.retail.orders: order_id BIGINT, order_date DATE, customer_id BIGINT, store_id BIGINT, status STRING, payment_method STRING",
          "main.retail.products: product_id BIGINT, product_name STRING, category STRING, subcategory STRING, brand STRING, list_price DECIMAL(10,2)",
          "main.retail.stores: store_id BIGINT, store_name STRING, region STRING, city STRING, channel STRING, opened_date DATE"
        ]
      )
      const rows = (sql: string) => Effect.map(emulator.warehouse.query(sql), (r) => r.rows)
      const distinct = (table: string, column: string) =>
        Effect.map(rows(`SELECT DISTINCT ${column} FROM main.retail.${table} ORDER BY 1`), (r) => r.map((x) => x[0]))
      assert.deepStrictEqual(yield* distinct("customers", "segment"), ["Consumer", "Corporate", "Small Business"])
      assert.deepStrictEqual(yield* distinct("customers", "region"), ["East", "North", "South", "West"])
      assert.deepStrictEqual(yield* distinct("stores", "region"), ["East", "North", "South", "West"])
      assert.deepStrictEqual(yield* distinct("stores", "channel"), ["In-Store", "Online"])
      assert.deepStrictEqual(yield* distinct("orders", "status"), ["cancelled", "completed", "returned"])
      assert.deepStrictEqual(yield* distinct("orders", "payment_method"), ["card", "cash", "gift_card", "paypal"])
      assert.deepStrictEqual(yield* distinct("products", "category"), [
        "Apparel",
        "Electronics",
        "Furniture",
        "Grocery",
        "Office Supplies"
      ])
      // Exact figures: the generator is arithmetic on row numbers, so every run and machine produces these.
      assert.deepStrictEqual(
        yield* rows(
          `SELECT (SELECT COUNT(*) FROM main.retail.customers), (SELECT COUNT(DISTINCT customer_name) FROM main.retail.customers),
                  (SELECT COUNT(*) FROM main.retail.products), (SELECT COUNT(*) FROM main.retail.stores),
                  (SELECT COUNT(*) FROM main.retail.orders), (SELECT COUNT(*) FROM main.retail.order_items)`
        ),
        [["5000", "5000", "200", "40", "49845", "124607"]]
      )
      assert.deepStrictEqual(
        yield* rows("SELECT MIN(order_date), MAX(order_date), SUM(customer_id), SUM(store_id) FROM main.retail.orders"),
        [["2023-01-01", "2025-12-31", "87529017", "872026"]]
      )
      assert.deepStrictEqual(
        yield* rows(
          "SELECT SUM(quantity * unit_price * (1 - discount)), SUM(quantity), MIN(discount), MAX(discount) FROM main.retail.order_items"
        ),
        [["84539166.7170", "321424", "0.00", "0.50"]]
      )
    })
  )

  it.scoped("every expected SQL runs on the warehouse and returns rows", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.start({ workspace: retail })
      const empty: Array<string> = []
      for (const b of benchmarks) {
        const result = yield* emulator.warehouse.query(b.expected_sql)
        if (result.rows.length === 0) empty.push(b.id)
      }
      assert.deepStrictEqual(empty, [])
    })
  )

  it.effect(
    "both spaces pass the API's validation; the baseline stays bare and the curated one is what a human adds",
    () =>
      Effect.gen(function* () {
        const baseline = yield* Space.parse(read("space.baseline.json"), { source: "space.baseline.json" })
        const curated = yield* Space.parse(read("space.curated.json"), { source: "space.curated.json" })
        const tables = (s: Space.SerializedSpace) => s.data_sources?.tables?.map((t) => t.identifier)
        assert.deepStrictEqual(tables(baseline), tables(curated))
        expect(Space.summary(baseline)).toMatchObject({
          tables: 5,
          columnConfigs: 0,
          joinSpecs: 0,
          snippets: 0,
          exampleSqls: 0,
          textInstructions: 0
        })
        expect(Space.summary(curated)).toMatchObject({
          tables: 5,
          columnConfigs: 31,
          joinSpecs: 4,
          snippets: 6,
          exampleSqls: 3
        })
        // Examples are building blocks, never copies of benchmark questions.
        const asked = new Set(benchmarks.map((b) => Benchmark.normalizeQuestion(b.question)))
        for (const e of curated.instructions?.example_question_sqls ?? []) {
          assert.isFalse(asked.has(Benchmark.normalizeQuestion(e.question.join(""))), e.question.join(""))
        }
      })
  )

  it("has at least 40 benchmarks across categories, difficulties and a train/holdout split", () => {
    expect(benchmarks.length).toBeGreaterThanOrEqual(40)
    expect(new Set(benchmarks.map((b) => b.category))).toEqual(
      new Set(["revenue", "volume", "customers", "products", "stores", "returns", "time_trends"])
    )
    expect(new Set(benchmarks.map((b) => b.difficulty))).toEqual(new Set(["easy", "medium", "hard"]))
    const holdout = benchmarks.filter((b) => b.split === "holdout").length
    expect(holdout + benchmarks.filter((b) => b.split === "train").length).toBe(benchmarks.length)
    expect(holdout / benchmarks.length).toBeGreaterThan(0.2)
  })
})
