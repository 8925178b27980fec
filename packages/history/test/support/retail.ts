/**
 * The enhancement loop against the workspace emulator serving the bundled retail example, over real HTTP through
 * the Databricks adapter. The fixer is scripted: it proposes the items the curated space has and the space lacks
 * (one fix per item), plus optional harmful and useless fixes, so tests know which plan is good.
 */
import { FetchHttpClient } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import type { Enhance, HistoryStore } from "@genie-enhancer/core"
import {
  Benchmark,
  BenchmarkSplit,
  EnhanceErrors,
  Evaluator,
  Profile,
  RunStore,
  Safety,
  Space,
  SpaceDiff,
  Stages
} from "@genie-enhancer/core"
import { DatabricksWorkspace } from "@genie-enhancer/databricks"
import { BatchScorer } from "@genie-enhancer/scorer-batch"
import { Emulator } from "@genie-enhancer/workspace-emulator"
import type { Scope } from "effect"
import { Context, Effect, Layer, Redacted, Ref } from "effect"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

export const repoRoot = fileURLToPath(new URL("../../../..", import.meta.url))
export const retailDir = join(repoRoot, "examples/retail")
export const baselineSpaceId = "ce86877f1287b94460c35a25f2d65bca"
export const benchmarksFile = join(retailDir, "benchmarks.yaml")
export const curated = JSON.parse(readFileSync(join(retailDir, "space.curated.json"), "utf8")) as Space.SerializedSpace

export const tempDir = () => mkdtempSync(join(tmpdir(), "enhance-"))

// ---------------------------------------------------------------------------------------------------------------
// Scripted fixes: { section, key, value } puts (or, with value null, removes) one item of a collection.

interface Change {
  readonly section: string
  readonly key: string
  readonly value: unknown
}

const keyOf = (section: string, item: unknown): string => {
  const record = item as Record<string, unknown>
  return section.endsWith("tables") || section.endsWith("metric_views")
    ? String(record.identifier)
    : section.endsWith("sql_functions")
      ? `${String(record.id)} ${String(record.identifier)}`
      : String(record.id)
}

const categoryOf = (section: string, remove: boolean): Stages.FixCategory =>
  section.includes("join_specs")
    ? remove
      ? "join-spec-delete"
      : "join-spec-add"
    : section.includes("sql_snippets")
      ? remove
        ? "sql-snippet-delete"
        : "sql-snippet-add"
      : section.includes("example_question_sqls")
        ? remove
          ? "example-query-delete"
          : "example-query-add"
        : section.includes("text_instructions")
          ? "instruction-fix"
          : remove
            ? "metadata-delete"
            : "metadata-add"

export const fix = (change: Change, rationale = "scripted"): Stages.Fix =>
  new Stages.Fix({
    id: `${change.section}[${change.key}]#${Benchmark.stableHash(JSON.stringify(change.value)).slice(0, 8)}`,
    category: categoryOf(change.section, change.value === null),
    target: `${change.section}[${change.key}]`,
    change,
    rationale,
    sourceBenchmarkIds: []
  })

/** Pure apply of scripted fixes. */
export const apply: Enhance.ApplyPlan = (space, plan) =>
  Effect.gen(function* () {
    let out: Record<string, unknown> = JSON.parse(JSON.stringify(space)) as Record<string, unknown>
    for (const f of plan.fixes) {
      const change = f.change as Change
      const path = change.section.split(".")
      let node: Record<string, unknown> = out
      for (const segment of path.slice(0, -1)) {
        node[segment] ??= {}
        node = node[segment] as Record<string, unknown>
      }
      const last = path[path.length - 1]
      const list = ((node[last] as Array<unknown> | undefined) ?? []).filter(
        (item) => keyOf(change.section, item) !== change.key
      )
      node[last] = change.value === null ? list : [...list, change.value]
    }
    out = Space.canonicalize(out as unknown as Space.SerializedSpace)
    if (plan.fixes.some((f) => (f.change as Change).section === "boom")) {
      return yield* new EnhanceErrors.ApplyFailed({ message: "boom" })
    }
    return out as unknown as Space.SerializedSpace
  })

/** One fix per curated item the space lacks or has differently. */
export const curatedFixes = (space: Space.SerializedSpace): ReadonlyArray<Stages.Fix> =>
  SpaceDiff.diff(space, curated).sections.flatMap((section) =>
    section.section === "version" || section.section === "other"
      ? []
      : [
          ...section.added.map((e) => fix({ section: section.section, key: e.key, value: e.value })),
          ...section.changed.map((c) => fix({ section: section.section, key: c.key, value: c.after }))
        ]
  )

/** Removes the customers table: breaks the benchmarks the baseline answers from it. */
export const harmful = fix({ section: "data_sources.tables", key: "main.retail.orders", value: null }, "harmful")

/** A text instruction: the Genie simulator does not read text instructions, so it changes no answer. */
export const useless = fix(
  {
    section: "instructions.text_instructions",
    key: "0123456789abcdef0123456789abcdef",
    value: { id: "0123456789abcdef0123456789abcdef", content: ["Answer politely.\n"] }
  },
  "useless"
)

export interface Script {
  /** Fixes proposed per iteration (1-based), given the space. Default: the curated items the space lacks. */
  readonly propose?: (iteration: number, space: Space.SerializedSpace) => ReadonlyArray<Stages.Fix>
  /** Fails the learner on this call (1-based), to simulate a crash in the middle of a run. */
  readonly crashOnLearn?: number
}

/** Counts of what the test environment saw. */
export class Counters extends Context.Tag("test/Counters")<
  Counters,
  { readonly executed: Ref.Ref<number>; readonly learnCalls: Ref.Ref<number>; readonly proposals: Ref.Ref<number> }
>() {}

const stages = (script: Script) =>
  Layer.effectContext(
    Effect.gen(function* () {
      const counters = yield* Counters
      const learner = Stages.PatternLearner.of({
        learn: (input) =>
          Effect.gen(function* () {
            const n = yield* Ref.updateAndGet(counters.learnCalls, (x) => x + 1)
            if (n === script.crashOnLearn) return yield* Effect.die(new Error("crash (test)"))
            // The invariant under test: only train benchmarks reach a learner.
            if (input.train.some((b) => b.split !== "train")) return yield* Effect.die(new Error("holdout leaked"))
            return new Stages.PatternBook({ learner: "test", patterns: [] })
          })
      })
      const fixer = Stages.Fixer.of({
        propose: (input) =>
          Effect.gen(function* () {
            const iteration = yield* Ref.updateAndGet(counters.proposals, (x) => x + 1)
            const all = script.propose?.(iteration, input.space) ?? curatedFixes(input.space)
            return new Stages.Plan({ fixes: all.filter((f) => input.excludeFixIds?.has(f.id) !== true) })
          })
      })
      const validator = Stages.PlanValidator.of({ validate: (plan) => Effect.succeed(plan) })
      return Context.make(Stages.PatternLearner, learner)
        .pipe(Context.add(Stages.Fixer, fixer))
        .pipe(Context.add(Stages.PlanValidator, validator))
    })
  )

/** Counts expected-SQL executions (the loop must not run any: they are cached at preflight). */
const countingExecutor = Layer.effect(
  Stages.Executor,
  Effect.gen(function* () {
    const inner = yield* Stages.Executor
    const counters = yield* Counters
    return Stages.Executor.of({
      execute: (sql, options) =>
        Effect.zipRight(
          Ref.update(counters.executed, (n) => n + 1),
          inner.execute(sql, options)
        )
    })
  })
)

export interface Environment {
  readonly emulator: Emulator.Emulator
  readonly runsDir: string
  readonly layer: Layer.Layer<
    | Stages.SpaceStore
    | Stages.Asker
    | Stages.Executor
    | Stages.Scorer
    | Safety.Safety
    | Stages.Evaluator
    | RunStore.RunStore
    | HistoryStore.HistoryStore
    | Stages.PatternLearner
    | Stages.Fixer
    | Stages.PlanValidator
    | Counters
    | NodeContext.NodeContext
  >
}

/** Starts the emulator (for the scope) and builds the loop's services against it. */
export const environment = (options: {
  readonly runsDir: string
  readonly history: Layer.Layer<HistoryStore.HistoryStore>
  readonly script?: Script
  readonly noiseRate?: number
  readonly seed?: number
}): Effect.Effect<Environment, unknown, Scope.Scope> =>
  Effect.gen(function* () {
    const emulator = yield* Emulator.start({
      workspace: retailDir,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.noiseRate === undefined ? {} : { simulator: { noiseRate: options.noiseRate } })
    })
    // More Genie questions at once than the default 3: the emulator has no per-minute limit, the test has a clock.
    const profile = {
      ...Profile.defaults,
      safety: { ...Profile.defaults.safety, genie: { ...Profile.defaults.safety.genie, concurrency: 8 } }
    }
    const workspace = DatabricksWorkspace.layer({
      config: {
        host: emulator.host,
        credentials: { type: "pat", token: Redacted.make(emulator.token) },
        warehouseId: emulator.warehouseId
      },
      settings: {
        workspace: { ...profile.workspace, sqlExecutor: "statements" },
        safety: {
          ...profile.safety,
          genie: { ...profile.safety.genie, pollIntervalSeconds: 0.05, maxPollIntervalSeconds: 0.1 }
        }
      }
    }).pipe(Layer.provide(FetchHttpClient.layer))
    const counters = Layer.effect(
      Counters,
      Effect.all({ executed: Ref.make(0), learnCalls: Ref.make(0), proposals: Ref.make(0) })
    )
    const base = Layer.mergeAll(
      Safety.layer(Safety.settingsFromProfile(profile.safety, { limitQuestions: false })),
      Evaluator.layerDeterministic(),
      RunStore.layer(options.runsDir).pipe(Layer.provide(NodeContext.layer)),
      options.history,
      NodeContext.layer
    ).pipe(Layer.provideMerge(countingExecutor), Layer.provideMerge(workspace), Layer.provideMerge(counters))
    const layer = Layer.mergeAll(BatchScorer.layer(), stages(options.script ?? {})).pipe(Layer.provideMerge(base))
    return { emulator, runsDir: options.runsDir, layer }
  })

/** The retail benchmarks with their splits. */
export const benchmarks: Effect.Effect<ReadonlyArray<Benchmark.Benchmark>, unknown> = Effect.map(
  Benchmark.load(benchmarksFile),
  (file) => BenchmarkSplit.assign(file.benchmarks)
).pipe(Effect.provide(NodeContext.layer))

/** The loop's input for the retail baseline space. */
export const input = (
  all: ReadonlyArray<Benchmark.Benchmark>,
  overrides: Partial<Omit<Enhance.Input, "loop">> & { readonly loop?: Partial<Profile.LoopSettings> } = {}
): Enhance.Input => {
  const { loop, ...rest } = overrides
  return {
    productionSpaceId: baselineSpaceId,
    benchmarks: all,
    benchmarksFile,
    loop: { ...Profile.defaults.loop, indexingWaitSeconds: 5, ...loop },
    profile: "default",
    scorer: "batch",
    target: "local",
    warehouseId: "5e7a11d0c0ffee42",
    apply,
    ...rest
  }
}
