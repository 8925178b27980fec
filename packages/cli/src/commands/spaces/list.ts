import { Stages } from "@genie-enhancer/core"
import { Effect } from "effect"
import { BaseCommand } from "../../BaseCommand.js"
import * as WorkspaceTarget from "../../WorkspaceTarget.js"

/** What `spaces list` reports. */
export interface SpacesListResult {
  readonly target: WorkspaceTarget.TargetInfo
  readonly spaces: ReadonlyArray<{
    readonly spaceId: string
    readonly title: string
    readonly warehouseId: string
    readonly description?: string
  }>
}

export default class SpacesList extends BaseCommand<SpacesListResult> {
  static override summary = "List the Genie spaces of the workspace."
  static override description =
    "Lists every Genie space (all pages) of the profile's workspace: a real one (--target databricks; host and " +
    "credentials from --host / --config-profile, DATABRICKS_HOST and DATABRICKS_TOKEN or DATABRICKS_CLIENT_ID/_SECRET, " +
    "or ~/.databrickscfg) or the local emulator serving an example workspace (--target local)."
  static override examples = [
    "<%= config.bin %> <%= command.id %>",
    "<%= config.bin %> <%= command.id %> --target databricks --config-profile prod --json",
    "<%= config.bin %> <%= command.id %> --example ./my-workspace"
  ]
  static override flags = { ...WorkspaceTarget.flags }

  async run(): Promise<SpacesListResult> {
    const { flags } = await this.parse(SpacesList)
    const { target, value: spaces } = await this.runEffect(
      WorkspaceTarget.run({ flags, configDir: this.configDir(flags), env: process.env }, () =>
        Effect.flatMap(Stages.SpaceStore, (store) => store.list())
      )
    )
    const rows = spaces.map((s) => ({
      spaceId: s.spaceId,
      title: s.title,
      warehouseId: s.warehouseId,
      ...(s.description === undefined || s.description === "" ? {} : { description: s.description })
    }))
    if (rows.length === 0) this.log(`No Genie spaces in ${target.host}.`)
    const width = Math.max(0, ...rows.map((r) => r.title.length))
    for (const r of rows) this.log(`${r.spaceId}  ${r.title.padEnd(width)}  warehouse ${r.warehouseId}`)
    return { target, spaces: rows }
  }
}
