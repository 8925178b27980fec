/**
 * The `local` workspace target as a plugin: the workspace emulator started in-process on an example workspace
 * (`workspace.example`: a name under `examples/` or a directory), with the same Databricks adapter pointed at it,
 * so both targets run one client code path.
 */
import { FetchHttpClient } from "@effect/platform"
import { Plugin, Workspace } from "@genie-enhancer/core"
import type { Composition, Errors } from "@genie-enhancer/core"
import { DatabricksWorkspace } from "@genie-enhancer/databricks"
import { Emulator } from "@genie-enhancer/workspace-emulator"
import { Effect, Layer, Redacted } from "effect"
import { join } from "node:path"
import { exampleDir, examplesDir } from "../Locations.js"

const layer = (context: Plugin.Context): Layer.Layer<Composition.WorkspaceServices, Errors.ConfigInvalid> =>
  Layer.unwrapScoped(
    Effect.gen(function* () {
      const { workspace, safety } = context.profile
      const dir = exampleDir(workspace.example, process.cwd())
      const emulator = yield* Emulator.start({ workspace: dir }).pipe(
        Effect.catchTag("ListenFailed", (error) => Effect.die(error))
      )
      const bundled = dir === join(examplesDir(), workspace.example)
      const what = bundled ? `the bundled example "${workspace.example}"` : `the workspace ${dir}`
      const warehouseId = workspace.warehouseId ?? emulator.warehouseId
      const driver = workspace.sqlExecutor === "driver"
      const adapter = DatabricksWorkspace.layer({
        config: {
          host: emulator.host,
          credentials: { type: "pat", token: Redacted.make(emulator.token) },
          warehouseId
        },
        settings: { workspace: { ...workspace, sqlExecutor: "statements" }, safety }
      }).pipe(Layer.provide(FetchHttpClient.layer))
      const info: Workspace.TargetInfo = {
        target: "local",
        host: emulator.host,
        warehouseId,
        exampleDir: dir,
        spaceIds: emulator.spaceIds,
        limitsQuestions: false,
        note:
          `Using ${what} in a local workspace emulator: no Databricks workspace is configured (set DATABRICKS_HOST ` +
          `and DATABRICKS_TOKEN, or a ~/.databrickscfg profile, or pass --target databricks).` +
          (driver ? " The emulator has no Thrift endpoint, so SQL runs through the Statement Execution API." : "")
      }
      return Layer.merge(adapter, Layer.succeed(Workspace.Target, info))
    })
  )

/**
 * The plugin manifest (`workspace.target: local`).
 *
 * @category models
 */
export const plugin = Plugin.definePlugin({
  id: "local",
  version: "0.1.0",
  kind: "workspace-target",
  description: "An embedded workspace emulator serving an example workspace (no account, no keys).",
  optionsSchema: Plugin.noOptions,
  layer: (_options: unknown, context: Plugin.Context) => layer(context)
})
