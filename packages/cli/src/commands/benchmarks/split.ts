import { Benchmark, BenchmarkSplit, TextFile } from "@genie-enhancer/core"
import { Args, Flags } from "@oclif/core"
import { BaseCommand } from "../../BaseCommand.js"

export interface BenchmarksSplitResult {
  readonly file: string
  readonly holdoutRatio: number
  readonly seed: string
  readonly counts: ReturnType<typeof BenchmarkSplit.counts>
  readonly assignments: ReadonlyArray<{ readonly id: string; readonly category: string; readonly split: string }>
  readonly out?: string
}

export default class BenchmarksSplit extends BaseCommand<BenchmarksSplitResult> {
  static override summary = "Assign benchmarks to train and holdout, deterministically and stratified by category."
  static override description =
    "Benchmarks that already have a split keep it. The rest are ranked within their category by a seeded hash of " +
    "their id, and the first share of each category goes to holdout, so the same file, ratio and seed always give " +
    "the same split whatever the order of the file. Patterns are learned from train only; holdout checks that fixes " +
    "generalise."
  static override examples = [
    "<%= config.bin %> <%= command.id %> benchmarks.yaml",
    "<%= config.bin %> <%= command.id %> benchmarks.yaml --holdout-ratio 0.3 --seed team-a --in-place"
  ]
  static override args = {
    file: Args.string({ description: "Canonical benchmark file.", required: true })
  }
  static override flags = {
    "holdout-ratio": Flags.string({
      summary: "Share of each category sent to holdout, between 0 and 1.",
      default: "0.2"
    }),
    seed: Flags.string({ summary: "Seed of the hash that orders benchmarks.", default: "genie-enhancer" }),
    out: Flags.file({ char: "o", summary: "Write the file with splits filled in here.", exclusive: ["in-place"] }),
    "in-place": Flags.boolean({ summary: "Rewrite the input file with splits filled in." })
  }

  async run(): Promise<BenchmarksSplitResult> {
    const { args, flags } = await this.parse(BenchmarksSplit)
    const holdoutRatio = Number(flags["holdout-ratio"])
    if (!Number.isFinite(holdoutRatio) || holdoutRatio < 0 || holdoutRatio > 1) {
      this.error(`--holdout-ratio must be a number between 0 and 1, got "${flags["holdout-ratio"]}".`, { exit: 2 })
    }
    const file = await this.runEffect(Benchmark.load(args.file))
    const assigned = BenchmarkSplit.assign(file.benchmarks, { holdoutRatio, seed: flags.seed })
    const out = flags["in-place"] ? args.file : flags.out
    if (out !== undefined)
      await this.runEffect(TextFile.write(out, Benchmark.stringify({ ...file, benchmarks: assigned })))
    const counts = BenchmarkSplit.counts(assigned)
    this.log(`train ${counts.train}, holdout ${counts.holdout}`)
    for (const [category, c] of Object.entries(counts.byCategory)) {
      this.log(`  ${category}: train ${c.train}, holdout ${c.holdout}`)
    }
    if (out !== undefined) this.log(`✓ wrote ${out}`)
    return {
      file: args.file,
      holdoutRatio,
      seed: flags.seed,
      counts,
      assignments: assigned.map((b) => ({ id: b.id, category: b.category, split: b.split })),
      ...(out === undefined ? {} : { out })
    }
  }
}
