import type { FileSystem } from "@effect/platform"
import { Benchmark, BenchmarkSplit, Composition, RunStore, Space, Stages } from "@genie-enhancer/core"
import { Flags } from "@oclif/core"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { BaseCommand } from "../BaseCommand.js"
import { exampleBenchmarks } from "../Locations.js"
import * as WorkspaceTarget from "../WorkspaceTarget.js"

/** What `learn` reports: the pattern book. */
export interface LearnResult {
  readonly target: WorkspaceTarget.TargetInfo
  readonly book: Stages.PatternBook
}

/** Flags `learn` and `plan` share: what to learn from. */
export const learnFlags = {
  space: Flags.string({
    char: "s",
    summary: "The Genie space (32 hex id). Default with the local target: the example's first space."
  }),
  "space-file": Flags.string({ summary: "Learn against a serialized_space file instead of a workspace space." }),
  benchmarks: Flags.string({
    char: "b",
    summary: "Benchmark file. Default with the local target: the example's benchmarks.yaml."
  }),
  run: Flags.string({
    summary: "A score run whose verdicts say which failures each pattern explains (and which to fix)."
  }),
  ...WorkspaceTarget.flags
}

export default class Learn extends BaseCommand<LearnResult> {
  static override summary =
    "Mine the train benchmarks for patterns: joins, measures, filters, vocabulary, values, dates, shapes."
  static override description =
    "Runs the profile's pattern learner (learn.learner, default sql-grounded) over the train split of the benchmarks: " +
    "the expected SQL parsed, the questions tokenised, the warehouse catalog and read-only profiling queries. Holdout " +
    "benchmarks are never read. With --run, the verdicts of that score run say which failures each pattern explains. " +
    "Prints the pattern book; --json returns it."
  static override examples = [
    "<%= config.bin %> <%= command.id %>",
    "<%= config.bin %> <%= command.id %> --space 01f0f5c840c118b9824acd167525a768 --benchmarks benchmarks.yaml --json"
  ]
  static override flags = learnFlags

  async run(): Promise<LearnResult> {
    const { flags } = await this.parse(Learn)
    const { target, value } = await this.runEffect(
      WorkspaceTarget.runWithStages({ flags, configDir: this.configDir(flags), env: process.env }, (info) =>
        learnFrom(flags, info)
      )
    )
    for (const kind of Stages.PatternKind.literals) {
      const patterns = value.book.patterns.filter((p) => p.kind === kind)
      if (patterns.length === 0) continue
      this.log(`${kind} (${patterns.length})`)
      for (const p of patterns) this.log(`  ${p.description}`)
    }
    this.log(
      `Learnt from ${value.book.trainBenchmarkIds.length} train benchmarks (${value.book.patterns.length} patterns).`
    )
    return { target, book: value.book }
  }
}

/** The parsed `learn`/`plan` flags this module reads. */
export interface LearnFlags {
  readonly space?: string | undefined
  readonly "space-file"?: string | undefined
  readonly benchmarks?: string | undefined
  readonly run?: string | undefined
}

/** A failure of these commands' wiring (tagged; the base command maps tags to exit codes). */
export type Failure = { readonly _tag: string; readonly message: string }

/** What {@link inputs} resolves. */
export interface Inputs {
  readonly benchmarksFile: string
  readonly benchmarks: ReadonlyArray<Benchmark.Benchmark>
  readonly train: BenchmarkSplit.TrainSet
  readonly space: Space.SerializedSpace
  readonly spaceId: string | undefined
  readonly etag: string | undefined
  readonly results: ReadonlyArray<Stages.BenchmarkResult>
}

/**
 * What learning reads, resolved from the flags: every benchmark (split), the train set, the space (a file or the
 * workspace's), its id, and the results of `--run`.
 */
export const inputs = (
  flags: LearnFlags,
  info: WorkspaceTarget.TargetInfo
): Effect.Effect<Inputs, Failure, Stages.SpaceStore | RunStore.RunStore | FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const benchmarksFile = flags.benchmarks ?? exampleBenchmarks(info)
    if (benchmarksFile === undefined)
      return yield* Composition.required("--benchmarks", "a benchmark file is required with the databricks target")
    const file = yield* Benchmark.load(benchmarksFile)
    const benchmarks = BenchmarkSplit.assign(file.benchmarks)
    const spaceFile = flags["space-file"]
    const spaceId = flags.space ?? (spaceFile === undefined ? info.spaceIds?.[0] : undefined)
    let space: Space.SerializedSpace
    let etag: string | undefined
    if (spaceFile !== undefined) {
      space = yield* Space.parse(readFileSync(spaceFile, "utf8"), { source: spaceFile })
    } else {
      if (spaceId === undefined) return yield* Composition.required("--space", "a space id or --space-file is required")
      const stored = yield* Effect.flatMap(Stages.SpaceStore, (store) => store.get(spaceId))
      if (stored.space === undefined)
        return yield* Composition.required("--space", `space ${spaceId} came without its serialized_space`)
      space = stored.space
      etag = stored.etag
    }
    const results =
      flags.run === undefined
        ? []
        : (yield* Effect.flatMap(RunStore.RunStore, (store) => store.read(flags.run!))).finished
    return { benchmarksFile, benchmarks, train: BenchmarkSplit.trainSet(benchmarks), space, spaceId, etag, results }
  })

/** `learn`'s wiring: the inputs, then the profile's `PatternLearner` (from the composition root). */
export const learnFrom = (
  flags: LearnFlags,
  info: WorkspaceTarget.TargetInfo
): Effect.Effect<
  Inputs & { readonly book: Stages.PatternBook },
  Failure,
  Stages.SpaceStore | RunStore.RunStore | Stages.PatternLearner | FileSystem.FileSystem
> =>
  Effect.gen(function* () {
    const input = yield* inputs(flags, info)
    const learner = yield* Stages.PatternLearner
    const book = yield* learner.learn({ train: input.train, space: input.space, results: input.results })
    return { ...input, book }
  })
