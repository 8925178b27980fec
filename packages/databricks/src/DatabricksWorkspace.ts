/**
 * The whole adapter in one layer: a resolved workspace configuration and the profile's settings in; the core
 * `Asker`, `Executor` and `SpaceStore`, the `WorkspaceAuth` the `databricks` LLM provider uses, and
 * `DatabricksAuth` out. The same layer serves a real workspace and the local emulator.
 */
import type { FileSystem, HttpClient, Path } from "@effect/platform"
import type { Errors, Profile, Stages, Workspace } from "@genie-enhancer/core"
import { Effect, Layer } from "effect"
import * as DatabricksAuth from "./DatabricksAuth.js"
import * as DatabricksConfig from "./DatabricksConfig.js"
import * as DriverExecutor from "./DriverExecutor.js"
import * as GenieAsker from "./GenieAsker.js"
import * as GenieSpaceStore from "./GenieSpaceStore.js"
import * as RestClient from "./RestClient.js"
import * as StatementExecutor from "./StatementExecutor.js"

/**
 * The profile settings the adapter reads: `workspace` and `safety` (only `genie` and `sql`; `genie.pollSchedule` is
 * `fixed` when absent; the built-in profiles say `adaptive`).
 *
 * @category configuration
 */
export interface Settings {
  readonly workspace: Pick<
    Profile.WorkspaceSettings,
    "sqlExecutor" | "deleteConversations" | "httpPath" | "warehouseId"
  >
  readonly safety: {
    readonly genie: Pick<Profile.GenieSafety, "timeoutSeconds" | "pollIntervalSeconds" | "maxPollIntervalSeconds"> &
      Partial<Pick<Profile.GenieSafety, "pollSchedule">>
    readonly sql: Pick<Profile.SqlSafety, "rowLimit" | "timeoutSeconds">
  }
}

/**
 * Everything the adapter provides.
 *
 * @category models
 */
export type Services =
  Stages.Asker | Stages.Executor | Stages.SpaceStore | Workspace.WorkspaceAuth | DatabricksAuth.DatabricksAuth

/**
 * The adapter for a resolved configuration (`DatabricksConfig.resolve`, or the emulator's host and token).
 *
 * **Details**
 * The warehouse is the configuration's (flags, `DATABRICKS_WAREHOUSE_ID`, `~/.databrickscfg`), else the profile's
 * `workspace.warehouseId`; without one, SQL calls fail saying how to set it. `sqlExecutor: driver` uses
 * `@databricks/sql` on `workspace.httpPath`, else `/sql/1.0/warehouses/<warehouse id>`. All services share one
 * `DatabricksAuth`, so OAuth tokens are fetched once and refreshed for everyone.
 *
 * @category layers
 */
export const layer = (options: {
  readonly config: Pick<DatabricksConfig.Resolved, "host" | "credentials" | "warehouseId">
  readonly settings: Settings
}): Layer.Layer<Services, never, HttpClient.HttpClient> => {
  const { config, settings } = options
  const { genie, sql } = settings.safety
  const warehouseId = config.warehouseId ?? settings.workspace.warehouseId
  const httpPath =
    settings.workspace.httpPath ?? (warehouseId === undefined ? undefined : `/sql/1.0/warehouses/${warehouseId}`)
  const executor =
    settings.workspace.sqlExecutor === "driver"
      ? DriverExecutor.layer({ httpPath, rowLimit: sql.rowLimit, timeoutSeconds: sql.timeoutSeconds })
      : StatementExecutor.layer({ warehouseId, rowLimit: sql.rowLimit, timeoutSeconds: sql.timeoutSeconds })
  const asker = GenieAsker.layer({
    timeoutSeconds: genie.timeoutSeconds,
    pollIntervalSeconds: genie.pollIntervalSeconds,
    maxPollIntervalSeconds: genie.maxPollIntervalSeconds,
    ...(genie.pollSchedule === undefined ? {} : { pollSchedule: genie.pollSchedule }),
    rowLimit: sql.rowLimit,
    deleteConversations: settings.workspace.deleteConversations
  })
  return Layer.mergeAll(asker, executor, GenieSpaceStore.layer(), DatabricksAuth.layerWorkspaceAuth).pipe(
    Layer.provide(RestClient.layer),
    Layer.provideMerge(DatabricksAuth.layer(config))
  )
}

/**
 * The adapter with its configuration resolved like the Databricks SDKs: explicit settings > environment >
 * `~/.databrickscfg` (`DatabricksConfig.resolve`). Fails with `AuthFailed` saying what to set.
 *
 * @category layers
 */
export const layerConfig = (
  explicit: DatabricksConfig.Explicit,
  env: Readonly<Record<string, string | undefined>>,
  settings: Settings
): Layer.Layer<Services, Errors.AuthFailed, HttpClient.HttpClient | FileSystem.FileSystem | Path.Path> =>
  Layer.unwrapEffect(Effect.map(DatabricksConfig.resolve(explicit, env), (config) => layer({ config, settings })))
