/**
 * The `llm` fixer end to end through real provider code: the workspace emulator's serving endpoint (Databricks
 * provider), a cassette recorded then replayed, and an OpenAI-compatible loopback stub. Each run's plan goes
 * through plan validation against the emulator's warehouse.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { BenchmarkSplit, LlmFixer, PlanValidation, Stages, UsageLedger, Workspace } from "@genie-enhancer/core"
import type { Benchmark, Profile, Space } from "@genie-enhancer/core"
import { Emulator } from "@genie-enhancer/workspace-emulator"
import { ConfigProvider, Effect, Layer, Redacted, Schema } from "effect"
import { mkdtempSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Databricks from "../src/Databricks.js"
import * as LlmProviders from "../src/LlmProviders.js"
import { chatCompletion, stubServer } from "./stubServer.js"

const promptsDir = fileURLToPath(new URL("../../../prompts/", import.meta.url))

const b = (id: string, question: string, sql: string, split: "train" | "holdout"): Benchmark.Benchmark => ({
  id,
  question,
  expected_sql: sql,
  category: "c",
  difficulty: "easy",
  split
})
const holdoutSql =
  "SELECT g.kind, SUM(i.amount) AS total FROM main.s.items i JOIN main.s.groups g ON g.group_id = i.group_id GROUP BY g.kind"
const trainList = [
  b("t1", "Total paid amount?", "SELECT SUM(amount) AS total FROM main.s.items WHERE state = 'paid'", "train"),
  b(
    "t2",
    "라벨별 결제 금액",
    "SELECT g.label, SUM(i.amount) AS total FROM main.s.items i JOIN main.s.groups g ON g.group_id = i.group_id WHERE i.state = 'paid' GROUP BY g.label",
    "train"
  )
]
const holdout = b("h1", "HOLDOUT-QUESTION amount by kind", holdoutSql, "holdout")
const train = BenchmarkSplit.trainSet(trainList)
const space: Space.SerializedSpace = {
  version: 2,
  data_sources: { tables: [{ identifier: "main.s.groups" }, { identifier: "main.s.items" }] },
  instructions: { text_instructions: [{ id: "0a000000000000000000000000000001", content: ["Written by a human.\n"] }] }
}
const book = new Stages.PatternBook({
  learner: "test",
  trainBenchmarkIds: ["t1", "t2"],
  patterns: [
    new Stages.Pattern({
      id: "measure:total",
      kind: "measure",
      description: "total = SUM(items.amount), always with items.state = 'paid'",
      sql: "SUM(items.amount)",
      supportingBenchmarkIds: ["t1", "t2"],
      explainsFailures: ["t1"]
    })
  ]
})
const rows = (value: string) =>
  new Stages.ResultSet({
    columns: [new Stages.Column({ name: "total", typeName: "DECIMAL" })],
    rows: [[value]],
    rowCount: 1,
    truncated: false,
    elapsedMs: 1
  })
const failure = (id: string, sql: string) =>
  new Stages.BenchmarkResult({
    benchmarkId: id,
    answer: new Stages.GenieAnswer({
      status: "COMPLETED",
      sql,
      text: "It is ZEBRA-4471.",
      result: rows("ZEBRA-4471"),
      attempts: 1,
      elapsedMs: 1
    }),
    expected: rows("ZEBRA-9999"),
    verdict: new Stages.Verdict({ outcome: "fail", decidedBy: "rows", reasons: [] }),
    failureCategory: "WRONG_FILTER"
  })
const input: Stages.FixInput = {
  failures: [failure("t1", "SELECT SUM(amount) AS total FROM main.s.items"), failure("h1", holdoutSql)],
  patterns: book,
  space,
  train
}

const fix = (category: string, change: unknown, target: string) => ({
  category,
  target,
  change,
  rationale: "supported by the pattern book",
  sourceBenchmarkIds: ["t1", "t2"],
  targetsFailures: ["t1"],
  risk: "low"
})
/** What the model answers per prompt: good fixes, a hallucinated column, a write, a holdout copy, malformed JSON. */
const answers = {
  fix_metadata: {
    fixes: [
      fix(
        "metadata-add",
        { _tag: "ColumnDescription", table: "main.s.items", column: "state", description: "Only paid items count." },
        "main.s.items.state"
      ),
      fix(
        "metadata-add",
        { _tag: "ColumnSynonyms", table: "main.s.items", column: "colour", synonyms: ["color"] },
        "main.s.items.colour"
      )
    ]
  },
  fix_sql_objects: {
    fixes: [
      fix(
        "sql-snippet-add",
        { kind: "measure", sql: "SUM(items.amount)", displayName: "Total amount", alias: "total_amount", synonyms: [] },
        "measure total_amount"
      )
    ]
  },
  fix_instruction: "{ fixes: [ oops",
  fix_examples: {
    fixes: [
      fix(
        "example-query-add",
        { question: "Remove open items", sql: "DELETE FROM main.s.items WHERE state = 'open'", parameters: [] },
        "example: cleanup"
      ),
      fix(
        "example-query-add",
        { question: "How does the amount spread over kinds?", sql: holdoutSql, parameters: [] },
        "example: amount by kind"
      ),
      fix(
        "example-query-add",
        {
          question: "How many groups has each label?",
          sql: "SELECT g.label, COUNT(*) AS n FROM main.s.groups g GROUP BY g.label",
          parameters: []
        },
        "example: groups by label"
      )
    ]
  }
} as const

const survivors = ["example: groups by label", "main.s.items.state", "measure total_amount"]
const rejections = {
  "main.s.items.colour": "UnknownColumn",
  "example: cleanup": "WritesData",
  "example: amount by kind": "Leakage",
  "the model's answer to fix/instruction@1": "InvalidOutput"
}

const dataset = {
  _tag: "Sql" as const,
  source: "inline",
  dialect: "databricks" as const,
  sql: [
    "CREATE TABLE main.s.groups (group_id BIGINT, label STRING, kind STRING)",
    "CREATE TABLE main.s.items (item_id BIGINT, group_id BIGINT, amount DECIMAL(10,2), state STRING, day DATE)",
    "INSERT INTO main.s.groups VALUES (1, 'a', 'x'), (2, 'b', 'y')",
    "INSERT INTO main.s.items VALUES (1, 1, 9.5, 'paid', DATE'2024-01-02'), (2, 2, 3.0, 'open', DATE'2024-02-03')"
  ].join("; ")
}

/** The emulator's warehouse as the pipeline's `Executor`. */
const executorOf = (emulator: Emulator.Emulator) =>
  Layer.succeed(Stages.Executor, {
    execute: (sql) =>
      emulator.warehouse.query(sql).pipe(
        Effect.map(
          (r) =>
            new Stages.ResultSet({
              columns: r.columns.map((c) => new Stages.Column({ name: c.name, typeName: c.typeName })),
              rows: r.rows,
              rowCount: r.rows.length,
              truncated: false,
              elapsedMs: 0
            })
        ),
        Effect.mapError(
          (f) => new Stages.SqlFailed({ message: f.message, retryable: false, rateLimited: false, callerError: true })
        )
      )
  })

/** Proposes with the LLM fixer over `model`, then validates against every benchmark. */
const proposeAndValidate = (options: Partial<LlmFixer.Options> = {}) =>
  Effect.gen(function* () {
    const fixer = yield* Stages.Fixer
    const plan = yield* fixer.propose(input)
    const executor = yield* Stages.Executor
    const validated = yield* PlanValidation.make(executor)(plan, { space, benchmarks: [...trainList, holdout] })
    return { plan, validated }
  }).pipe(Effect.provide(LlmFixer.layerFromPrompts({ sendRows: false, ...options, promptsDir })))

const assertMix = (validated: Stages.Plan) => {
  assert.deepStrictEqual(validated.fixes.map((f) => f.target).sort(), survivors)
  assert.deepStrictEqual(Object.fromEntries(validated.rejected.map((r) => [r.fix.target, r.code])), rejections)
}

const assertNoEgress = (texts: ReadonlyArray<string>) => {
  assert.isAbove(texts.length, 0)
  for (const text of texts) {
    assert.notInclude(text, "ZEBRA-")
    assert.notInclude(text, "HOLDOUT-QUESTION")
    assert.notInclude(text, "g.kind, SUM(i.amount)")
  }
}

describe("LlmFixer through providers", () => {
  it.scoped(
    "the emulator's serving endpoint (Databricks provider): only the good fixes survive, nothing egresses",
    () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.start({
          datasets: [dataset],
          completions: [
            // The repair turn of the malformed answer is malformed too.
            { contains: 'corrected JSON for "fix_instruction"', content: "still { not json" },
            { contains: "Step 2: fix the failures with metadata", content: answers.fix_metadata },
            { contains: "Step 2: fix the failures with join specs", content: answers.fix_sql_objects },
            { contains: "Step 2: fix the failures with the text instruction", content: answers.fix_instruction },
            { contains: "Step 2: fix the failures with example", content: answers.fix_examples }
          ]
        })
        const auth = Layer.succeed(Workspace.WorkspaceAuth, {
          host: emulator.host,
          authorization: Effect.succeed(Redacted.make(`Bearer ${emulator.token}`))
        })
        const model = Layer.effect(Stages.LanguageModel, Databricks.make({ model: "databricks-claude-sonnet-4" })).pipe(
          Layer.provide(auth)
        )
        const { validated } = yield* proposeAndValidate().pipe(
          Effect.provide(Layer.merge(model, executorOf(emulator))),
          Effect.provide(NodeContext.layer)
        )
        assertMix(validated)
        const requests = yield* emulator.servingRequests
        // Four prompts and one repair turn.
        assert.strictEqual(requests.length, 5)
        const format = requests[0]?.body["response_format"] as { json_schema?: { name?: string } } | undefined
        assert.strictEqual(format?.json_schema?.name, "fix_metadata")
        assertNoEgress(requests.map((r) => JSON.stringify(r.body)))
      }),
    60_000
  )

  it.scoped(
    "cassettes: recorded from a scripted model with a repair turn, replayed with no model, the same plan",
    () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.start({ datasets: [dataset] })
        const dir = mkdtempSync(join(tmpdir(), "llm-fixer-cassettes-"))
        const settings = (mode: "record" | "replay"): Profile.LlmSettings => ({
          provider: "scripted",
          model: "scripted",
          cassette: { mode, dir }
        })
        const script = {
          ...answers,
          // A malformed first answer, repaired on the second turn (cassettes keep successful exchanges only).
          fix_instruction: [
            answers.fix_instruction,
            {
              fixes: [fix("instruction-fix", { append: ["- Revenue counts paid items only."] }, "text instruction")]
            }
          ]
        }
        const noWorkspace = Layer.succeed(Workspace.WorkspaceAuth, {
          host: "http://127.0.0.1:9",
          authorization: Effect.die("unused")
        })
        const runWith = (mode: "record" | "replay") =>
          proposeAndValidate().pipe(
            Effect.provide(
              Layer.merge(
                LlmProviders.modelLayer(
                  settings(mode),
                  mode === "record"
                    ? {
                        script: Object.fromEntries(
                          Object.entries(script).map(([k, v]) => [
                            k,
                            Array.isArray(v)
                              ? v.map((x) => (typeof x === "string" ? x : { json: x }))
                              : typeof v === "string"
                                ? v
                                : { json: v }
                          ])
                        )
                      }
                    : {}
                ).pipe(Layer.provide(noWorkspace)),
                executorOf(emulator)
              )
            ),
            Effect.provide(NodeContext.layer)
          )
        const recorded = yield* runWith("record")
        const assertRepaired = (validated: Stages.Plan) => {
          assert.deepStrictEqual(validated.fixes.map((f) => f.target).sort(), [...survivors, "text instruction"].sort())
          const { ["the model's answer to fix/instruction@1"]: _, ...others } = rejections
          assert.deepStrictEqual(Object.fromEntries(validated.rejected.map((r) => [r.fix.target, r.code])), others)
        }
        assertRepaired(recorded.validated)
        assert.isAbove(readdirSync(dir).length, 0)
        const replayed = yield* runWith("replay")
        assert.deepStrictEqual(
          replayed.plan.fixes.map((f) => f.id),
          recorded.plan.fixes.map((f) => f.id)
        )
        assertRepaired(replayed.validated)
      }),
    60_000
  )

  it.scoped(
    "an OpenAI-compatible server: native JSON schema, usage and cost per stage in the ledger, and the token budget",
    () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.start({ datasets: [dataset] })
        const stub = yield* stubServer((request) => {
          const name = (request.body?.response_format?.json_schema?.name ?? "") as keyof typeof answers
          const answer = answers[name]
          return {
            json: chatCompletion(typeof answer === "string" ? '{"fixes": []}' : JSON.stringify(answer), {
              prompt: 3000,
              completion: 400
            })
          }
        })
        const settings: Profile.LlmSettings = {
          provider: "openai-compatible",
          model: "stub-model",
          baseUrl: stub.url,
          cassette: { mode: "off", dir: tmpdir() },
          prices: { "stub-model": { inputPerMillion: 1, outputPerMillion: 2 } }
        }
        const noWorkspace = Layer.succeed(Workspace.WorkspaceAuth, {
          host: "http://127.0.0.1:9",
          authorization: Effect.die("unused")
        })
        const services = Layer.merge(
          LlmProviders.layerFromSettings(settings).pipe(Layer.provide(noWorkspace)),
          executorOf(emulator)
        )
        const program = Effect.gen(function* () {
          // 3,400 tokens per call: a budget of 8,000 allows two calls of the four.
          const { plan, validated } = yield* proposeAndValidate({ budget: { maxTokens: 8000 } })
          const report = yield* Effect.flatMap(UsageLedger.UsageLedger, (l) => l.report)
          return { plan, validated, report }
        }).pipe(Effect.provide(services), Effect.provide(NodeContext.layer))
        const { plan, validated, report } = yield* program.pipe(
          Effect.withConfigProvider(ConfigProvider.fromJson({ OPENAI_API_KEY: "sk-test" }))
        )
        assert.strictEqual(stub.requests.length, 2)
        const format = stub.requests[0]?.body?.response_format
        assert.strictEqual(format?.type, "json_schema")
        assert.strictEqual(format?.json_schema?.name, "fix_metadata")
        assert.deepStrictEqual(validated.fixes.map((f) => f.target).sort(), [
          "main.s.items.state",
          "measure total_amount"
        ])
        const budget = plan.rejected.find((r) => r.code === "Budget")
        assert.isDefined(budget)
        assert.include(budget?.fix.target ?? "", "fix/instruction@1")
        assert.include(budget?.fix.target ?? "", "fix/examples@1")
        const fix = report.byStage["fix"]
        assert.strictEqual(fix?.calls, 2)
        assert.strictEqual(fix?.inputTokens, 6000)
        assert.strictEqual(fix?.outputTokens, 800)
        assert.closeTo(fix?.costUsd ?? 0, (6000 * 1 + 800 * 2) / 1e6, 1e-9)
        assertNoEgress(stub.requests.map((r) => JSON.stringify(r.body)))
        assert.isTrue(Schema.is(Stages.Plan)(validated))
      }),
    60_000
  )
})
