/**
 * The workspace a command talks to, from the profile's `workspace.target`: `databricks` resolves host and
 * credentials like the Databricks SDKs (flags > environment > `~/.databrickscfg`); `local` starts the workspace
 * emulator in-process on an example workspace and points the same Databricks adapter at it, so both targets run
 * one client code path.
 */
import { FetchHttpClient } from "@effect/platform"
import type { FileSystem, Path } from "@effect/platform"
import { ProfileLoader, Workspace } from "@genie-enhancer/core"
import type { Errors, Profile } from "@genie-enhancer/core"
import { DatabricksConfig, DatabricksWorkspace } from "@genie-enhancer/databricks"
import { Emulator } from "@genie-enhancer/workspace-emulator"
import { Flags } from "@oclif/core"
import type { Scope } from "effect"
import { Context, Effect, Layer, Redacted } from "effect"
import { isAbsolute, join, resolve, sep } from "node:path"
import { examplesDir } from "./Locations.js"

/**
 * Flags of every command that talks to a workspace. Tokens are never flags: they come from the environment or
 * `~/.databrickscfg`.
 */
export const flags = {
  target: Flags.option({
    options: ["local", "databricks"] as const,
    summary: "Workspace target (overrides workspace.target): local runs an embedded emulator, databricks a real one."
  })(),
  example: Flags.string({
    summary:
      "Local target: an example under examples/ or a path to a workspace directory (overrides workspace.example)."
  }),
  host: Flags.string({
    summary: "Databricks target: workspace URL (else workspace.host, DATABRICKS_HOST, ~/.databrickscfg).",
    helpGroup: "DATABRICKS"
  }),
  "warehouse-id": Flags.string({
    summary: "SQL warehouse id (else workspace.warehouseId, DATABRICKS_WAREHOUSE_ID, ~/.databrickscfg).",
    helpGroup: "DATABRICKS"
  }),
  "config-profile": Flags.string({
    summary:
      "Databricks target: section of ~/.databrickscfg (else workspace.configProfile, DATABRICKS_CONFIG_PROFILE).",
    helpGroup: "DATABRICKS"
  })
}

/** The parsed workspace flags (plus the base `--profile`). */
export interface TargetFlags {
  readonly profile?: string | undefined
  readonly target?: "local" | "databricks" | undefined
  readonly example?: string | undefined
  readonly host?: string | undefined
  readonly "warehouse-id"?: string | undefined
  readonly "config-profile"?: string | undefined
}

/** Prints a target's note on stderr, except under `--json` (whose result carries it). */
export const noteTo =
  (command: { jsonEnabled(): boolean; logToStderr(message: string): void }) =>
  (note: string): void => {
    if (!command.jsonEnabled()) command.logToStderr(note)
  }

/** Which workspace a command used, for its output. */
export interface TargetInfo {
  readonly target: "local" | "databricks"
  readonly host: string
  readonly warehouseId?: string
  /** Local target: the workspace directory the emulator serves, and its spaces in manifest order. */
  readonly exampleDir?: string
  readonly spaceIds?: ReadonlyArray<string>
  /** Said to the user once the workspace is open (e.g. that the local target serves an example). */
  readonly note?: string
}

/** A workspace ready for use: what it is, and the adapter's services. */
interface OpenTarget {
  readonly info: TargetInfo
  readonly context: Context.Context<DatabricksWorkspace.Services>
}

/** `workspace.example`: a directory when it looks like a path, else a name under the repository's `examples/`. */
const exampleDir = (example: string): string =>
  example.includes("/") || example.includes(sep) || isAbsolute(example)
    ? resolve(example)
    : join(examplesDir(), example)

const openLocal = (profile: Profile.Profile, warehouseFlag: string | undefined) =>
  Effect.gen(function* () {
    const { example } = profile.workspace
    const dir = exampleDir(example)
    const emulator = yield* Emulator.start({ workspace: dir }).pipe(
      Effect.catchTag("ListenFailed", (error) => Effect.die(error))
    )
    const what = dir === join(examplesDir(), example) ? `the bundled example "${example}"` : `the workspace ${dir}`
    const warehouseId = warehouseFlag ?? emulator.warehouseId
    const driver = profile.workspace.sqlExecutor === "driver"
    const settings = {
      workspace: { ...profile.workspace, sqlExecutor: "statements" as const },
      safety: profile.safety
    }
    const context = yield* Layer.build(
      DatabricksWorkspace.layer({
        config: {
          host: emulator.host,
          credentials: { type: "pat", token: Redacted.make(emulator.token) },
          warehouseId
        },
        settings
      }).pipe(Layer.provide(FetchHttpClient.layer))
    )
    const note =
      `Using ${what} in a local workspace emulator (workspace.target: local; set --target databricks or ` +
      `GENIE_ENHANCER_WORKSPACE__TARGET=databricks for a real workspace).` +
      (driver ? " The emulator has no Thrift endpoint, so SQL runs through the Statement Execution API." : "")
    const info: TargetInfo = {
      target: "local",
      host: emulator.host,
      warehouseId,
      exampleDir: dir,
      spaceIds: emulator.spaceIds,
      note
    }
    return { info, context } satisfies OpenTarget
  })

const openDatabricks = (
  profile: Profile.Profile,
  flags: TargetFlags,
  env: Readonly<Record<string, string | undefined>>
) =>
  Effect.gen(function* () {
    const host = flags.host ?? profile.workspace.host
    const configProfile = flags["config-profile"] ?? profile.workspace.configProfile
    const warehouseId = flags["warehouse-id"] ?? profile.workspace.warehouseId
    const config = yield* DatabricksConfig.resolve(
      {
        ...(host === undefined ? {} : { host }),
        ...(configProfile === undefined ? {} : { profile: configProfile }),
        ...(warehouseId === undefined ? {} : { warehouseId })
      },
      env
    )
    const context = yield* Layer.build(
      DatabricksWorkspace.layer({ config, settings: { workspace: profile.workspace, safety: profile.safety } }).pipe(
        Layer.provide(FetchHttpClient.layer)
      )
    )
    const info: TargetInfo = {
      target: "databricks",
      host: Context.get(context, Workspace.WorkspaceAuth).host,
      ...(config.warehouseId === undefined ? {} : { warehouseId: config.warehouseId })
    }
    return { info, context } satisfies OpenTarget
  })

/**
 * Resolves the profile (with `--target`, `--example` and the command's own `overrides`), opens its workspace, tells
 * `announce` the target's note, and runs `program` against the adapter, in a scope that closes (stopping the local
 * emulator) when the program ends.
 */
export const run = <A, E>(
  options: {
    readonly flags: TargetFlags
    readonly configDir: string
    readonly env: Readonly<Record<string, string | undefined>>
    readonly announce: (note: string) => void
    /** Profile overrides from the command's other flags (`--genie-concurrent`, …). */
    readonly overrides?: ReadonlyArray<ProfileLoader.Override>
  },
  program: (
    info: TargetInfo,
    resolved: ProfileLoader.ResolvedProfile
  ) => Effect.Effect<A, E, DatabricksWorkspace.Services | FileSystem.FileSystem | Path.Path | Scope.Scope>
): Effect.Effect<
  { readonly target: TargetInfo; readonly value: A },
  E | Errors.ConfigInvalid | Errors.AuthFailed,
  FileSystem.FileSystem | Path.Path
> =>
  Effect.scoped(
    Effect.gen(function* () {
      const { flags } = options
      const overrides: Array<ProfileLoader.Override> = [
        ...(flags.target === undefined
          ? []
          : [{ path: ["workspace", "target"], value: flags.target, source: "--target" }]),
        ...(flags.example === undefined
          ? []
          : [{ path: ["workspace", "example"], value: flags.example, source: "--example" }]),
        ...(options.overrides ?? [])
      ]
      const resolved = yield* ProfileLoader.resolve({
        ...(flags.profile === undefined ? {} : { profile: flags.profile }),
        configDir: options.configDir,
        env: options.env,
        flags: overrides
      })
      const { profile } = resolved
      const open: OpenTarget =
        profile.workspace.target === "local"
          ? yield* openLocal(profile, flags["warehouse-id"])
          : yield* openDatabricks(profile, flags, options.env)
      if (open.info.note !== undefined) {
        const note = open.info.note
        yield* Effect.sync(() => options.announce(note))
      }
      const value = yield* Effect.provide(program(open.info, resolved), open.context)
      return { target: open.info, value }
    })
  )
