import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, TestClock } from "effect"
import { ProviderError } from "../src/model/Errors.js"
import * as Evaluator from "../src/stages/evaluate/Evaluator.js"
import type { EvaluateSettings } from "../src/config/Profile.js"
import * as PromptTemplate from "../src/llm/PromptTemplate.js"
import { Evaluator as EvaluatorTag } from "../src/stages/Stages.js"
import type { CompletionRequest } from "../src/stages/Stages.js"
import { ScriptedLanguageModel } from "../src/testing/index.js"
import { ScriptedRequests } from "../src/testing/ScriptedLanguageModel.js"
import { answer, benchmark, inconclusivePair, promptPath, promptText, result } from "./evaluate.js"

const settings = (overrides: Partial<EvaluateSettings> = {}): EvaluateSettings => ({
  chunkSize: 3,
  judge: { enabled: true },
  sendRows: true,
  sampleRows: 2,
  ...overrides
})

interface SentCase {
  readonly id: string
  readonly benchmarkId: string
}

/** The cases a judge request carries (the JSON block at the end of the prompt). */
const casesIn = (request: CompletionRequest): Array<SentCase> => {
  const content = request.messages[0].content
  const block = content.slice(content.lastIndexOf("```\n{") + 4, content.lastIndexOf("\n```"))
  return block.split("\n").map((line) => JSON.parse(line) as SentCase)
}

/** A judge that passes every case, except benchmarks whose id contains "bad". */
const passAll = (request: CompletionRequest) =>
  Effect.succeed({
    verdicts: casesIn(request).map((c) => ({
      id: c.id,
      verdict: c.benchmarkId.includes("bad") ? "fail" : "pass",
      confidence: 0.9,
      reasons: c.benchmarkId.includes("bad") ? ["LLM_JUDGE_FORMATTING_ERROR"] : [],
      explanation: "checked"
    }))
  })

const withJudge = (
  respond: ScriptedLanguageModel.Responder,
  evaluate: Partial<EvaluateSettings> = {}
): Layer.Layer<EvaluatorTag | ScriptedRequests> => {
  const model = ScriptedLanguageModel.layer(respond)
  const evaluator = Layer.unwrapEffect(
    Effect.map(PromptTemplate.parse(promptText, promptPath), (prompt) =>
      Evaluator.layer({ settings: settings(evaluate), prompt, batchWindow: "1 second" })
    )
  ).pipe(Layer.orDie)
  return Layer.merge(evaluator.pipe(Layer.provide(model)), model)
}

/** Starts `effect`, lets every batch window elapse on the test clock, and waits for the result. */
const settled = <A, R>(effect: Effect.Effect<A, never, R>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(effect)
    for (let i = 0; i < 5; i++) yield* TestClock.adjust("1 second")
    return yield* Fiber.join(fiber)
  })

const evaluateInconclusive = (id: string, value: string) =>
  Effect.flatMap(EvaluatorTag, (evaluator) => {
    const pair = inconclusivePair(value)
    return evaluator.evaluate(benchmark(id), pair.expected, pair.answer)
  })

describe("Evaluator.layer: the LLM judge", () => {
  it.effect("only inconclusive verdicts reach the judge; decided ones never do", () =>
    Effect.gen(function* () {
      const evaluator = yield* EvaluatorTag
      const same = result("n:LONG", [["7"]])
      const pass = yield* evaluator.evaluate(benchmark("p"), same, answer({ result: same }))
      const fail = yield* evaluator.evaluate(benchmark("f"), same, answer({ result: result("n:LONG", [["8"]]) }))
      const judged = yield* settled(evaluateInconclusive("i", "42"))
      assert.strictEqual(pass.outcome, "pass")
      assert.strictEqual(fail.outcome, "fail")
      assert.strictEqual(judged.outcome, "pass")
      assert.strictEqual(judged.decidedBy, "llm-judge")
      assert.includeMembers([...judged.reasons], ["COLUMN_TYPE_DIFFERENCE", "LLM_JUDGE"])
      assert.deepInclude(judged.judge!, { verdict: "pass", confidence: 0.9, prompt: "judge/result-equivalence@1" })
      const requests = yield* (yield* ScriptedRequests).all
      assert.strictEqual(requests.length, 1)
      assert.deepStrictEqual(
        casesIn(requests[0].request).map((c) => c.benchmarkId),
        ["i"]
      )
      const stats = yield* evaluator.stats
      assert.deepInclude(stats, { evaluated: 3, neededJudge: 1, judgeDecided: 1, judgeCalls: 1, judgeCacheHits: 0 })
      assert.deepStrictEqual(stats.outcomes, { pass: 2, fail: 1, error: 0, excluded: 0, inconclusive: 0 })
    }).pipe(Effect.provide(withJudge(passAll)))
  )

  it.effect("concurrent inconclusive cases are batched into requests of at most chunkSize cases", () =>
    Effect.gen(function* () {
      const verdicts = yield* settled(
        Effect.all(
          Array.from({ length: 7 }, (_, i) => evaluateInconclusive(`b${i}`, String(100 + i))),
          { concurrency: "unbounded" }
        )
      )
      assert.isTrue(verdicts.every((v) => v.outcome === "pass"))
      const requests = yield* (yield* ScriptedRequests).all
      const sizes = requests.map((r) => casesIn(r.request).length).sort()
      assert.deepStrictEqual(sizes, [1, 3, 3])
      const sent = requests.flatMap((r) => casesIn(r.request).map((c) => c.benchmarkId)).sort()
      assert.deepStrictEqual(sent, ["b0", "b1", "b2", "b3", "b4", "b5", "b6"])
      assert.strictEqual(requests[0].output, "judge_verdicts")
      assert.strictEqual(requests[0].request.stage, "judge")
      assert.strictEqual((yield* (yield* EvaluatorTag).stats).judgeCalls, 3)
    }).pipe(Effect.provide(withJudge(passAll)))
  )

  it.effect("a partly filled chunk waits for the batch window before it is sent", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(evaluateInconclusive("w", "5"))
      yield* TestClock.adjust("999 millis")
      assert.strictEqual((yield* (yield* ScriptedRequests).all).length, 0)
      yield* TestClock.adjust("1 millis")
      const verdict = yield* Fiber.join(fiber)
      assert.strictEqual(verdict.outcome, "pass")
      assert.strictEqual((yield* (yield* ScriptedRequests).all).length, 1)
    }).pipe(Effect.provide(withJudge(passAll)))
  )

  it.effect("the same case is judged once: later and concurrent repeats come from the cache", () =>
    Effect.gen(function* () {
      const first = yield* settled(evaluateInconclusive("c", "9"))
      const [second, third] = yield* settled(
        Effect.all([evaluateInconclusive("c", "9"), evaluateInconclusive("c", "9")], { concurrency: "unbounded" })
      )
      assert.strictEqual(first.judge?.cached, false)
      assert.strictEqual(second.judge?.cached, true)
      assert.strictEqual(third.judge?.cached, true)
      assert.strictEqual(second.outcome, "pass")
      assert.strictEqual((yield* (yield* ScriptedRequests).all).length, 1)
      // A different case is a new request.
      yield* settled(evaluateInconclusive("c", "10"))
      assert.strictEqual((yield* (yield* ScriptedRequests).all).length, 2)
      assert.deepInclude(yield* (yield* EvaluatorTag).stats, { neededJudge: 4, judgeCalls: 2, judgeCacheHits: 2 })
    }).pipe(Effect.provide(withJudge(passAll)))
  )

  it.effect("verdicts are matched by case id, not by position", () =>
    Effect.gen(function* () {
      const [good, bad] = yield* settled(
        Effect.all([evaluateInconclusive("good", "1"), evaluateInconclusive("bad", "2")], { concurrency: "unbounded" })
      )
      assert.strictEqual(good.outcome, "pass")
      assert.strictEqual(bad.outcome, "fail")
      assert.deepStrictEqual(bad.judge?.reasons, ["LLM_JUDGE_FORMATTING_ERROR"])
      assert.isDefined(bad.diagnosis)
      assert.isUndefined(good.diagnosis)
    }).pipe(
      Effect.provide(
        // Answers in reverse order.
        withJudge((request) => Effect.map(passAll(request), (out) => ({ verdicts: [...out.verdicts].reverse() })))
      )
    )
  )

  it.effect("a case the judge leaves out stays inconclusive and is asked again later", () =>
    Effect.gen(function* () {
      const [kept, dropped] = yield* settled(
        Effect.all([evaluateInconclusive("kept", "1"), evaluateInconclusive("dropped", "2")], {
          concurrency: "unbounded"
        })
      )
      assert.strictEqual(kept.outcome, "pass")
      assert.strictEqual(dropped.outcome, "inconclusive")
      assert.include(dropped.evidence?.message ?? "", "no verdict for this case")
      yield* settled(evaluateInconclusive("dropped", "2"))
      assert.strictEqual((yield* (yield* ScriptedRequests).all).length, 2)
    }).pipe(
      Effect.provide(
        withJudge((request) =>
          Effect.map(passAll(request), (out) => ({
            verdicts: out.verdicts.filter((v) => casesIn(request).find((c) => c.id === v.id)?.benchmarkId !== "dropped")
          }))
        )
      )
    )
  )

  it.effect("a failed judge request leaves the verdicts inconclusive, uncached, and is counted", () =>
    Effect.gen(function* () {
      const verdict = yield* settled(evaluateInconclusive("x", "3"))
      assert.strictEqual(verdict.outcome, "inconclusive")
      assert.strictEqual(verdict.decidedBy, "type-difference")
      assert.include(verdict.evidence?.message ?? "", "judge request failed: RateLimited")
      yield* settled(evaluateInconclusive("x", "3"))
      const stats = yield* (yield* EvaluatorTag).stats
      assert.deepInclude(stats, { judgeCalls: 2, judgeFailures: 2, judgeCacheHits: 0, judgeDecided: 0 })
      assert.strictEqual(stats.outcomes.inconclusive, 2)
    }).pipe(
      Effect.provide(
        withJudge(() =>
          Effect.fail(
            new ProviderError({ provider: "p", reason: "RateLimited", message: "slow down", retryable: true })
          )
        )
      )
    )
  )

  it.effect("an answer that does not match the output schema is a failed request", () =>
    Effect.gen(function* () {
      const verdict = yield* settled(evaluateInconclusive("y", "4"))
      assert.strictEqual(verdict.outcome, "inconclusive")
      assert.include(verdict.evidence?.message ?? "", "InvalidOutput")
    }).pipe(Effect.provide(withJudge(() => Effect.succeed({ verdicts: [{ id: "case-1", verdict: "maybe" }] }))))
  )

  it.effect("an unsure judge keeps the verdict inconclusive but records its view", () =>
    Effect.gen(function* () {
      const verdict = yield* settled(evaluateInconclusive("u", "5"))
      assert.strictEqual(verdict.outcome, "inconclusive")
      assert.strictEqual(verdict.judge?.verdict, "unsure")
      assert.strictEqual((yield* (yield* EvaluatorTag).stats).judgeDecided, 0)
    }).pipe(
      Effect.provide(
        withJudge((request) =>
          Effect.succeed({
            verdicts: casesIn(request).map((c) => ({
              id: c.id,
              verdict: "unsure",
              confidence: 0.3,
              reasons: [],
              explanation: "?"
            }))
          })
        )
      )
    )
  )

  it.effect("with the judge disabled nothing is sent and inconclusive stays inconclusive", () =>
    Effect.gen(function* () {
      const verdict = yield* evaluateInconclusive("d", "6")
      assert.strictEqual(verdict.outcome, "inconclusive")
      assert.strictEqual((yield* (yield* ScriptedRequests).all).length, 0)
      assert.deepInclude(yield* (yield* EvaluatorTag).stats, { neededJudge: 1, judgeCalls: 0 })
    }).pipe(Effect.provide(withJudge(passAll, { judge: { enabled: false } })))
  )
})

describe("Evaluator.layer: data egress", () => {
  const secretRows = [
    ["ZQX-SECRET-77", "987654.321"],
    ["ANOTHER-SECRET", "111.5"],
    ["THIRD-ROW-SECRET", "222.25"]
  ]
  /** Truncated Genie rows: inconclusive, with values that must not leave in egress mode. */
  const egressCase = Effect.flatMap(EvaluatorTag, (evaluator) =>
    evaluator.evaluate(
      benchmark("egress"),
      result("customer:STRING,total:DECIMAL", secretRows),
      answer({ result: result("customer:STRING,total:DECIMAL", secretRows.slice(0, 2), true) })
    )
  )
  const sentText = Effect.map(
    Effect.flatMap(ScriptedRequests, (r) => r.all),
    (all) => all.map((r) => JSON.stringify(r.request)).join("\n")
  )

  it.effect("sendRows: false sends no row value at all, only schemas, counts and reasons", () =>
    Effect.gen(function* () {
      const verdict = yield* settled(egressCase)
      assert.strictEqual(verdict.outcome, "pass")
      const text = yield* sentText
      for (const value of secretRows.flat()) assert.notInclude(text, value)
      assert.include(text, "customer")
      assert.include(text, "TRUNCATED_RESULT")
      assert.include(text, "Data-egress mode is on")
      assert.notInclude(text, "sampleRows")
    }).pipe(Effect.provide(withJudge(passAll, { sendRows: false })))
  )

  it.effect("sendRows: true sends at most sampleRows rows per result", () =>
    Effect.gen(function* () {
      yield* settled(egressCase)
      const text = yield* sentText
      assert.include(text, "ZQX-SECRET-77")
      assert.include(text, "ANOTHER-SECRET")
      assert.notInclude(text, "THIRD-ROW-SECRET")
    }).pipe(Effect.provide(withJudge(passAll, { sendRows: true, sampleRows: 2 })))
  )
})
