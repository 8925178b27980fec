import { Args } from "@oclif/core"
import { BaseCommand, TaggedFailure } from "../../BaseCommand.js"

export default class HistoryDiff extends BaseCommand<unknown> {
  static override summary = "Compare two snapshots (or the best configurations of two runs) item by item."
  static override examples = [
    "<%= config.bin %> <%= command.id %> 20261125-233447-ce8687-3f9a 20261126-101010-ce8687-0a1b",
    "<%= config.bin %> <%= command.id %> <run-id-a> <run-id-b>"
  ]
  static override args = {
    a: Args.string({ required: true, description: "Snapshot id or run id (its best configuration)." }),
    b: Args.string({ required: true, description: "Snapshot id or run id." })
  }

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(HistoryDiff)
    const { withHistory } = await import("../../EnhanceWiring.js")
    const { Effect, Option } = await import("effect")
    const { SpaceDiff } = await import("@genie-enhancer/core")
    const value = await this.runEffect(
      withHistory({ profile: flags.profile, configDir: this.configDir(flags) }, (h) => {
        const resolve = (id: string) =>
          Effect.flatMap(h.snapshot(id), (snap) =>
            Option.isSome(snap)
              ? Effect.succeed(snap.value.space)
              : Effect.flatMap(h.run(id), (run) =>
                  Option.isNone(run)
                    ? Effect.succeed(undefined)
                    : Effect.map(
                        h.snapshots(run.value.spaceId),
                        (all) => all.find((s) => s.runId === id && s.kind === "best")?.space
                      )
                )
          )
        return Effect.all([resolve(args.a), resolve(args.b)])
      })
    )
    const [a, b] = value
    if (a === undefined || b === undefined) {
      const { RunStore } = await import("@genie-enhancer/core")
      const missing = a === undefined ? args.a : args.b
      throw new TaggedFailure(
        new RunStore.RunStoreError({ path: missing, message: `no snapshot or run ${missing} in the history` })
      )
    }
    const d = SpaceDiff.diff(a, b)
    this.log(SpaceDiff.formatDiff(d))
    return d
  }
}
