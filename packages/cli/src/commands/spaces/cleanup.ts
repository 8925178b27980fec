import { Flags } from "@oclif/core"
import { BaseCommand } from "../../BaseCommand.js"
import * as WorkspaceTarget from "../../WorkspaceTarget.js"

export default class SpacesCleanup extends BaseCommand<unknown> {
  static override summary = "Trash dev spaces left behind by crashed enhancement runs (by their recorded ids)."
  static override description =
    "Reads every run's journal under the runs directory and trashes the dev spaces it created and never removed. " +
    "Spaces are found by the ids the runs recorded, never by title."
  static override examples = ["<%= config.bin %> <%= command.id %>", "<%= config.bin %> <%= command.id %> --dry-run"]
  static override flags = {
    "dry-run": Flags.boolean({ summary: "List what would be trashed." }),
    ...WorkspaceTarget.flags
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(SpacesCleanup)
    const wiring = await import("../../EnhanceWiring.js")
    const { value } = await this.runEffect(
      WorkspaceTarget.run({ flags, configDir: this.configDir(flags), env: process.env }, (_, resolved) =>
        wiring.runCleanup({ resolved, dryRun: flags["dry-run"] })
      )
    )
    if (value.length === 0) this.log("No leftover dev spaces.")
    for (const r of value) this.log(`${r.status.padEnd(12)} ${r.spaceId}  (run ${r.runId})`)
    return value
  }
}
