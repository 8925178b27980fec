/* global fetch */
// Start-up and request latency of the workspace emulator, as ratios of a budget.
// Run after a build: npx tsc -b packages/workspace-emulator && node packages/workspace-emulator/bench/startup.mjs
import { performance } from "node:perf_hooks"
import { Effect } from "effect"
import { Emulator } from "../dist/index.js"

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const time = async (f) => {
  const t = performance.now()
  await f()
  return performance.now() - t
}

const rows = Array.from(
  { length: 1000 },
  (_, i) => `(${i}, ${(i % 97) + 0.5}, '${["EU", "US", "APAC"][i % 3]}', DATE'2025-06-01' + ${i % 30})`
)
const small = {
  datasets: [
    {
      _tag: "Sql",
      source: "bench.sql",
      dialect: "databricks",
      sql: `CREATE TABLE main.sales.orders (id BIGINT, amount DECIMAL(10,2), region STRING, d DATE);
INSERT INTO main.sales.orders VALUES ${rows.join(",")};`
    }
  ],
  spaces: [
    {
      title: "Sales",
      serializedSpace: { version: 2, data_sources: { tables: [{ identifier: "main.sales.orders" }] } },
      answers: [
        { question: "Total by region?", sql: "SELECT region, SUM(amount) FROM main.sales.orders GROUP BY region" }
      ]
    }
  ]
}

const report = (name, ms, budgetMs) =>
  console.log(
    `${name.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms   ${(ms / budgetMs).toFixed(3)} of ${budgetMs} ms budget`
  )

// The first start of a process also initialises DuckDB and polyglot's WebAssembly (module loading is not counted).
let first
report("first start in a process (cold)", await time(async () => (first = await Emulator.startPromise(small))), 1000)
await first.stop()

const empty = []
for (let i = 0; i < 5; i++) {
  let emulator
  empty.push(await time(async () => (emulator = await Emulator.startPromise())))
  await emulator.stop()
}
report("start, empty workspace (median of 5)", median(empty), 1000)

const loaded = []
for (let i = 0; i < 5; i++) {
  let emulator
  loaded.push(await time(async () => (emulator = await Emulator.startPromise(small))))
  await emulator.stop()
}
report("start, 1 space + 1,000-row SQL dataset", median(loaded), 1000)

const emulator = await Emulator.startPromise(small)
const headers = { authorization: `Bearer ${emulator.token}`, "content-type": "application/json" }
const get = []
for (let i = 0; i < 200; i++) {
  get.push(await time(() => fetch(`${emulator.host}/api/2.0/genie/spaces`, { headers }).then((r) => r.text())))
}
report("GET /api/2.0/genie/spaces (median of 200)", median(get), 100)

const statements = []
for (let i = 0; i < 50; i++) {
  statements.push(
    await time(() =>
      fetch(`${emulator.host}/api/2.0/sql/statements`, {
        method: "POST",
        headers,
        body: JSON.stringify({
          warehouse_id: emulator.warehouseId,
          statement: "SELECT region, SUM(amount) FROM main.sales.orders GROUP BY region"
        })
      }).then((r) => r.json())
    )
  )
}
report("POST /api/2.0/sql/statements (median of 50)", median(statements), 100)

const questions = []
const space = `${emulator.host}/api/2.0/genie/spaces/${emulator.spaceIds[0]}`
for (let i = 0; i < 20; i++) {
  questions.push(
    await time(async () => {
      const started = await fetch(`${space}/start-conversation`, {
        method: "POST",
        headers,
        body: JSON.stringify({ content: "Total by region?" })
      }).then((r) => r.json())
      const path = `${space}/conversations/${started.conversation_id}/messages/${started.message_id}`
      for (;;) {
        const m = await fetch(path, { headers }).then((r) => r.json())
        if (m.status === "COMPLETED" || m.status === "FAILED") break
      }
    })
  )
}
report("Genie question answered (median of 20)", median(questions), 100)
await Effect.runPromise(emulator.clearConversations)
await emulator.stop()
