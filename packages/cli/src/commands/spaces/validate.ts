import { Space, SpaceValidation } from "@genie-enhancer/core"
import { Effect } from "effect"
import type { Issue } from "@genie-enhancer/core"
import { Args, Flags } from "@oclif/core"
import { BaseCommand } from "../../BaseCommand.js"

export interface SpaceValidateResult {
  readonly file: string
  readonly valid: true
  readonly version: number
  readonly summary: ReturnType<typeof Space.summary>
  readonly issues: ReadonlyArray<Issue.Issue>
}

export default class SpacesValidate extends BaseCommand<SpaceValidateResult> {
  static override summary = "Validate a Genie space configuration the way the Databricks API would."
  static override description =
    "Checks a serialized_space JSON file (or a space as returned by the spaces API) for everything the API rejects: " +
    "unknown fields, ids that are not 32 lowercase hex, duplicate ids, unsorted collections, size limits, join specs " +
    "without a relationship marker, wrong snippet shapes and version 1/2 flag names. Every problem is printed with " +
    "its JSON path and line. Exits 2 when the file is invalid."
  static override examples = [
    "<%= config.bin %> <%= command.id %> examples/retail/space.baseline.json",
    "<%= config.bin %> <%= command.id %> exported-space.json --unknown-fields warning --json"
  ]
  static override args = {
    file: Args.string({ description: "Space file (serialized_space JSON or a GET-space response).", required: true })
  }
  static override flags = {
    "unknown-fields": Flags.option({
      options: SpaceValidation.unknownFieldsModes,
      default: "error" as const,
      summary: "Treat fields this version does not know as errors (like the API) or as warnings."
    })(),
    "sort-order": Flags.option({
      options: SpaceValidation.sortOrderModes,
      default: "error" as const,
      summary: "How to treat collections that are not in the API's canonical sort order."
    })()
  }

  async run(): Promise<SpaceValidateResult> {
    const { args, flags } = await this.parse(SpacesValidate)
    const options = { unknownFields: flags["unknown-fields"], sortOrder: flags["sort-order"] }
    const space = await this.runEffect(Effect.map(Space.loadFile(args.file, options), (f) => f.space))
    // Parsing succeeded, so whatever validation still reports are warnings.
    const issues = SpaceValidation.validate(space, options)
    for (const issue of issues) this.addWarning(`${issue.path}  ${issue.message}`)
    const summary = Space.summary(space)
    this.log(
      `✓ ${args.file}: valid version ${space.version} space — ${summary.tables} tables, ` +
        `${summary.columnConfigs} column configs, ${summary.joinSpecs} join specs, ${summary.snippets} snippets, ` +
        `${summary.exampleSqls} example SQLs, ${summary.benchmarkQuestions} benchmark questions`
    )
    return { file: args.file, valid: true, version: space.version, summary, issues }
  }
}
