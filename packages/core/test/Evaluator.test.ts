import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import * as Evaluator from "../src/stages/evaluate/Evaluator.js"
import { Evaluator as EvaluatorTag, StageFailed, Verdict } from "../src/stages/Stages.js"
import { answer, benchmark, result } from "./evaluate.js"

const sales = result("region:STRING,total:DECIMAL", [
  ["EU", "10.50"],
  ["US", "20.00"]
])
const expectedFailed = new StageFailed({
  stage: "execute",
  message: "[TABLE_OR_VIEW_NOT_FOUND] orders",
  retryable: false
})

describe("Evaluator.decide: Genie's status and the expected SQL", () => {
  const cases: ReadonlyArray<{
    readonly name: string
    readonly expected?: typeof sales | StageFailed
    readonly answer: ReturnType<typeof answer>
    readonly outcome: Verdict["outcome"]
    readonly decidedBy: string
    readonly reason: string
    readonly category?: string
  }> = [
    {
      name: "a failing expected SQL excludes the benchmark, whatever Genie did",
      expected: expectedFailed,
      answer: answer({ result: sales }),
      outcome: "excluded",
      decidedBy: "expected-sql-failed",
      reason: "EXPECTED_SQL_FAILED"
    },
    {
      name: "an expected SQL that failed transiently (503 through its retries) is an error, not excluded",
      expected: new StageFailed({ stage: "execute", message: "HTTP 503", retryable: true }),
      answer: answer({ result: sales }),
      outcome: "error",
      decidedBy: "expected-sql-unavailable",
      reason: "TRANSIENT_ERROR"
    },
    {
      name: "Genie unavailable through its retries is an error labelled as transient",
      answer: answer({ status: "UNAVAILABLE" }),
      outcome: "error",
      decidedBy: "genie-unavailable",
      reason: "TRANSIENT_ERROR"
    },
    {
      name: "a Genie timeout is an error, not a failure of the space",
      answer: answer({ status: "TIMEOUT" }),
      outcome: "error",
      decidedBy: "genie-timeout",
      reason: "TIMEOUT"
    },
    {
      name: "a cancelled message is a transient error",
      answer: answer({ status: "CANCELLED" }),
      outcome: "error",
      decidedBy: "genie-interrupted",
      reason: "TRANSIENT_ERROR"
    },
    {
      name: "a FAILED Genie message fails with GENIE_FAILED",
      answer: answer({ status: "FAILED", error: { type: "INTERNAL", message: "model error" } }),
      outcome: "fail",
      decidedBy: "genie-failed",
      reason: "GENIE_FAILED",
      category: "GENIE_ERROR"
    },
    {
      name: "an answer without SQL fails with NO_SQL",
      answer: answer({ sql: undefined, text: "Which region do you mean?" }),
      outcome: "fail",
      decidedBy: "no-sql",
      reason: "NO_SQL",
      category: "NO_SQL"
    },
    {
      name: "Genie's SQL failing on the warehouse fails with GENIE_FAILED",
      answer: answer({ error: { type: "SQL", message: "[UNRESOLVED_COLUMN] amount" } }),
      outcome: "fail",
      decidedBy: "genie-sql-failed",
      reason: "GENIE_FAILED"
    },
    {
      name: "SQL without a fetched result is a transient error",
      answer: answer(),
      outcome: "error",
      decidedBy: "no-result",
      reason: "TRANSIENT_ERROR"
    }
  ]

  for (const c of cases) {
    it(c.name, () => {
      const verdict = Evaluator.decide(benchmark("b"), c.expected ?? sales, c.answer)
      assert.strictEqual(verdict.outcome, c.outcome)
      assert.strictEqual(verdict.decidedBy, c.decidedBy)
      assert.deepStrictEqual([...verdict.reasons], [c.reason])
      if (c.category !== undefined) assert.strictEqual(verdict.diagnosis?.category, c.category)
    })
  }

  it("keeps the expected SQL's error message as evidence of the broken benchmark", () => {
    const verdict = Evaluator.decide(benchmark("b"), expectedFailed, answer())
    assert.strictEqual(verdict.evidence?.message, "[TABLE_OR_VIEW_NOT_FOUND] orders")
  })
})

describe("Evaluator.decide: comparing results", () => {
  it("a matching result passes without a diagnosis", () => {
    const verdict = Evaluator.decide(benchmark("b"), sales, answer({ result: sales }))
    assert.strictEqual(verdict.outcome, "pass")
    assert.isUndefined(verdict.diagnosis)
  })

  it("a wrong result fails with the SQL-level diagnosis", () => {
    const verdict = Evaluator.decide(
      benchmark("b"),
      sales,
      answer({
        result: result("region:STRING,total:DECIMAL", [
          ["EU", "12.00"],
          ["US", "20.00"]
        ])
      })
    )
    assert.strictEqual(verdict.outcome, "fail")
    assert.deepStrictEqual([...verdict.reasons], ["SINGLE_CELL_DIFFERENCE"])
    assert.strictEqual(verdict.diagnosis?.category, "WRONG_FILTER")
    assert.strictEqual(
      verdict.diagnosis?.findings[0]?.message,
      "expected filter orders.status = 'complete', Genie had none"
    )
  })

  it("applies the benchmark's own comparison policy over the defaults", () => {
    const reversed = result("region:STRING,total:DECIMAL", [...sales.rows].reverse())
    const strict = benchmark("s", { comparison: { row_order: "strict" } })
    assert.strictEqual(Evaluator.decide(strict, sales, answer({ result: reversed })).outcome, "fail")
    assert.strictEqual(
      Evaluator.decide(benchmark("d"), sales, answer({ result: reversed }), { defaults: { row_order: "strict" } })
        .outcome,
      "fail"
    )
    assert.strictEqual(
      Evaluator.decide(strict, sales, answer({ result: reversed }), { defaults: { row_order: "ignore" } }).outcome,
      "fail"
    )
    assert.strictEqual(Evaluator.decide(benchmark("d"), sales, answer({ result: reversed })).outcome, "pass")
  })

  it("a verdict with evidence and diagnosis survives a JSON round trip (journals rely on it)", () => {
    const verdict = Evaluator.decide(
      benchmark("b"),
      sales,
      answer({ result: result("region:STRING,total:DECIMAL", [["EU", null]]) })
    )
    const encoded = JSON.parse(JSON.stringify(Schema.encodeSync(Verdict)(verdict))) as unknown
    assert.deepStrictEqual(Schema.decodeUnknownSync(Verdict)(encoded), verdict)
  })
})

describe("Evaluator.layerDeterministic", () => {
  it.effect("evaluates through the Evaluator tag and counts outcomes", () =>
    Effect.gen(function* () {
      const evaluator = yield* EvaluatorTag
      yield* evaluator.evaluate(benchmark("a"), sales, answer({ result: sales }))
      yield* evaluator.evaluate(benchmark("b"), expectedFailed, answer())
      const inconclusive = yield* evaluator.evaluate(
        benchmark("c"),
        result("n:LONG", [["1"]]),
        answer({ result: result("n:STRING", [["1"]]) })
      )
      assert.strictEqual(inconclusive.outcome, "inconclusive")
      const stats = yield* evaluator.stats
      assert.deepStrictEqual(stats, {
        evaluated: 3,
        outcomes: { pass: 1, fail: 0, error: 0, excluded: 1, inconclusive: 1 },
        neededJudge: 1,
        judgeDecided: 0,
        judgeCalls: 0,
        judgeCacheHits: 0,
        judgeFailures: 0
      })
    }).pipe(Effect.provide(Evaluator.layerDeterministic()))
  )
})

describe("Evaluator.compareResults", () => {
  const expectedSql = "SELECT region, SUM(amount) AS total FROM main.sales.orders GROUP BY region"

  it("a failed expected side is excluded, a failed actual side fails and is diagnosed", () => {
    assert.strictEqual(Evaluator.compareResults({ expected: expectedFailed, actual: sales }).outcome, "excluded")
    const failed = Evaluator.compareResults({
      expected: sales,
      actual: new StageFailed({ stage: "execute", message: "[UNRESOLVED_COLUMN] amt", retryable: false }),
      expectedSql,
      actualSql: "SELECT region, SUM(amt) AS total FROM main.sales.orders_v2 GROUP BY region"
    })
    assert.strictEqual(failed.outcome, "fail")
    assert.deepStrictEqual([...failed.reasons], ["GENIE_FAILED"])
    assert.strictEqual(failed.diagnosis?.category, "WRONG_TABLE")
  })

  it("diagnoses only with both SQL texts", () => {
    const other = result("region:STRING,total:DECIMAL", [["EU", "1.00"]])
    assert.isUndefined(Evaluator.compareResults({ expected: sales, actual: other, expectedSql }).diagnosis)
    assert.isDefined(
      Evaluator.compareResults({ expected: sales, actual: other, expectedSql, actualSql: expectedSql }).diagnosis
    )
  })
})
