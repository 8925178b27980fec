import { Benchmark, BenchmarkSplit } from "@genie-enhancer/core"
import { Args } from "@oclif/core"
import { BaseCommand } from "../../BaseCommand.js"

export interface BenchmarksValidateResult {
  readonly file: string
  readonly count: number
  readonly categories: Readonly<Record<string, number>>
  readonly difficulties: Readonly<Record<string, number>>
  readonly explicitSplits: { readonly train: number; readonly holdout: number; readonly unassigned: number }
}

const tally = (values: ReadonlyArray<string>): Record<string, number> =>
  values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {})

export default class BenchmarksValidate extends BaseCommand<BenchmarksValidateResult> {
  static override summary = "Validate a benchmark file in the canonical YAML/JSON format."
  static override description =
    "Checks every benchmark (id, question, expected_sql, category, difficulty, optional split, comparison policy and " +
    "tags) and prints each problem with its JSON path and line. Other formats go through `benchmarks import`."
  static override examples = ["<%= config.bin %> <%= command.id %> examples/retail/benchmarks.yaml"]
  static override args = {
    file: Args.string({ description: "Benchmark file (.yaml, .yml or .json).", required: true })
  }

  async run(): Promise<BenchmarksValidateResult> {
    const { args } = await this.parse(BenchmarksValidate)
    const file = await this.runEffect(Benchmark.load(args.file))
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
      }
    }
    const categories = Object.entries(result.categories).map(([c, n]) => `${c} ${n}`)
    this.log(`✓ ${args.file}: ${result.count} benchmarks (${categories.join(", ")})`)
    return result
  }
}
