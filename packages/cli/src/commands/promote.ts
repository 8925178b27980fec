import { Flags } from "@oclif/core"
import { BaseCommand } from "../BaseCommand.js"
import * as WorkspaceTarget from "../WorkspaceTarget.js"

export default class Promote extends BaseCommand<unknown> {
  static override summary = "Promote an enhancement run's best configuration to its production space."
  static override description =
    "Snapshots production (in the history database), then updates it with its etag. If production changed since " +
    "the run started, the run's configuration is merged three ways per item id (base: production at the start; " +
    "ours: the run's best; theirs: production now); conflicts abort with a report and nothing is written. Refuses " +
    "runs whose gates failed (no accepted fix, holdout dropped) unless --force. Undo with `rollback`."
  static override examples = ["<%= config.bin %> <%= command.id %> --run 20261125-233447-3f9a"]
  static override flags = {
    run: Flags.string({ summary: "The enhancement run to promote.", required: true }),
    force: Flags.boolean({ summary: "Promote even when the run's promotion gates failed." }),
    ...WorkspaceTarget.flags
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(Promote)
    const wiring = await import("../EnhanceWiring.js")
    const { target, value } = await this.runEffect(
      WorkspaceTarget.run({ flags, configDir: this.configDir(flags), env: process.env }, (_, resolved) =>
        wiring.runPromote({ resolved, runId: flags.run, force: flags.force })
      )
    )
    if (target.target === "local") this.addWarning(wiring.localIsThrowaway("promotion"))
    this.log(`${value.reason} (space ${value.targetSpaceId})`)
    if (value.snapshotId !== undefined) {
      this.log(`Undo with: genie-enhancer rollback --space ${value.targetSpaceId} --to ${value.snapshotId}`)
    }
    return value
  }
}
