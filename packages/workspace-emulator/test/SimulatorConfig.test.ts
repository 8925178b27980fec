import { beforeAll, describe, expect, it } from "@effect/vitest"
import { Benchmark } from "@genie-enhancer/core"
import type { Space } from "@genie-enhancer/core"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import type { GenieEngine } from "../src/index.js"
import { Emulator, GenieSimulator } from "../src/index.js"

// Configuration changes must flip the simulator's answers the way they would flip Genie's: each kind of change is
// applied to the curated retail space, and the benchmarks whose verdict changes must be exactly the intended ones.

const retail = fileURLToPath(new URL("../../../examples/retail/", import.meta.url))
const curated = JSON.parse(readFileSync(`${retail}space.curated.json`, "utf8")) as Space.SerializedSpace
let benchmarks: ReadonlyArray<Benchmark.Benchmark> = []
// Loaded once before the tests (not at import: a failure then belongs to a test, not to collection).
beforeAll(async () => {
  benchmarks = (
    await Effect.runPromise(Benchmark.parse(readFileSync(`${retail}benchmarks.yaml`, "utf8"), "benchmarks.yaml"))
  ).benchmarks
})

/** A copy of the curated space with one change. */
const variant = (change: (space: any) => void): Space.SerializedSpace => {
  const space = structuredClone(curated) as any
  change(space)
  return space
}
const measure = (space: any, alias: string) =>
  space.instructions.sql_snippets.measures.find((m: any) => m.alias === alias)
const columnConfig = (space: any, table: string, column: string) =>
  space.data_sources.tables
    .find((t: any) => t.identifier === `main.retail.${table}`)
    .column_configs.find((c: any) => c.column_name === column)
const withoutJoin = (space: any, left: string, right: string) => {
  space.instructions.join_specs = space.instructions.join_specs.filter(
    (j: any) => !(j.left.alias === left && j.right.alias === right)
  )
}

const variants: ReadonlyArray<{
  readonly name: string
  readonly space: Space.SerializedSpace
  readonly gained?: ReadonlyArray<string>
  readonly lost?: ReadonlyArray<string>
}> = [
  {
    name: "a measure synonym (turnover = revenue)",
    space: variant((s) => measure(s, "revenue").synonyms.push("turnover")),
    gained: ["revenue_turnover_2025"]
  },
  {
    name: "a measure synonym (pieces = units)",
    space: variant((s) => measure(s, "units").synonyms.push("pieces")),
    gained: ["apparel_pieces_2024"]
  },
  {
    name: "removing the return-rate measure",
    space: variant((s) => {
      s.instructions.sql_snippets.measures = s.instructions.sql_snippets.measures.filter(
        (m: any) => m.alias !== "return_rate"
      )
    }),
    lost: ["return_rate_2024", "return_rate_by_channel", "return_rate_by_category", "return_rate_by_payment"]
  },
  {
    name: "an expression snippet (day of the week)",
    space: variant((s) => {
      s.instructions.sql_snippets.expressions = [
        {
          id: "0c0ffee0000000000000000000000001",
          alias: "day_of_week",
          display_name: "Day of the week",
          sql: ["dayofweek(orders.order_date)"],
          synonyms: ["weekday"]
        }
      ]
    }),
    gained: ["busiest_weekday"]
  },
  {
    name: "removing the orders–stores join spec",
    space: variant((s) => withoutJoin(s, "orders", "stores")),
    lost: [
      "aov_by_channel",
      "revenue_online_2025",
      "top_stores_by_orders",
      "in_store_orders_2024",
      "revenue_by_store_region_2025",
      "top_store_revenue_2024",
      "return_rate_by_channel"
    ]
  },
  {
    name: "removing the repeat-customers example",
    space: variant((s) => {
      s.instructions.example_question_sqls = s.instructions.example_question_sqls.filter(
        (e: any) => !e.question[0].startsWith("Number of customers")
      )
    }),
    lost: ["repeat_customers_2025"]
  },
  {
    name: "entity matching on stores.city",
    space: variant((s) => (columnConfig(s, "stores", "city").enable_entity_matching = true)),
    gained: ["revenue_seattle_stores_2025"]
  },
  {
    name: "no entity matching on products.category",
    space: variant((s) => delete columnConfig(s, "products", "category").enable_entity_matching),
    lost: [
      "revenue_furniture_2024",
      "top_brands_electronics",
      "units_electronics_2023",
      "avg_price_furniture",
      "revenue_by_subcategory_electronics"
    ]
  },
  {
    name: "removing the synonyms of products.list_price (no benchmark uses them)",
    space: variant((s) => delete columnConfig(s, "products", "list_price").synonyms)
  }
]

const startRetail = Emulator.start({ workspace: retail })

describe("Genie simulator: configuration changes flip answers", () => {
  it.scoped(
    "each kind of change flips exactly the intended benchmarks",
    () =>
      Effect.gen(function* () {
        const emulator = yield* startRetail
        const [base, ...reports] = yield* GenieSimulator.measureAccuracy({
          warehouse: emulator.warehouse,
          spaces: [{ name: "curated", space: curated }, ...variants],
          benchmarks,
          engine: GenieSimulator.make()
        })
        const passing = (r: GenieSimulator.AccuracyReport) =>
          new Set(r.results.filter((x) => x.outcome === "pass").map((x) => x.id))
        const before = passing(base)
        const flips = reports.map((report) => {
          const after = passing(report)
          return {
            name: report.name,
            gained: benchmarks.map((b) => b.id).filter((id) => !before.has(id) && after.has(id)),
            lost: benchmarks.map((b) => b.id).filter((id) => before.has(id) && !after.has(id))
          }
        })
        expect(flips).toEqual(variants.map((v) => ({ name: v.name, gained: v.gained ?? [], lost: v.lost ?? [] })))
      }),
    120_000
  )

  it.scoped("column synonyms, filter snippets and entity matching change the SQL of the questions that use them", () =>
    Effect.gen(function* () {
      const emulator = yield* startRetail
      const catalog = yield* emulator.warehouse.catalog
      const engine = GenieSimulator.make()
      const ask = (space: Space.SerializedSpace, question: string) =>
        engine
          .answer({
            spaceId: "s",
            title: "Retail",
            description: "",
            space,
            question,
            history: [],
            catalog,
            seed: 0,
            query: (sql) => emulator.warehouse.query(sql)
          })
          .pipe(Effect.map((r: GenieEngine.Reply) => (r._tag === "Sql" ? r.sql : `TEXT: ${r._tag}`)))

      // A column synonym: "msrp" is products.list_price.
      const msrp = "What is the average msrp of Furniture products?"
      expect(yield* ask(curated, msrp)).toContain("AVG(products.list_price)")
      expect(
        yield* ask(
          variant((s) => delete columnConfig(s, "products", "list_price").synonyms),
          msrp
        )
      ).toBe("TEXT: Text")

      // A filter snippet: "fulfilled orders" means completed orders.
      const fulfilled = "How many fulfilled orders were there in 2024?"
      expect(yield* ask(curated, fulfilled)).toContain("orders.status = 'completed'")
      const noFilter = variant((s) => delete s.instructions.sql_snippets.filters)
      expect(yield* ask(noFilter, fulfilled)).not.toContain("status")

      // Entity matching: "paypal" is a value of orders.payment_method only when the column has a value dictionary.
      const paypal = "How many orders were paid by paypal in 2025?"
      expect(yield* ask(curated, paypal)).toContain("orders.payment_method = 'paypal'")
      const noDictionary = variant((s) => delete columnConfig(s, "orders", "payment_method").enable_entity_matching)
      expect(yield* ask(noDictionary, paypal)).not.toContain("paypal")
    })
  )
})
