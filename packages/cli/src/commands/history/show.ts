import { Args } from "@oclif/core"
import { BaseCommand } from "../../BaseCommand.js"

export default class HistoryShow extends BaseCommand<unknown> {
  static override summary = "Show one run: its candidates, fixes with their decisions, and snapshots."
  static override examples = ["<%= config.bin %> <%= command.id %> 20261125-233447-3f9a"]
  static override args = { run: Args.string({ required: true, description: "Run id." }) }

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(HistoryShow)
    const { withHistory } = await import("../../EnhanceWiring.js")
    const { Effect } = await import("effect")
    const { RunStore } = await import("@genie-enhancer/core")
    const value = await this.runEffect(
      withHistory({ profile: flags.profile, configDir: this.configDir(flags) }, (h) =>
        Effect.all({
          run: h.run(args.run).pipe(
            Effect.flatMap((run) =>
              run._tag === "Some"
                ? Effect.succeed(run.value)
                : Effect.fail(
                    new RunStore.RunStoreError({
                      path: h.location,
                      message: `no run ${args.run} in the history (${h.location})`
                    })
                  )
            )
          ),
          iterations: h.iterations(args.run),
          fixes: h.fixes(args.run)
        }).pipe(
          Effect.flatMap((v) =>
            Effect.map(h.snapshots(v.run.spaceId), (snapshots) => ({
              ...v,
              snapshots: snapshots.map(({ space: _, ...s }) => s)
            }))
          )
        )
      )
    )
    this.log(JSON.stringify(value.run, null, 2))
    for (const i of value.iterations) {
      this.log(
        `  ${i.candidate.padEnd(6)} ${i.accepted ? "accepted" : "rejected"} p=${i.pValue.toFixed(3)} +${i.gains.length}/−${i.losses.length} ${i.genieQuestions} q  ${i.reason}`
      )
    }
    for (const f of value.fixes)
      this.log(`  fix ${f.status.padEnd(8)} ${f.category.padEnd(20)} ${f.target}  ${f.reason}`)
    for (const s of value.snapshots) this.log(`  snapshot ${s.snapshotId} ${s.kind} ${s.takenAt}`)
    return value
  }
}
