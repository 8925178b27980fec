import { assert, describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { readFileSync } from "node:fs"
import type { Benchmark } from "../src/model/Benchmark.js"
import * as BenchmarkSplit from "../src/model/BenchmarkSplit.js"
import { ProviderError } from "../src/model/Errors.js"
import { BenchmarkResult, GenieAnswer, ResultSet, Column, Verdict } from "../src/model/Results.js"
import type { SerializedSpace } from "../src/model/Space.js"
import * as PromptTemplate from "../src/llm/PromptTemplate.js"
import { LanguageModel } from "../src/llm/LanguageModel.js"
import type { CompletionRequest } from "../src/llm/LanguageModel.js"
import * as PlanApply from "../src/stages/apply/PlanApply.js"
import * as PlanValidation from "../src/stages/apply/PlanValidation.js"
import { Executor, SqlFailed } from "../src/stages/execute/Executor.js"
import { Fix, Fixer, Plan } from "../src/stages/fix/Fixer.js"
import * as LlmFixer from "../src/stages/fix/LlmFixer.js"
import { Pattern, PatternBook } from "../src/stages/learn-patterns/PatternLearner.js"
import { FakeWorkspace, FixerContract, ScriptedLanguageModel } from "../src/testing/index.js"

const promptsDir = new URL("../../../prompts/", import.meta.url)
const prompts = Effect.runSync(
  Effect.all(
    Object.fromEntries(
      Object.entries(LlmFixer.promptFiles).map(([key, file]) => [
        key,
        PromptTemplate.parse(readFileSync(new URL(file, promptsDir), "utf8"), file)
      ])
    )
  )
) as unknown as LlmFixer.Prompts

const b = (id: string, question: string, sql: string, split: "train" | "holdout"): Benchmark => ({
  id,
  question,
  expected_sql: sql,
  category: "c",
  difficulty: "easy",
  split
})

const trainList = [
  b(
    "t1",
    "Total paid amount by label",
    "SELECT g.label, SUM(i.amount) AS total FROM main.s.items i JOIN main.s.groups g ON g.group_id = i.group_id WHERE i.state = 'paid' GROUP BY g.label",
    "train"
  ),
  b("t2", "매출 합계는?", "SELECT SUM(amount) AS total FROM main.s.items WHERE state = 'paid'", "train")
]
const train = BenchmarkSplit.trainSet(trainList)
const holdoutSql =
  "SELECT g.kind, SUM(i.amount) AS total FROM main.s.items i JOIN main.s.groups g ON g.group_id = i.group_id GROUP BY g.kind"
const holdout = b("h1", "HOLDOUT-QUESTION: revenue split by kind of group", holdoutSql, "holdout")

const space: SerializedSpace = {
  version: 2,
  data_sources: { tables: [{ identifier: "main.s.groups" }, { identifier: "main.s.items" }] },
  instructions: { text_instructions: [{ id: "0a000000000000000000000000000001", content: ["Written by a human.\n"] }] }
}

const book = new PatternBook({
  learner: "test",
  trainBenchmarkIds: ["t1", "t2"],
  patterns: [
    new Pattern({
      id: "measure:total",
      kind: "measure",
      description: "total = SUM(items.amount) (2 benchmark(s); always with items.state = 'paid')",
      sql: "SUM(items.amount)",
      supportingBenchmarkIds: ["t1", "t2"],
      explainsFailures: ["t2"]
    }),
    new Pattern({
      id: "value:state",
      kind: "value",
      description: "items.state: categorical, 3 distinct values (ZEBRA-4471, paid, open)",
      details: {
        table: "main.s.items",
        column: "state",
        source: "profile",
        mentioned: [],
        distinct: 3,
        sample: ["ZEBRA-4471", "paid", "open"],
        entityMatching: false
      },
      supportingBenchmarkIds: ["t1"]
    })
  ]
})

const rs = (rows: ReadonlyArray<ReadonlyArray<string | null>>) =>
  new ResultSet({
    columns: [new Column({ name: "total", typeName: "DECIMAL" })],
    rows,
    rowCount: rows.length,
    truncated: false,
    elapsedMs: 1
  })

const failed = (id: string, genieSql: string) =>
  new BenchmarkResult({
    benchmarkId: id,
    answer: new GenieAnswer({
      status: "COMPLETED",
      sql: genieSql,
      text: "The total is ZEBRA-4471.",
      result: rs([["ZEBRA-4471"]]),
      attempts: 1,
      elapsedMs: 5
    }),
    expected: rs([["ZEBRA-4471-expected"]]),
    verdict: new Verdict({
      outcome: "fail",
      decidedBy: "rows",
      reasons: [],
      evidence: { expectedRows: 1, actualRows: 1, message: "cell ZEBRA-4471 differs" },
      judge: {
        verdict: "fail",
        confidence: 0.9,
        reasons: [],
        explanation: "Genie returned ZEBRA-4471",
        prompt: "judge/result-equivalence@1",
        cached: false
      }
    }),
    failureCategory: "WRONG_FILTER"
  })

const failures = [
  failed("t2", "SELECT SUM(amount) AS total FROM main.s.items"),
  // A caller that passes every result: the holdout one must never reach a prompt.
  failed("h1", `${holdoutSql} -- genie`)
]

const catalog: Record<string, ReadonlyArray<readonly [string, string]>> = {
  "main.s.items": [
    ["item_id", "BIGINT"],
    ["group_id", "BIGINT"],
    ["amount", "DECIMAL(10,2)"],
    ["state", "STRING"],
    ["day", "DATE"]
  ],
  "main.s.groups": [
    ["group_id", "BIGINT"],
    ["label", "STRING"],
    ["kind", "STRING"]
  ]
}

/** A warehouse that knows the catalog: `LIMIT 0` probes answer with columns, unknown tables fail. */
const executor = Layer.succeed(Executor, {
  execute: (sql) => {
    const plain = sql.replace(/`/g, "")
    const probe = /^SELECT \* FROM ([\w.]+) LIMIT 0$/i.exec(plain)
    const unknown = [...plain.matchAll(/\bmain\.s\.(\w+)/g)].find((m) => catalog[`main.s.${m[1]}`] === undefined)
    if (unknown !== undefined || (probe !== null && catalog[probe[1].toLowerCase()] === undefined))
      return Effect.fail(
        new SqlFailed({
          message: "[TABLE_OR_VIEW_NOT_FOUND]",
          retryable: false,
          rateLimited: false,
          callerError: true
        })
      )
    const columns = probe === null ? [] : (catalog[probe[1].toLowerCase()] ?? [])
    return Effect.succeed(FakeWorkspace.resultSet({ columns, rows: [] }))
  }
})

const proposal = (category: string, change: unknown, target: string, extra: Record<string, unknown> = {}) => ({
  category,
  target,
  change,
  rationale: "because the evidence says so",
  sourceBenchmarkIds: ["t1"],
  targetsFailures: ["t2"],
  risk: "low",
  ...extra
})

const goodDescription = proposal(
  "metadata-add",
  {
    _tag: "ColumnDescription",
    table: "main.s.items",
    column: "state",
    description: "Order state; only paid items count as revenue."
  },
  "main.s.items.state"
)
const hallucinated = proposal(
  "metadata-add",
  { _tag: "ColumnSynonyms", table: "main.s.items", column: "colour", synonyms: ["color"] },
  "main.s.items.colour"
)
const goodMeasure = proposal(
  "sql-snippet-add",
  { kind: "measure", sql: "SUM(items.amount)", displayName: "Total amount", alias: "total_amount", synonyms: ["매출"] },
  "measure total_amount"
)
const writes = proposal(
  "example-query-add",
  { question: "Remove the open items", sql: "DELETE FROM main.s.items WHERE state = 'open'", parameters: [] },
  "example: cleanup"
)
const copiesHoldout = proposal(
  "example-query-add",
  { question: "How is the amount spread over group kinds?", sql: holdoutSql, parameters: [] },
  "example: amount by kind"
)
const goodExample = proposal(
  "example-query-add",
  {
    question: "How many groups are there of each label?",
    sql: "SELECT g.label, COUNT(*) AS groups FROM main.s.groups g GROUP BY g.label",
    parameters: []
  },
  "example: groups by label"
)

const mixedAnswers: Record<string, unknown> = {
  fix_metadata: { fixes: [goodDescription, hallucinated] },
  fix_sql_objects: { fixes: [goodMeasure] },
  fix_instruction: "{ fixes: [ this is not JSON",
  fix_examples: { fixes: [writes, copiesHoldout, goodExample] }
}

/** Answers each group's call by output name; a group without an answer gets no fixes. */
const scripted = (answers: Record<string, unknown>) =>
  ScriptedLanguageModel.layer((_, output) => Effect.succeed(answers[output ?? ""] ?? { fixes: [] }))

const failing = ScriptedLanguageModel.layer(() =>
  Effect.fail(new ProviderError({ provider: "scripted", reason: "Auth", message: "bad key", retryable: false }))
)

const fixerWith = <M>(options: Partial<LlmFixer.Options>, model: Layer.Layer<LanguageModel | M>) =>
  LlmFixer.layer(options, prompts).pipe(Layer.provideMerge(Layer.merge(model, executor)))

const input = { failures, patterns: book, space, train }

const requestText = (r: CompletionRequest) => [r.system ?? "", ...r.messages.map((m) => m.content)].join("\n")

describe("LlmFixer", () => {
  it.effect(
    "only the good fixes survive validation: a hallucinated column, a write, a holdout copy and malformed JSON are each rejected with their reason",
    () =>
      Effect.gen(function* () {
        const fixer = yield* Fixer
        const plan = yield* fixer.propose(input)
        const executorService = yield* Executor
        const validated = yield* PlanValidation.make(executorService)(plan, {
          space,
          benchmarks: [...trainList, holdout]
        })
        assert.deepStrictEqual(validated.fixes.map((f) => f.target).sort(), [
          "example: groups by label",
          "main.s.items.state",
          "measure total_amount"
        ])
        assert.isTrue(validated.fixes.every((f) => f.origin === "llm"))
        const codes = Object.fromEntries(validated.rejected.map((r) => [r.fix.target, r.code]))
        assert.deepStrictEqual(codes, {
          "main.s.items.colour": "UnknownColumn",
          "example: cleanup": "WritesData",
          "example: amount by kind": "Leakage",
          "the model's answer to fix/instruction@1": "InvalidOutput"
        })
        for (const r of validated.rejected) assert.isAbove(r.reason.length, 10)
        const requests = yield* Effect.flatMap(ScriptedLanguageModel.ScriptedRequests, (s) => s.all)
        assert.deepStrictEqual(
          requests.map((r) => r.output),
          ["fix_metadata", "fix_sql_objects", "fix_instruction", "fix_examples"]
        )
        assert.isTrue(requests.every((r) => r.request.stage === "fix"))
      }).pipe(Effect.provide(fixerWith({}, scripted(mixedAnswers)))),
    30_000
  )

  it.effect(
    "two steps: the pattern book and the space in the system prompt, the failures in the user prompt, text in fix.language",
    () =>
      Effect.gen(function* () {
        yield* Effect.flatMap(Fixer, (f) => f.propose(input))
        const requests = yield* Effect.flatMap(ScriptedLanguageModel.ScriptedRequests, (s) => s.all)
        const first = requests[0].request
        assert.include(first.system, "Step 1")
        assert.include(first.system, "measure:total")
        assert.include(first.system, "Korean (ko)")
        assert.include(first.system, "amount DECIMAL(10,2)")
        assert.include(first.messages[0].content, "Step 2")
        assert.include(first.messages[0].content, "매출 합계는?")
        // The system prompt is the same for every call (providers cache the shared prefix).
        assert.strictEqual(new Set(requests.map((r) => r.request.system)).size, 1)
      }).pipe(Effect.provide(fixerWith({ language: "ko" }, scripted({})))),
    30_000
  )

  it.effect(
    "data egress: with sendRows false no result value is in any request, and holdout questions and SQL never are",
    () =>
      Effect.gen(function* () {
        const all = (sendRows: boolean) =>
          Effect.gen(function* () {
            yield* Effect.flatMap(Fixer, (f) => f.propose(input))
            return (yield* Effect.flatMap(ScriptedLanguageModel.ScriptedRequests, (s) => s.all)).map((r) =>
              requestText(r.request)
            )
          }).pipe(Effect.provide(fixerWith({ sendRows }, scripted({}))))
        const withoutRows = yield* all(false)
        const withRows = yield* all(true)
        assert.strictEqual(withoutRows.length, 4)
        for (const text of withoutRows) {
          assert.notInclude(text, "ZEBRA-4471")
          assert.notInclude(text, "HOLDOUT-QUESTION")
          assert.notInclude(text, "g.kind, SUM(i.amount)")
        }
        // The check can see a value when one is sent.
        assert.isTrue(withRows.some((t) => t.includes("ZEBRA-4471")))
        for (const text of withRows) assert.notInclude(text, "HOLDOUT-QUESTION")
      }),
    30_000
  )

  it.effect("instruction fixes merge with the human-written text: lines it already has are not appended", () =>
    Effect.gen(function* () {
      const plan = yield* Effect.flatMap(Fixer, (f) => f.propose(input))
      assert.strictEqual(plan.fixes.length, 1)
      const fix = plan.fixes[0]
      assert.deepStrictEqual(fix.change, { append: ["- Revenue counts paid items only.\n"] })
      const next = PlanApply.apply(space, new Plan({ fixes: [fix] }))
      assert.deepStrictEqual(next.instructions?.text_instructions?.[0].content, [
        "Written by a human.\n",
        "- Revenue counts paid items only.\n"
      ])
    }).pipe(
      Effect.provide(
        fixerWith(
          { categories: ["instruction-fix"] },
          scripted({
            fix_instruction: {
              fixes: [
                proposal(
                  "instruction-fix",
                  { append: ["Written by a human.", "- Revenue counts paid items only."] },
                  "text instruction"
                )
              ]
            }
          })
        )
      )
    )
  )

  it.effect("fills what earlier fixers left: their fixes and excluded ids are not proposed again", () =>
    Effect.gen(function* () {
      const fixer = yield* Fixer
      const all = yield* fixer.propose(input)
      assert.strictEqual(all.fixes.length, 2)
      const again = yield* fixer.propose(input)
      assert.deepStrictEqual(
        again.fixes.map((f) => f.id),
        all.fixes.map((f) => f.id)
      )
      const earlier = new Fix({ ...all.fixes[0], id: "from-rules", origin: "rules", target: "worded differently" })
      const filled = yield* fixer.propose({ ...input, proposed: [earlier], excludeFixIds: new Set([all.fixes[1].id]) })
      assert.strictEqual(filled.fixes.length, 0)
      // No room left under maxFixes: no call at all.
      const full = yield* fixer.propose({ ...input, proposed: Array.from({ length: 50 }, () => earlier) })
      assert.strictEqual(full.fixes.length, 0)
    }).pipe(
      Effect.provide(
        fixerWith(
          { categories: ["metadata-add"] },
          scripted({
            fix_metadata: {
              fixes: [
                goodDescription,
                proposal("metadata-add", { _tag: "EntityMatching", table: "main.s.items", column: "state" }, "state")
              ]
            }
          })
        )
      )
    )
  )

  it.effect(
    "budget: stops cleanly with the fixes it has when tokens run out, and says which calls it skipped",
    () =>
      Effect.gen(function* () {
        const plan = yield* Effect.flatMap(Fixer, (f) => f.propose(input))
        assert.deepStrictEqual(
          plan.fixes.map((f) => f.target),
          ["main.s.items.state"]
        )
        assert.strictEqual(plan.rejected.length, 1)
        assert.strictEqual(plan.rejected[0].code, "Budget")
        assert.include(plan.rejected[0].reason, "fix.budget.maxTokens (9000)")
        assert.include(plan.rejected[0].fix.target, "fix/examples@1")
        assert.strictEqual((yield* Effect.flatMap(ScriptedLanguageModel.ScriptedRequests, (s) => s.all)).length, 1)
      }).pipe(Effect.provide(metered({ maxTokens: 9000 }, 4000))),
    30_000
  )

  it.effect(
    "budget: dollars too",
    () =>
      Effect.gen(function* () {
        const plan = yield* Effect.flatMap(Fixer, (f) => f.propose(input))
        assert.strictEqual(plan.fixes.length, 1)
        assert.include(plan.rejected[0].reason, "fix.budget.maxCostUsd ($0.015)")
      }).pipe(Effect.provide(metered({ maxCostUsd: 0.015 }, 100))),
    30_000
  )

  it.effect("a provider failure other than invalid output fails the stage (the safety layer already retried)", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Effect.flatMap(Fixer, (f) => f.propose(input)))
      assert.strictEqual(error._tag, "StageFailed")
      assert.include(error.message, "fix/metadata@1")
    }).pipe(Effect.provide(fixerWith({}, failing)))
  )

  it.effect("salvages the well-formed fixes of an answer that failed to decode, reporting the malformed one", () =>
    Effect.gen(function* () {
      const plan = yield* Effect.flatMap(Fixer, (f) => f.propose(input))
      assert.deepStrictEqual(
        plan.fixes.map((f) => f.target),
        ["main.s.items.state"]
      )
      assert.strictEqual(plan.rejected[0].code, "InvalidOutput")
      assert.include(plan.rejected[0].reason, "metadata-add")
    }).pipe(
      Effect.provide(
        fixerWith(
          { categories: ["metadata-add"] },
          scripted({ fix_metadata: { fixes: [goodDescription, { ...hallucinated, change: { _tag: "Nonsense" } }] } })
        )
      )
    )
  )

  it.effect(
    "grouping: four calls carry fewer input tokens than one call per category",
    () =>
      Effect.gen(function* () {
        yield* Effect.flatMap(Fixer, (f) => f.propose(input))
        const requests = yield* Effect.flatMap(ScriptedLanguageModel.ScriptedRequests, (s) => s.all)
        const tokens = requests.map((r) => LlmFixer.estimateTokens(requestText(r.request)))
        const context = LlmFixer.estimateTokens(requests[0].request.system ?? "")
        const grouped = tokens.reduce((a, x) => a + x, 0)
        // One call per category repeats the context nine times.
        const perCategory = grouped + 5 * context
        expect(grouped / perCategory).toBeLessThan(0.6)
      }).pipe(Effect.provide(fixerWith({}, scripted({})))),
    30_000
  )

  it.effect("the rendered prompts match their snapshot", () =>
    Effect.gen(function* () {
      yield* Effect.flatMap(Fixer, (f) => f.propose(input))
      const requests = yield* Effect.flatMap(ScriptedLanguageModel.ScriptedRequests, (s) => s.all)
      const text = [
        `<!-- system (every call) -->\n${requests[0].request.system ?? ""}`,
        ...requests.map((r) => `<!-- user: ${r.output} -->\n${r.request.messages[0].content}`)
      ].join("\n\n")
      yield* Effect.promise(() => expect(text).toMatchFileSnapshot("fixtures/fix/llm-fixer-prompts.snapshot.md"))
    }).pipe(Effect.provide(fixerWith({ language: "ko", sendRows: false }, scripted({}))))
  )

  describe("the fixer contract", () => {
    for (const c of FixerContract.cases) {
      it.effect(c.name, () =>
        c.run(
          fixerWith(
            {},
            scripted({
              fix_sql_objects: {
                fixes: [
                  proposal(
                    "join-spec-add",
                    {
                      left: { identifier: "main.s.items", alias: "items" },
                      right: { identifier: "main.s.groups", alias: "groups" },
                      condition: "items.group_id = groups.group_id",
                      relationship: "MANY_TO_ONE"
                    },
                    "items ⋈ groups"
                  )
                ]
              },
              fix_metadata: { fixes: [] },
              fix_instruction: { fixes: [] },
              fix_examples: { fixes: [] }
            })
          )
        )
      )
    }
  })
})

/** A model that answers every group with one fix and bills the whole token budget (or 1,000) and $0.01 per call. */
function metered(budget: LlmFixer.Options["budget"], reserve: number) {
  const answer = { fixes: [goodDescription] }
  const model = Layer.effect(
    LanguageModel,
    Effect.map(LanguageModel, (inner) =>
      LanguageModel.of({
        complete: inner.complete,
        completeJson: (request, output) =>
          Effect.map(inner.completeJson(request, output), (c) => ({
            ...c,
            usage: { ...c.usage, inputTokens: budget.maxTokens ?? 1000, outputTokens: 200, costUsd: 0.01 }
          }))
      })
    )
  ).pipe(
    Layer.provideMerge(
      scripted({ fix_metadata: answer, fix_sql_objects: answer, fix_instruction: answer, fix_examples: answer })
    )
  )
  return fixerWith({ budget, maxOutputTokens: reserve }, model)
}
