import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { join } from "node:path"
import { Emulator, WorkspaceLoader } from "../src/index.js"
import { ask, call, salesSpace, tempWorkspace } from "./support.js"

const manifest = `
warehouse:
  id: 92748d3f4d1346af
sqlNow: 2025-06-05T09:00:00Z
seed: 3
datasets:
  - sql: data/schema.sql
  - sql: data/generate.sql
    dialect: duckdb
  - table: main.sales.customers
    file: data/customers.csv
    columns: { customer_id: BIGINT }
spaces:
  - id: 01f0f5c840c118b9824acd167525a768
    title: Sales
    description: Orders and customers
    serializedSpace: spaces/sales.json
    answers: spaces/sales.answers.yaml
faults: faults.yaml
completions:
  - contains: hello
    content: hi there
`

const files = {
  "workspace.yaml": manifest,
  "data/schema.sql": "CREATE TABLE main.sales.orders (order_id BIGINT, amount DECIMAL(10,2), order_date DATE);",
  "data/generate.sql":
    "INSERT INTO main.sales.orders SELECT i, i * 10, current_date - (i::INT) FROM range(1, 6) t(i);\n-- comment; with a semicolon\n",
  "data/customers.csv": "customer_id,name\n1,Ann\n2,Bob\n",
  "spaces/sales.json": JSON.stringify({ space_id: "ignored", serialized_space: JSON.stringify(salesSpace) }),
  "spaces/sales.answers.yaml": [
    "- question: Orders this week?",
    "  sql: SELECT COUNT(*) AS n FROM main.sales.orders WHERE order_date >= CURRENT_DATE - INTERVAL 3 DAYS",
    "  text: Three orders."
  ].join("\n"),
  "faults.yaml": "genie:\n  questionsPerMinute: 1\n"
}

describe("workspace directories", () => {
  it.scoped("loads datasets, spaces, scripted answers, faults and completions from workspace.yaml", () =>
    Effect.gen(function* () {
      const dir = tempWorkspace(files)
      const emulator = yield* Emulator.start({ workspace: dir })
      assert.strictEqual(emulator.warehouseId, "92748d3f4d1346af")
      assert.deepStrictEqual(emulator.spaceIds, ["01f0f5c840c118b9824acd167525a768"])
      const catalog = yield* emulator.warehouse.catalog
      assert.deepStrictEqual(
        catalog.map((t) => t.identifier),
        ["main.sales.customers", "main.sales.orders"]
      )
      // The DuckDB script saw the pinned date too: orders on 2025-06-04 … 2025-05-31.
      const { message } = yield* ask(emulator, emulator.spaceIds[0], "Orders this week?")
      assert.strictEqual(message.json.status, "COMPLETED")
      assert.deepStrictEqual(message.json.attachments[0].query.query_result_metadata.row_count, 1)
      const rows = yield* emulator.warehouse.query(message.json.attachments[0].query.query)
      assert.deepStrictEqual(rows.rows, [["3"]])
      const limited = yield* call(
        emulator,
        "POST",
        `/api/2.0/genie/spaces/${emulator.spaceIds[0]}/start-conversation`,
        {
          body: { content: "again" }
        }
      )
      assert.strictEqual(limited.status, 429)
      const completion = yield* call(emulator, "POST", "/serving-endpoints/chat/completions", {
        body: { model: "m", messages: [{ role: "user", content: "hello" }] }
      })
      assert.strictEqual(completion.json.choices[0].message.content, "hi there")
    })
  )

  it.effect("a missing directory or manifest is an error naming it and what was expected", () =>
    Effect.gen(function* () {
      const nowhere = yield* Effect.flip(WorkspaceLoader.load("/nonexistent/workspace"))
      assert.strictEqual(nowhere.source, "/nonexistent/workspace")
      assert.include(nowhere.issues[0]?.message, "expected a workspace directory")
      const empty = tempWorkspace({})
      const noManifest = yield* Effect.flip(WorkspaceLoader.load(empty))
      assert.strictEqual(noManifest.source, join(empty, "workspace.yaml"))
      assert.include(noManifest.issues[0]?.message, "expected a workspace manifest workspace.yaml")
    })
  )

  it.effect("an invalid manifest names the path and line of every mistake", () =>
    Effect.gen(function* () {
      const dir = tempWorkspace({
        "workspace.yaml": [
          "warehouse:",
          "  id: XYZ",
          "datasets:",
          "  - table: sales.orders",
          "    file: orders.csv",
          "spaces:",
          "  - title: Sales",
          "    serializedSpce: space.json",
          "sqlNow: yesterday"
        ].join("\n")
      })
      const error = yield* Effect.flip(WorkspaceLoader.load(dir))
      assert.strictEqual(error.source, join(dir, "workspace.yaml"))
      const byPath = new Map(error.issues.map((i) => [i.path, i]))
      assert.include(byPath.get("$.warehouse.id")?.message, "16 lowercase hex")
      assert.strictEqual(byPath.get("$.warehouse.id")?.line, 2)
      assert.include(byPath.get("$.spaces[0].serializedSpce")?.message, "unknown key")
      assert.strictEqual(byPath.get("$.spaces[0].serializedSpce")?.line, 8)
      assert.include(byPath.get("$.sqlNow")?.message, "ISO 8601")
      assert.isTrue(error.issues.some((i) => i.path.startsWith("$.datasets[0]")))
    })
  )

  it.effect("referenced files must exist and be valid; errors name them", () =>
    Effect.gen(function* () {
      const missingSql = tempWorkspace({ "workspace.yaml": "datasets:\n  - sql: nope.sql\n" })
      const sqlError = yield* Effect.flip(WorkspaceLoader.load(missingSql))
      assert.strictEqual(sqlError.issues[0]?.path, "$.datasets[0].sql")
      assert.include(sqlError.issues[0]?.message, join(missingSql, "nope.sql"))

      const badSpace = tempWorkspace({
        "workspace.yaml": "spaces:\n  - title: S\n    serializedSpace: s.json\n",
        "s.json": '{\n  "version": 2,\n  "data_sources": {"tables": [{"identifer": "a.b.c"}]}\n}'
      })
      const spaceError = yield* Effect.flip(WorkspaceLoader.load(badSpace))
      assert.strictEqual(spaceError.source, join(badSpace, "s.json"))
      assert.include(spaceError.issues[0]?.message, "Cannot find field: identifer")
      assert.strictEqual(spaceError.issues[0]?.line, 3)

      const badAnswers = tempWorkspace({
        "workspace.yaml": "spaces:\n  - title: S\n    serializedSpace: s.json\n    answers: a.yaml\n",
        "s.json": JSON.stringify(salesSpace),
        "a.yaml": "- question: Q\n  failed: { type: NOT_A_TYPE }\n"
      })
      const answersError = yield* Effect.flip(WorkspaceLoader.load(badAnswers))
      assert.strictEqual(answersError.source, join(badAnswers, "a.yaml"))
      assert.strictEqual(answersError.issues[0]?.path, "$[0].failed.type")
    })
  )

  it.scoped("a failing dataset script fails the start with the file and the statement", () =>
    Effect.gen(function* () {
      const dir = tempWorkspace({
        "workspace.yaml": "datasets:\n  - sql: data.sql\n",
        "data.sql": "CREATE TABLE main.a.b (x INT);\nINSERT INTO main.a.missing VALUES (1);\n"
      })
      const error = yield* Effect.flip(Emulator.start({ workspace: dir }))
      assert.strictEqual(error._tag, "ConfigInvalid")
      if (error._tag !== "ConfigInvalid") return
      assert.strictEqual(error.source, join(dir, "data.sql"))
      assert.match(error.issues[0].message, /^statement 2: \[TABLE_OR_VIEW_NOT_FOUND\]/)
    })
  )
})
