import { Errors, Issue, Space, Stages } from "@genie-enhancer/core"
import { Args, Flags } from "@oclif/core"
import { Effect } from "effect"
import { basename, extname } from "node:path"
import { BaseCommand } from "../../BaseCommand.js"
import * as WorkspaceTarget from "../../WorkspaceTarget.js"

/** What `spaces import` reports. */
export interface SpacesImportResult {
  readonly target: WorkspaceTarget.TargetInfo
  readonly spaceId: string
  readonly title: string
  readonly warehouseId: string
  /** True for a new space, false for `--update`. */
  readonly created: boolean
  readonly etag?: string
}

export default class SpacesImport extends BaseCommand<SpacesImportResult> {
  static override summary = "Create a Genie space from a configuration file, or replace an existing space's."
  static override description =
    "The file holds a serialized_space (or a space as the API returns it). It is validated like the API would " +
    "(every problem with its path and line) and sent in canonical order. Without --update a new space is created on " +
    "--warehouse-id (else the configured warehouse), titled --title (else the file name). With --update <id> the " +
    "space's whole configuration is replaced, guarded by its etag: --etag (from `spaces export`) refuses the update " +
    "if the space changed since that export; without it the current etag is read just before the update."
  static override examples = [
    "<%= config.bin %> <%= command.id %> sales.json --title 'Sales (dev)' --warehouse-id 92748d3f4d1346af",
    "<%= config.bin %> <%= command.id %> sales.json --update 01f0f5c840c118b9824acd167525a768 --etag 3f2a9c1d0b7e4a55"
  ]
  static override args = { file: Args.string({ description: "Space file (serialized_space JSON).", required: true }) }
  static override flags = {
    title: Flags.string({ summary: "Title of the space (default for a new space: the file name)." }),
    description: Flags.string({ summary: "Description of the space." }),
    update: Flags.string({ summary: "Replace the configuration of this space instead of creating one." }),
    etag: Flags.string({ summary: "With --update: the etag the file was exported at.", dependsOn: ["update"] }),
    ...WorkspaceTarget.flags
  }

  async run(): Promise<SpacesImportResult> {
    const { args, flags } = await this.parse(SpacesImport)
    const { target, value } = await this.runEffect(
      WorkspaceTarget.run({ flags, configDir: this.configDir(flags), env: process.env }, (info) =>
        Effect.gen(function* () {
          const { space, envelope } = yield* Space.loadFile(args.file)
          const store = yield* Stages.SpaceStore
          if (flags.update !== undefined) {
            const etag = flags.etag ?? (yield* store.get(flags.update)).etag
            const updated = yield* store.update(flags.update, space, {
              ...(etag === undefined ? {} : { etag }),
              ...(flags.title === undefined ? {} : { title: flags.title }),
              ...(flags.description === undefined ? {} : { description: flags.description })
            })
            return { stored: updated, created: false }
          }
          // --warehouse-id wins; else the warehouse the file was exported with; else the configured one.
          const warehouseId = flags["warehouse-id"] ?? envelope.warehouseId ?? info.warehouseId
          if (warehouseId === undefined) {
            return yield* new Errors.ConfigInvalid({
              source: "--warehouse-id",
              issues: [
                Issue.error(
                  "MissingValue",
                  "$",
                  "a new space needs a SQL warehouse: pass --warehouse-id, or set DATABRICKS_WAREHOUSE_ID or workspace.warehouseId"
                )
              ]
            })
          }
          const created = yield* store.create({
            title: flags.title ?? envelope.title ?? basename(args.file, extname(args.file)),
            warehouseId,
            space,
            ...((flags.description ?? envelope.description) === undefined
              ? {}
              : { description: flags.description ?? envelope.description })
          })
          return { stored: created, created: true }
        })
      )
    )
    const { stored, created } = value
    this.log(
      `✓ ${created ? "created" : "updated"} space ${stored.spaceId} "${stored.title}" from ${args.file}` +
        (stored.etag === undefined ? "" : ` (etag ${stored.etag})`)
    )
    return {
      target,
      spaceId: stored.spaceId,
      title: stored.title,
      warehouseId: stored.warehouseId,
      created,
      ...(stored.etag === undefined ? {} : { etag: stored.etag })
    }
  }
}
