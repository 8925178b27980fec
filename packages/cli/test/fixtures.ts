/** A minimal valid version 2 space (databricks-api.md §3.3), as text, with hooks to break it. */
export const minimalSpace = () => ({
  version: 2,
  config: { sample_questions: [{ id: "0a1b2c3d4e5f60718293a4b5c6d7e8f9", question: ["Total sales by month?"] }] },
  data_sources: {
    tables: [
      {
        identifier: "main.sales.customers",
        column_configs: [{ column_name: "region", synonyms: ["area"] }]
      },
      {
        identifier: "main.sales.orders",
        description: ["One row per order.\n"],
        column_configs: [
          { column_name: "order_date", enable_format_assistance: true },
          { column_name: "region", enable_format_assistance: true, enable_entity_matching: true }
        ]
      }
    ]
  },
  instructions: {
    text_instructions: [{ id: "1a1b2c3d4e5f60718293a4b5c6d7e8f9", content: ["## PURPOSE\n", "- Sales KPIs.\n"] }],
    join_specs: [
      {
        id: "2a1b2c3d4e5f60718293a4b5c6d7e8f9",
        left: { identifier: "main.sales.orders", alias: "orders" },
        right: { identifier: "main.sales.customers", alias: "customers" },
        sql: ["`orders`.`customer_id` = `customers`.`customer_id`", "--rt=FROM_RELATIONSHIP_TYPE_MANY_TO_ONE--"]
      }
    ],
    sql_snippets: {
      measures: [
        {
          id: "3a1b2c3d4e5f60718293a4b5c6d7e8f9",
          alias: "total_sales",
          display_name: "Total sales",
          sql: ["SUM(orders.amount)"]
        }
      ]
    }
  },
  benchmarks: {
    questions: [
      {
        id: "4a1b2c3d4e5f60718293a4b5c6d7e8f9",
        question: ["Total sales in 2025?"],
        answer: [
          { format: "SQL", content: ["SELECT SUM(amount) FROM main.sales.orders\n", "WHERE year(order_date) = 2025"] }
        ]
      }
    ]
  }
})

/** Tests break the space in arbitrary ways, so its shape is deliberately loose. */
export type MutableSpace = any

export const spaceText = (mutate: (space: MutableSpace) => void = () => {}): string => {
  const space: MutableSpace = minimalSpace()
  mutate(space)
  return JSON.stringify(space, null, 2)
}

export const benchmarksYaml = `apiVersion: 1
benchmarks:
  - id: total_2025
    question: Total sales in 2025?
    expected_sql: |
      SELECT SUM(amount) FROM main.sales.orders WHERE year(order_date) = 2025
    category: revenue
    difficulty: easy
  - id: by_region
    question: Sales by region?
    expected_sql: |
      SELECT c.region, SUM(o.amount) FROM main.sales.orders o JOIN main.sales.customers c USING (customer_id) GROUP BY 1
    category: revenue
    difficulty: medium
`
