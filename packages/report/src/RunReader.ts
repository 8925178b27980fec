/**
 * Reads a run directory (`.genie-enhancer/runs/<run-id>/`) into `ReportData`: `run.json` says what was run,
 * `journal.jsonl` holds every finished benchmark, `results.json` the summary (absent when the run was cut short:
 * the summary is then recomputed from the journal), the benchmark file adds questions, categories and
 * difficulties. An enhance run (`enhance.json`, the loop's outcome, and `enhance.jsonl`, its journal) adds the enhance
 * sections and its benchmarks are the best configuration's results (see `EnhanceReader`).
 */
import { FileSystem, Path } from "@effect/platform"
import { Benchmark, RunStore, RunSummary, Stages } from "@genie-enhancer/core"
import { Clock, Effect, Option, Schema } from "effect"
import * as EnhanceReader from "./EnhanceReader.js"
import * as Redaction from "./Redaction.js"
import * as ReportData from "./ReportData.js"

/**
 * A run directory could not be read: no such run, or `run.json` / `journal.jsonl` is damaged. Names the file.
 *
 * @category errors
 */
export class ReportError extends Schema.TaggedError<ReportError>()("ReportError", {
  path: Schema.String,
  message: Schema.String
}) {}

/** How to read a run. @category models */
export interface Options {
  /**
   * The run's `evaluate.sendRows`. `false` hides every result value. When not given, values are hidden unless
   * `run.json` records `sendRows: true` — a report never shows more than it knows it may.
   */
  readonly sendRows?: boolean
  /** Environment whose secret values are redacted (`process.env` in the CLI). */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Enhance sections to use instead of the run's own (`enhance.json` and `enhance.jsonl`). */
  readonly enhance?: ReportData.EnhanceSection
  /** An enhance run's promotion, when it just happened (`enhance --promote`); else the run's promotability. */
  readonly promotion?: { readonly promoted: boolean; readonly reason: string }
}

/** The part of `results.json` reports use; everything optional, so older or partial summaries still read. */
const SummaryFile = Schema.Struct({
  finishedAt: Schema.optional(Schema.String),
  wallMs: Schema.optional(Schema.Number),
  benchmarks: Schema.optional(Schema.Number),
  overall: Schema.optional(ReportData.Score),
  byCategory: Schema.optional(Schema.Record({ key: Schema.String, value: ReportData.Score })),
  verdicts: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Number })),
  failureCategories: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Number })),
  judged: Schema.optional(Schema.Number),
  timings: Schema.optional(Schema.Struct({ genie: ReportData.Timing, expectedSql: ReportData.Timing })),
  attempts: Schema.optional(Schema.Struct({ total: Schema.Number, retriedBenchmarks: Schema.Number })),
  safety: Schema.optional(
    Schema.Struct({
      rateLimitedAbsorbed: Schema.optional(Schema.Number),
      circuitEvents: Schema.optional(Schema.Array(Schema.Unknown))
    })
  )
})
type SummaryFile = typeof SummaryFile.Type

/** Optional fields a run may record in `run.json` besides `RunStore.RunMeta`. */
const MetaExtras = Schema.Struct({
  kind: Schema.optional(Schema.Literal("score", "enhance")),
  sendRows: Schema.optional(Schema.Boolean),
  evaluate: Schema.optional(Schema.Struct({ sendRows: Schema.optional(Schema.Boolean) }))
})

const decodeMeta = Schema.decodeUnknownEither(RunStore.RunMeta)
const decodeExtras = Schema.decodeUnknownOption(MetaExtras)
const decodeResult = Schema.decodeUnknownOption(Stages.BenchmarkResult)
const decodeSummary = Schema.decodeUnknownEither(SummaryFile)
const decodeSection = Schema.decodeUnknownEither(ReportData.EnhanceSection)

/** A benchmark the enhance loop's preflight excluded (its expected SQL failed or returned no rows). */
const excludedRow = (b: Benchmark.Benchmark, reason: string): ReportData.BenchmarkRow => ({
  id: b.id,
  question: b.question,
  category: b.category,
  difficulty: b.difficulty,
  ...(b.split === undefined ? {} : { split: b.split }),
  outcome: "excluded",
  decidedBy: "preflight",
  reasons: [reason],
  expectedSql: b.expected_sql
})

const parseJson = (text: string): Option.Option<unknown> =>
  Option.liftThrowable((s: string): unknown => JSON.parse(s))(text)

/** Journal lines decoded; a torn last line (a crash mid-write) is skipped, damage elsewhere is an error. */
const parseJournal = (text: string, file: string) =>
  Effect.gen(function* () {
    const lines = text.split("\n")
    const byId = new Map<string, Stages.BenchmarkResult>()
    for (const [i, line] of lines.entries()) {
      if (line.trim() === "") continue
      // `{"accepted": …}` lines record a question Genie accepted before its answer (RunStore); not a result.
      if (line.startsWith('{"accepted":')) continue
      const decoded = Option.flatMap(parseJson(line), decodeResult)
      if (Option.isSome(decoded)) {
        byId.set(decoded.value.benchmarkId, decoded.value)
        continue
      }
      if (lines.slice(i + 1).every((rest) => rest.trim() === "")) continue
      return yield* new ReportError({ path: `${file}:${i + 1}`, message: "line is not a benchmark result" })
    }
    return [...byId.values()]
  })

const tally = (values: ReadonlyArray<string>): Array<ReportData.Count> => {
  const counts = new Map<string, number>()
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
  return [...counts].map(([name, count]) => ({ name, count })).sort((a, b) => b.count - a.count || cmp(a.name, b.name))
}

const fromRecord = (record: Readonly<Record<string, number>>): Array<ReportData.Count> =>
  Object.entries(record)
    .map(([name, count]) => ({ name, count }))
    .sort((a, b) => b.count - a.count || cmp(a.name, b.name))

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/**
 * The score of some rows, with its Wilson interval (excluded rows do not count).
 *
 * @category constructors
 */
export const scoreOf = (rows: ReadonlyArray<{ readonly outcome: ReportData.Outcome }>): ReportData.Score => {
  const counted = rows.filter((r) => r.outcome !== "excluded")
  const passed = counted.filter((r) => r.outcome === "pass").length
  if (counted.length === 0) return { passed, scored: 0, score: null, low: null, high: null }
  const { low, high } = RunSummary.wilson(passed, counted.length)
  return { passed, scored: counted.length, score: passed / counted.length, low, high }
}

const order: Readonly<Record<string, number>> = { easy: 0, medium: 1, hard: 2, train: 0, holdout: 1 }

/**
 * Scores grouped by a key of the rows (rows without the key are left out).
 *
 * @category constructors
 */
export const groupBy = (
  rows: ReadonlyArray<ReportData.BenchmarkRow>,
  key: (row: ReportData.BenchmarkRow) => string | undefined
): Array<ReportData.Group> => {
  const groups = new Map<string, Array<ReportData.BenchmarkRow>>()
  for (const row of rows) {
    const k = key(row)
    if (k !== undefined) groups.set(k, [...(groups.get(k) ?? []), row])
  }
  return [...groups]
    .sort(([a], [b]) => (order[a] ?? 9) - (order[b] ?? 9) || cmp(a, b))
    .map(([name, rs]) => ({ name, ...scoreOf(rs) }))
}

const sample = (result: Stages.ResultSet): ReportData.ResultSample => ({
  columns: result.columns.map((c) => ({ name: c.name, type: c.typeText ?? c.typeName })),
  rowCount: Math.max(result.rowCount, result.rows.length),
  truncated: result.truncated,
  rows: result.rows.slice(0, 20),
  elapsedMs: result.elapsedMs
})

/**
 * One report row from a journal result and its benchmark (when the benchmark file still has it).
 *
 * @category constructors
 */
export const toRow = (result: Stages.BenchmarkResult, benchmark: Benchmark.Benchmark | undefined) => {
  const { answer, verdict } = result
  const row: ReportData.BenchmarkRow = {
    id: result.benchmarkId,
    category: benchmark?.category ?? "uncategorized",
    outcome: verdict.outcome,
    decidedBy: verdict.decidedBy,
    reasons: verdict.reasons,
    ...(benchmark === undefined
      ? {}
      : {
          question: benchmark.question,
          difficulty: benchmark.difficulty,
          expectedSql: benchmark.expected_sql,
          ...(benchmark.split === undefined ? {} : { split: benchmark.split })
        }),
    ...(result.failureCategory === undefined ? {} : { failureCategory: result.failureCategory }),
    ...(answer === undefined
      ? {}
      : {
          genie: {
            status: answer.status,
            attempts: answer.attempts,
            elapsedMs: answer.elapsedMs,
            ...(answer.sql === undefined ? {} : { sql: answer.sql }),
            ...(answer.text === undefined ? {} : { text: answer.text }),
            ...(answer.error === undefined ? {} : { error: { type: answer.error.type, message: answer.error.message } })
          },
          ...(answer.result === undefined ? {} : { actual: sample(answer.result) })
        }),
    ...(result.expected === undefined ? {} : { expected: sample(result.expected) }),
    ...(verdict.evidence === undefined ? {} : { evidence: verdict.evidence }),
    ...(verdict.diagnosis === undefined ? {} : { diagnosis: verdict.diagnosis }),
    ...(verdict.judge === undefined ? {} : { judge: verdict.judge })
  }
  return row
}

/**
 * The score section from the rows, preferring the run's own `results.json` numbers where it has them.
 *
 * @category constructors
 */
export const scoreSection = (
  rows: ReadonlyArray<ReportData.BenchmarkRow>,
  summary?: SummaryFile
): ReportData.ScoreSection => ({
  overall: summary?.overall ?? scoreOf(rows),
  byCategory:
    summary?.byCategory === undefined
      ? groupBy(rows, (r) => r.category)
      : Object.entries(summary.byCategory).map(([name, s]) => ({ name, ...s })),
  byDifficulty: groupBy(rows, (r) => r.difficulty),
  bySplit: groupBy(rows, (r) => r.split),
  verdicts: summary?.verdicts === undefined ? tally(rows.map((r) => r.outcome)) : fromRecord(summary.verdicts),
  reasons: tally(rows.filter((r) => r.outcome !== "pass").flatMap((r) => r.reasons)),
  failureCategories:
    summary?.failureCategories === undefined
      ? tally(rows.flatMap((r) => (r.failureCategory === undefined ? [] : [r.failureCategory])))
      : fromRecord(summary.failureCategories),
  decidedBy: tally(rows.map((r) => r.decidedBy)),
  judged: summary?.judged ?? rows.filter((r) => r.judge !== undefined).length,
  ...(summary?.timings === undefined ? {} : { timings: summary.timings }),
  ...(summary?.attempts === undefined ? {} : { attempts: summary.attempts }),
  ...(summary?.safety?.rateLimitedAbsorbed === undefined
    ? {}
    : { rateLimitedAbsorbed: summary.safety.rateLimitedAbsorbed }),
  ...(summary?.safety?.circuitEvents === undefined ? {} : { circuitEvents: summary.safety.circuitEvents.length })
})

/**
 * Reads the run in `runDir` into redacted report data.
 *
 * @category constructors
 */
export const read = Effect.fn("RunReader.read")(function* (runDir: string, options: Options = {}) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const readText = (file: string) => fs.readFileString(file).pipe(Effect.option)
  const warnings: Array<string> = []

  const metaFile = path.join(runDir, "run.json")
  const metaText = yield* readText(metaFile)
  if (Option.isNone(metaText)) {
    return yield* new ReportError({ path: metaFile, message: `no run in ${runDir} (run.json is missing)` })
  }
  const metaJson = parseJson(metaText.value)
  const meta = Option.isNone(metaJson) ? undefined : Option.getOrUndefined(Option.getRight(decodeMeta(metaJson.value)))
  if (meta === undefined) return yield* new ReportError({ path: metaFile, message: "not a run file" })
  const extras = Option.getOrUndefined(Option.flatMap(metaJson, decodeExtras))

  const journalFile = path.join(runDir, "journal.jsonl")
  const results = yield* parseJournal(
    Option.getOrElse(yield* readText(journalFile), () => ""),
    journalFile
  )

  const summaryText = yield* readText(path.join(runDir, "results.json"))
  let summary: SummaryFile | undefined
  if (Option.isSome(summaryText)) {
    const decoded = Option.flatMap(parseJson(summaryText.value), (v) => Option.getRight(decodeSummary(v)))
    if (Option.isSome(decoded)) summary = decoded.value
    else warnings.push("results.json is damaged; the summary is recomputed from the journal")
  }

  const file = yield* Benchmark.load(meta.benchmarksFile).pipe(Effect.option)
  if (Option.isNone(file)) {
    warnings.push(`benchmark file ${meta.benchmarksFile} could not be read: questions and expected SQL are missing`)
  }
  const benchmarks = Option.match(file, { onNone: () => [], onSome: (f) => f.benchmarks })

  // An enhance run: the loop's outcome (`enhance.json`) and journal (`enhance.jsonl`), mapped by `EnhanceReader`;
  // or a ready enhance section (given, or as `enhance.json`).
  let enhance = options.enhance
  let enhanceRun: EnhanceReader.Mapped | undefined
  if (enhance === undefined) {
    const enhanceJson = Option.flatMap(yield* readText(path.join(runDir, "enhance.json")), parseJson)
    const outcome = Option.flatMap(enhanceJson, EnhanceReader.decodeOutcome)
    const section = Option.isSome(outcome)
      ? Option.none()
      : Option.flatMap(enhanceJson, (v) => Option.getRight(decodeSection(v)))
    const enhanceJournal = yield* readText(path.join(runDir, "enhance.jsonl"))
    if (Option.isSome(section)) enhance = section.value
    else if (Option.isSome(outcome) || Option.isSome(enhanceJournal)) {
      const journal = EnhanceReader.parseJournal(Option.getOrElse(enhanceJournal, () => ""))
      enhanceRun = EnhanceReader.fromRun({
        runId: meta.runId,
        outcome: Option.getOrUndefined(outcome),
        journal: journal.lines,
        benchmarks,
        ...(options.promotion === undefined ? {} : { promotion: options.promotion })
      })
      enhance = enhanceRun.enhance
      if (Option.isSome(enhanceJson) && Option.isNone(outcome)) warnings.push("enhance.json is damaged; it is left out")
      if (journal.skipped > 0) warnings.push(`enhance.jsonl: ${journal.skipped} damaged line(s) skipped`)
      warnings.push(...enhanceRun.warnings)
    } else if (Option.isSome(enhanceJson)) {
      warnings.push("enhance.json is not an enhance section; its sections are left out")
    }
  }

  // Rows: the journal's results; for an enhance run, the best configuration's results and the excluded benchmarks.
  const scored: ReadonlyArray<{ readonly result: Stages.BenchmarkResult; readonly split?: string }> =
    enhanceRun?.results ?? results.map((result) => ({ result }))
  const excluded = new Map((enhanceRun?.excluded ?? []).map((e) => [e.benchmarkId, e.reason]))
  const byId = new Map(scored.map((r) => [r.result.benchmarkId, r]))
  const inFile = new Set(benchmarks.map((b) => b.id))
  const rowOf = (r: { readonly result: Stages.BenchmarkResult; readonly split?: string }, b?: Benchmark.Benchmark) => {
    const row = toRow(r.result, b)
    return r.split === undefined ? row : { ...row, split: r.split }
  }
  const rows = [
    ...benchmarks.flatMap((b) => {
      const reason = excluded.get(b.id)
      if (reason !== undefined) return [excludedRow(b, reason)]
      const result = byId.get(b.id)
      return result === undefined ? [] : [rowOf(result, b)]
    }),
    ...scored.filter((r) => !inFile.has(r.result.benchmarkId)).map((r) => rowOf(r))
  ]
  if (Option.isSome(file) && rows.some((r) => r.question === undefined)) {
    warnings.push("some results have no benchmark in the benchmark file (it changed since the run)")
  }

  const recorded = extras?.sendRows ?? extras?.evaluate?.sendRows
  // The stricter of what the caller says and what the run recorded; unknown means hidden.
  const sendRows = (options.sendRows ?? recorded ?? false) && recorded !== false
  const data: ReportData.ReportData = {
    schemaVersion: ReportData.schemaVersion,
    generatedAt: new Date(yield* Clock.currentTimeMillis).toISOString(),
    run: {
      runId: meta.runId,
      kind: enhance === undefined ? (extras?.kind ?? "score") : "enhance",
      spaceId: meta.spaceId,
      startedAt: meta.startedAt,
      ...(summary?.finishedAt === undefined ? {} : { finishedAt: summary.finishedAt }),
      ...(summary?.wallMs === undefined ? {} : { wallMs: summary.wallMs }),
      ...(enhanceRun?.finishedAt === undefined ? {} : { finishedAt: enhanceRun.finishedAt }),
      ...(enhanceRun?.wallMs === undefined ? {} : { wallMs: enhanceRun.wallMs }),
      benchmarksFile: meta.benchmarksFile,
      profile: meta.profile,
      scorer: meta.scorer,
      target: meta.target,
      benchmarks: summary?.benchmarks ?? Math.max(benchmarks.length, rows.length),
      finished: rows.length,
      complete: enhanceRun?.complete ?? summary !== undefined
    },
    privacy: { sendRows, redactions: 0 },
    score: scoreSection(rows, summary),
    benchmarks: rows,
    ...(enhance === undefined ? {} : { enhance }),
    warnings
  }
  return Redaction.apply(data, Redaction.secretsFromEnv(options.env ?? {}))
})
