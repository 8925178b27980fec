import { Benchmark, BenchmarkSplit, Errors, Issue, ProfileLoader, Space, SqlAnalysis } from "@genie-enhancer/core"
import { Flags } from "@oclif/core"
import { Effect } from "effect"
import { join } from "node:path"
import { BaseCommand } from "../BaseCommand.js"
import { exampleDir as exampleDirOf } from "../Locations.js"

export interface ValidateResult {
  readonly profile: { readonly name: string; readonly files: ReadonlyArray<string> }
  readonly space: {
    readonly file: string
    readonly version: number
    readonly summary: ReturnType<typeof Space.summary>
  }
  readonly benchmarks: {
    readonly file: string
    readonly count: number
    readonly split: ReturnType<typeof BenchmarkSplit.counts>
  }
  /** Benchmarks whose expected SQL reads tables the space does not expose to Genie. */
  readonly unreachableTables: ReadonlyArray<{ readonly benchmarkId: string; readonly tables: ReadonlyArray<string> }>
}

/** Base tables an expected SQL reads (CTEs and subqueries resolved away), from the parsed query. */
const tablesIn = (sql: string): ReadonlyArray<string> => {
  const analysis = SqlAnalysis.analyze(sql)
  return analysis._tag === "Analyzed" ? analysis.facts.tables.map((t) => t.replace(/`/g, "")) : []
}

export default class Validate extends BaseCommand<ValidateResult> {
  static override summary = "Check that a profile, a space and its benchmarks are ready for a run."
  static override description =
    "Resolves the profile, validates the space like the Databricks API would, validates the benchmarks, computes " +
    "the train/holdout split and checks that every table the expected SQL reads is one the space gives Genie. " +
    "Expected SQL that is not exactly one read-only query, and a space that gives Genie no tables, are errors. " +
    "Use --example to check a bundled example workspace."
  static override examples = [
    "<%= config.bin %> <%= command.id %> --example retail",
    "<%= config.bin %> <%= command.id %> --space space.json --benchmarks benchmarks.yaml --profile conservative"
  ]
  static override flags = {
    example: Flags.string({
      summary: "Use an example workspace: a name under examples/ (retail, gamekpi) or a workspace directory.",
      exclusive: ["space", "benchmarks"]
    }),
    space: Flags.file({
      summary: "Space file (serialized_space JSON or a GET-space response).",
      dependsOn: ["benchmarks"]
    }),
    benchmarks: Flags.file({ summary: "Canonical benchmark file.", dependsOn: ["space"] })
  }

  async run(): Promise<ValidateResult> {
    const { flags } = await this.parse(Validate)
    if (flags.example === undefined && flags.space === undefined) {
      this.error("Name a space and benchmarks (--space, --benchmarks) or a bundled example (--example retail).", {
        exit: 2
      })
    }
    const exampleDir = flags.example === undefined ? undefined : exampleDirOf(flags.example, process.cwd())
    const spaceFile = flags.space ?? join(exampleDir!, "space.baseline.json")
    const benchmarksFile = flags.benchmarks ?? join(exampleDir!, "benchmarks.yaml")

    const [profile, space, loaded] = await this.runEffect(
      Effect.all([
        ProfileLoader.resolve({
          ...(flags.profile === undefined ? {} : { profile: flags.profile }),
          configDir: this.configDir(flags),
          env: process.env
        }),
        Effect.map(Space.loadFile(spaceFile), (f) => f.space),
        Benchmark.loadDetailed(benchmarksFile)
      ])
    )
    const benchmarkFile = loaded.file
    const unsafe = Benchmark.unsafeSqlIssues(benchmarkFile.benchmarks, loaded.text)
    if (unsafe.length > 0)
      await this.runEffect(Effect.fail(new Errors.ConfigInvalid({ source: benchmarksFile, issues: unsafe })))
    if ((space.data_sources?.tables ?? []).length + (space.data_sources?.metric_views ?? []).length === 0) {
      await this.runEffect(
        Effect.fail(
          new Errors.ConfigInvalid({
            source: spaceFile,
            issues: [
              Issue.error(
                "NoTables",
                "$.data_sources.tables",
                "the space gives Genie no tables or metric views to query"
              )
            ]
          })
        )
      )
    }
    const exposed = new Set(
      [...(space.data_sources?.tables ?? []), ...(space.data_sources?.metric_views ?? [])].map((t) =>
        t.identifier.toLowerCase()
      )
    )
    const unreachableTables = benchmarkFile.benchmarks.flatMap((b) => {
      const missing = [...new Set(tablesIn(b.expected_sql))].filter((t) => !exposed.has(t))
      return missing.length === 0 ? [] : [{ benchmarkId: b.id, tables: missing }]
    })
    for (const u of unreachableTables) {
      this.addWarning(`benchmark ${u.benchmarkId} reads ${u.tables.join(", ")}, which the space does not include`)
    }
    const summary = Space.summary(space)
    const split = BenchmarkSplit.counts(BenchmarkSplit.assign(benchmarkFile.benchmarks))
    this.log(`✓ profile ${profile.name} (${profile.files.join(" → ")})`)
    this.log(
      `✓ space ${spaceFile}: version ${space.version}, ${summary.tables} tables, ${summary.columnConfigs} column ` +
        `configs, ${summary.joinSpecs} join specs, ${summary.snippets} snippets, ${summary.exampleSqls} example SQLs`
    )
    this.log(
      `✓ benchmarks ${benchmarksFile}: ${benchmarkFile.benchmarks.length} (train ${split.train}, holdout ${split.holdout})`
    )
    return {
      profile: { name: profile.name, files: profile.files },
      space: { file: spaceFile, version: space.version, summary },
      benchmarks: { file: benchmarksFile, count: benchmarkFile.benchmarks.length, split },
      unreachableTables
    }
  }
}
