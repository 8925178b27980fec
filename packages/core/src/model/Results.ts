/**
 * What scoring produces: result sets, Genie's answers, verdicts with their evidence and diagnoses, and one scored
 * benchmark. Serializable (Schema classes) for journals, `--json` and resume.
 */
import { Schema } from "effect"

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
  /** `UNAVAILABLE`: Genie could not be reached or answered 5xx / rate limits through every retry (transient). */
  status: Schema.Literal("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "QUERY_RESULT_EXPIRED", "UNAVAILABLE"),
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
  "COLUMN_NAME_CONFLICT",
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
