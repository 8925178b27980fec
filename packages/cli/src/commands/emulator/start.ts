import { Errors, Issue } from "@genie-enhancer/core"
import { Emulator, Faults } from "@genie-enhancer/workspace-emulator"
import { Flags } from "@oclif/core"
import { Effect } from "effect"
import { join } from "node:path"
import { BaseCommand } from "../../BaseCommand.js"
import { examplesDir } from "../../Locations.js"

/** What `emulator start` prints once it listens (one line of JSON under `--json`). */
export type EmulatorStartResult = Emulator.ConnectionInfo

/** Resolves on SIGINT or SIGTERM. */
const interrupted = Effect.async<void>((resume) => {
  const stop = () => resume(Effect.void)
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
  return Effect.sync(() => {
    process.off("SIGINT", stop)
    process.off("SIGTERM", stop)
  })
})

export default class EmulatorStart extends BaseCommand<undefined> {
  static override summary = "Run a local Databricks-compatible workspace until interrupted."
  static override description =
    "Serves the Genie conversation and spaces APIs, the SQL Statement Execution API, OIDC and serving endpoints " +
    "on 127.0.0.1, over a DuckDB warehouse loaded from a workspace directory (workspace.yaml). Without --workspace " +
    "or --example it serves an empty workspace (one warehouse, no spaces) that clients can create spaces in. " +
    "It prints the host, a token, the warehouse id and the space ids, then runs until Ctrl+C (SIGINT) or SIGTERM."
  static override examples = [
    "<%= config.bin %> <%= command.id %>",
    "<%= config.bin %> <%= command.id %> --example retail --port 8123",
    "<%= config.bin %> <%= command.id %> --workspace ./my-workspace --faults faults.yaml --json"
  ]
  static override flags = {
    workspace: Flags.directory({
      summary: "Workspace directory holding a workspace.yaml manifest.",
      exists: true,
      exclusive: ["example"]
    }),
    example: Flags.string({ summary: "A bundled example workspace (examples/<name>/).", exclusive: ["workspace"] }),
    port: Flags.integer({ summary: "Port on 127.0.0.1 (0 picks a free one).", default: 0, min: 0, max: 65535 }),
    faults: Flags.file({ summary: "Fault injection file (YAML); replaces the workspace's own.", exists: true })
  }

  async run(): Promise<undefined> {
    const { flags } = await this.parse(EmulatorStart)
    const workspace = flags.workspace ?? (flags.example === undefined ? undefined : join(examplesDir(), flags.example))
    const announce = (info: EmulatorStartResult) => {
      if (this.jsonEnabled()) {
        // One line, printed now: the command keeps running, so oclif's final envelope would come too late.
        process.stdout.write(`${JSON.stringify(this.toSuccessJson(info))}\n`)
        return
      }
      this.log(`Workspace emulator listening on ${info.host}`)
      this.log(`  host           ${info.host}`)
      this.log(`  token          ${info.token}`)
      this.log(`  warehouse id   ${info.warehouseId}`)
      this.log(`  space ids      ${info.spaceIds.length === 0 ? "(none)" : info.spaceIds.join(", ")}`)
      this.log(`  OAuth client   ${info.servicePrincipal.clientId} / ${info.servicePrincipal.clientSecret}`)
      this.log(`export DATABRICKS_HOST=${info.host} DATABRICKS_TOKEN=${info.token}`)
      this.log("Press Ctrl+C to stop.")
    }
    const port = flags.port
    await this.runEffect(
      Effect.scoped(
        Effect.gen(function* () {
          const faults = flags.faults === undefined ? undefined : yield* Faults.load(flags.faults)
          const emulator = yield* Emulator.start({
            port,
            ...(workspace === undefined ? {} : { workspace }),
            ...(faults === undefined ? {} : { faults })
          }).pipe(
            Effect.catchTag("ListenFailed", (e) =>
              Effect.fail(
                new Errors.ConfigInvalid({ source: "--port", issues: [Issue.error("PortUnavailable", "$", e.message)] })
              )
            )
          )
          announce({
            host: emulator.host,
            port: emulator.port,
            token: emulator.token,
            warehouseId: emulator.warehouseId,
            spaceIds: emulator.spaceIds,
            servicePrincipal: emulator.servicePrincipal
          })
          yield* interrupted
        })
      )
    )
    this.log("Emulator stopped.")
    return undefined
  }
}
