/**
 * Maps an enhance run's own records to the report's enhance section, in one place: the outcome the loop writes
 * (`enhance.json`, `Enhance.Outcome`) and its journal (`enhance.jsonl`: every step and every scored benchmark, keyed
 * by pass — `baseline/train/r1`, `2.a/candidate/r1`, `2.a/confirm-best`, `final/holdout/r1`, …).
 *
 * **Details**
 * - Iterations: 0 is the baseline (train and holdout); iteration *i* is the best configuration after it — the
 *   baseline's outcomes overlaid with those of every candidate accepted so far — with its train score
 *   (`trainByIteration`) and, on the last one, the final holdout. The benchmark × iteration matrix is those
 *   outcomes (a benchmark asked several times counts as passing when most of its asks passed).
 * - Benchmarks: the best configuration's latest result for each train benchmark, the final holdout result for each
 *   holdout benchmark (the baseline's when no fix was accepted), and the benchmarks preflight excluded.
 * - Fixes: the outcome's decisions, with the rationale, source benchmarks and change from the journal's plans.
 * - Space diff: production at the start against the best configuration. Genie questions: one per scored answer.
 *
 * A run that did not finish (no `enhance.json`) is read from its journal alone: scores are recomputed, fixes and
 * the stop reason are unknown.
 */
import type { Benchmark, Enhance } from "@genie-enhancer/core"
import { RunSummary, SpaceDiff, Stages } from "@genie-enhancer/core"
import { Option, Schema } from "effect"
import type * as ReportData from "./ReportData.js"

const optional = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { exact: true })

const ScoreCI = Schema.Struct({ score: Schema.Number, low: Schema.Number, high: Schema.Number, n: Schema.Number })
const Totals = Schema.Struct({
  calls: Schema.Number,
  inputTokens: Schema.Number,
  outputTokens: Schema.Number,
  costUsd: Schema.Number
})

/**
 * The part of `Enhance.Outcome` (`enhance.json`) reports read. Fields added to the outcome later are optional, so
 * outcomes of older runs still read.
 *
 * @category models
 */
export const OutcomeFile = Schema.Struct({
  runId: Schema.String,
  productionSpaceId: Schema.String,
  excluded: Schema.Array(Schema.Struct({ benchmarkId: Schema.String, reason: Schema.String })),
  baseline: Schema.Struct({ train: ScoreCI, holdout: ScoreCI }),
  best: Schema.Struct({ train: ScoreCI, holdout: ScoreCI }),
  candidates: Schema.Array(
    Schema.Struct({
      iteration: Schema.Number,
      candidate: Schema.String,
      fixIds: Schema.Array(Schema.String),
      accepted: Schema.Boolean,
      reason: Schema.String,
      gains: Schema.Array(Schema.String),
      losses: Schema.Array(Schema.String),
      genieQuestions: Schema.Number,
      scoreBefore: optional(Schema.Number),
      scoreAfter: optional(Schema.Number)
    })
  ),
  fixes: Schema.Array(
    Schema.Struct({
      id: Schema.String,
      category: Schema.String,
      target: Schema.String,
      iteration: Schema.Number,
      status: Schema.Literal("accepted", "rejected", "invalid"),
      reason: Schema.String
    })
  ),
  stopReason: Schema.String,
  iterations: Schema.Number,
  trainByIteration: optional(Schema.Array(ScoreCI)),
  genieQuestions: Schema.Struct({
    total: Schema.Number,
    baseline: Schema.Number,
    iterations: Schema.Array(Schema.Number),
    final: Schema.Number,
    perAcceptedFix: Schema.NullOr(Schema.Number)
  }),
  holdoutDropped: Schema.Boolean,
  promotable: Schema.Struct({ allowed: Schema.Boolean, reason: Schema.String }),
  finishedAt: optional(Schema.String),
  wallMs: optional(Schema.Number),
  stageTimes: optional(Schema.Array(Schema.Struct({ stage: Schema.String, ms: Schema.Number }))),
  llm: optional(Schema.Struct({ byStage: Schema.Record({ key: Schema.String, value: Totals }), total: Totals })),
  baseSpace: Schema.Unknown,
  bestSpace: Schema.Unknown
})
/** @category models */
export type OutcomeFile = typeof OutcomeFile.Type

/**
 * The loop's outcome as this view (the identity; a field the loop renames or retypes fails to compile here).
 *
 * @category constructors
 */
export const outcomeView: (outcome: Enhance.Outcome) => typeof OutcomeFile.Encoded = (outcome) => outcome

/** Decodes `enhance.json` as the loop's outcome. @category constructors */
export const decodeOutcome = Schema.decodeUnknownOption(OutcomeFile)

/** One line of `enhance.jsonl` (the loop's `Checkpoint.Line`). @category models */
export const JournalLine = Schema.Union(
  Schema.Struct({ _tag: Schema.Literal("Step"), key: Schema.String, value: Schema.Unknown }),
  Schema.Struct({
    _tag: Schema.Literal("Scored"),
    pass: Schema.String,
    spaceId: Schema.String,
    result: Stages.BenchmarkResult
  }),
  Schema.Struct({ _tag: Schema.Literal("Note"), key: Schema.String, value: Schema.Unknown })
)
/** @category models */
export type JournalLine = typeof JournalLine.Type

const decodeLine = Schema.decodeUnknownOption(Schema.parseJson(JournalLine))

/**
 * The lines of `enhance.jsonl`; lines that do not decode (a torn last line) are skipped and counted.
 *
 * @category constructors
 */
export const parseJournal = (text: string): { readonly lines: Array<JournalLine>; readonly skipped: number } => {
  const lines: Array<JournalLine> = []
  let skipped = 0
  for (const raw of text.split("\n")) {
    if (raw.trim() === "") continue
    const line = decodeLine(raw)
    if (Option.isSome(line)) lines.push(line.value)
    else skipped++
  }
  return { lines, skipped }
}

const PlanStep = Schema.Struct({
  fixes: Schema.Array(
    Schema.Struct({
      id: Schema.String,
      rationale: Schema.String,
      sourceBenchmarkIds: Schema.Array(Schema.String),
      change: optional(Schema.Unknown)
    })
  )
})
const decodePlan = Schema.decodeUnknownOption(PlanStep)
const decodeDecided = Schema.decodeUnknownOption(Schema.Struct({ ok: Schema.Boolean }))
const decodeExcluded = Schema.decodeUnknownOption(OutcomeFile.fields.excluded)

/** What a scored pass is. */
type Pass =
  | { readonly phase: "baseline" | "final"; readonly split: "train" | "holdout"; readonly stage: string }
  | {
      readonly phase: "candidate"
      readonly label: string
      readonly iteration: number
      readonly kind: "candidate" | "confirm-candidate" | "confirm-best"
      readonly stage: string
    }

/**
 * The pass a journal key names: `baseline/train/r1`, `final/holdout/r2`, `1.a/candidate/r1`, `3/confirm-best`.
 *
 * @category constructors
 */
export const parsePass = (pass: string): Pass | undefined => {
  const fixed = /^(baseline|final)\/(train|holdout)(?:\/r\d+)?$/.exec(pass)
  if (fixed !== null) {
    const phase = fixed[1] as "baseline" | "final"
    const split = fixed[2] as "train" | "holdout"
    return { phase, split, stage: `${phase} ${split}` }
  }
  const tried = /^((\d+)(?:\.[ab])*)\/(candidate(?:\/r\d+)?|confirm-candidate|confirm-best)$/.exec(pass)
  if (tried === null) return undefined
  const kind = tried[3].startsWith("candidate") ? "candidate" : (tried[3] as "confirm-candidate" | "confirm-best")
  const stage = kind === "candidate" ? "rescore" : kind === "confirm-candidate" ? "confirm candidate" : "confirm best"
  return { phase: "candidate", label: tried[1], iteration: Number(tried[2]), kind, stage }
}

/** Several asks of one benchmark as one outcome: a pass when most asks passed, else the last other outcome. */
const combine = (outcomes: ReadonlyArray<ReportData.Outcome>): ReportData.Outcome => {
  const passed = outcomes.filter((o) => o === "pass").length
  if (passed * 2 > outcomes.length) return "pass"
  return outcomes.findLast((o) => o !== "pass") ?? "fail"
}

/** A score with its Wilson interval from outcomes (excluded ones do not count). */
const scoreOfOutcomes = (outcomes: ReadonlyArray<ReportData.Outcome>): ReportData.Score => {
  const counted = outcomes.filter((o) => o !== "excluded")
  const passed = counted.filter((o) => o === "pass").length
  if (counted.length === 0) return { passed, scored: 0, score: null, low: null, high: null }
  const { low, high } = RunSummary.wilson(passed, counted.length)
  return { passed, scored: counted.length, score: passed / counted.length, low, high }
}

/** The loop's score (pass rates over benchmarks) as a report score; `passed` is the sum of pass rates. */
const fromCI = (s: typeof ScoreCI.Type): ReportData.Score =>
  s.n === 0
    ? { passed: 0, scored: 0, score: null, low: null, high: null }
    : { passed: Math.round(s.score * s.n * 100) / 100, scored: s.n, score: s.score, low: s.low, high: s.high }

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text)
const json = (value: unknown, max = 1200) => clip(JSON.stringify(value, null, 2) ?? "", max)

/** The top-level field a `SpaceDiff` field path names: `column_configs[region].x` → `column_configs`. */
const topField = (field: string) => field.replace(/^[+-]/, "").split(/[.[]/)[0] ?? field

const pick = (value: unknown, fields: ReadonlyArray<string>): unknown => {
  if (typeof value !== "object" || value === null || Array.isArray(value) || fields.length === 0) return value
  const keys = new Set(fields.map(topField))
  return Object.fromEntries(Object.entries(value).filter(([k]) => keys.has(k)))
}

/**
 * The space diff per section, production at the start against the best configuration (changed items show only
 * the fields that differ).
 *
 * @category constructors
 */
export const spaceDiff = (base: unknown, best: unknown): Array<ReportData.SectionDiff> => {
  const d = Option.liftThrowable(() => SpaceDiff.diff(base as never, best as never))()
  if (Option.isNone(d)) return []
  return d.value.sections.map((s) => ({
    section: s.section,
    changes: [
      ...s.added.map((e): ReportData.DiffChange => ({ kind: "added", key: e.key, after: json(e.value) })),
      ...s.removed.map((e): ReportData.DiffChange => ({ kind: "removed", key: e.key, before: json(e.value) })),
      ...s.changed.map((c): ReportData.DiffChange => ({
        kind: "changed",
        key: c.key,
        fields: c.fields,
        before: json(pick(c.before, c.fields)),
        after: json(pick(c.after, c.fields))
      }))
    ]
  }))
}

/** What `fromRun` needs. @category models */
export interface Input {
  readonly runId: string
  /** `enhance.json`, when the run finished. */
  readonly outcome: OutcomeFile | undefined
  /** `enhance.jsonl`. */
  readonly journal: ReadonlyArray<JournalLine>
  /** The benchmark file's benchmarks (empty when it cannot be read any more). */
  readonly benchmarks: ReadonlyArray<Benchmark.Benchmark>
  /** Overrides the promotion decision (e.g. `enhance --promote` just promoted). */
  readonly promotion?: { readonly promoted: boolean; readonly reason: string }
}

/** A result of the best configuration and the split it was scored on. @category models */
export interface SplitResult {
  readonly result: Stages.BenchmarkResult
  readonly split: "train" | "holdout"
}

/** What an enhance run adds to a report. @category models */
export interface Mapped {
  readonly enhance: ReportData.EnhanceSection
  /** The best configuration's results (train: latest accepted; holdout: final), in journal order. */
  readonly results: ReadonlyArray<SplitResult>
  readonly excluded: ReadonlyArray<{ readonly benchmarkId: string; readonly reason: string }>
  readonly complete: boolean
  readonly finishedAt?: string
  readonly wallMs?: number
  readonly warnings: ReadonlyArray<string>
}

/**
 * Maps an enhance run (its outcome when it finished, and its journal) to the report's enhance section and the best
 * configuration's results.
 *
 * @category constructors
 */
export const fromRun = (input: Input): Mapped => {
  const { outcome, journal } = input
  const warnings: Array<string> = []
  const questionsOf = new Map(input.benchmarks.map((b) => [b.id, b.question]))

  // Scored answers by pass, in journal order.
  const scored: Array<{ readonly pass: Pass; readonly result: Stages.BenchmarkResult }> = []
  for (const line of journal) {
    if (line._tag !== "Scored") continue
    const pass = parsePass(line.pass)
    if (pass !== undefined) scored.push({ pass, result: line.result })
  }
  const steps = new Map<string, unknown>()
  for (const line of journal) if (line._tag === "Step") steps.set(line.key, line.value)

  // Which candidates were accepted, and how many iterations ran.
  const accepted = new Set(
    outcome !== undefined
      ? outcome.candidates.filter((c) => c.accepted).map((c) => c.candidate)
      : [...steps].flatMap(([key, value]) => {
          const m = /^(.+)\/decided$/.exec(key)
          return m !== null && Option.exists(decodeDecided(value), (d) => d.ok) ? [m[1]] : []
        })
  )
  const iterationCount =
    outcome?.iterations ??
    Math.max(0, ...[...steps.keys()].flatMap((k) => /^it(\d+)\/learn$/.exec(k)?.[1] ?? []).map(Number))

  /** Per benchmark: the outcomes of some passes, combined, and the last result. */
  const collect = (keep: (p: Pass) => boolean) => {
    const outcomes = new Map<string, Array<ReportData.Outcome>>()
    const last = new Map<string, Stages.BenchmarkResult>()
    for (const { pass, result } of scored) {
      if (!keep(pass)) continue
      const id = result.benchmarkId
      outcomes.set(id, [...(outcomes.get(id) ?? []), result.verdict.outcome])
      if (pass.phase !== "candidate" || pass.kind === "candidate") last.set(id, result)
    }
    return { outcomes: new Map([...outcomes].map(([id, os]) => [id, combine(os)])), last }
  }
  const baselineTrain = collect((p) => p.phase === "baseline" && p.split === "train")
  const baselineHoldout = collect((p) => p.phase === "baseline" && p.split === "holdout")
  const finalHoldout = collect((p) => p.phase === "final")
  const holdoutEnd = finalHoldout.outcomes.size > 0 ? finalHoldout : baselineHoldout

  const results = (m: ReadonlyMap<string, ReportData.Outcome>) =>
    [...m].map(([benchmarkId, o]): ReportData.IterationResult => ({ benchmarkId, outcome: o }))
  const questionsIn = (i: number) => outcome?.genieQuestions.iterations[i - 1]

  const iterations: Array<ReportData.Iteration> = [
    {
      index: 0,
      label: "baseline",
      train:
        outcome === undefined ? scoreOfOutcomes([...baselineTrain.outcomes.values()]) : fromCI(outcome.baseline.train),
      holdout:
        outcome === undefined
          ? scoreOfOutcomes([...baselineHoldout.outcomes.values()])
          : fromCI(outcome.baseline.holdout),
      results: [...results(baselineTrain.outcomes), ...results(baselineHoldout.outcomes)],
      ...(outcome === undefined ? {} : { genieQuestions: outcome.genieQuestions.baseline })
    }
  ]
  const bestTrain = new Map(baselineTrain.outcomes)
  const bestResults = new Map(baselineTrain.last)
  for (let i = 1; i <= iterationCount; i++) {
    const tried = outcome?.candidates.filter((c) => c.iteration === i).map((c) => c.candidate)
    const labels = [
      ...new Set(
        tried ?? scored.flatMap(({ pass }) => (pass.phase === "candidate" && pass.iteration === i ? [pass.label] : []))
      )
    ]
    for (const label of labels.filter((l) => accepted.has(l))) {
      const run = collect((p) => p.phase === "candidate" && p.label === label && p.kind !== "confirm-best")
      for (const [id, o] of run.outcomes) bestTrain.set(id, o)
      for (const [id, r] of run.last) bestResults.set(id, r)
    }
    const last = i === iterationCount
    const ci = outcome?.trainByIteration?.[i - 1] ?? (last ? outcome?.best.train : undefined)
    const questions = questionsIn(i)
    iterations.push({
      index: i,
      train: ci === undefined ? scoreOfOutcomes([...bestTrain.values()]) : fromCI(ci),
      ...(last
        ? {
            holdout:
              outcome === undefined ? scoreOfOutcomes([...holdoutEnd.outcomes.values()]) : fromCI(outcome.best.holdout)
          }
        : {}),
      ...(labels.length === 0 ? {} : { accepted: labels.some((l) => accepted.has(l)) }),
      results: [...results(bestTrain), ...(last ? results(holdoutEnd.outcomes) : [])],
      ...(questions === undefined ? {} : { genieQuestions: questions })
    })
  }
  if (iterationCount === 0 && outcome !== undefined) {
    // Stopped before the first iteration: the baseline is also the final state.
    iterations[0] = { ...iterations[0], holdout: fromCI(outcome.best.holdout) }
  }

  // Fixes: the outcome's decisions with the journal's rationale and change.
  const planned = new Map<string, (typeof PlanStep.Type)["fixes"][number]>()
  for (const [key, value] of steps) {
    if (!/^it\d+\/plan$/.test(key)) continue
    for (const f of Option.match(decodePlan(value), { onNone: () => [], onSome: (p) => p.fixes })) {
      if (!planned.has(f.id)) planned.set(f.id, f)
    }
  }
  const candidateOf = (fixId: string) => outcome?.candidates.findLast((c) => c.fixIds.includes(fixId))
  const fixes = (outcome?.fixes ?? []).map((f): ReportData.FixRecord => {
    const plan = planned.get(f.id)
    const c = f.status === "invalid" ? undefined : candidateOf(f.id)
    const broke = c !== undefined && !c.accepted && c.losses.length > 0 ? `; broke ${c.losses.join(", ")}` : ""
    return {
      id: f.id,
      iteration: f.iteration,
      category: f.category,
      target: f.target,
      rationale: plan?.rationale ?? "",
      sourceBenchmarkIds: plan?.sourceBenchmarkIds ?? [],
      decision: f.status === "accepted" ? "accepted" : "rejected",
      why: f.status === "invalid" ? `rejected by validation: ${f.reason}` : `${f.reason}${broke}`,
      ...(c?.scoreBefore === undefined || c.scoreAfter === undefined
        ? {}
        : { scoreDelta: c.scoreAfter - c.scoreBefore }),
      ...(plan?.change === undefined ? {} : { value: json(plan.change, 400) })
    }
  })
  if (outcome === undefined) {
    warnings.push(
      "the enhance run did not finish (no enhance.json): scores are recomputed from enhance.jsonl; fixes and the stop reason are unknown"
    )
  }

  const questions = scored.map(({ pass, result }): ReportData.GenieQuestion => ({
    question: questionsOf.get(result.benchmarkId) ?? result.benchmarkId,
    benchmarkId: result.benchmarkId,
    iteration: pass.phase === "candidate" ? pass.iteration : pass.phase === "baseline" ? 0 : iterationCount,
    stage: pass.stage
  }))

  const llm = outcome?.llm
  const usage = (name: string, t: typeof Totals.Type): ReportData.LlmUsage => ({
    name,
    calls: t.calls,
    inputTokens: t.inputTokens,
    outputTokens: t.outputTokens,
    costUsd: t.costUsd
  })
  const enhance: ReportData.EnhanceSection = {
    iterations,
    holdout:
      outcome === undefined
        ? {
            baseline: scoreOfOutcomes([...baselineHoldout.outcomes.values()]),
            ...(finalHoldout.outcomes.size === 0 ? {} : { final: scoreOfOutcomes([...finalHoldout.outcomes.values()]) })
          }
        : { baseline: fromCI(outcome.baseline.holdout), final: fromCI(outcome.best.holdout) },
    fixes,
    spaceDiff: outcome === undefined ? [] : spaceDiff(outcome.baseSpace, outcome.bestSpace),
    genieQuestions: { total: outcome?.genieQuestions.total ?? questions.length, questions },
    ...(llm === undefined
      ? {}
      : {
          llm: {
            byStage: Object.entries(llm.byStage).map(([name, t]) => usage(name, t)),
            byModel: [],
            total: usage("total", llm.total)
          }
        }),
    stageTimes: [...(outcome?.stageTimes ?? [])],
    ...(outcome === undefined ? {} : { stopReason: outcome.stopReason }),
    ...(input.promotion !== undefined
      ? { promotion: input.promotion }
      : outcome === undefined
        ? {}
        : {
            promotion: {
              promoted: false,
              reason: outcome.promotable.allowed
                ? `promotion allowed (${outcome.promotable.reason}): genie-enhancer promote --run ${input.runId}`
                : outcome.promotable.reason
            }
          })
  }

  const best: Array<SplitResult> = [
    ...[...bestResults.values()].map((result) => ({ result, split: "train" as const })),
    ...[...holdoutEnd.last.values()].map((result) => ({ result, split: "holdout" as const }))
  ]
  return {
    enhance,
    results: best,
    excluded: outcome?.excluded ?? Option.getOrElse(decodeExcluded(steps.get("preflight")), () => []),
    complete: outcome !== undefined,
    ...(outcome?.finishedAt === undefined ? {} : { finishedAt: outcome.finishedAt }),
    ...(outcome?.wallMs === undefined ? {} : { wallMs: outcome.wallMs }),
    warnings
  }
}
