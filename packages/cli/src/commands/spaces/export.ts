import { Errors, Issue, Space, Stages, TextFile } from "@genie-enhancer/core"
import { Args, Flags } from "@oclif/core"
import { Effect } from "effect"
import { BaseCommand } from "../../BaseCommand.js"
import * as WorkspaceTarget from "../../WorkspaceTarget.js"

/** What `spaces export` reports. */
export interface SpacesExportResult {
  readonly target: WorkspaceTarget.TargetInfo
  readonly spaceId: string
  readonly title: string
  readonly warehouseId: string
  /** Pass it to `spaces import --update --etag` to refuse the update if the space changed meanwhile. */
  readonly etag?: string
  /** The file written (`--out`); otherwise the configuration is in `space`. */
  readonly file?: string
  readonly space?: Space.SerializedSpace
}

export default class SpacesExport extends BaseCommand<SpacesExportResult> {
  static override summary = "Export a Genie space's configuration (serialized_space) in canonical form."
  static override description =
    "Reads the space with its serialized_space and writes it pretty-printed in the API's canonical order (the form " +
    "`spaces import` and `spaces diff` take), to --out or standard output. The space's etag is printed on standard " +
    "error (and in --json output): give it to `spaces import --update <id> --etag <etag>` so that an update fails " +
    "instead of overwriting someone else's changes."
  static override examples = [
    "<%= config.bin %> <%= command.id %> 01f0f5c840c118b9824acd167525a768 --out sales.json",
    "<%= config.bin %> <%= command.id %> 01f0f5c840c118b9824acd167525a768 --target databricks > sales.json"
  ]
  static override args = { spaceId: Args.string({ description: "The space id (32 hex).", required: true }) }
  static override flags = {
    out: Flags.string({ char: "o", summary: "File to write (default: standard output)." }),
    ...WorkspaceTarget.flags
  }

  async run(): Promise<SpacesExportResult> {
    const { args, flags } = await this.parse(SpacesExport)
    const { target, value: stored } = await this.runEffect(
      WorkspaceTarget.run({ flags, configDir: this.configDir(flags), env: process.env }, () =>
        Effect.gen(function* () {
          const store = yield* Stages.SpaceStore
          const stored = yield* store.get(args.spaceId)
          if (stored.space === undefined) {
            return yield* new Errors.ConfigInvalid({
              source: `space ${args.spaceId}`,
              issues: [Issue.error("MissingField", "$.serialized_space", "the workspace returned no serialized_space")]
            })
          }
          // The file keeps the space's title and warehouse, so `spaces import` of it needs no --warehouse-id.
          if (flags.out !== undefined) {
            yield* TextFile.write(
              flags.out,
              Space.serializeFile(stored.space, {
                spaceId: stored.spaceId,
                title: stored.title,
                warehouseId: stored.warehouseId,
                ...(stored.description === undefined ? {} : { description: stored.description })
              })
            )
          }
          return { ...stored, space: stored.space }
        })
      )
    )
    const result: SpacesExportResult = {
      target,
      spaceId: stored.spaceId,
      title: stored.title,
      warehouseId: stored.warehouseId,
      ...(stored.etag === undefined ? {} : { etag: stored.etag }),
      ...(flags.out === undefined ? { space: stored.space } : { file: flags.out })
    }
    if (flags.out === undefined) this.log(Space.serialize(stored.space))
    else this.logToStderr(`✓ wrote space ${stored.spaceId} "${stored.title}" to ${flags.out}`)
    if (stored.etag !== undefined && !this.jsonEnabled()) this.logToStderr(`etag ${stored.etag}`)
    return result
  }
}
