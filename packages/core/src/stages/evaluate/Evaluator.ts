/**
 * The evaluate stage: turns an expected result and Genie's answer into a `Verdict`. Genie's status is checked
 * first (no SQL, failed, timed out), then the deterministic comparator decides; only what it leaves inconclusive
 * goes to the LLM judge, when the profile enables one. Failures carry a SQL-level diagnosis for the fix stage.
 */
import type { FileSystem } from "@effect/platform"
import { Path } from "@effect/platform"
import { Effect, Layer, Ref } from "effect"
import type { Duration } from "effect"
import type { Benchmark, ComparisonPolicy } from "../../model/Benchmark.js"
import type { EvaluateSettings } from "../../config/Profile.js"
import * as Judge from "./Judge.js"
import * as PromptTemplate from "../../llm/PromptTemplate.js"
import * as ResultSetCompare from "./ResultSetCompare.js"
import * as SqlDiagnosis from "./SqlDiagnosis.js"
import type { ConfigInvalid } from "../../model/Errors.js"
import { Evaluator, StageFailed, Verdict } from "../Stages.js"
import type { Diagnosis, EvaluationStats, GenieAnswer, LanguageModel, ReasonCode, ResultSet } from "../Stages.js"

/** Options shared by the evaluator layers. @category models */
export interface Options {
  /** Comparison defaults under every benchmark's own `comparison` policy (e.g. from a profile). */
  readonly defaults?: ComparisonPolicy
}

const isStageFailed = (u: ResultSet | StageFailed): u is StageFailed => "_tag" in u && u._tag === "StageFailed"

/** The deterministic part of an evaluation: the verdict and, when the rules could not decide, what to judge. */
interface Decision {
  readonly verdict: Verdict
  readonly comparison?: {
    readonly result: ResultSetCompare.Comparison
    readonly expected: ResultSet
    readonly actual: ResultSet
  }
}

const verdictOf = (
  outcome: Verdict["outcome"],
  decidedBy: string,
  reasons: ReadonlyArray<ReasonCode>,
  message?: string,
  diagnosis?: Diagnosis
) =>
  new Verdict({
    outcome,
    decidedBy,
    reasons,
    ...(message === undefined ? {} : { evidence: { message } }),
    ...(diagnosis === undefined ? {} : { diagnosis })
  })

/** Two results (or the failures that stand for them) with the SQL that produced them. @category models */
export interface ResultsInput {
  readonly expected: ResultSet | StageFailed
  readonly actual: ResultSet | StageFailed
  /** Drives the `auto` row-order rule and the LIMIT rules; with Genie's SQL, the diagnosis of a failure. */
  readonly expectedSql?: string
  readonly actualSql?: string
  readonly policy?: ComparisonPolicy | ResultSetCompare.ResolvedPolicy
}

/** The benchmark is broken, not Genie: excluded from the score and reported. */
const excluded = (failure: StageFailed): Decision => ({
  verdict: verdictOf("excluded", "expected-sql-failed", ["EXPECTED_SQL_FAILED"], failure.message)
})

const decideResults = (input: ResultsInput): Decision => {
  const { expected, actual, expectedSql, actualSql } = input
  const diagnose = (reasons: ReadonlyArray<ReasonCode>) =>
    expectedSql === undefined || actualSql === undefined
      ? undefined
      : SqlDiagnosis.diagnose(expectedSql, actualSql, reasons)
  if (isStageFailed(expected)) return excluded(expected)
  if (isStageFailed(actual)) {
    return {
      verdict: verdictOf("fail", "genie-sql-failed", ["GENIE_FAILED"], actual.message, diagnose(["GENIE_FAILED"]))
    }
  }
  const result = ResultSetCompare.compare(expected, actual, {
    ...(input.policy === undefined ? {} : { policy: input.policy }),
    ...(expectedSql === undefined ? {} : { expectedSql })
  })
  const diagnosis = result.outcome === "pass" ? undefined : diagnose(result.reasons)
  return {
    verdict: new Verdict({
      outcome: result.outcome,
      decidedBy: result.decidedBy,
      reasons: result.reasons,
      evidence: result.evidence,
      ...(diagnosis === undefined ? {} : { diagnosis })
    }),
    comparison: { result, expected, actual }
  }
}

/**
 * Decides between two results with the deterministic rules: a failed expected side is `excluded`, a failed actual
 * side fails with `GENIE_FAILED`, otherwise the comparator decides and a failure is diagnosed from the two SQL
 * texts when both are given. What `genie-enhancer compare` reports.
 *
 * @category constructors
 */
export const compareResults = (input: ResultsInput): Verdict => decideResults(input).verdict

const decideDeterministic = (
  benchmark: Benchmark,
  expected: ResultSet | StageFailed,
  answer: GenieAnswer,
  options: Options
): Decision => {
  const policy = ResultSetCompare.resolvePolicy(options.defaults, benchmark.comparison)
  const sqls = { expectedSql: benchmark.expected_sql, ...(answer.sql === undefined ? {} : { actualSql: answer.sql }) }
  // A transient failure (5xx, timeout) of the expected SQL says nothing about the benchmark: an `error`, scored
  // again on resume, not `excluded`.
  if (isStageFailed(expected) && expected.retryable) {
    return { verdict: verdictOf("error", "expected-sql-unavailable", ["TRANSIENT_ERROR"], expected.message) }
  }
  if (isStageFailed(expected)) return excluded(expected)
  const genieError = answer.error?.message
  switch (answer.status) {
    case "TIMEOUT":
      return { verdict: verdictOf("error", "genie-timeout", ["TIMEOUT"], genieError) }
    case "UNAVAILABLE":
      return { verdict: verdictOf("error", "genie-unavailable", ["TRANSIENT_ERROR"], genieError ?? answer.status) }
    case "CANCELLED":
    case "QUERY_RESULT_EXPIRED":
      return { verdict: verdictOf("error", "genie-interrupted", ["TRANSIENT_ERROR"], genieError ?? answer.status) }
    case "FAILED":
      return {
        verdict: verdictOf("fail", "genie-failed", ["GENIE_FAILED"], genieError, {
          category: "GENIE_ERROR",
          findings: [{ category: "GENIE_ERROR", message: genieError ?? "Genie failed to answer" }]
        })
      }
    case "COMPLETED":
      break
  }
  if (answer.sql === undefined || answer.sql.trim() === "") {
    const message =
      answer.text === undefined ? "Genie answered without a query" : `Genie answered in text: ${answer.text}`
    return {
      verdict: verdictOf("fail", "no-sql", ["NO_SQL"], message, {
        category: "NO_SQL",
        findings: [{ category: "NO_SQL", message }]
      })
    }
  }
  if (answer.result === undefined && genieError === undefined) {
    return { verdict: verdictOf("error", "no-result", ["TRANSIENT_ERROR"], "no result was fetched for Genie's query") }
  }
  // No result but an error: Genie's query failed on the warehouse, which is Genie's fault.
  const actual =
    answer.result ?? new StageFailed({ stage: "execute", message: genieError ?? "query failed", retryable: false })
  return decideResults({ expected, actual, policy, ...sqls })
}

/**
 * Evaluates with the deterministic rules only (no judge): what `layerDeterministic` does for each benchmark.
 *
 * @category constructors
 */
export const decide = (
  benchmark: Benchmark,
  expected: ResultSet | StageFailed,
  answer: GenieAnswer,
  options: Options = {}
): Verdict => decideDeterministic(benchmark, expected, answer, options).verdict

const emptyStats: EvaluationStats = {
  evaluated: 0,
  outcomes: { pass: 0, fail: 0, error: 0, excluded: 0, inconclusive: 0 },
  neededJudge: 0,
  judgeDecided: 0,
  judgeCalls: 0,
  judgeCacheHits: 0,
  judgeFailures: 0
}

const withJudgement = (verdict: Verdict, result: Judge.JudgeResult): Verdict => {
  if (result._tag === "Failed") {
    const note = verdict.evidence?.message
    return new Verdict({
      outcome: verdict.outcome,
      decidedBy: verdict.decidedBy,
      reasons: verdict.reasons,
      evidence: { ...verdict.evidence, message: note === undefined ? result.message : `${note}; ${result.message}` },
      ...(verdict.diagnosis === undefined ? {} : { diagnosis: verdict.diagnosis })
    })
  }
  const { record } = result
  const decided = record.verdict !== "unsure"
  const reasons: Array<ReasonCode> = [...verdict.reasons, "LLM_JUDGE"]
  return new Verdict({
    outcome: decided ? record.verdict : "inconclusive",
    decidedBy: decided ? "llm-judge" : verdict.decidedBy,
    reasons,
    judge: record,
    ...(verdict.evidence === undefined ? {} : { evidence: verdict.evidence }),
    ...(verdict.diagnosis === undefined || record.verdict === "pass" ? {} : { diagnosis: verdict.diagnosis })
  })
}

const makeEvaluator = (
  options: Options,
  judge: { readonly service: Judge.Judge; readonly egress: Judge.EgressSettings } | undefined
) =>
  Effect.gen(function* () {
    const counts = yield* Ref.make(emptyStats)
    const record = (verdict: Verdict, neededJudge: boolean) =>
      Ref.update(counts, (s) => ({
        ...s,
        evaluated: s.evaluated + 1,
        outcomes: { ...s.outcomes, [verdict.outcome]: s.outcomes[verdict.outcome] + 1 },
        neededJudge: s.neededJudge + (neededJudge ? 1 : 0),
        judgeDecided: s.judgeDecided + (verdict.decidedBy === "llm-judge" ? 1 : 0)
      }))

    const evaluate = (benchmark: Benchmark, expected: ResultSet | StageFailed, answer: GenieAnswer) =>
      Effect.gen(function* () {
        const { verdict, comparison } = decideDeterministic(benchmark, expected, answer, options)
        if (verdict.outcome !== "inconclusive") {
          yield* record(verdict, false)
          return verdict
        }
        if (judge === undefined || comparison === undefined) {
          yield* record(verdict, true)
          return verdict
        }
        const judgeCase = Judge.makeCase({
          benchmarkId: benchmark.id,
          question: benchmark.question,
          expectedSql: benchmark.expected_sql,
          expected: comparison.expected,
          answer,
          actual: comparison.actual,
          comparison: comparison.result,
          ...(verdict.diagnosis === undefined ? {} : { diagnosis: verdict.diagnosis }),
          egress: judge.egress
        })
        const judged = withJudgement(verdict, yield* judge.service.judge(judgeCase))
        yield* record(judged, true)
        return judged
      }).pipe(Effect.withSpan("Evaluator.evaluate", { attributes: { benchmarkId: benchmark.id } }))

    const stats = Effect.gen(function* () {
      const s = yield* Ref.get(counts)
      const j = judge === undefined ? undefined : yield* judge.service.stats
      return j === undefined ? s : { ...s, judgeCalls: j.calls, judgeCacheHits: j.cacheHits, judgeFailures: j.failures }
    })
    return Evaluator.of({ evaluate, stats })
  })

/**
 * An `Evaluator` with the deterministic rules only: inconclusive verdicts stay inconclusive (not a pass).
 *
 * @category layers
 */
export const layerDeterministic = (options: Options = {}): Layer.Layer<Evaluator> =>
  Layer.effect(Evaluator, makeEvaluator(options, undefined))

/** Options of {@link layer}. @category models */
export interface JudgeLayerOptions extends Options {
  /** The profile's `evaluate` settings: `judge.enabled`, `chunkSize`, `sendRows`, `sampleRows`. */
  readonly settings: EvaluateSettings
  /** The judge prompt (see `Judge.promptFile`, loaded with `PromptTemplate.load`). */
  readonly prompt: PromptTemplate.PromptTemplate
  readonly batchWindow?: Duration.DurationInput
}

/**
 * An `Evaluator` whose inconclusive verdicts go to the LLM judge (when `settings.judge.enabled`), batched in chunks
 * of `settings.chunkSize` across concurrent `evaluate` calls and cached by content. Needs `LanguageModel`, to which
 * the safety layer (retry, breaker, rate limit) is applied as a decorator by whoever provides it.
 *
 * @category layers
 */
export const layer = (options: JudgeLayerOptions): Layer.Layer<Evaluator, never, LanguageModel> =>
  Layer.scoped(
    Evaluator,
    Effect.gen(function* () {
      const { settings } = options
      if (!settings.judge.enabled) return yield* makeEvaluator(options, undefined)
      const egress = { sendRows: settings.sendRows, sampleRows: settings.sampleRows }
      const service = yield* Judge.make({
        prompt: options.prompt,
        chunkSize: settings.chunkSize,
        ...egress,
        ...(options.batchWindow === undefined ? {} : { batchWindow: options.batchWindow })
      })
      return yield* makeEvaluator(options, { service, egress })
    })
  )

/**
 * {@link layer} with the judge prompt read from a prompts directory (`<promptsDir>/judge/result-equivalence.v1.md`).
 *
 * @category layers
 */
export const layerFromPrompts = (
  options: Omit<JudgeLayerOptions, "prompt"> & { readonly promptsDir: string }
): Layer.Layer<Evaluator, ConfigInvalid, LanguageModel | FileSystem.FileSystem | Path.Path> =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      const path = yield* Path.Path
      const prompt = yield* PromptTemplate.load(path.join(options.promptsDir, Judge.promptFile))
      return layer({ ...options, prompt })
    })
  )
