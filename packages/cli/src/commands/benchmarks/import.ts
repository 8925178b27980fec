import { Benchmark, BenchmarkImport, TextFile } from "@genie-enhancer/core"
import { Args, Flags } from "@oclif/core"
import { Effect } from "effect"
import { BaseCommand } from "../../BaseCommand.js"

export interface BenchmarksImportResult {
  readonly from: string
  readonly format: BenchmarkImport.ImportFormat
  readonly count: number
  readonly out?: string
  readonly benchmarks: ReadonlyArray<Benchmark.Benchmark>
}

export default class BenchmarksImport extends BaseCommand<BenchmarksImportResult> {
  static override summary = "Convert benchmarks from another format into the canonical YAML format."
  static override description =
    "Reads the original tool's JSON array or wrapped {benchmarks: [...]} file, a space's own benchmarks.questions " +
    "(a serialized space or a GET-space response), CSV with a header row, or a canonical file. Ids are kept when " +
    "present and derived from the question text when not, so re-importing gives the same ids."
  static override examples = [
    "<%= config.bin %> <%= command.id %> kpi_benchmark.json --out benchmarks.yaml",
    "<%= config.bin %> <%= command.id %> questions.csv --category revenue --out benchmarks.yaml",
    "<%= config.bin %> <%= command.id %> exported-space.json --format space"
  ]
  static override args = {
    file: Args.string({ description: "File to import.", required: true })
  }
  static override flags = {
    format: Flags.option({
      options: BenchmarkImport.formats,
      summary: "Input format (detected from the content when omitted)."
    })(),
    out: Flags.file({ char: "o", summary: "Write the canonical YAML here instead of printing it." }),
    force: Flags.boolean({ summary: "Overwrite --out if it exists." }),
    category: Flags.string({ summary: "Category for items that have none." }),
    difficulty: Flags.option({
      options: Benchmark.difficulties,
      summary: "Difficulty for items that have none."
    })()
  }

  async run(): Promise<BenchmarksImportResult> {
    const { args, flags } = await this.parse(BenchmarksImport)
    if (flags.out !== undefined && !flags.force && (await this.exists(flags.out))) {
      this.error(`${flags.out} already exists; pass --force to overwrite it.`, { exit: 2 })
    }
    const imported = await this.runEffect(
      Effect.flatMap(TextFile.read(args.file), (text) =>
        BenchmarkImport.importText(text, {
          source: args.file,
          ...(flags.format === undefined ? {} : { format: flags.format }),
          ...(flags.category === undefined ? {} : { defaultCategory: flags.category }),
          ...(flags.difficulty === undefined ? {} : { defaultDifficulty: flags.difficulty })
        })
      )
    )
    for (const w of imported.warnings) this.addWarning(`${w.path}  ${w.message}`)
    const yaml = Benchmark.stringify(imported.file)
    if (flags.out === undefined) {
      if (!this.jsonEnabled()) process.stdout.write(yaml)
    } else {
      await this.runEffect(TextFile.write(flags.out, yaml))
      this.log(`✓ imported ${imported.file.benchmarks.length} benchmarks (${imported.format}) → ${flags.out}`)
    }
    return {
      from: args.file,
      format: imported.format,
      count: imported.file.benchmarks.length,
      ...(flags.out === undefined ? {} : { out: flags.out }),
      benchmarks: imported.file.benchmarks
    }
  }

  private async exists(path: string): Promise<boolean> {
    const { access } = await import("node:fs/promises")
    return access(path).then(
      () => true,
      () => false
    )
  }
}
