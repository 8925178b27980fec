import { assert, describe, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import * as Stages from "../src/stages/Stages.js"

const result = new Stages.BenchmarkResult({
  benchmarkId: "rev_001",
  answer: new Stages.GenieAnswer({
    status: "COMPLETED",
    sql: "SELECT 1",
    attempts: 1,
    elapsedMs: 1200,
    conversationId: "c1",
    messageId: "m1",
    result: new Stages.ResultSet({
      columns: [new Stages.Column({ name: "x", typeName: "INT" })],
      rows: [["1"], [null]],
      rowCount: 2,
      truncated: false,
      elapsedMs: 10
    })
  }),
  verdict: new Stages.Verdict({ outcome: "fail", decidedBy: "bag-equality", reasons: ["RESULT_EXTRA_ROWS"] }),
  failureCategory: "WRONG_FILTER"
})

describe("stage IO types", () => {
  it("a benchmark result survives a JSON round trip (run journals and --json rely on it)", () => {
    const encoded = JSON.stringify(Schema.encodeSync(Stages.BenchmarkResult)(result))
    const decoded = Schema.decodeUnknownSync(Stages.BenchmarkResult)(JSON.parse(encoded))
    assert.deepStrictEqual(decoded, result)
    assert.strictEqual(decoded.answer?.result?.rows[1]?.[0], null)
  })

  it("rejects reason codes outside the taxonomy", () => {
    const bad = { outcome: "fail", decidedBy: "x", reasons: ["MADE_UP"] }
    assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(Stages.Verdict)(bad)))
  })

  it("rejects an unknown fix category", () => {
    const bad = { category: "rewrite-everything", target: "$", rationale: "r", sourceBenchmarkIds: [] }
    assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(Stages.Fix)(bad)))
  })
})
