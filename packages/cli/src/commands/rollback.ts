import { Flags } from "@oclif/core"
import { BaseCommand } from "../BaseCommand.js"
import * as WorkspaceTarget from "../WorkspaceTarget.js"

export default class Rollback extends BaseCommand<unknown> {
  static override summary = "Restore a space from a snapshot in the history (default: before its latest promotion)."
  static override description =
    "Saves the space's current configuration as a snapshot, then writes the chosen snapshot with the space's etag " +
    "(an edit landing meanwhile fails the rollback instead of being overwritten). Snapshots: `history show <run>` or " +
    "SELECT * FROM snapshots in the history database."
  static override examples = [
    "<%= config.bin %> <%= command.id %> --space 01f0f5c840c118b9824acd167525a768",
    "<%= config.bin %> <%= command.id %> --space 01f0f5c840c118b9824acd167525a768 --to 20261125-233447-01f0f5-3f9a"
  ]
  static override flags = {
    space: Flags.string({ summary: "The space to restore.", required: true }),
    to: Flags.string({ summary: "Snapshot id (default: the snapshot taken before the latest promotion)." }),
    ...WorkspaceTarget.flags
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(Rollback)
    const wiring = await import("../EnhanceWiring.js")
    const { target, value } = await this.runEffect(
      WorkspaceTarget.run({ flags, configDir: this.configDir(flags), env: process.env }, (_, resolved) =>
        wiring.runRollback({ resolved, spaceId: flags.space, to: flags.to })
      )
    )
    if (target.target === "local") this.addWarning(wiring.localIsThrowaway("rollback"))
    this.log(
      `Restored snapshot ${value.restoredSnapshotId} to space ${value.spaceId} (before: ${value.beforeSnapshotId})`
    )
    return value
  }
}
