import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { ReportData } from "../src/index.js"

/** Secrets as they would sit in the environment; none may reach a report. */
export const secretEnv = {
  DATABRICKS_TOKEN: "dapi0123456789abcdef0123456789abcdef",
  OPENAI_API_KEY: "sk-proj-OPENAIsecretKEY1234567890abcdef",
  ANTHROPIC_API_KEY: "sk-ant-api03-ANTHROPICsecret-0987654321",
  DATABRICKS_CLIENT_SECRET: "dose-client-secret-7f3a9b2c4d5e"
}

/** Result values that only the warehouse returned: hidden with sendRows: false. */
export const rowValues = ["Zanzibar-Quokka-4711", "98765.4321", "Walrus-Ledger-0042", "31337.7777"]

export const xss = `</script><script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">`

const column = (name: string, typeName: string) => ({ name, typeName, typeText: typeName })

const benchmarksYaml = `apiVersion: 1
benchmarks:
  - id: rev_total
    question: "What was total revenue? ${xss.replace(/"/g, '\\"')}"
    expected_sql: SELECT SUM(amount) AS revenue FROM main.sales.orders
    category: revenue
    difficulty: easy
  - id: rev_region
    question: Revenue by region?
    expected_sql: SELECT region, SUM(amount) AS revenue FROM main.sales.orders GROUP BY region
    category: revenue
    difficulty: medium
  - id: top_customer
    question: Who is the top customer?
    expected_sql: SELECT customer FROM main.sales.customers ORDER BY spend DESC LIMIT 1
    category: customers
    difficulty: hard
  - id: broken_expected
    question: Orders in the void?
    expected_sql: SELECT COUNT(*) FROM main.sales.void
    category: customers
    difficulty: easy
  - id: genie_down
    question: How many stores?
    expected_sql: SELECT COUNT(*) AS stores FROM main.sales.stores
    category: stores
    difficulty: easy
  - id: unsure
    question: Average basket?
    expected_sql: SELECT AVG(total) AS basket FROM main.sales.orders
    category: stores
    difficulty: medium
`

const results = [
  {
    benchmarkId: "rev_total",
    answer: {
      status: "COMPLETED",
      sql: `SELECT SUM(amount) AS revenue FROM main.sales.orders -- token ${secretEnv.DATABRICKS_TOKEN}`,
      text: `The revenue is ${rowValues[1]}. Authorization: Bearer ${secretEnv.OPENAI_API_KEY}`,
      result: {
        columns: [column("revenue", "DECIMAL")],
        rows: [[rowValues[1]]],
        rowCount: 1,
        truncated: false,
        elapsedMs: 12
      },
      attempts: 1,
      elapsedMs: 900
    },
    expected: {
      columns: [column("revenue", "DECIMAL")],
      rows: [[rowValues[1]]],
      rowCount: 1,
      truncated: false,
      elapsedMs: 8
    },
    verdict: {
      outcome: "pass",
      decidedBy: "scalar",
      reasons: [],
      evidence: { expectedRows: 1, actualRows: 1 }
    }
  },
  {
    benchmarkId: "rev_region",
    answer: {
      status: "COMPLETED",
      sql: "SELECT region, SUM(amount) AS revenue FROM main.sales.orders WHERE region <> 'x' GROUP BY region",
      result: {
        columns: [column("region", "STRING"), column("revenue", "DECIMAL")],
        rows: [
          [rowValues[0], "10.00"],
          ["East", rowValues[3]]
        ],
        rowCount: 2,
        truncated: false,
        elapsedMs: 20
      },
      attempts: 2,
      elapsedMs: 1500
    },
    expected: {
      columns: [column("region", "STRING"), column("revenue", "DECIMAL")],
      rows: [
        [rowValues[2], "10.00"],
        ["East", "20.00"]
      ],
      rowCount: 2,
      truncated: false,
      elapsedMs: 9
    },
    verdict: {
      outcome: "fail",
      decidedBy: "bag-equality",
      reasons: ["RESULT_MISSING_ROWS"],
      evidence: {
        expectedRows: 2,
        actualRows: 2,
        missingRows: 2,
        extraRows: 2,
        differences: [{ row: 1, column: "revenue", expected: "20.00", actual: rowValues[3] }],
        sampleMissingRows: [[rowValues[2], "10.00"]],
        sampleExtraRows: [[rowValues[0], "10.00"]]
      },
      diagnosis: {
        category: "WRONG_FILTER",
        findings: [
          { category: "WRONG_FILTER", message: "Genie filtered region <> 'x', which the expected query does not" }
        ]
      }
    },
    failureCategory: "WRONG_FILTER"
  },
  {
    benchmarkId: "top_customer",
    answer: {
      status: "COMPLETED",
      text: `Your top customer is ${rowValues[0]}; see ${xss}`,
      attempts: 1,
      elapsedMs: 700
    },
    expected: {
      columns: [column("customer", "STRING")],
      rows: [[rowValues[0]]],
      rowCount: 1,
      truncated: false,
      elapsedMs: 4
    },
    verdict: {
      outcome: "fail",
      decidedBy: "no-sql",
      reasons: ["NO_SQL"],
      evidence: { message: `Genie answered in text: Your top customer is ${rowValues[0]}; see ${xss}` },
      diagnosis: {
        category: "NO_SQL",
        findings: [
          { category: "NO_SQL", message: `Genie answered in text: Your top customer is ${rowValues[0]}; see ${xss}` }
        ]
      }
    },
    failureCategory: "NO_SQL"
  },
  {
    benchmarkId: "broken_expected",
    answer: { status: "COMPLETED", sql: "SELECT 1", attempts: 1, elapsedMs: 300 },
    verdict: {
      outcome: "excluded",
      decidedBy: "expected-failed",
      reasons: ["EXPECTED_SQL_FAILED"],
      evidence: { message: "FAILED: [TABLE_OR_VIEW_NOT_FOUND] main.sales.void" }
    }
  },
  {
    benchmarkId: "genie_down",
    answer: {
      status: "TIMEOUT",
      error: {
        type: "Timeout",
        message: `no answer in 120 s; header was DATABRICKS_TOKEN=${secretEnv.DATABRICKS_TOKEN}`
      },
      attempts: 3,
      elapsedMs: 120000
    },
    verdict: { outcome: "error", decidedBy: "genie-error", reasons: ["TIMEOUT"] }
  },
  {
    benchmarkId: "unsure",
    answer: {
      status: "COMPLETED",
      sql: "SELECT AVG(total) AS basket FROM main.sales.orders LIMIT 100",
      result: { columns: [column("basket", "DOUBLE")], rows: [["12.5"]], rowCount: 1, truncated: true, elapsedMs: 3 },
      attempts: 1,
      elapsedMs: 400
    },
    expected: { columns: [column("basket", "DOUBLE")], rows: [["12.5"]], rowCount: 1, truncated: false, elapsedMs: 3 },
    verdict: {
      outcome: "inconclusive",
      decidedBy: "truncated",
      reasons: ["TRUNCATED_RESULT"],
      evidence: { message: "a truncated result cannot be compared in full" },
      judge: {
        verdict: "unsure",
        confidence: 0.4,
        reasons: ["LLM_JUDGE_OTHER"],
        explanation: `cannot tell; key ${secretEnv.ANTHROPIC_API_KEY}`,
        prompt: "judge/result-equivalence@1",
        model: "claude",
        cached: false
      }
    }
  }
]

const score = (passed: number, scored: number) => ({
  passed,
  scored,
  score: scored === 0 ? null : passed / scored,
  low: scored === 0 ? null : 0.01,
  high: scored === 0 ? null : 0.9
})

/**
 * A run directory under `<root>/runs/<runId>/` with every kind of verdict, XSS strings, secrets and distinctive
 * row values. `outcomes` overrides verdict outcomes (for a second run to compare with).
 */
export const makeRun = (
  root: string,
  runId: string,
  options: { readonly outcomes?: Readonly<Record<string, string>>; readonly summary?: boolean } = {}
): string => {
  const dir = join(root, "runs", runId)
  mkdirSync(dir, { recursive: true })
  const benchmarksFile = join(root, "benchmarks.yaml")
  writeFileSync(benchmarksFile, benchmarksYaml)
  writeFileSync(
    join(dir, "run.json"),
    JSON.stringify({
      runId,
      startedAt: "2026-01-02T03:04:05.000Z",
      spaceId: "01f0f5c840c118b9824acd167525a768",
      benchmarksFile,
      profile: "default",
      scorer: "batch",
      target: "local"
    })
  )
  const rs = results.map((r) => {
    const outcome = options.outcomes?.[r.benchmarkId]
    return outcome === undefined ? r : { ...r, verdict: { ...r.verdict, outcome } }
  })
  writeFileSync(join(dir, "journal.jsonl"), `${rs.map((r) => JSON.stringify(r)).join("\n")}\n`)
  if (options.summary !== false) {
    const passed = rs.filter((r) => r.verdict.outcome === "pass").length
    const scored = rs.filter((r) => r.verdict.outcome !== "excluded").length
    writeFileSync(
      join(dir, "results.json"),
      JSON.stringify({
        runId,
        finishedAt: "2026-01-02T03:05:05.000Z",
        wallMs: 60000,
        benchmarks: 6,
        finished: 6,
        overall: score(passed, scored),
        byCategory: { customers: score(0, 1), revenue: score(1, 2), stores: score(0, 2) },
        verdicts: Object.fromEntries(
          [...new Set(rs.map((r) => r.verdict.outcome))].map((o) => [
            o,
            rs.filter((r) => r.verdict.outcome === o).length
          ])
        ),
        failureCategories: { WRONG_FILTER: 1, NO_SQL: 1 },
        judged: 1,
        timings: {
          genie: { count: 6, p50: 700, p95: 120000, max: 120000 },
          expectedSql: { count: 5, p50: 8, p95: 9, max: 9 }
        },
        attempts: { total: 9, retriedBenchmarks: 2 }
      })
    )
  }
  return dir
}

/** A fresh directory for runs. */
export const tempRoot = (): string => mkdtempSync(join(tmpdir(), "genie-enhancer-report-"))

/** A hand-built enhance section: three iterations, accepted and rejected fixes, a diff, usage and timings. */
export const enhanceFixture: ReportData.EnhanceSection = {
  iterations: [
    {
      index: 0,
      label: "baseline",
      train: { passed: 1, scored: 4, score: 0.25, low: 0.05, high: 0.7 },
      holdout: { passed: 0, scored: 1, score: 0, low: 0, high: 0.79 },
      accepted: true,
      results: [
        { benchmarkId: "rev_total", outcome: "pass" },
        { benchmarkId: "rev_region", outcome: "fail" },
        { benchmarkId: "top_customer", outcome: "fail" },
        { benchmarkId: "unsure", outcome: "pass" }
      ]
    },
    {
      index: 1,
      train: { passed: 2, scored: 4, score: 0.5, low: 0.15, high: 0.85 },
      accepted: true,
      results: [
        { benchmarkId: "rev_total", outcome: "pass" },
        { benchmarkId: "rev_region", outcome: "pass" },
        { benchmarkId: "top_customer", outcome: "fail" },
        { benchmarkId: "unsure", outcome: "pass" }
      ]
    },
    {
      index: 2,
      label: "final",
      train: { passed: 2, scored: 4, score: 0.5, low: 0.15, high: 0.85 },
      holdout: { passed: 1, scored: 1, score: 1, low: 0.21, high: 1 },
      accepted: true,
      results: [
        { benchmarkId: "rev_total", outcome: "pass" },
        { benchmarkId: "rev_region", outcome: "pass" },
        { benchmarkId: "top_customer", outcome: "pass" },
        { benchmarkId: "unsure", outcome: "inconclusive" }
      ]
    }
  ],
  holdout: {
    baseline: { passed: 0, scored: 1, score: 0, low: 0, high: 0.79 },
    final: { passed: 1, scored: 1, score: 1, low: 0.21, high: 1 }
  },
  fixes: [
    {
      id: "fix-1",
      iteration: 1,
      category: "sql-snippet-add",
      target: "instructions.sql_snippets.measures",
      rationale: "Revenue is SUM(amount) over completed orders <b>always</b>",
      sourceBenchmarkIds: ["rev_region"],
      decision: "accepted",
      why: "train +25 pp, no regression",
      scoreDelta: 0.25,
      value: "SUM(orders.amount)"
    },
    {
      id: "fix-2",
      iteration: 2,
      category: "instruction-fix",
      target: "instructions.text_instructions[0]",
      rationale: "Say top customer means by spend",
      sourceBenchmarkIds: ["top_customer"],
      decision: "rejected",
      why: "broke unsure (regression on a passing benchmark)",
      scoreDelta: -0.25
    }
  ],
  spaceDiff: [
    {
      section: "instructions.sql_snippets.measures",
      changes: [{ kind: "added", key: "revenue", after: '{"sql": "SUM(orders.amount)"}' }]
    },
    {
      section: "data_sources.tables",
      changes: [
        {
          kind: "changed",
          key: "main.sales.orders",
          fields: ["description"],
          before: "orders",
          after: "completed orders"
        }
      ]
    }
  ],
  genieQuestions: {
    total: 12,
    questions: [
      { question: "Revenue by region?", benchmarkId: "rev_region", iteration: 1, stage: "score" },
      { question: "Who is the top customer?", benchmarkId: "top_customer", iteration: 2, stage: "score" }
    ]
  },
  llm: {
    byStage: [
      { name: "fix", calls: 3, inputTokens: 12000, outputTokens: 2400, costUsd: 0.084 },
      { name: "judge", calls: 2, inputTokens: 3000, outputTokens: 300, costUsd: 0.011 }
    ],
    byModel: [{ name: "gpt-5", calls: 5, inputTokens: 15000, outputTokens: 2700, costUsd: 0.095 }],
    total: { name: "total", calls: 5, inputTokens: 15000, outputTokens: 2700, costUsd: 0.095 }
  },
  stageTimes: [
    { stage: "score", ms: 64000 },
    { stage: "learn-patterns", ms: 8000 },
    { stage: "fix", ms: 21000 },
    { stage: "apply", ms: 1200 }
  ],
  promotion: { promoted: false, reason: "dry run" }
}
