/**
 * The `local` workspace target as a plugin: the workspace emulator started in-process on an example workspace
 * (`workspace.example`: a name under `examples/` or a directory), with the same Databricks adapter pointed at it,
 * so both targets run one client code path.
 */
import { FetchHttpClient } from "@effect/platform"
import type { HttpClient } from "@effect/platform"
import { Plugin, Workspace } from "@genie-enhancer/core"
import type { Composition, Errors, Profile } from "@genie-enhancer/core"
import { DatabricksWorkspace } from "@genie-enhancer/databricks"
import { Emulator } from "@genie-enhancer/workspace-emulator"
import { Effect, Layer, Redacted } from "effect"
import { join } from "node:path"
import { exampleDir, examplesDir } from "../Locations.js"

/**
 * The Databricks adapter pointed at a running emulator, with the profile's workspace and safety settings. SQL goes
 * through the Statement Execution API: the emulator has no Thrift endpoint.
 */
export const emulatorAdapter = (
  emulator: Emulator.ConnectionInfo,
  profile: Pick<Profile.Profile, "workspace" | "safety">,
  httpClient: Layer.Layer<HttpClient.HttpClient> = FetchHttpClient.layer
) =>
  DatabricksWorkspace.layer({
    config: {
      host: emulator.host,
      credentials: { type: "pat", token: Redacted.make(emulator.token) },
      warehouseId: profile.workspace.warehouseId ?? emulator.warehouseId
    },
    settings: { workspace: { ...profile.workspace, sqlExecutor: "statements" }, safety: profile.safety }
  }).pipe(Layer.provide(httpClient))

const layer = (context: Plugin.Context): Layer.Layer<Composition.WorkspaceServices, Errors.ConfigInvalid> =>
  Layer.unwrapScoped(
    Effect.gen(function* () {
      const { workspace } = context.profile
      const dir = exampleDir(workspace.example, process.cwd())
      const emulator = yield* Emulator.start({ workspace: dir }).pipe(
        Effect.catchTag("ListenFailed", (error) => Effect.die(error))
      )
      const bundled = dir === join(examplesDir(), workspace.example)
      const what = bundled ? `the bundled example "${workspace.example}"` : `the workspace ${dir}`
      const warehouseId = workspace.warehouseId ?? emulator.warehouseId
      const driver = workspace.sqlExecutor === "driver"
      const adapter = emulatorAdapter(emulator, context.profile)
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
