/**
 * The data every report renders: one run read from its directory (`run.json`, `journal.jsonl`, `results.json`),
 * redacted, with optional sections for enhance runs and for a comparison with another run.
 *
 * **Details**
 * A score run fills `run`, `score` and `benchmarks`. An enhance run adds `enhance` (iterations with train and
 * holdout accuracy, per-benchmark outcomes per iteration, fixes with their decision, the space diff per section,
 * the Genie questions asked, LLM usage and time per stage); every renderer shows those sections when present and
 * leaves them out otherwise. `comparison` is filled by `report <run> --against <other>`.
 * Everything here is JSON: the JSON report is this value, and the HTML report embeds it.
 */
import { Stages } from "@genie-enhancer/core"
import { Schema } from "effect"

const optional = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { exact: true })

/** The version of this data model; bumped on incompatible changes. @category models */
export const schemaVersion = 1

/**
 * A proportion with its 95 % Wilson interval (the shape of `RunSummary.Score`).
 *
 * @category models
 */
export const Score = Schema.Struct({
  passed: Schema.Number,
  /** Benchmarks that count (all but `excluded`). */
  scored: Schema.Number,
  score: Schema.NullOr(Schema.Number),
  low: Schema.NullOr(Schema.Number),
  high: Schema.NullOr(Schema.Number)
})
/** @category models */
export type Score = typeof Score.Type

/** A score for one category, difficulty or split. @category models */
export const Group = Schema.Struct({ name: Schema.String, ...Score.fields })
/** @category models */
export type Group = typeof Group.Type

/** A verdict outcome. @category models */
export const Outcome = Schema.Literal("pass", "fail", "error", "excluded", "inconclusive")
/** @category models */
export type Outcome = typeof Outcome.Type

/** A count under a name (verdict reasons, failure categories, rules). @category models */
export const Count = Schema.Struct({ name: Schema.String, count: Schema.Number })
/** @category models */
export type Count = typeof Count.Type

/**
 * The first rows of a result set. `rows` is absent when the run had `sendRows: false` (`hidden`), or when the
 * journal kept none.
 *
 * @category models
 */
export const ResultSample = Schema.Struct({
  columns: Schema.Array(Schema.Struct({ name: Schema.String, type: Schema.String })),
  rowCount: Schema.Number,
  truncated: Schema.Boolean,
  rows: optional(Schema.Array(Schema.Array(Schema.NullOr(Schema.String)))),
  /** True when rows existed but are not shown (`sendRows: false`). */
  hidden: optional(Schema.Boolean),
  elapsedMs: optional(Schema.Number)
})
/** @category models */
export type ResultSample = typeof ResultSample.Type

/** What Genie answered. `text` is hidden with `sendRows: false` (it often quotes result values). @category models */
export const GenieSide = Schema.Struct({
  status: Schema.String,
  sql: optional(Schema.String),
  text: optional(Schema.String),
  error: optional(Schema.Struct({ type: Schema.String, message: Schema.String })),
  attempts: Schema.Number,
  elapsedMs: Schema.Number
})
/** @category models */
export type GenieSide = typeof GenieSide.Type

/**
 * One benchmark of the run: the question, both SQL texts, result samples, the verdict, the rule that decided and
 * its evidence. Question, category and difficulty come from the benchmark file; when it cannot be read any more,
 * the row still has the id and the verdict.
 *
 * @category models
 */
export const BenchmarkRow = Schema.Struct({
  id: Schema.String,
  question: optional(Schema.String),
  category: Schema.String,
  difficulty: optional(Schema.String),
  split: optional(Schema.String),
  outcome: Outcome,
  /** The rule that decided (`bag-equality`, `no-sql`, `llm-judge`, …). */
  decidedBy: Schema.String,
  reasons: Schema.Array(Schema.String),
  failureCategory: optional(Schema.String),
  expectedSql: optional(Schema.String),
  genie: optional(GenieSide),
  expected: optional(ResultSample),
  actual: optional(ResultSample),
  evidence: optional(Stages.Evidence),
  diagnosis: optional(Stages.Diagnosis),
  judge: optional(Stages.JudgeRecord)
})
/** @category models */
export type BenchmarkRow = typeof BenchmarkRow.Type

/** Percentiles of a duration in milliseconds. @category models */
export const Timing = Schema.Struct({
  count: Schema.Number,
  p50: Schema.NullOr(Schema.Number),
  p95: Schema.NullOr(Schema.Number),
  max: Schema.NullOr(Schema.Number)
})

/**
 * The scoring of one run: accuracy with its interval, per category and difficulty, verdicts, reasons and failure
 * categories.
 *
 * @category models
 */
export const ScoreSection = Schema.Struct({
  overall: Score,
  byCategory: Schema.Array(Group),
  byDifficulty: Schema.Array(Group),
  bySplit: Schema.Array(Group),
  verdicts: Schema.Array(Count),
  /** Reason codes of verdicts that are not a pass. */
  reasons: Schema.Array(Count),
  failureCategories: Schema.Array(Count),
  /** Which rule decided, over all benchmarks. */
  decidedBy: Schema.Array(Count),
  judged: Schema.Number,
  timings: optional(Schema.Struct({ genie: Timing, expectedSql: Timing })),
  attempts: optional(Schema.Struct({ total: Schema.Number, retriedBenchmarks: Schema.Number })),
  rateLimitedAbsorbed: optional(Schema.Number),
  circuitEvents: optional(Schema.Number)
})
/** @category models */
export type ScoreSection = typeof ScoreSection.Type

/** What the run was, from `run.json` and `results.json`. @category models */
export const RunInfo = Schema.Struct({
  runId: Schema.String,
  kind: Schema.Literal("score", "enhance"),
  spaceId: Schema.String,
  startedAt: Schema.String,
  finishedAt: optional(Schema.String),
  wallMs: optional(Schema.Number),
  benchmarksFile: Schema.String,
  profile: Schema.String,
  scorer: Schema.String,
  target: Schema.String,
  /** Benchmarks the run was asked to score, and how many have a result. */
  benchmarks: Schema.Number,
  finished: Schema.Number,
  /** False when `results.json` is missing (the run was cut short): the summary is recomputed from the journal. */
  complete: Schema.Boolean
})
/** @category models */
export type RunInfo = typeof RunInfo.Type

/** What the report hides, and why. @category models */
export const Privacy = Schema.Struct({
  /** The run's `evaluate.sendRows`: false hides every result value (rows, differing cells, Genie's text). */
  sendRows: Schema.Boolean,
  /** Secret strings replaced with `[REDACTED]`. */
  redactions: Schema.Number
})
/** @category models */
export type Privacy = typeof Privacy.Type

// ---------------------------------------------------------------------------------------------------------------
// Enhance runs (optional sections)
// ---------------------------------------------------------------------------------------------------------------

/** One benchmark's outcome in one iteration. @category models */
export const IterationResult = Schema.Struct({ benchmarkId: Schema.String, outcome: Outcome })
/** @category models */
export type IterationResult = typeof IterationResult.Type

/**
 * One iteration of the enhance loop: iteration 0 is the baseline. Holdout is scored at the baseline and at the
 * final iteration (and wherever the loop chose to).
 *
 * @category models
 */
export const Iteration = Schema.Struct({
  index: Schema.Number,
  label: optional(Schema.String),
  train: optional(Score),
  holdout: optional(Score),
  /** Whether this iteration's candidate configuration was kept. */
  accepted: optional(Schema.Boolean),
  results: Schema.Array(IterationResult),
  durationMs: optional(Schema.Number),
  /** Genie questions this iteration asked (the baseline's: both splits). */
  genieQuestions: optional(Schema.Number)
})
/** @category models */
export type Iteration = typeof Iteration.Type

/** A proposed fix and what became of it. @category models */
export const FixRecord = Schema.Struct({
  id: Schema.String,
  iteration: Schema.Number,
  /** `Stages.FixCategory`: `instruction-fix`, `join-spec-add`, … */
  category: Schema.String,
  /** JSON path in the serialized space. */
  target: Schema.String,
  rationale: Schema.String,
  sourceBenchmarkIds: Schema.Array(Schema.String),
  decision: Schema.Literal("accepted", "rejected"),
  /** Why it was accepted or rejected (score moved, regression on a benchmark, validation failed, …). */
  why: Schema.String,
  /** Train score change it caused, in points of a proportion (0.05 = +5 %). */
  scoreDelta: optional(Schema.Number),
  value: optional(Schema.String)
})
/** @category models */
export type FixRecord = typeof FixRecord.Type

/** One change in one section of the space (see `SpaceDiff`). @category models */
export const DiffChange = Schema.Struct({
  kind: Schema.Literal("added", "removed", "changed"),
  key: Schema.String,
  fields: optional(Schema.Array(Schema.String)),
  before: optional(Schema.String),
  after: optional(Schema.String)
})
/** @category models */
export type DiffChange = typeof DiffChange.Type

/** The space diff of one section (`instructions.sql_snippets.measures`, `data_sources.tables`, …). @category models */
export const SectionDiff = Schema.Struct({ section: Schema.String, changes: Schema.Array(DiffChange) })
/** @category models */
export type SectionDiff = typeof SectionDiff.Type

/** A question put to Genie during the run (benchmarks, probes). @category models */
export const GenieQuestion = Schema.Struct({
  question: Schema.String,
  benchmarkId: optional(Schema.String),
  iteration: optional(Schema.Number),
  stage: optional(Schema.String)
})
/** @category models */
export type GenieQuestion = typeof GenieQuestion.Type

/** Language-model usage for one stage (or model). @category models */
export const LlmUsage = Schema.Struct({
  name: Schema.String,
  calls: Schema.Number,
  inputTokens: Schema.Number,
  outputTokens: Schema.Number,
  costUsd: optional(Schema.Number)
})
/** @category models */
export type LlmUsage = typeof LlmUsage.Type

/** Wall time spent in one stage. @category models */
export const StageTime = Schema.Struct({ stage: Schema.String, ms: Schema.Number })
/** @category models */
export type StageTime = typeof StageTime.Type

/**
 * The sections only an enhance run has. `EnhanceReader` maps an enhance run's own records (`enhance.json`, the
 * loop's outcome, and `enhance.jsonl`) to it; a section can also be handed to `RunReader.read` or stored as
 * `enhance.json` in this shape.
 *
 * @category models
 */
export const EnhanceSection = Schema.Struct({
  iterations: Schema.Array(Iteration),
  holdout: optional(Schema.Struct({ baseline: optional(Score), final: optional(Score) })),
  fixes: Schema.Array(FixRecord),
  spaceDiff: Schema.Array(SectionDiff),
  genieQuestions: Schema.Struct({ total: Schema.Number, questions: Schema.Array(GenieQuestion) }),
  llm: optional(
    Schema.Struct({
      byStage: Schema.Array(LlmUsage),
      byModel: Schema.Array(LlmUsage),
      total: LlmUsage
    })
  ),
  stageTimes: Schema.Array(StageTime),
  /** Why the loop stopped: `target`, `maxIterations`, `plateau`, `budget:genieQuestions`, … */
  stopReason: optional(Schema.String),
  promotion: optional(Schema.Struct({ promoted: Schema.Boolean, reason: Schema.String }))
})
/** @category models */
export type EnhanceSection = typeof EnhanceSection.Type

// ---------------------------------------------------------------------------------------------------------------
// Comparison of two runs
// ---------------------------------------------------------------------------------------------------------------

/** A benchmark whose outcome changed between two runs. @category models */
export const Change = Schema.Struct({
  id: Schema.String,
  question: optional(Schema.String),
  category: Schema.String,
  before: Outcome,
  after: Outcome,
  /** The current run's reasons (for a regression: why it fails now). */
  reasons: Schema.Array(Schema.String)
})
/** @category models */
export type Change = typeof Change.Type

/**
 * What changed from `baseline` (the `--against` run) to this run.
 *
 * @category models
 */
export const Comparison = Schema.Struct({
  baseline: Schema.Struct({ runId: Schema.String, spaceId: Schema.String, startedAt: Schema.String, overall: Score }),
  /** Score change in points of a proportion; null when either side scored nothing. */
  delta: Schema.NullOr(Schema.Number),
  /** Failing (or not passing) before, passing now. */
  fixed: Schema.Array(Change),
  /** Passing before, not passing now. */
  broke: Schema.Array(Change),
  /** Other outcome changes (fail → error, excluded → fail, …). */
  changed: Schema.Array(Change),
  unchangedPass: Schema.Number,
  unchangedOther: Schema.Number,
  onlyHere: Schema.Array(Schema.String),
  onlyInBaseline: Schema.Array(Schema.String),
  byCategory: Schema.Array(
    Schema.Struct({ name: Schema.String, before: Schema.NullOr(Schema.Number), after: Schema.NullOr(Schema.Number) })
  )
})
/** @category models */
export type Comparison = typeof Comparison.Type

// ---------------------------------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------------------------------

/**
 * Everything a report shows.
 *
 * @category models
 */
export const ReportData = Schema.Struct({
  schemaVersion: Schema.Literal(schemaVersion),
  generatedAt: Schema.String,
  run: RunInfo,
  privacy: Privacy,
  score: ScoreSection,
  benchmarks: Schema.Array(BenchmarkRow),
  enhance: optional(EnhanceSection),
  comparison: optional(Comparison),
  /** What could not be read (a moved benchmark file, …); the report is still made. */
  warnings: Schema.Array(Schema.String)
})
/** @category models */
export type ReportData = typeof ReportData.Type

/** Decodes report data (a `--format json` report, a hand-built fixture). @category constructors */
export const decode = Schema.decodeUnknown(ReportData)

/** Decodes an `enhance.json` section. @category constructors */
export const decodeEnhance = Schema.decodeUnknown(EnhanceSection)
