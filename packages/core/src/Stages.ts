/**
 * Stage contracts: one `Context.Tag` per pipeline stage and per supporting service, with the serializable IO
 * types they exchange. Implementations are Layers supplied by other packages (scorers, the Databricks adapter,
 * LLM providers) or by later core modules; nothing here performs I/O.
 */
import { Context, Schema } from "effect"
import type { Effect, Stream } from "effect"
import type { Benchmark } from "./Benchmark.js"
import type { SerializedSpace } from "./Space.js"
import type { ProviderError } from "./Errors.js"
import type { UnsafeSql } from "./SqlGuard.js"

// ---------------------------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------------------------

/**
 * A result column with its Databricks type (`type_name` such as `DECIMAL`, `type_text` such as `decimal(38,2)`).
 *
 * @category models
 */
export class Column extends Schema.Class<Column>("Column")({
  name: Schema.String,
  typeName: Schema.String,
  typeText: Schema.optional(Schema.String)
}) {}

/**
 * Rows returned by a SQL warehouse. Values are kept as the warehouse sent them (JSON_ARRAY strings or null) so
 * the comparator can coerce them by column type without losing precision.
 *
 * @category models
 */
export class ResultSet extends Schema.Class<ResultSet>("ResultSet")({
  columns: Schema.Array(Column),
  rows: Schema.Array(Schema.Array(Schema.NullOr(Schema.String))),
  /** Total rows the statement produced (may exceed `rows.length` when truncated). */
  rowCount: Schema.Number,
  truncated: Schema.Boolean,
  elapsedMs: Schema.Number
}) {}

/**
 * What Genie answered for one question: the SQL of its last query attachment, its text, the rows, the ids needed
 * to poll again, timings and the number of attempts it took.
 *
 * @category models
 */
export class GenieAnswer extends Schema.Class<GenieAnswer>("GenieAnswer")({
  status: Schema.Literal("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "QUERY_RESULT_EXPIRED"),
  sql: Schema.optional(Schema.String),
  text: Schema.optional(Schema.String),
  result: Schema.optional(ResultSet),
  error: Schema.optional(Schema.Struct({ type: Schema.String, message: Schema.String })),
  conversationId: Schema.optional(Schema.String),
  messageId: Schema.optional(Schema.String),
  attempts: Schema.Number,
  elapsedMs: Schema.Number
}) {}

/**
 * Why a verdict went the way it did. The first block mirrors Genie's own eval-run assessment reasons so reports
 * line up with the Databricks UI; the rest cover cases Genie's taxonomy has no name for. On a pass, reasons are
 * notes on weak evidence (`BOTH_EMPTY`, `RESULT_EXTRA_COLUMNS` when extra columns are allowed).
 *
 * @category models
 */
export const ReasonCode = Schema.Literal(
  "EMPTY_RESULT",
  "RESULT_MISSING_ROWS",
  "RESULT_EXTRA_ROWS",
  "RESULT_MISSING_COLUMNS",
  "RESULT_EXTRA_COLUMNS",
  "SINGLE_CELL_DIFFERENCE",
  "COLUMN_TYPE_DIFFERENCE",
  "EMPTY_GOOD_SQL",
  "TRANSIENT_ERROR",
  "ORDER_DIFFERENCE",
  "BOTH_EMPTY",
  "NO_SQL",
  "GENIE_FAILED",
  "TIMEOUT",
  "EXPECTED_SQL_FAILED",
  "TRUNCATED_RESULT",
  "LIMIT_TIE",
  "UNORDERED_LIMIT",
  "LLM_JUDGE"
)
/** @category models */
export type ReasonCode = typeof ReasonCode.Type

/**
 * The LLM judge's reasons: Genie's `LLM_JUDGE_*` assessment reasons (current names, not the deprecated ones).
 *
 * @category models
 */
export const JudgeReason = Schema.Literal(
  "LLM_JUDGE_MISSING_OR_INCORRECT_FILTER",
  "LLM_JUDGE_INCOMPLETE_OR_PARTIAL_OUTPUT",
  "LLM_JUDGE_MISINTERPRETATION_OF_USER_REQUEST",
  "LLM_JUDGE_INSTRUCTION_COMPLIANCE_OR_MISSING_BUSINESS_LOGIC",
  "LLM_JUDGE_INCORRECT_METRIC_CALCULATION",
  "LLM_JUDGE_INCORRECT_TABLE_OR_FIELD_USAGE",
  "LLM_JUDGE_INCORRECT_FUNCTION_USAGE",
  "LLM_JUDGE_MISSING_OR_INCORRECT_JOIN",
  "LLM_JUDGE_MISSING_OR_INCORRECT_AGGREGATION",
  "LLM_JUDGE_FORMATTING_ERROR",
  "LLM_JUDGE_OTHER"
)
/** @category models */
export type JudgeReason = typeof JudgeReason.Type

/**
 * What the fix stage can act on: the SQL-level reason a benchmark failed (see `SqlDiagnosis`). `NO_SQL` and
 * `GENIE_ERROR` cover answers without a query; `OTHER` means the two queries look alike and only the data differs.
 *
 * @category models
 */
export const FailureCategory = Schema.Literal(
  "WRONG_TABLE",
  "MISSING_JOIN",
  "WRONG_JOIN",
  "WRONG_FILTER",
  "WRONG_AGGREGATION",
  "WRONG_GROUPING",
  "WRONG_ORDER_OR_LIMIT",
  "WRONG_COLUMNS",
  "NO_SQL",
  "GENIE_ERROR",
  "OTHER"
)
/** @category models */
export type FailureCategory = typeof FailureCategory.Type

/** One cell that differs: row index in the expected result, expected column name, both raw values. @category models */
export const CellDifference = Schema.Struct({
  row: Schema.Number,
  column: Schema.String,
  expected: Schema.NullOr(Schema.String),
  actual: Schema.NullOr(Schema.String)
})
/** @category models */
export type CellDifference = typeof CellDifference.Type

/** Which Genie column an expected column was matched to (`null`: none). @category models */
export const ColumnMatch = Schema.Struct({
  expected: Schema.String,
  actual: Schema.NullOr(Schema.String),
  /** Matched only after coercing across type families (e.g. a STRING column holding numbers). */
  typeDifference: Schema.optionalWith(Schema.Boolean, { exact: true })
})
/** @category models */
export type ColumnMatch = typeof ColumnMatch.Type

const Row = Schema.Array(Schema.NullOr(Schema.String))

/**
 * The small record a verdict carries to explain itself: shapes, the column mapping, counts and the first
 * differing cells or rows. Values are raw warehouse strings; nothing here is sent to an LLM in data-egress mode.
 *
 * @category models
 */
export const Evidence = Schema.Struct({
  expectedRows: Schema.optionalWith(Schema.Number, { exact: true }),
  actualRows: Schema.optionalWith(Schema.Number, { exact: true }),
  expectedColumns: Schema.optionalWith(Schema.Array(Schema.String), { exact: true }),
  actualColumns: Schema.optionalWith(Schema.Array(Schema.String), { exact: true }),
  columnMapping: Schema.optionalWith(Schema.Array(ColumnMatch), { exact: true }),
  missingRows: Schema.optionalWith(Schema.Number, { exact: true }),
  extraRows: Schema.optionalWith(Schema.Number, { exact: true }),
  differences: Schema.optionalWith(Schema.Array(CellDifference), { exact: true }),
  sampleMissingRows: Schema.optionalWith(Schema.Array(Row), { exact: true }),
  sampleExtraRows: Schema.optionalWith(Schema.Array(Row), { exact: true }),
  /** Expected columns whose order the ORDER BY fixes (the ordered prefix). */
  orderKeys: Schema.optionalWith(Schema.Array(Schema.String), { exact: true }),
  message: Schema.optionalWith(Schema.String, { exact: true })
})
/** @category models */
export type Evidence = typeof Evidence.Type

/**
 * What the LLM judge said about one inconclusive case, and with which prompt version and model.
 *
 * @category models
 */
export const JudgeRecord = Schema.Struct({
  verdict: Schema.Literal("pass", "fail", "unsure"),
  /** 0 to 1. */
  confidence: Schema.Number,
  reasons: Schema.Array(JudgeReason),
  explanation: Schema.String,
  /** Prompt id and version, e.g. `judge/result-equivalence@1`. */
  prompt: Schema.String,
  model: Schema.optionalWith(Schema.String, { exact: true }),
  /** True when the verdict came from the judge cache (same case seen before) rather than a new call. */
  cached: Schema.Boolean
})
/** @category models */
export type JudgeRecord = typeof JudgeRecord.Type

/** One SQL-level difference between Genie's query and the expected one. @category models */
export const Finding = Schema.Struct({
  category: FailureCategory,
  message: Schema.String,
  expected: Schema.optionalWith(Schema.String, { exact: true }),
  actual: Schema.optionalWith(Schema.String, { exact: true })
})
/** @category models */
export type Finding = typeof Finding.Type

/** Why a benchmark failed, at the SQL level: the primary category and every finding. @category models */
export const Diagnosis = Schema.Struct({
  category: FailureCategory,
  findings: Schema.Array(Finding)
})
/** @category models */
export type Diagnosis = typeof Diagnosis.Type

/**
 * The outcome of evaluating one benchmark. `excluded` means the benchmark itself is broken (its expected SQL
 * failed); `inconclusive` means the deterministic rules could not decide and no judge settled it; `error` means
 * Genie could not be asked properly (timeout, cancelled) — not the space's fault.
 *
 * @category models
 */
export class Verdict extends Schema.Class<Verdict>("Verdict")({
  outcome: Schema.Literal("pass", "fail", "error", "excluded", "inconclusive"),
  /** The rule that decided, e.g. `bag-equality`, `scalar`, `llm-judge` (listed in the core README). */
  decidedBy: Schema.String,
  reasons: Schema.Array(ReasonCode),
  evidence: Schema.optional(Evidence),
  judge: Schema.optional(JudgeRecord),
  /** SQL-level diagnosis of a failure, for the fix stage. */
  diagnosis: Schema.optional(Diagnosis)
}) {}

/**
 * One scored benchmark: what Genie said, what the expected SQL returned, and the verdict.
 *
 * @category models
 */
export class BenchmarkResult extends Schema.Class<BenchmarkResult>("BenchmarkResult")({
  benchmarkId: Schema.String,
  answer: Schema.optional(GenieAnswer),
  expected: Schema.optional(ResultSet),
  verdict: Verdict,
  /** Failure category for the fix stage (`verdict.diagnosis.category`), when the verdict is not a pass. */
  failureCategory: Schema.optional(FailureCategory)
}) {}

/**
 * A domain pattern mined from the train split: a join, a measure, a filter, a vocabulary→column mapping or a date
 * convention, with the benchmarks that support it.
 *
 * @category models
 */
export class Pattern extends Schema.Class<Pattern>("Pattern")({
  kind: Schema.Literal("join", "measure", "filter", "vocabulary", "date-convention"),
  description: Schema.String,
  sql: Schema.optional(Schema.String),
  supportingBenchmarkIds: Schema.Array(Schema.String)
}) {}

/** @category models */
export class PatternBook extends Schema.Class<PatternBook>("PatternBook")({
  patterns: Schema.Array(Pattern)
}) {}

/**
 * The nine fix categories: one for the text instruction, then add and delete for join specs, SQL snippets,
 * column/table metadata and example queries.
 *
 * @category models
 */
export const FixCategory = Schema.Literal(
  "instruction-fix",
  "join-spec-add",
  "join-spec-delete",
  "sql-snippet-add",
  "sql-snippet-delete",
  "metadata-add",
  "metadata-delete",
  "example-query-add",
  "example-query-delete"
)
/** @category models */
export type FixCategory = typeof FixCategory.Type

/** A single proposed configuration change. @category models */
export class Fix extends Schema.Class<Fix>("Fix")({
  category: FixCategory,
  /** JSON path in the serialized space the change targets. */
  target: Schema.String,
  /** The new value for adds and instruction fixes; absent for deletes. */
  value: Schema.optional(Schema.Unknown),
  rationale: Schema.String,
  sourceBenchmarkIds: Schema.Array(Schema.String)
}) {}

/** @category models */
export class Plan extends Schema.Class<Plan>("Plan")({
  fixes: Schema.Array(Fix)
}) {}

/** @category models */
export class PromotionResult extends Schema.Class<PromotionResult>("PromotionResult")({
  promoted: Schema.Boolean,
  targetSpaceId: Schema.String,
  snapshotId: Schema.optional(Schema.String),
  reason: Schema.String
}) {}

/** A space as stored in a workspace: envelope metadata plus the parsed configuration. @category models */
export interface StoredSpace {
  readonly spaceId: string
  readonly title: string
  readonly description?: string
  readonly warehouseId: string
  readonly parentPath?: string
  readonly etag?: string
  readonly space?: SerializedSpace
}

// ---------------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------------

/**
 * A stage could not produce its output. `retryable` tells the safety layer whether another attempt may help.
 *
 * @category errors
 */
export class StageFailed extends Schema.TaggedError<StageFailed>()("StageFailed", {
  stage: Schema.String,
  message: Schema.String,
  retryable: Schema.Boolean
}) {}

// ---------------------------------------------------------------------------------------------------------------
// Stage services
// ---------------------------------------------------------------------------------------------------------------

/**
 * A Genie message that was asked but whose answer is not in yet. After a timeout, poll it again with
 * `Asker.resume` instead of asking again, so a retry never duplicates a conversation.
 *
 * @category models
 */
export class PendingMessage extends Schema.Class<PendingMessage>("PendingMessage")({
  spaceId: Schema.String,
  conversationId: Schema.String,
  messageId: Schema.String
}) {}

/**
 * Why asking Genie failed. @category models
 */
export const GenieErrorReason = Schema.Literal(
  "RateLimited",
  "Timeout",
  "Failed",
  "Cancelled",
  "Unavailable",
  "Auth",
  "NotFound",
  "BadRequest"
)
/** @category models */
export type GenieErrorReason = typeof GenieErrorReason.Type

/**
 * Asking Genie failed: an HTTP error, a FAILED or CANCELLED message, or no answer in time.
 *
 * **Details**
 * Follows the retry conventions of `Errors.isRetryable` / `Errors.retryAfterMs` and `RateLimiter.isRateLimit`:
 * HTTP 429 and `RATE_LIMIT_EXCEEDED_*` messages are `rateLimited` and retryable; 5xx and timeouts are retryable;
 * auth, not-found and bad requests are not. A `Timeout` carries the `pending` message to resume.
 *
 * @category errors
 */
export class GenieError extends Schema.TaggedError<GenieError>()("GenieError", {
  reason: GenieErrorReason,
  message: Schema.String,
  retryable: Schema.Boolean,
  rateLimited: Schema.Boolean,
  retryAfterMs: Schema.optionalWith(Schema.Number, { exact: true }),
  /** HTTP status, when the failure was an HTTP error. */
  status: Schema.optionalWith(Schema.Number, { exact: true }),
  /** Genie's `MessageErrorType` of a FAILED message (`SQL_EXECUTION_EXCEPTION`, …). */
  errorType: Schema.optionalWith(Schema.String, { exact: true }),
  /** The SQL Genie wrote before failing (e.g. a query that failed on the warehouse), when there was one. */
  sql: Schema.optionalWith(Schema.String, { exact: true }),
  pending: Schema.optionalWith(PendingMessage, { exact: true })
}) {}

/**
 * A SQL statement failed on the warehouse (or could not be submitted).
 *
 * **Details**
 * `callerError` marks failures of the statement itself (syntax, unknown table or column, `sql_state` classes 42
 * and 22): they say nothing about the warehouse's health, so breakers ignore them and retries do not repeat them.
 *
 * @category errors
 */
export class SqlFailed extends Schema.TaggedError<SqlFailed>()("SqlFailed", {
  message: Schema.String,
  sqlState: Schema.optionalWith(Schema.String, { exact: true }),
  statementId: Schema.optionalWith(Schema.String, { exact: true }),
  retryable: Schema.Boolean,
  rateLimited: Schema.Boolean,
  retryAfterMs: Schema.optionalWith(Schema.Number, { exact: true }),
  callerError: Schema.Boolean
}) {}

/**
 * Why a space could not be read or written. @category models
 */
export const SpaceStoreErrorReason = Schema.Literal(
  "NotFound",
  "Conflict",
  "Invalid",
  "Auth",
  "RateLimited",
  "Unavailable",
  "BadResponse"
)

/**
 * Reading or writing a space failed. `Conflict`: the space changed since it was read (stale `etag`); `Invalid`: the
 * API rejected the `serialized_space` (the message names the field).
 *
 * @category errors
 */
export class SpaceStoreError extends Schema.TaggedError<SpaceStoreError>()("SpaceStoreError", {
  reason: SpaceStoreErrorReason,
  message: Schema.String,
  spaceId: Schema.optionalWith(Schema.String, { exact: true }),
  retryable: Schema.Boolean,
  rateLimited: Schema.Boolean,
  retryAfterMs: Schema.optionalWith(Schema.Number, { exact: true })
}) {}

/** Options for one SQL execution. @category models */
export interface ExecuteOptions {
  readonly rowLimit?: number
  readonly timeoutSeconds?: number
  /**
   * True only for SQL from the user's own benchmark file. Everything else (Genie's SQL, LLM-proposed SQL) passes the
   * read-only guard (`SqlGuard`) first and fails with `UnsafeSql` without running.
   */
  readonly trusted?: boolean
}

/** ask: put one question to Genie in a new conversation and wait for its answer. @category services */
export class Asker extends Context.Tag("@genie-enhancer/core/Asker")<
  Asker,
  {
    readonly ask: (spaceId: string, question: string) => Effect.Effect<GenieAnswer, GenieError>
    /** Waits again for a message that timed out, without asking again. */
    readonly resume: (pending: PendingMessage) => Effect.Effect<GenieAnswer, GenieError>
  }
>() {}

/** execute: run a read-only SQL statement on the warehouse. @category services */
export class Executor extends Context.Tag("@genie-enhancer/core/Executor")<
  Executor,
  {
    readonly execute: (sql: string, options?: ExecuteOptions) => Effect.Effect<ResultSet, SqlFailed | UnsafeSql>
  }
>() {}

/**
 * Counts of what an `Evaluator` decided so far, for run reports: how many verdicts the rules settled, how many
 * needed the LLM judge, and what the judge cost in calls.
 *
 * @category models
 */
export interface EvaluationStats {
  readonly evaluated: number
  readonly outcomes: Readonly<Record<Verdict["outcome"], number>>
  /** Verdicts the deterministic rules marked inconclusive (whether or not a judge then settled them). */
  readonly neededJudge: number
  /** Inconclusive verdicts the judge settled as pass or fail. */
  readonly judgeDecided: number
  /** Language-model requests sent (each holds up to `evaluate.chunkSize` cases). */
  readonly judgeCalls: number
  /** Cases answered from the judge cache without a new request. */
  readonly judgeCacheHits: number
  /** Cases whose judge request failed (they stay inconclusive). */
  readonly judgeFailures: number
}

/**
 * evaluate: decide whether Genie's answer matches the expected result.
 *
 * **Details**
 * `expected` is the expected SQL's result, or the `StageFailed` of running it (the benchmark is then `excluded`).
 * Evaluation never fails: a judge that cannot be reached leaves the verdict `inconclusive`. Scorers call
 * `evaluate` once per benchmark, concurrently; implementations batch judge calls across those calls.
 *
 * @category services
 */
export class Evaluator extends Context.Tag("@genie-enhancer/core/Evaluator")<
  Evaluator,
  {
    readonly evaluate: (
      benchmark: Benchmark,
      expected: ResultSet | StageFailed,
      answer: GenieAnswer
    ) => Effect.Effect<Verdict>
    /** What was decided so far and how (see `EvaluationStats`). */
    readonly stats: Effect.Effect<EvaluationStats>
  }
>() {}

/** learn-patterns: mine the train split for domain patterns. @category services */
export class PatternLearner extends Context.Tag("@genie-enhancer/core/PatternLearner")<
  PatternLearner,
  {
    readonly learn: (train: ReadonlyArray<Benchmark>, space: SerializedSpace) => Effect.Effect<PatternBook, StageFailed>
  }
>() {}

/** fix: turn failures and patterns into a validated plan of configuration changes. @category services */
export class Fixer extends Context.Tag("@genie-enhancer/core/Fixer")<
  Fixer,
  {
    readonly propose: (
      failures: ReadonlyArray<BenchmarkResult>,
      patterns: PatternBook,
      space: SerializedSpace
    ) => Effect.Effect<Plan, StageFailed>
  }
>() {}

/** How a candidate configuration may be promoted. @category models */
export interface PromotionPolicy {
  readonly minScore: number
  readonly requireHoldoutNotWorse: boolean
  readonly dryRun: boolean
}

/** promote: copy the winning dev configuration to production with a snapshot for rollback. @category services */
export class Promoter extends Context.Tag("@genie-enhancer/core/Promoter")<
  Promoter,
  {
    readonly promote: (
      candidate: StoredSpace,
      targetSpaceId: string,
      policy: PromotionPolicy
    ) => Effect.Effect<PromotionResult, StageFailed>
  }
>() {}

// ---------------------------------------------------------------------------------------------------------------
// Supporting services
// ---------------------------------------------------------------------------------------------------------------

/** Genie spaces in a workspace: list, get, create, update (optimistic on `etag`), trash. @category services */
export class SpaceStore extends Context.Tag("@genie-enhancer/core/SpaceStore")<
  SpaceStore,
  {
    readonly list: () => Effect.Effect<ReadonlyArray<StoredSpace>, SpaceStoreError>
    readonly get: (spaceId: string) => Effect.Effect<StoredSpace, SpaceStoreError>
    readonly create: (space: Omit<StoredSpace, "spaceId" | "etag">) => Effect.Effect<StoredSpace, SpaceStoreError>
    /** Replaces the space's configuration; with `etag`, fails with reason `Conflict` if it changed meanwhile. */
    readonly update: (
      spaceId: string,
      space: SerializedSpace,
      options?: { readonly etag?: string; readonly title?: string; readonly description?: string }
    ) => Effect.Effect<StoredSpace, SpaceStoreError>
    readonly trash: (spaceId: string) => Effect.Effect<void, SpaceStoreError>
  }
>() {}

/** A chat message for a language model. @category models */
export interface ChatMessage {
  readonly role: "user" | "assistant"
  readonly content: string
}

/** @category models */
export interface CompletionRequest {
  readonly system?: string
  readonly messages: ReadonlyArray<ChatMessage>
  /** Omitted for models that reject it (some reasoning models); providers drop it where unsupported. */
  readonly temperature?: number
  readonly maxTokens?: number
  /** The run stage the call serves (`judge`, `learn`, `fix`), for usage totals per stage. */
  readonly stage?: string
}

/** Token usage, latency and cost of one language-model call. @category models */
export interface Usage {
  readonly inputTokens: number
  readonly outputTokens: number
  readonly latencyMs: number
  readonly provider: string
  readonly model: string
  /** US dollars, from the profile's price table; absent when the model has no price. */
  readonly costUsd?: number
  /** True when the answer came from a cache or cassette rather than the provider. */
  readonly cached?: boolean
}

/** A text completion. @category models */
export interface Completion {
  readonly text: string
  readonly usage: Usage
}

/** A structured completion: the decoded value and the raw text it came from. @category models */
export interface JsonCompletion<A> {
  readonly value: A
  readonly text: string
  readonly usage: Usage
}

/**
 * The structured output a caller wants: a name (OpenAI's `json_schema.name`, Anthropic's tool name) and the Effect
 * Schema the JSON must decode with; providers derive the JSON Schema they send from it.
 *
 * @category models
 */
export interface JsonOutput<A, I> {
  readonly name: string
  readonly description?: string
  readonly schema: Schema.Schema<A, I>
}

/**
 * Text and schema-validated JSON completions, with usage.
 *
 * **Details**
 * `completeJson` uses the provider's native structured output where it exists, retries once with a repair prompt
 * when the output does not decode, then fails with `ProviderError` reason `InvalidOutput` keeping the raw text.
 *
 * @category services
 */
export class LanguageModel extends Context.Tag("@genie-enhancer/core/LanguageModel")<
  LanguageModel,
  {
    readonly complete: (request: CompletionRequest) => Effect.Effect<Completion, ProviderError>
    readonly completeJson: <A, I>(
      request: CompletionRequest,
      output: JsonOutput<A, I>
    ) => Effect.Effect<JsonCompletion<A>, ProviderError>
  }
>() {}

/** Options common to every scorer. @category models */
export interface ScoreOptions {
  readonly spaceId: string
  /** Benchmarks already finished in an earlier attempt of the same run (resume): not asked again. */
  readonly skip?: ReadonlySet<string>
  /**
   * Reuse and record expected-SQL results in the run store, keyed by this warehouse id and the SQL text. Absent:
   * always run the expected SQL (`--no-cache`).
   */
  readonly expectedCache?: { readonly warehouseId: string }
  /** Called as each benchmark moves through the stages, for progress displays. Must not fail. */
  readonly onProgress?: (event: ProgressEvent) => Effect.Effect<void>
}

/**
 * Where one benchmark is: `asking` Genie, running the `expected` SQL, `evaluating`, or `done` (with its result).
 *
 * @category models
 */
export interface ProgressEvent {
  readonly benchmarkId: string
  readonly stage: "asking" | "expected" | "evaluating" | "done"
  readonly result?: BenchmarkResult
}

/**
 * Scores benchmarks, emitting each result as soon as it is final. One benchmark that cannot be scored is a result
 * with an `error` verdict, never a failed stream.
 *
 * @category services
 */
export class Scorer extends Context.Tag("@genie-enhancer/core/Scorer")<
  Scorer,
  {
    readonly score: (benchmarks: ReadonlyArray<Benchmark>, options: ScoreOptions) => Stream.Stream<BenchmarkResult>
  }
>() {}
