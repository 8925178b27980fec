import { Space, SpaceDiff } from "@genie-enhancer/core"
import { Args } from "@oclif/core"
import { Effect } from "effect"
import { BaseCommand } from "../../BaseCommand.js"

export default class SpacesDiff extends BaseCommand<SpaceDiff.SpaceDiff> {
  static override summary = "Show what changed between two space configurations, per section and item id."
  static override description =
    "Items are matched by id (tables by identifier, columns by name), so reordering is not a change. " +
    "Exit code is 0 whether or not the spaces differ; read `identical` in --json output."
  static override examples = [
    "<%= config.bin %> <%= command.id %> examples/retail/space.baseline.json examples/retail/space.curated.json"
  ]
  static override args = {
    before: Args.string({ description: "The earlier space file.", required: true }),
    after: Args.string({ description: "The later space file.", required: true })
  }

  async run(): Promise<SpaceDiff.SpaceDiff> {
    const { args } = await this.parse(SpacesDiff)
    const [before, after] = await this.runEffect(
      Effect.all([
        Effect.map(Space.loadFileUnvalidated(args.before), (f) => f.space),
        Effect.map(Space.loadFileUnvalidated(args.after), (f) => f.space)
      ])
    )
    const result = SpaceDiff.diff(before, after)
    this.log(result.identical ? "The spaces are identical." : SpaceDiff.formatDiff(result))
    return result
  }
}
