import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { SerializedSpace } from "../src/model/Space.js"
import * as PlanValidation from "../src/stages/apply/PlanValidation.js"
import { Executor, SqlFailed } from "../src/stages/execute/Executor.js"
import { Fix, Plan } from "../src/stages/fix/Fixer.js"
import type { FixCategory } from "../src/stages/fix/Fixer.js"
import { FakeWorkspace } from "../src/testing/index.js"

const catalog: Record<string, ReadonlyArray<readonly [string, string]>> = {
  "main.s.items": [
    ["item_id", "BIGINT"],
    ["group_code", "STRING"],
    ["amount", "DECIMAL(10,2)"],
    ["state", "STRING"]
  ],
  "main.s.groups": [
    ["Group_Code", "STRING"],
    ["label", "STRING"]
  ],
  "main.s.visits": [
    ["group_code", "STRING"],
    ["channel", "STRING"]
  ]
}

/** A warehouse that knows the catalog: `LIMIT 0` probes answer with columns, everything else with no rows. */
const executor = Executor.of({
  execute: (sql) => {
    const probe = /^SELECT \* FROM ([\w.]+) LIMIT 0$/i.exec(sql.replace(/`/g, ""))
    const columns = probe === null ? [] : catalog[probe[1].toLowerCase()]
    return columns === undefined
      ? Effect.fail(
          new SqlFailed({
            message: "[TABLE_OR_VIEW_NOT_FOUND]",
            retryable: false,
            rateLimited: false,
            callerError: true
          })
        )
      : Effect.succeed(FakeWorkspace.resultSet({ columns, rows: [] }))
  }
})

const space: SerializedSpace = {
  version: 2,
  data_sources: {
    tables: [{ identifier: "main.s.groups" }, { identifier: "main.s.items" }, { identifier: "main.s.visits" }]
  },
  instructions: {
    sql_snippets: {
      measures: [
        { id: "0a000000000000000000000000000004", alias: "items", display_name: "Items", sql: ["COUNT(items.item_id)"] }
      ]
    }
  }
}

const fix = (id: string, category: FixCategory, change: unknown) =>
  new Fix({ id, category, target: id, change, rationale: "test", sourceBenchmarkIds: [] })
const synonyms = (id: string, table: string, column: string, words: ReadonlyArray<string>) =>
  fix(id, "metadata-add", { _tag: "ColumnSynonyms", table, column, synonyms: words })

const validate = (...fixes: ReadonlyArray<Fix>) =>
  PlanValidation.make(executor)(new Plan({ fixes }), { space, benchmarks: [] })

describe("PlanValidation: one synonym on several targets", () => {
  it.effect("is accepted on the same-named column of several tables (names compared case-insensitively)", () =>
    Effect.gen(function* () {
      const out = yield* validate(
        synonyms("items", "main.s.items", "group_code", ["cluster", "bucket"]),
        synonyms("groups", "main.s.groups", "Group_Code", ["Cluster"]),
        synonyms("visits", "main.s.visits", "GROUP_CODE", ["cluster"])
      )
      assert.deepStrictEqual(
        out.rejected.map((r) => `${r.fix.id} ${r.code}: ${r.reason}`),
        []
      )
      assert.deepStrictEqual(
        out.fixes.map((f) => f.id),
        ["items", "groups", "visits"]
      )
    })
  )

  it.effect("is a conflict on differently named columns, in one table or in two", () =>
    Effect.gen(function* () {
      const out = yield* validate(
        synonyms("code", "main.s.items", "group_code", ["cluster"]),
        synonyms("state", "main.s.items", "state", ["CLUSTER"]),
        synonyms("label", "main.s.groups", "label", ["cluster"]),
        synonyms("same", "main.s.visits", "group_code", ["cluster"])
      )
      assert.deepStrictEqual(
        out.fixes.map((f) => f.id),
        ["code", "same"]
      )
      const reasons = Object.fromEntries(out.rejected.map((r) => [r.fix.id, `${r.code}: ${r.reason}`]))
      assert.deepStrictEqual(Object.keys(reasons).sort(), ["label", "state"])
      assert.strictEqual(reasons["state"], 'Conflict: fix code gives "CLUSTER" to main.s.items.group_code already')
      assert.match(reasons["label"], /^Conflict: /)
    })
  )

  it.effect("is a conflict on a column and a measure (new or configured), or on two snippets", () =>
    Effect.gen(function* () {
      const measure = (id: string, sql: string, displayName: string, words: ReadonlyArray<string>) =>
        fix(id, "sql-snippet-add", {
          kind: "measure",
          sql,
          displayName,
          alias: displayName.toLowerCase().replace(/ /g, "_"),
          synonyms: words
        })
      const out = yield* validate(
        synonyms("column", "main.s.items", "group_code", ["cluster"]),
        measure("measure", "SUM(items.amount)", "Total amount", ["Cluster", "takings"]),
        measure("other", "AVG(items.amount)", "Average amount", ["revenue"]),
        fix("configured", "metadata-add", {
          _tag: "SnippetSynonyms",
          kind: "measure",
          id: "0a000000000000000000000000000004",
          synonyms: ["cluster"]
        }),
        fix("filter", "sql-snippet-add", {
          kind: "filter",
          sql: "items.state = 'paid'",
          displayName: "Paid",
          synonyms: ["Revenue"]
        })
      )
      const codes = Object.fromEntries(out.rejected.map((r) => [r.fix.id, r.code]))
      assert.deepStrictEqual(codes, { measure: "Conflict", configured: "Conflict", filter: "Conflict" })
      assert.deepStrictEqual(
        out.fixes.map((f) => f.id),
        ["column", "other"]
      )
    })
  )
})
