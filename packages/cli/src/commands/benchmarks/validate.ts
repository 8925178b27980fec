import { Benchmark, BenchmarkSplit, Errors } from "@genie-enhancer/core"
import { Args } from "@oclif/core"
import { Effect } from "effect"
import { BaseCommand } from "../../BaseCommand.js"

export interface BenchmarksValidateResult {
  readonly file: string
  readonly count: number
  readonly categories: Readonly<Record<string, number>>
  readonly difficulties: Readonly<Record<string, number>>
  readonly explicitSplits: { readonly train: number; readonly holdout: number; readonly unassigned: number }
  /** How many benchmarks took a default: a derived id, `uncategorized`, `medium`. */
  readonly defaults: Benchmark.Defaults
}

const tally = (values: ReadonlyArray<string>): Record<string, number> =>
  values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {})

export default class BenchmarksValidate extends BaseCommand<BenchmarksValidateResult> {
  static override summary = "Validate a benchmark file in the canonical YAML/JSON format."
  static override description =
    "Checks every benchmark (question and expected_sql; optional id, category, difficulty, split, comparison policy " +
    "and tags) and prints each problem with its JSON path and line. Expected SQL must be exactly one read-only " +
    "query. Reports the defaults a file relies on: an id derived from the question, category uncategorized, " +
    "difficulty medium. Other formats go through `benchmarks import`."
  static override examples = ["<%= config.bin %> <%= command.id %> examples/retail/benchmarks.yaml"]
  static override args = {
    file: Args.string({ description: "Benchmark file (.yaml, .yml or .json).", required: true })
  }

  async run(): Promise<BenchmarksValidateResult> {
    const { args } = await this.parse(BenchmarksValidate)
    const { file, defaults, text } = await this.runEffect(Benchmark.loadDetailed(args.file))
    const unsafe = Benchmark.unsafeSqlIssues(file.benchmarks, text)
    if (unsafe.length > 0)
      await this.runEffect(Effect.fail(new Errors.ConfigInvalid({ source: args.file, issues: unsafe })))
    const { benchmarks } = file
    const split = BenchmarkSplit.counts(
      benchmarks.filter((b): b is typeof b & { readonly split: Benchmark.Split } => b.split !== undefined)
    )
    const result: BenchmarksValidateResult = {
      file: args.file,
      count: benchmarks.length,
      categories: tally(benchmarks.map((b) => b.category)),
      difficulties: tally(benchmarks.map((b) => b.difficulty)),
      explicitSplits: {
        train: split.train,
        holdout: split.holdout,
        unassigned: benchmarks.length - split.train - split.holdout
      },
      defaults
    }
    const categories = Object.entries(result.categories).map(([c, n]) => `${c} ${n}`)
    this.log(`✓ ${args.file}: ${result.count} benchmarks (${categories.join(", ")})`)
    const applied = [
      defaults.id > 0 ? `${defaults.id} without an id (derived from the question: q_…)` : undefined,
      defaults.category > 0 ? `${defaults.category} without a category (${Benchmark.defaultCategory})` : undefined,
      defaults.difficulty > 0
        ? `${defaults.difficulty} without a difficulty (${Benchmark.defaultDifficulty})`
        : undefined
    ].filter((d): d is string => d !== undefined)
    if (applied.length > 0) this.log(`  defaults: ${applied.join("; ")}`)
    return result
  }
}
