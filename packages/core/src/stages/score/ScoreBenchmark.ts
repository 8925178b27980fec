/**
 * Scoring one benchmark, the step every scorer shares: ask Genie while the expected SQL runs, then evaluate.
 *
 * **Details**
 * - Genie is asked through the `genie` safety policy. When an attempt times out after the message was created,
 *   the next attempt resumes polling that message (`Asker.resume`) instead of asking again, so a retry never
 *   duplicates a conversation.
 * - The expected SQL runs at the same time, through the `sql` policy, and comes from the run store's cache when
 *   the scorer allows it (keyed by warehouse and SQL text).
 * - Expected SQL that is not exactly one read-only query (`SqlGuard`) never leaves the process: the benchmark is
 *   `excluded` (decided by `sql-guard`, with the reason) and its question is not asked.
 * - With `onAccepted` (a journaled run), each question is reported as soon as Genie accepts it and its conversation
 *   is kept until the run has recorded the result; `pending` messages of an earlier attempt are polled, not re-asked.
 * - It never fails: a Genie failure becomes an answer with a FAILED / TIMEOUT / UNAVAILABLE / CANCELLED status (the
 *   evaluator turns it into an `error` or `fail` verdict), an expected SQL failure makes the benchmark `excluded`.
 */
import type { Either } from "effect"
import { Clock, Effect, Option, Ref } from "effect"
import type { Benchmark } from "../../model/Benchmark.js"
import type { CircuitOpen } from "../../safety/CircuitBreaker.js"
import * as RunStore from "../../runs/RunStore.js"
import type { CallTimeout } from "../../safety/Safety.js"
import { Safety } from "../../safety/Safety.js"
import type { GenieError, PendingMessage, ProgressEvent, ScoreOptions } from "../Stages.js"
import { Asker, BenchmarkResult, Evaluator, Executor, GenieAnswer, ResultSet, StageFailed, Verdict } from "../Stages.js"
import * as SqlGuard from "../../sql/SqlGuard.js"

/**
 * What scoring a benchmark uses. The run store is optional (no cache without it).
 *
 * @category models
 */
export interface Services {
  readonly asker: Asker["Type"]
  readonly executor: Executor["Type"]
  readonly evaluator: Evaluator["Type"]
  readonly safety: Safety["Type"]
  readonly store: Option.Option<RunStore.RunStore["Type"]>
}

/**
 * The services a scorer layer needs.
 *
 * @category models
 */
export type Requirements = Asker | Executor | Evaluator | Safety

/**
 * Collects the services from the context (a scorer layer does this once).
 *
 * @category constructors
 */
export const services: Effect.Effect<Services, never, Requirements> = Effect.all({
  asker: Asker,
  executor: Executor,
  evaluator: Evaluator,
  safety: Safety,
  store: Effect.serviceOption(RunStore.RunStore)
})

/**
 * Wraps each Genie call; the batch scorer uses it to ask one question at a time while the Genie circuit is open.
 *
 * @category models
 */
export type Gate = <A, E>(ask: Effect.Effect<A, E>) => Effect.Effect<A, E>

const noGate: Gate = (ask) => ask

const isCircuitOpen = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { readonly _tag?: unknown })._tag === "CircuitOpen"

/**
 * The gate every scorer uses around Genie calls: while the Genie circuit is closed, calls pass straight through;
 * while it is open or half-open, calls take a single lane, one at a time, and the call holding the lane waits until
 * the breaker admits a trial and makes it. So the run degrades to sequential and keeps going instead of failing the
 * remaining benchmarks; once a trial succeeds and the circuit closes, waiting calls leave the lane and run
 * concurrently again. A call rejected because the circuit opened under it goes round once more.
 *
 * @category constructors
 */
export const circuitGate = (safety: Safety["Type"]): Effect.Effect<Gate> =>
  Effect.map(Effect.makeSemaphore(1), (lane): Gate => {
    const breaker = safety.genie.breaker
    return <A, E>(call: Effect.Effect<A, E>) => {
      const throughLane = lane.withPermits(1)(
        Effect.zipRight(
          breaker.awaitReady,
          Effect.flatMap(breaker.state, (state) =>
            // Recovered while waiting for the lane: leave it and run alongside the others.
            state === "Closed"
              ? Effect.succeed(Option.none<Either.Either<A, E>>())
              : Effect.map(Effect.either(call), Option.some)
          )
        )
      )
      const once: Effect.Effect<A, E> = Effect.flatMap(breaker.state, (state) =>
        state === "Closed"
          ? call
          : Effect.flatMap(throughLane, (outcome) =>
              Option.match(outcome, { onNone: () => once, onSome: (either) => either })
            )
      )
      return once.pipe(Effect.retry({ while: isCircuitOpen, times: 1 }))
    }
  })

/** Rows kept per result set in the journal: enough to show a report, not the whole answer. */
export const recordedRows = 20

const forRecord = (rs: ResultSet): ResultSet =>
  rs.rows.length <= recordedRows ? rs : new ResultSet({ ...rs, rows: rs.rows.slice(0, recordedRows) })

type AskFailure = GenieError | CircuitOpen | CallTimeout

/**
 * An answer for a Genie call that failed for good. Only Genie's own FAILED message counts against the space
 * (status `FAILED` → a `fail` verdict); timeouts, outages (5xx, network, rate limits through every retry: status
 * `UNAVAILABLE`) and an open circuit (`CANCELLED`) are not the space's fault (an `error` verdict, reported apart from
 * the score).
 */
const failedAnswer = (
  error: AskFailure,
  attempts: number,
  elapsedMs: number,
  accepted: Option.Option<PendingMessage>
): GenieAnswer => {
  // The message Genie accepted, if any: a resumed run polls it instead of asking again.
  const ids = Option.match(
    Option.orElse(Option.fromNullable(error._tag === "GenieError" ? error.pending : undefined), () => accepted),
    {
      onNone: () => ({}),
      onSome: (p) => ({ conversationId: p.conversationId, messageId: p.messageId })
    }
  )
  const base = { attempts, elapsedMs, ...ids }
  switch (error._tag) {
    case "CallTimeout":
      return new GenieAnswer({ ...base, status: "TIMEOUT", error: { type: "TIMEOUT", message: error.message } })
    case "CircuitOpen":
      return new GenieAnswer({ ...base, status: "CANCELLED", error: { type: "CIRCUIT_OPEN", message: error.message } })
    case "GenieError":
      return new GenieAnswer({
        ...base,
        status:
          error.reason === "Timeout"
            ? "TIMEOUT"
            : error.reason === "Failed" && !error.rateLimited
              ? "FAILED"
              : error.reason === "Unavailable" || error.reason === "RateLimited" || error.rateLimited
                ? "UNAVAILABLE"
                : "CANCELLED",
        error: { type: error.errorType ?? error.reason, message: error.message },
        ...(error.sql === undefined ? {} : { sql: error.sql })
      })
  }
}

const ask = (
  s: Services,
  spaceId: string,
  question: string,
  gate: Gate,
  options: {
    readonly earlier: PendingMessage | undefined
    readonly onAccepted: ((pending: PendingMessage) => Effect.Effect<void>) | undefined
    readonly asks: ScoreOptions["asks"]
  }
) =>
  Effect.gen(function* () {
    const attempts = yield* Ref.make(0)
    // Timed from the first attempt, not from the queue in front of the concurrency and rate limits.
    const startedAt = yield* Ref.make(Option.none<number>())
    // A message asked by an earlier attempt of the run (resume) or by an earlier try of this one is polled again.
    const pending = yield* Ref.make(Option.fromNullable(options.earlier))
    const accepted = (p: PendingMessage) =>
      Effect.zipRight(Ref.set(pending, Option.some(p)), options.onAccepted?.(p) ?? Effect.void)
    const attempt = Effect.gen(function* () {
      yield* Ref.update(attempts, (n) => n + 1)
      const now = yield* Clock.currentTimeMillis
      yield* Ref.update(startedAt, (t) => Option.orElse(t, () => Option.some(now)))
      const p = yield* Ref.get(pending)
      // A journaled run keeps the conversation until the result is recorded (ScoreRun releases it then).
      const keepConversation = options.onAccepted !== undefined
      if (Option.isSome(p)) return yield* s.asker.resume(p.value, { keepConversation })
      const asks = options.asks
      if (asks === undefined) return yield* s.asker.ask(spaceId, question, { onAccepted: accepted, keepConversation })
      // Stopping (Ctrl+C): no new question is sent; the run ends before this one would be scored.
      if (!(yield* asks.begin)) return yield* Effect.never
      const ended = yield* Ref.make(false)
      const end = Effect.flatMap(Ref.getAndSet(ended, true), (done) => (done ? Effect.void : asks.end))
      return yield* s.asker
        .ask(spaceId, question, { onAccepted: (m) => Effect.zipRight(accepted(m), end), keepConversation })
        .pipe(Effect.ensuring(end))
    }).pipe(Effect.tapError((e) => (e.pending === undefined ? Effect.void : Ref.set(pending, Option.some(e.pending)))))
    const outcome = yield* Effect.either(gate(s.safety.genie.run(attempt)))
    const now = yield* Clock.currentTimeMillis
    const elapsedMs = now - Option.getOrElse(yield* Ref.get(startedAt), () => now)
    const tries = yield* Ref.get(attempts)
    return outcome._tag === "Right"
      ? new GenieAnswer({ ...outcome.right, attempts: Math.max(1, tries), elapsedMs })
      : failedAnswer(outcome.left, tries, elapsedMs, yield* Ref.get(pending))
  })

const runExpected = (s: Services, benchmark: Benchmark, options: ScoreOptions) => {
  const sql = benchmark.expected_sql
  const cache = options.expectedCache === undefined ? Option.none() : s.store
  const fresh = s.safety.sql
    .run(s.executor.execute(sql, options.warehouseId === undefined ? {} : { warehouseId: options.warehouseId }))
    .pipe(
      Effect.tap((result) =>
        Option.isSome(cache) && options.expectedCache !== undefined
          ? cache.value.cacheExpected(options.expectedCache.warehouseId, sql, result)
          : Effect.void
      ),
      Effect.catchAll((error) =>
        Effect.succeed(
          new StageFailed({
            stage: "execute",
            message: `the expected SQL failed: ${"sqlState" in error && error.sqlState !== undefined ? `[${error.sqlState}] ` : ""}${error.message}`,
            retryable: "retryable" in error ? error.retryable : false
          })
        )
      )
    )
  if (Option.isNone(cache) || options.expectedCache === undefined) return fresh
  return Effect.flatMap(cache.value.cachedExpected(options.expectedCache.warehouseId, sql), (hit) =>
    Option.isSome(hit) ? Effect.succeed<ResultSet | StageFailed>(hit.value) : fresh
  )
}

/**
 * Scores one benchmark: ask and expected SQL concurrently, then evaluate. Never fails.
 *
 * @category constructors
 */
export const scoreBenchmark = (
  s: Services,
  benchmark: Benchmark,
  options: ScoreOptions,
  gate: Gate = noGate
): Effect.Effect<BenchmarkResult> => {
  const progress = (stage: ProgressEvent["stage"], result?: BenchmarkResult) =>
    options.onProgress === undefined
      ? Effect.void
      : options.onProgress({ benchmarkId: benchmark.id, stage, ...(result === undefined ? {} : { result }) })
  return Effect.gen(function* () {
    // Benchmark files come from other people: expected SQL that is not one read-only query never leaves the process,
    // and its question is not asked.
    const unsafe = SqlGuard.check(benchmark.expected_sql)
    if (unsafe !== undefined) {
      const refused = new BenchmarkResult({
        benchmarkId: benchmark.id,
        verdict: new Verdict({
          outcome: "excluded",
          decidedBy: "sql-guard",
          reasons: ["EXPECTED_SQL_FAILED"],
          evidence: { message: `the expected SQL was not run: ${unsafe.message}` }
        })
      })
      yield* progress("done", refused)
      return refused
    }
    const onAccepted = options.onAccepted
    const [answer, expected] = yield* Effect.all(
      [
        Effect.zipRight(
          progress("asking"),
          ask(s, options.spaceId, benchmark.question, gate, {
            earlier: options.pending?.get(benchmark.id),
            onAccepted: onAccepted === undefined ? undefined : (p) => onAccepted(benchmark.id, p),
            asks: options.asks
          })
        ),
        Effect.zipRight(progress("expected"), runExpected(s, benchmark, options))
      ],
      { concurrency: 2 }
    )
    yield* progress("evaluating")
    const verdict = yield* s.evaluator.evaluate(benchmark, expected, answer)
    const result = new BenchmarkResult({
      benchmarkId: benchmark.id,
      answer: answer.result === undefined ? answer : new GenieAnswer({ ...answer, result: forRecord(answer.result) }),
      ...(expected instanceof ResultSet ? { expected: forRecord(expected) } : {}),
      verdict,
      ...(verdict.diagnosis === undefined ? {} : { failureCategory: verdict.diagnosis.category })
    })
    yield* progress("done", result)
    return result
  })
}
