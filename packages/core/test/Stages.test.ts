import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Layer, Schema } from "effect"
import * as Errors from "../src/model/Errors.js"
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

describe("stage services", () => {
  it.effect("an implementation provided as a layer is reached through the tag", () =>
    Effect.gen(function* () {
      const asker = yield* Stages.Asker
      const answer = yield* asker.ask("space", "How many orders?")
      assert.strictEqual(answer.sql, "SELECT COUNT(*) FROM orders -- How many orders?")
    }).pipe(
      Effect.provide(
        Layer.succeed(Stages.Asker, {
          ask: (_spaceId, question) =>
            Effect.succeed(
              new Stages.GenieAnswer({
                status: "COMPLETED",
                sql: `SELECT COUNT(*) FROM orders -- ${question}`,
                attempts: 1,
                elapsedMs: 0
              })
            ),
          resume: (pending) =>
            Effect.fail(
              new Stages.GenieError({
                reason: "NotFound",
                message: `no message ${pending.messageId}`,
                retryable: false,
                rateLimited: false
              })
            )
        })
      )
    )
  )

  it.effect("stage failures are typed and carry retryability", () =>
    Effect.gen(function* () {
      const executor = yield* Stages.Executor
      const error = yield* Effect.flip(executor.execute("SELECT 1"))
      assert.strictEqual(error._tag, "SqlFailed")
      assert.isTrue(Errors.isRetryable(error))
    }).pipe(
      Effect.provide(
        Layer.succeed(Stages.Executor, {
          execute: () =>
            Effect.fail(
              new Stages.SqlFailed({ message: "503", retryable: true, rateLimited: false, callerError: false })
            )
        })
      )
    )
  )
})
