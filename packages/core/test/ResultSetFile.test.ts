import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as ResultSetFile from "../src/stages/evaluate/ResultSetFile.js"
import { StageFailed } from "../src/stages/Stages.js"

/** Parses a file that must hold a result. */
const parseResult = (text: string) =>
  Effect.flatMap(ResultSetFile.parse(text, "r.json"), (r) =>
    r instanceof StageFailed ? Effect.die(r) : Effect.succeed(r)
  )

const statement = {
  statement_id: "01f0b2c3",
  status: { state: "SUCCEEDED" },
  manifest: {
    format: "JSON_ARRAY",
    schema: {
      column_count: 2,
      columns: [
        { name: "region", position: 0, type_name: "STRING", type_text: "STRING" },
        { name: "total", position: 1, type_name: "DECIMAL", type_text: "DECIMAL(38,2)" }
      ]
    },
    total_row_count: 2,
    truncated: false
  },
  result: {
    chunk_index: 0,
    row_offset: 0,
    row_count: 2,
    data_array: [
      ["EU", "10.50"],
      ["US", null]
    ]
  }
}

const issues = (text: string) =>
  Effect.map(Effect.flip(ResultSetFile.parse(text, "r.json")), (e) =>
    e.issues.map((i) => ({ code: i.code, path: i.path, line: i.line, message: i.message }))
  )

describe("ResultSetFile.parse: accepted shapes", () => {
  it.effect("a Databricks StatementResponse", () =>
    Effect.gen(function* () {
      const rs = yield* parseResult(JSON.stringify(statement))
      assert.deepStrictEqual(
        rs.columns.map((c) => [c.name, c.typeName, c.typeText]),
        [
          ["region", "STRING", "STRING"],
          ["total", "DECIMAL", "DECIMAL(38,2)"]
        ]
      )
      assert.deepStrictEqual(rs.rows, [
        ["EU", "10.50"],
        ["US", null]
      ])
      assert.strictEqual(rs.truncated, false)
      assert.strictEqual(rs.rowCount, 2)
    })
  )

  it.effect("Genie's {statement_response} wrapper, an empty result without data_array, and truncation", () =>
    Effect.gen(function* () {
      const wrapped = yield* parseResult(JSON.stringify({ statement_response: statement }))
      assert.strictEqual(wrapped.rows.length, 2)
      const empty = yield* parseResult(
        JSON.stringify({ ...statement, manifest: { ...statement.manifest, total_row_count: 0 }, result: {} })
      )
      assert.deepStrictEqual(empty.rows, [])
      const cut = yield* parseResult(
        JSON.stringify({ ...statement, manifest: { ...statement.manifest, total_row_count: 5000 } })
      )
      assert.isTrue(cut.truncated)
      assert.strictEqual(cut.rowCount, 5000)
    })
  )

  it.effect("a failed statement is the failure of its query, with the warehouse's message", () =>
    Effect.gen(function* () {
      const failed = yield* ResultSetFile.parse(
        JSON.stringify({
          status: { state: "FAILED", error: { message: "[TABLE_OR_VIEW_NOT_FOUND] x" } },
          manifest: statement.manifest
        }),
        "r.json"
      )
      assert.instanceOf(failed, StageFailed)
      assert.strictEqual(failed.message, "FAILED: [TABLE_OR_VIEW_NOT_FOUND] x")
    })
  )

  it.effect("the simple {columns, rows} shape, numbers and booleans taken as text", () =>
    Effect.gen(function* () {
      const rs = yield* parseResult(
        JSON.stringify({
          columns: [
            { name: "n", type: "bigint" },
            { name: "ok", type: "boolean" }
          ],
          rows: [
            [1, true],
            [null, false]
          ]
        })
      )
      assert.deepStrictEqual(rs.rows, [
        ["1", "true"],
        [null, "false"]
      ])
      assert.strictEqual(rs.columns[0]?.typeName, "bigint")
    })
  )
})

describe("ResultSetFile.parse: located errors", () => {
  it.effect("not JSON: the line of the syntax error", () =>
    Effect.map(issues('{\n  "columns": [\n    {"name": "a", "type": "INT"},\n  ]\n  "rows": []\n}'), (found) => {
      assert.strictEqual(found[0]?.code, "InvalidJson")
      assert.isNumber(found[0]?.line)
    })
  )

  it.effect("a row with the wrong number of values, at its path and line", () =>
    Effect.map(
      issues(
        JSON.stringify(
          {
            columns: [
              { name: "a", type: "INT" },
              { name: "b", type: "STRING" }
            ],
            rows: [[1, "x"], [2]]
          },
          null,
          2
        )
      ),
      (found) =>
        assert.deepStrictEqual(found, [
          { code: "WrongWidth", path: "$.rows[1]", line: 17, message: "has 1 values, expected 2 (one per column)" }
        ])
    )
  )

  it.effect("a column without a type and a nested value: both reported, no row-width noise", () =>
    Effect.map(issues(JSON.stringify({ columns: [{ name: "a" }], rows: [[{ x: 1 }]] })), (found) =>
      assert.deepStrictEqual(
        found.map((i) => [i.code, i.path]),
        [
          ["MissingField", "$.columns[0].type"],
          ["InvalidValue", "$.rows[0][0]"]
        ]
      )
    )
  )

  it.effect("a value that is not a scalar", () =>
    Effect.map(issues(JSON.stringify({ columns: [{ name: "a", type: "STRING" }], rows: [[["x"]]] })), (found) =>
      assert.deepStrictEqual(
        found.map((i) => [i.code, i.path]),
        [["InvalidValue", "$.rows[0][0]"]]
      )
    )
  )

  it.effect("an unknown shape names both accepted shapes", () =>
    Effect.map(issues(JSON.stringify([["a"]])), (found) => {
      assert.strictEqual(found[0]?.code, "UnknownShape")
      assert.include(found[0]?.message ?? "", "manifest.schema.columns")
    })
  )
})
