import { describe, expect, it } from "@effect/vitest"
import { join } from "node:path"
import { runCli, runCliJson, tempDir } from "./cli.js"

/** A Databricks StatementResponse as the Statement Execution API returns it. */
const statement = (
  columns: ReadonlyArray<readonly [string, string]>,
  rows: ReadonlyArray<ReadonlyArray<string | null>>,
  extra: Record<string, unknown> = {}
) =>
  JSON.stringify(
    {
      statement_id: "01f0b2c3-d4e5",
      status: { state: "SUCCEEDED" },
      manifest: {
        format: "JSON_ARRAY",
        schema: {
          column_count: columns.length,
          columns: columns.map(([name, type], position) => ({ name, position, type_name: type, type_text: type }))
        },
        total_row_count: rows.length,
        truncated: false
      },
      result: { chunk_index: 0, row_offset: 0, row_count: rows.length, data_array: rows },
      ...extra
    },
    null,
    2
  )

/** The simple shape: `{columns: [{name, type}], rows}`. */
const simple = (columns: ReadonlyArray<readonly [string, string]>, rows: ReadonlyArray<ReadonlyArray<unknown>>) =>
  JSON.stringify({ columns: columns.map(([name, type]) => ({ name, type })), rows }, null, 2)

const expected = statement(
  [
    ["region", "STRING"],
    ["total", "DECIMAL"]
  ],
  [
    ["US", "20.00"],
    ["EU", "10.50"]
  ]
)
const orderedSql = "SELECT region, SUM(amount) AS total FROM main.sales.orders GROUP BY region ORDER BY total DESC"

const files = (extra: Record<string, string> = {}) => {
  const dir = tempDir({ "expected.json": expected, ...extra })
  return (name: string) => join(dir, name)
}

describe("genie-enhancer compare", () => {
  it("a StatementResponse and a simple file with the same values pass: columns matched by values", async () => {
    const at = files({
      "actual.json": simple(
        [
          ["sum_total", "double"],
          ["r", "string"]
        ],
        [
          [10.5, "EU"],
          [20, "US"]
        ]
      )
    })
    const run = await runCliJson(["compare", "--expected", at("expected.json"), "--actual", at("actual.json")])
    expect(run.exitCode).toBe(0)
    expect(run.json.result).toMatchObject({
      verdict: "pass",
      decidedBy: "bag-equality",
      reasons: [],
      evidence: {
        expectedRows: 2,
        actualRows: 2,
        columnMapping: [
          { expected: "region", actual: "r" },
          { expected: "total", actual: "sum_total" }
        ]
      }
    })
  })

  it("a differing cell fails with the cell as evidence and, given both SQL texts, a diagnosis", async () => {
    const at = files({
      "actual.json": simple(
        [
          ["region", "STRING"],
          ["total", "DECIMAL"]
        ],
        [
          ["US", "21.00"],
          ["EU", "10.50"]
        ]
      ),
      "genie.sql": "SELECT region, SUM(amount) AS total FROM main.sales.orders WHERE status = 'open' GROUP BY region"
    })
    const run = await runCliJson([
      "compare",
      "--expected",
      at("expected.json"),
      "--actual",
      at("actual.json"),
      "--expected-sql",
      "SELECT region, SUM(amount) AS total FROM main.sales.orders GROUP BY region",
      "--actual-sql",
      at("genie.sql")
    ])
    expect(run.exitCode).toBe(0)
    expect(run.json.result.verdict).toBe("fail")
    expect(run.json.result.reasons).toEqual(["SINGLE_CELL_DIFFERENCE"])
    expect(run.json.result.evidence.differences).toEqual([
      { row: 0, column: "total", expected: "20.00", actual: "21.00" }
    ])
    expect(run.json.result.diagnosis).toMatchObject({
      category: "WRONG_FILTER",
      findings: [{ message: "Genie filtered orders.status = 'open', which the expected query does not" }]
    })
  })

  it("row order matters only when --expected-sql (text or file) has an outermost ORDER BY", async () => {
    const at = files({
      "actual.json": simple(
        [
          ["region", "STRING"],
          ["total", "DECIMAL"]
        ],
        [
          ["EU", "10.50"],
          ["US", "20.00"]
        ]
      ),
      "expected.sql": orderedSql
    })
    const base = ["compare", "--expected", at("expected.json"), "--actual", at("actual.json")]
    const unordered = await runCliJson(base)
    expect(unordered.json.result.verdict).toBe("pass")
    const fromFile = await runCliJson([...base, "--expected-sql", at("expected.sql")])
    expect(fromFile.json.result).toMatchObject({
      verdict: "fail",
      decidedBy: "ordered-prefix",
      reasons: ["ORDER_DIFFERENCE"],
      evidence: { orderKeys: ["total"] }
    })
    const fromText = await runCliJson([...base, "--expected-sql", orderedSql])
    expect(fromText.json.result.verdict).toBe("fail")
  })

  it("--policy changes the rules: strict order, case-insensitive strings", async () => {
    const at = files({
      "actual.json": simple(
        [
          ["region", "STRING"],
          ["total", "DECIMAL"]
        ],
        [
          ["eu", "10.50"],
          ["us", "20.00"]
        ]
      )
    })
    const base = ["compare", "--expected", at("expected.json"), "--actual", at("actual.json")]
    expect((await runCliJson(base)).json.result.verdict).toBe("fail")
    const lenient = await runCliJson([...base, "--policy", '{"case_insensitive_strings": true}'])
    expect(lenient.json.result.verdict).toBe("pass")
    const strict = await runCliJson([...base, "--policy", '{"case_insensitive_strings": true, "row_order": "strict"}'])
    expect(strict.json.result).toMatchObject({ verdict: "fail", decidedBy: "strict-order" })
  })

  it("a failed expected statement makes the verdict excluded; a truncated actual one is inconclusive", async () => {
    const at = files({
      "failed.json": JSON.stringify({
        status: { state: "FAILED", error: { error_code: "BAD_REQUEST", message: "[TABLE_OR_VIEW_NOT_FOUND] orders" } }
      }),
      "truncated.json": JSON.stringify({
        columns: [
          { name: "region", type: "STRING" },
          { name: "total", type: "DECIMAL" }
        ],
        rows: [["US", "20.00"]],
        truncated: true
      })
    })
    const excluded = await runCliJson(["compare", "--expected", at("failed.json"), "--actual", at("expected.json")])
    expect(excluded.exitCode).toBe(0)
    expect(excluded.json.result).toMatchObject({
      verdict: "excluded",
      reasons: ["EXPECTED_SQL_FAILED"],
      evidence: { message: "FAILED: [TABLE_OR_VIEW_NOT_FOUND] orders" }
    })
    const cut = await runCliJson(["compare", "--expected", at("expected.json"), "--actual", at("truncated.json")])
    expect(cut.json.result).toMatchObject({ verdict: "inconclusive", reasons: ["TRUNCATED_RESULT"] })
  })

  it("prints a readable verdict without --json", async () => {
    const at = files({ "actual.json": simple([["region", "STRING"]], [["US"], ["EU"]]) })
    const run = await runCli(["compare", "--expected", at("expected.json"), "--actual", at("actual.json")])
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain("✗ fail (column-match): RESULT_MISSING_COLUMNS")
    expect(run.stdout).toContain("columns: region → region, total → (missing)")
  })
})

describe("genie-enhancer compare: bad input exits 2 with a located error", () => {
  const bad = async (args: ReadonlyArray<string>) => {
    const run = await runCliJson(args)
    expect(run.exitCode).toBe(2)
    expect(run.json.error._tag).toBe("ConfigInvalid")
    return run.json.error.data as { source: string; issues: Array<Record<string, unknown>> }
  }

  it("a file that is not JSON: the line of the syntax error", async () => {
    const at = files({ "broken.json": '{\n  "columns": [\n    {"name": "a", "type": "INT"},\n  ]\n  "rows": []\n}\n' })
    const data = await bad(["compare", "--expected", at("expected.json"), "--actual", at("broken.json")])
    expect(data.source).toBe(at("broken.json"))
    expect(data.issues[0]).toMatchObject({ code: "InvalidJson", path: "$" })
    expect(data.issues[0]?.["line"]).toBeGreaterThan(1)
  })

  it("a row with the wrong number of values: its JSON path and line", async () => {
    const wide = statement(
      [
        ["region", "STRING"],
        ["total", "DECIMAL"]
      ],
      [["US", "20.00"], ["EU"]]
    )
    // The bad row's "[" sits on the line before its only value.
    const rowLine = wide.split("\n").findIndex((line) => line.trim() === '"EU"')
    const at = files({ "wide.json": wide })
    const data = await bad(["compare", "--expected", at("wide.json"), "--actual", at("expected.json")])
    expect(data.issues).toEqual([
      expect.objectContaining({
        code: "WrongWidth",
        path: "$.result.data_array[1]",
        message: "has 1 values, expected 2 (one per column)",
        line: rowLine
      })
    ])
  })

  it("a missing file is named", async () => {
    const at = files()
    const data = await bad(["compare", "--expected", at("expected.json"), "--actual", at("missing.json")])
    expect(data.issues[0]).toMatchObject({ code: "FileNotFound", message: `file not found: ${at("missing.json")}` })
  })

  it("a policy with an unknown key gets a did-you-mean", async () => {
    const at = files()
    const data = await bad([
      "compare",
      "--expected",
      at("expected.json"),
      "--actual",
      at("expected.json"),
      "--policy",
      '{"row_ordr": "strict"}'
    ])
    expect(data.source).toBe("--policy")
    expect(data.issues[0]).toMatchObject({ code: "UnknownField", path: "$.row_ordr", suggestion: "row_order" })
  })

  it("a file of neither shape says what is accepted", async () => {
    const at = files({ "list.json": "[[1, 2]]" })
    const data = await bad(["compare", "--expected", at("list.json"), "--actual", at("expected.json")])
    expect(data.issues[0]).toMatchObject({ code: "UnknownShape", path: "$" })
  })
})
