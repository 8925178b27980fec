/**
 * The LLM judge for verdicts the deterministic rules leave inconclusive. Concurrent cases are batched into one
 * request of up to `chunkSize` cases, identical cases are answered from a content-hash cache, and in data-egress
 * mode (`sendRows: false`) no row value leaves the process — only the question, both SQL texts, column schemas,
 * row counts and the comparator's reason codes.
 *
 * Effect's own request batching groups requests composed within one fiber; scorers call `evaluate` from many
 * independent fibers, so cases are gathered in a queue instead and flushed when a chunk is full or after a short
 * window.
 */
import { Deferred, Duration, Effect, Queue, Ref, Schema } from "effect"
import type { Scope } from "effect"
import { stableHash } from "../../model/Benchmark.js"
import type { Comparison } from "./ResultSetCompare.js"
import * as PromptTemplate from "../../llm/PromptTemplate.js"
import { JudgeReason, LanguageModel } from "../Stages.js"
import type { Diagnosis, GenieAnswer, JudgeRecord, ReasonCode, ResultSet } from "../Stages.js"

/** The judge prompt, relative to the prompts directory. @category configuration */
export const promptFile = "judge/result-equivalence.v1.md"

/** A result set as the judge sees it: the schema and counts, and sample rows unless data egress is off. @category models */
export interface ResultSummary {
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: string }>
  readonly rowCount: number
  readonly truncated: boolean
  readonly sampleRows?: ReadonlyArray<ReadonlyArray<string | null>>
}

/** One inconclusive case, exactly as it is sent (and hashed for the cache). @category models */
export interface JudgeCase {
  readonly benchmarkId: string
  readonly question: string
  readonly expectedSql: string
  readonly genieSql: string | null
  readonly expected: ResultSummary
  readonly genie: ResultSummary
  readonly comparator: {
    readonly rule: string
    readonly reasons: ReadonlyArray<ReasonCode>
    readonly note?: string
    readonly columnMapping?: ReadonlyArray<{ readonly expected: string; readonly genie: string | null }>
    /** First differing cells; only when rows may be sent. */
    readonly differences?: ReadonlyArray<unknown>
  }
  readonly sqlDifferences: ReadonlyArray<string>
}

/** What the judge makes of a case. @category models */
export type JudgeResult =
  { readonly _tag: "Judged"; readonly record: JudgeRecord } | { readonly _tag: "Failed"; readonly message: string }

/** How data may leave the process, from the profile's `evaluate` settings. @category models */
export interface EgressSettings {
  readonly sendRows: boolean
  readonly sampleRows: number
}

const summarize = (result: ResultSet, egress: EgressSettings): ResultSummary => ({
  columns: result.columns.map((c) => ({ name: c.name, type: c.typeText ?? c.typeName })),
  rowCount: Math.max(result.rowCount, result.rows.length),
  truncated: result.truncated,
  ...(egress.sendRows ? { sampleRows: result.rows.slice(0, egress.sampleRows) } : {})
})

/**
 * Builds the case for an inconclusive comparison. With `sendRows: false` it holds no row value: no sample rows,
 * no differing cells, no evidence message that quotes data.
 *
 * @category constructors
 */
export const makeCase = (input: {
  readonly benchmarkId: string
  readonly question: string
  readonly expectedSql: string
  readonly expected: ResultSet
  readonly answer: GenieAnswer
  readonly actual: ResultSet
  readonly comparison: Comparison
  readonly diagnosis?: Diagnosis
  readonly egress: EgressSettings
}): JudgeCase => {
  const { comparison, egress } = input
  const mapping = comparison.evidence.columnMapping
  return {
    benchmarkId: input.benchmarkId,
    question: input.question,
    expectedSql: input.expectedSql,
    genieSql: input.answer.sql ?? null,
    expected: summarize(input.expected, egress),
    genie: summarize(input.actual, egress),
    comparator: {
      rule: comparison.decidedBy,
      reasons: comparison.reasons,
      ...(comparison.evidence.message === undefined ? {} : { note: comparison.evidence.message }),
      ...(mapping === undefined
        ? {}
        : { columnMapping: mapping.map((m) => ({ expected: m.expected, genie: m.actual })) }),
      ...(egress.sendRows && comparison.evidence.differences !== undefined
        ? { differences: comparison.evidence.differences }
        : {})
    },
    sqlDifferences: (input.diagnosis?.findings ?? []).map((f) => f.message)
  }
}

/**
 * The JSON the judge must answer with: one verdict per case id (matched by id, never by position).
 *
 * @category models
 */
export const JudgeOutput = Schema.Struct({
  verdicts: Schema.Array(
    Schema.Struct({
      id: Schema.String,
      verdict: Schema.Literal("pass", "fail", "unsure"),
      confidence: Schema.Number,
      reasons: Schema.Array(JudgeReason),
      explanation: Schema.String
    })
  )
})
/** @category models */
export type JudgeOutput = typeof JudgeOutput.Type

/** Counts the judge keeps. @category models */
export interface JudgeStats {
  readonly calls: number
  readonly cacheHits: number
  readonly failures: number
}

/** Options of {@link make}. @category models */
export interface JudgeOptions extends EgressSettings {
  readonly prompt: PromptTemplate.PromptTemplate
  /** Most cases in one request (the profile's `evaluate.chunkSize`). */
  readonly chunkSize: number
  /** How long a partly filled chunk waits for more cases; 0 flushes as soon as other fibers have had a turn. */
  readonly batchWindow?: Duration.DurationInput
}

/** The judge service made by {@link make}. @category models */
export interface Judge {
  readonly judge: (judgeCase: JudgeCase) => Effect.Effect<JudgeResult>
  readonly stats: Effect.Effect<JudgeStats>
}

/**
 * The default wait for more cases. Judge requests take seconds, so a second of gathering costs little and lets
 * answers that finish close together share one request.
 *
 * @category configuration
 */
export const defaultBatchWindow = Duration.seconds(1)

const rowsNote = (egress: EgressSettings) =>
  egress.sendRows
    ? `Each result includes up to ${egress.sampleRows} sample rows (values as the warehouse returned them, as strings).`
    : "Data-egress mode is on: no row values are included, only column schemas, row counts and the comparator's findings."

/**
 * Renders the prompt for a batch of cases, labelled `case-1` … `case-N`.
 *
 * @category constructors
 */
export const renderBatch = (
  prompt: PromptTemplate.PromptTemplate,
  cases: ReadonlyArray<JudgeCase>,
  egress: EgressSettings
) =>
  PromptTemplate.render(prompt, {
    case_count: String(cases.length),
    rows_note: rowsNote(egress),
    // One compact JSON object per line: readable for the model, far fewer tokens than indented JSON.
    cases: cases.map((c, i) => JSON.stringify({ id: `case-${i + 1}`, ...c })).join("\n")
  })

interface Pending {
  readonly judgeCase: JudgeCase
  readonly key: string
  readonly deferred: Deferred.Deferred<JudgeResult>
}

/**
 * Starts a judge in the current scope: a background fiber gathers cases into chunks and sends each chunk as one
 * `LanguageModel.completeJson` request.
 *
 * **Details**
 * A chunk is sent as soon as it holds `chunkSize` cases, otherwise `batchWindow` after its first case arrived (under
 * `TestClock`, adjust the clock by the window). Identical cases (same content, same prompt version) share one
 * answer. A failed request, or an answer without a verdict for a case, yields `Failed` for those cases and is not
 * cached, so a later evaluation may try again.
 *
 * @category constructors
 */
export const make: (options: JudgeOptions) => Effect.Effect<Judge, never, LanguageModel | Scope.Scope> = Effect.fn(
  "Judge.make"
)(function* (options: JudgeOptions) {
  const model = yield* LanguageModel
  const queue = yield* Queue.unbounded<Pending>()
  const cache = new Map<string, Deferred.Deferred<JudgeResult>>()
  const stats = yield* Ref.make<JudgeStats>({ calls: 0, cacheHits: 0, failures: 0 })
  const prompt = PromptTemplate.label(options.prompt)
  const window = Duration.decode(options.batchWindow ?? defaultBatchWindow)

  const settle = (pending: Pending, result: JudgeResult) =>
    Effect.gen(function* () {
      if (result._tag === "Failed") {
        cache.delete(pending.key)
        yield* Ref.update(stats, (s) => ({ ...s, failures: s.failures + 1 }))
      }
      yield* Deferred.succeed(pending.deferred, result)
    })

  const send = (batch: ReadonlyArray<Pending>) =>
    Effect.gen(function* () {
      yield* Ref.update(stats, (s) => ({ ...s, calls: s.calls + 1 }))
      const text = yield* renderBatch(
        options.prompt,
        batch.map((p) => p.judgeCase),
        options
      ).pipe(Effect.orDie)
      const answer = yield* Effect.either(
        model.completeJson(
          {
            messages: [{ role: "user", content: text }],
            temperature: 0,
            // A verdict with a short explanation per case; bounded, unlike the original's 100k tokens.
            maxTokens: 400 + 300 * batch.length,
            stage: "judge"
          },
          { name: "judge_verdicts", description: "One verdict per case id.", schema: JudgeOutput }
        )
      )
      if (answer._tag === "Left") {
        const message = `judge request failed: ${answer.left.reason}: ${answer.left.message}`
        return yield* Effect.forEach(batch, (p) => settle(p, { _tag: "Failed", message }), { discard: true })
      }
      const byId = new Map(answer.right.value.verdicts.map((v) => [v.id, v]))
      yield* Effect.forEach(
        batch,
        (p, i) => {
          const v = byId.get(`case-${i + 1}`)
          return settle(
            p,
            v === undefined
              ? { _tag: "Failed", message: "the judge returned no verdict for this case" }
              : {
                  _tag: "Judged",
                  record: {
                    verdict: v.verdict,
                    confidence: Math.min(1, Math.max(0, v.confidence)),
                    reasons: v.reasons,
                    explanation: v.explanation,
                    prompt,
                    model: answer.right.usage.model,
                    cached: false
                  }
                }
          )
        },
        { discard: true }
      )
    })

  const gather = Effect.gen(function* () {
    const first = yield* Queue.take(queue)
    if ((yield* Queue.size(queue)) < options.chunkSize - 1) {
      yield* Duration.toMillis(window) > 0 ? Effect.sleep(window) : Effect.yieldNow()
    }
    const rest = yield* Queue.takeUpTo(queue, options.chunkSize - 1)
    yield* Effect.fork(send([first, ...rest]))
  })
  yield* Effect.forkScoped(Effect.forever(gather))

  const judge = (judgeCase: JudgeCase): Effect.Effect<JudgeResult> =>
    Effect.gen(function* () {
      const key = stableHash(`${prompt}\n${options.sendRows}\n${JSON.stringify(judgeCase)}`)
      const known = cache.get(key)
      if (known !== undefined) {
        yield* Ref.update(stats, (s) => ({ ...s, cacheHits: s.cacheHits + 1 }))
        const result = yield* Deferred.await(known)
        return result._tag === "Judged" ? { ...result, record: { ...result.record, cached: true } } : result
      }
      const deferred = yield* Deferred.make<JudgeResult>()
      cache.set(key, deferred)
      yield* Queue.offer(queue, { judgeCase, key, deferred })
      return yield* Deferred.await(deferred)
    })

  return { judge, stats: Ref.get(stats) }
})
