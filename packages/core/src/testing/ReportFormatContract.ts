/**
 * The contract every report format must keep, as checks any test runner can run against a `report-format` plugin
 * (`for (const c of ReportFormatContract.cases) it.effect(c.name, () => c.run(plugin, options))`): a well-formed
 * manifest, text for score and enhance runs and for sparse data, the same text for the same data, and the data left
 * untouched.
 */
import { Effect } from "effect"
import type { AnyPlugin } from "../plugins/Plugin.js"
import { problemWith } from "../plugins/Plugin.js"
import type { Data } from "../plugins/ReportFormat.js"
import { fromPlugin } from "../plugins/ReportFormat.js"
import { testContext } from "./StageDecoratorContract.js"

/** One contract check. @category models */
export interface Case {
  readonly name: string
  readonly run: (plugin: AnyPlugin, options?: unknown) => Effect.Effect<void, Error>
}

const score = (passed: number, scored: number) => ({
  passed,
  scored,
  score: scored === 0 ? null : passed / scored,
  low: scored === 0 ? null : Math.max(0, passed / scored - 0.3),
  high: scored === 0 ? null : Math.min(1, passed / scored + 0.2)
})

const scoreSection = (passed: number, scored: number) => ({
  overall: score(passed, scored),
  byCategory: [{ name: "revenue", ...score(passed, scored) }],
  byDifficulty: [],
  bySplit: [],
  verdicts: [{ name: "pass", count: passed }],
  reasons: [],
  failureCategories: [],
  decidedBy: [],
  judged: 0
})

const run = (kind: "score" | "enhance") => ({
  runId: `20260101-000000-${kind === "score" ? "aaaa" : "bbbb"}`,
  kind,
  spaceId: "01f0f5c840c118b9824acd167525a768",
  startedAt: "2026-01-01T00:00:00.000Z",
  benchmarksFile: "/work/benchmarks.yaml",
  profile: "default",
  scorer: "batch",
  target: "local",
  benchmarks: 3,
  finished: 3,
  complete: true
})

/**
 * Sample report data (valid `@genie-enhancer/report` `ReportData`): a score run, an enhance run with fixes, and a
 * run without benchmarks. Renderers are checked on each.
 *
 * @category testing
 */
export const samples: ReadonlyArray<{ readonly name: string; readonly data: Data }> = [
  {
    name: "score run",
    data: {
      schemaVersion: 1,
      generatedAt: "2026-01-01T00:05:00.000Z",
      run: run("score"),
      privacy: { sendRows: true, redactions: 0 },
      score: scoreSection(1, 2),
      benchmarks: [
        {
          id: "revenue_total",
          question: 'Total revenue, "gross"?',
          category: "revenue",
          difficulty: "easy",
          outcome: "pass",
          decidedBy: "bag-equality",
          reasons: [],
          expectedSql: "SELECT SUM(amount) AS revenue FROM main.sales.orders",
          genie: { status: "COMPLETED", sql: "SELECT SUM(amount) FROM main.sales.orders", attempts: 1, elapsedMs: 10 }
        },
        {
          id: "revenue_region",
          question: "Revenue by region, per quarter?",
          category: "revenue",
          outcome: "fail",
          decidedBy: "bag-equality",
          reasons: ["RESULT_MISSING_ROWS"],
          failureCategory: "wrong-filter",
          genie: { status: "COMPLETED", sql: "SELECT region FROM t", attempts: 2, elapsedMs: 30 }
        },
        {
          id: "broken",
          category: "ops",
          outcome: "excluded",
          decidedBy: "expected-sql-failed",
          reasons: ["EXPECTED_SQL_FAILED"]
        }
      ],
      warnings: []
    }
  },
  {
    name: "enhance run",
    data: {
      schemaVersion: 1,
      generatedAt: "2026-01-01T01:00:00.000Z",
      run: run("enhance"),
      privacy: { sendRows: false, redactions: 1 },
      score: scoreSection(2, 2),
      benchmarks: [
        { id: "a", category: "c", outcome: "pass", decidedBy: "bag-equality", reasons: [] },
        { id: "b", category: "c", outcome: "pass", decidedBy: "llm-judge", reasons: [] }
      ],
      enhance: {
        iterations: [
          { index: 0, label: "baseline", train: score(1, 2), results: [{ benchmarkId: "a", outcome: "fail" }] },
          { index: 1, train: score(2, 2), accepted: true, results: [{ benchmarkId: "a", outcome: "pass" }] }
        ],
        fixes: [
          {
            id: "fix-1",
            iteration: 1,
            category: "metadata-add",
            target: "data_sources.tables[0].column_configs",
            rationale: "Team glossary: revenue, also called turnover",
            sourceBenchmarkIds: ["a"],
            decision: "accepted",
            why: "train +50 points"
          }
        ],
        spaceDiff: [],
        genieQuestions: { total: 4, questions: [] },
        stageTimes: [{ stage: "score", ms: 1200 }]
      },
      warnings: ["the benchmark file moved"]
    }
  },
  {
    name: "run without benchmarks",
    data: {
      schemaVersion: 1,
      generatedAt: "2026-01-01T00:00:00.000Z",
      run: { ...run("score"), benchmarks: 0, finished: 0, complete: false },
      privacy: { sendRows: true, redactions: 0 },
      score: scoreSection(0, 0),
      benchmarks: [],
      warnings: []
    }
  }
]

const check = (condition: boolean, message: string): Effect.Effect<void, Error> =>
  condition ? Effect.void : Effect.fail(new Error(message))

const deepFreeze = <A>(value: A): A => {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}

const renderer = (plugin: AnyPlugin, options: unknown) =>
  Effect.gen(function* () {
    const format = fromPlugin(plugin, options, testContext)
    if (format === undefined) return yield* Effect.fail(new Error(`"${plugin.id}" is not a report-format plugin`))
    return format
  })

const render = (format: { readonly id: string; readonly render: (d: Data) => string }, name: string, data: Data) =>
  Effect.try({
    try: () => format.render(data),
    catch: (cause) => new Error(`${format.id} failed on the ${name}: ${String(cause)}`)
  })

/** The checks. @category testing */
export const cases: ReadonlyArray<Case> = [
  {
    name: "is a report-format manifest with a file extension and a renderer",
    run: (plugin) =>
      Effect.gen(function* () {
        const problem = problemWith(plugin)
        yield* check(problem === undefined, problem ?? "")
        yield* check(plugin.kind === "report-format", `kind is ${plugin.kind}`)
        const format = yield* renderer(plugin, {})
        yield* check(/^[^/\\]+$/.test(format.fileName), `file name ${format.fileName} must not contain a directory`)
      })
  },
  {
    name: "renders score and enhance runs, and sparse data, to text",
    run: (plugin, options = {}) =>
      Effect.gen(function* () {
        const format = yield* renderer(plugin, options)
        for (const sample of samples) {
          const text = yield* render(format, sample.name, sample.data)
          yield* check(typeof text === "string" && text.length > 0, `empty report for the ${sample.name}`)
        }
      })
  },
  {
    name: "is pure: the same text twice, and the data left untouched",
    run: (plugin, options = {}) =>
      Effect.gen(function* () {
        const format = yield* renderer(plugin, options)
        for (const sample of samples) {
          const copy = JSON.parse(JSON.stringify(sample.data)) as Data
          const frozen = deepFreeze(JSON.parse(JSON.stringify(sample.data)) as Data)
          const first = yield* render(format, sample.name, frozen)
          const second = yield* render(format, sample.name, frozen)
          yield* check(first === second, `two renderings of the ${sample.name} differ`)
          yield* check(JSON.stringify(frozen) === JSON.stringify(copy), `the ${sample.name} was changed`)
        }
      })
  }
]
