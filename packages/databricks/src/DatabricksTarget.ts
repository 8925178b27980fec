/**
 * The `databricks` workspace target as a plugin: host and credentials resolved like the Databricks SDKs (profile
 * keys and flags > environment > `~/.databrickscfg`), then the adapter's services and the target's description.
 */
import { FetchHttpClient } from "@effect/platform"
import type { FileSystem, Path } from "@effect/platform"
import { Plugin, Workspace } from "@genie-enhancer/core"
import type { Errors } from "@genie-enhancer/core"
import { Effect, Layer } from "effect"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import * as ConfigFile from "./ConfigFile.js"
import * as DatabricksConfig from "./DatabricksConfig.js"
import * as DatabricksWorkspace from "./DatabricksWorkspace.js"

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === "" ? undefined : value

/**
 * Whether a Databricks workspace is configured: a host or a config profile named in the profile or the environment,
 * or a `~/.databrickscfg` whose default profile has a host.
 *
 * @category constructors
 */
export const isConfigured = async (context: Plugin.Context): Promise<boolean> => {
  const { workspace } = context.profile
  const env = context.env
  if (nonEmpty(workspace.host) ?? nonEmpty(workspace.configProfile)) return true
  if (nonEmpty(env["DATABRICKS_HOST"]) ?? nonEmpty(env["DATABRICKS_CONFIG_PROFILE"])) return true
  const home = nonEmpty(env["HOME"]) ?? nonEmpty(env["USERPROFILE"])
  const file =
    nonEmpty(env["DATABRICKS_CONFIG_FILE"]) ?? (home === undefined ? undefined : join(home, ".databrickscfg"))
  if (file === undefined) return false
  const text = await readFile(file, "utf8").catch(() => undefined)
  if (text === undefined) return false
  const parsed = ConfigFile.parse(text)
  return nonEmpty(parsed.get(ConfigFile.defaultProfile(parsed))?.get("host")) !== undefined
}

/**
 * The adapter for the profile's workspace settings, with its `Target` description.
 *
 * @category layers
 */
export const layer = (
  context: Plugin.Context
): Layer.Layer<
  DatabricksWorkspace.Services | Workspace.Target,
  Errors.AuthFailed,
  FileSystem.FileSystem | Path.Path
> => {
  const { workspace, safety } = context.profile
  const explicit: DatabricksConfig.Explicit = {
    ...(workspace.host === undefined ? {} : { host: workspace.host }),
    ...(workspace.configProfile === undefined ? {} : { profile: workspace.configProfile }),
    ...(workspace.warehouseId === undefined ? {} : { warehouseId: workspace.warehouseId })
  }
  return Layer.unwrapEffect(
    Effect.map(DatabricksConfig.resolve(explicit, context.env), (config) => {
      const adapter = DatabricksWorkspace.layer({ config, settings: { workspace, safety } }).pipe(
        Layer.provide(FetchHttpClient.layer)
      )
      const target = Layer.effect(
        Workspace.Target,
        Effect.map(Workspace.WorkspaceAuth, (auth) => ({
          target: "databricks",
          host: auth.host,
          ...(config.warehouseId === undefined ? {} : { warehouseId: config.warehouseId })
        }))
      )
      return Layer.provideMerge(target, adapter)
    })
  )
}

/**
 * The plugin manifest (`workspace.target: databricks`).
 *
 * @category models
 */
export const plugin = Plugin.definePlugin({
  id: "databricks",
  version: "0.1.0",
  kind: "workspace-target",
  description: "A Databricks workspace: DATABRICKS_HOST and a token or OAuth client, or a ~/.databrickscfg profile.",
  optionsSchema: Plugin.noOptions,
  layer: (_options: unknown, context: Plugin.Context) => layer(context),
  detect: isConfigured
})
