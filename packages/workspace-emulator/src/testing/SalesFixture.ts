/**
 * The `main.sales` fixture: a tiny workspace (orders and customers under `main.sales`) and a Genie space over it.
 * It is shared so the emulator's tests and the tests of its clients (the Databricks adapter) agree on the same data.
 * `main` is a reserved name in DuckDB, so loading it also exercises the emulator's catalog renaming.
 */
import type { Space } from "@genie-enhancer/core"
import type * as WorkspaceLoader from "../WorkspaceLoader.js"

/**
 * Four orders in three regions (EU 120.25, US 50.50, APAC 75.00) and their three customers.
 *
 * @category fixtures
 */
export const sql = `
CREATE TABLE main.sales.orders (order_id BIGINT, customer_id BIGINT, amount DECIMAL(10,2), region STRING, order_date DATE);
INSERT INTO main.sales.orders VALUES
  (1, 10, 100.00, 'EU', DATE'2025-06-01'),
  (2, 10, 50.50, 'US', DATE'2025-06-02'),
  (3, 11, 20.25, 'EU', DATE'2025-06-03'),
  (4, 12, 75.00, 'APAC', DATE'2025-06-04');
CREATE TABLE main.sales.customers (customer_id BIGINT, name STRING);
INSERT INTO main.sales.customers VALUES (10, 'Ann'), (11, 'Bob'), (12, 'Cy');
`

/**
 * A fifth order (US, 10.00), for tests that need an odd row count so small chunk sizes leave a partial last chunk.
 * Use it through `datasetWith(fifthOrderSql)`; US then totals 60.50.
 *
 * @category fixtures
 */
export const fifthOrderSql = "INSERT INTO main.sales.orders VALUES (5, 12, 10.00, 'US', DATE'2025-06-05');\n"

/**
 * The fixture as an emulator dataset, with `extraSql` run after it (more rows, more tables).
 *
 * @category fixtures
 */
export const datasetWith = (extraSql: string): WorkspaceLoader.Dataset => ({
  _tag: "Sql",
  source: "sales.sql",
  sql: sql + extraSql,
  dialect: "databricks"
})

/**
 * The fixture as an emulator dataset.
 *
 * @category fixtures
 */
export const dataset: WorkspaceLoader.Dataset = datasetWith("")

/**
 * A minimal valid v2 serialized space over `main.sales` (a synonym on `orders.region`, one text instruction).
 *
 * @category fixtures
 */
export const space: Space.SerializedSpace = {
  version: 2,
  data_sources: {
    tables: [
      { identifier: "main.sales.customers" },
      { identifier: "main.sales.orders", column_configs: [{ column_name: "region", synonyms: ["area"] }] }
    ]
  },
  instructions: {
    text_instructions: [{ id: "1a1b2c3d4e5f60718293a4b5c6d7e8f9", content: ["Amounts are in EUR.\n"] }]
  }
}

/**
 * The sales total per region, ordered by region: the query most tests ask and check.
 *
 * @category fixtures
 */
export const totalByRegionSql =
  "SELECT region, SUM(amount) AS total FROM main.sales.orders GROUP BY region ORDER BY region"
