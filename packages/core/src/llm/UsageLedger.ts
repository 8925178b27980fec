/**
 * Usage totals of a run, per stage: calls, tokens, latency and cost of every `LanguageModel` call. Run reports
 * read them from here.
 */
import * as Stages from "../stages/Stages.js"
import { Context, Effect, Layer, Ref } from "effect"

/**
 * Sums over a set of calls.
 *
 * @category models
 */
export interface Totals {
  readonly calls: number
  /** Calls answered from a cassette (no tokens billed in this run). */
  readonly cachedCalls: number
  readonly inputTokens: number
  readonly outputTokens: number
  readonly latencyMs: number
  /** US dollars, over the calls whose model has a price. */
  readonly costUsd: number
  /** Billed calls whose model has no price in `llm.prices`: when non-zero, `costUsd` is a lower bound. */
  readonly unpricedCalls: number
}

/**
 * Totals per stage (`request.stage`, `"unstaged"` when absent) and over the whole run.
 *
 * @category models
 */
export interface Report {
  readonly byStage: Readonly<Record<string, Totals>>
  readonly total: Totals
}

/** @category constructors */
export const empty: Totals = {
  calls: 0,
  cachedCalls: 0,
  inputTokens: 0,
  outputTokens: 0,
  latencyMs: 0,
  costUsd: 0,
  unpricedCalls: 0
}

/**
 * Adds one call's usage to totals.
 *
 * @category constructors
 */
export const add = (totals: Totals, usage: Stages.Usage): Totals => {
  const cached = usage.cached === true
  return {
    calls: totals.calls + 1,
    cachedCalls: totals.cachedCalls + (cached ? 1 : 0),
    inputTokens: totals.inputTokens + usage.inputTokens,
    outputTokens: totals.outputTokens + usage.outputTokens,
    latencyMs: totals.latencyMs + usage.latencyMs,
    costUsd: totals.costUsd + (usage.costUsd ?? 0),
    unpricedCalls: totals.unpricedCalls + (!cached && usage.costUsd === undefined ? 1 : 0)
  }
}

/**
 * Records usage and reports totals.
 *
 * @category services
 */
export class UsageLedger extends Context.Tag("@genie-enhancer/core/UsageLedger")<
  UsageLedger,
  {
    readonly record: (stage: string | undefined, usage: Stages.Usage) => Effect.Effect<void>
    readonly report: Effect.Effect<Report>
  }
>() {
  /** An in-memory ledger, empty at start. */
  static readonly layer: Layer.Layer<UsageLedger> = Layer.effect(
    UsageLedger,
    Effect.map(Ref.make<Record<string, Totals>>({}), (byStage) => ({
      record: (stage, usage) =>
        Ref.update(byStage, (current) => {
          const key = stage ?? "unstaged"
          return { ...current, [key]: add(current[key] ?? empty, usage) }
        }),
      report: Effect.map(Ref.get(byStage), (stages) => ({
        byStage: stages,
        total: Object.values(stages).reduce(merge, empty)
      }))
    }))
  )
}

const merge = (a: Totals, b: Totals): Totals => ({
  calls: a.calls + b.calls,
  cachedCalls: a.cachedCalls + b.cachedCalls,
  inputTokens: a.inputTokens + b.inputTokens,
  outputTokens: a.outputTokens + b.outputTokens,
  latencyMs: a.latencyMs + b.latencyMs,
  costUsd: a.costUsd + b.costUsd,
  unpricedCalls: a.unpricedCalls + b.unpricedCalls
})

/**
 * A `LanguageModel` decorator that records the usage of every successful call in the `UsageLedger`.
 *
 * @category layers
 */
export const tracked: Layer.Layer<Stages.LanguageModel, never, Stages.LanguageModel | UsageLedger> = Layer.effect(
  Stages.LanguageModel,
  Effect.gen(function* () {
    const model = yield* Stages.LanguageModel
    const ledger = yield* UsageLedger
    return {
      complete: (request) => Effect.tap(model.complete(request), (c) => ledger.record(request.stage, c.usage)),
      completeJson: (request, output) =>
        Effect.tap(model.completeJson(request, output), (c) => ledger.record(request.stage, c.usage))
    }
  })
)
