/**
 * How a command gets its services: its flags become profile overrides, the profile is resolved, and core's
 * composition root (`Composition`) builds every service from it — workspace target, LLM provider, safety,
 * evaluator, run store, scorer, and the learner and fixers for the commands that improve spaces. Commands call
 * `run` and nothing else builds layers.
 */
import type { FileSystem, Path } from "@effect/platform"
import { Composition, ProfileLoader, Workspace } from "@genie-enhancer/core"
import type { Errors } from "@genie-enhancer/core"
import { Flags } from "@oclif/core"
import type { Scope } from "effect"
import { Effect } from "effect"
import type { Layer } from "effect"
import { promptsDir } from "./Locations.js"
import { registry } from "./Plugins.js"

/**
 * Flags of every command that talks to a workspace. Tokens are never flags: they come from the environment or
 * `~/.databrickscfg`.
 */
export const flags = {
  target: Flags.string({
    summary:
      "Workspace target (overrides workspace.target): local runs an embedded emulator, databricks a real one. Default: databricks when one is configured (DATABRICKS_HOST, ~/.databrickscfg), else local."
  }),
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
  readonly target?: string | undefined
  readonly example?: string | undefined
  readonly host?: string | undefined
  readonly "warehouse-id"?: string | undefined
  readonly "config-profile"?: string | undefined
}

/** Which workspace a command used, for its output. */
export type TargetInfo = Workspace.TargetInfo

/**
 * Prints a target's note on stderr, also under `--json` (oclif silences its own logging then; stdout still carries
 * only the JSON document), so a user always sees which workspace a command used.
 */
const toStderr = (note: string): void => {
  process.stderr.write(`${note}\n`)
}

const flagOverrides = (flags: TargetFlags): Array<ProfileLoader.Override> => {
  const entries: Array<[keyof TargetFlags, ReadonlyArray<string>]> = [
    ["target", ["workspace", "target"]],
    ["example", ["workspace", "example"]],
    ["host", ["workspace", "host"]],
    ["warehouse-id", ["workspace", "warehouseId"]],
    ["config-profile", ["workspace", "configProfile"]]
  ]
  return entries.flatMap(([flag, path]) =>
    flags[flag] === undefined ? [] : [{ path, value: flags[flag], source: `--${flag}` }]
  )
}

/** What `run` needs besides the program. */
export interface RunOptions {
  readonly flags: TargetFlags
  readonly configDir: string
  readonly env: Readonly<Record<string, string | undefined>>
  /** Told which workspace is used; default: stderr. */
  readonly announce?: (note: string) => void
  /** Profile overrides from the command's other flags (`--genie-concurrent`, …). */
  readonly overrides?: ReadonlyArray<ProfileLoader.Override>
}

const runWith =
  <S>(
    layerFor: (
      options: Composition.Options
    ) => Layer.Layer<S, Composition.CompositionError, FileSystem.FileSystem | Path.Path>
  ) =>
  <A, E>(
    options: RunOptions,
    program: (
      info: TargetInfo,
      resolved: ProfileLoader.ResolvedProfile
    ) => Effect.Effect<A, E, S | FileSystem.FileSystem | Path.Path | Scope.Scope>
  ): Effect.Effect<
    { readonly target: TargetInfo; readonly value: A },
    E | Composition.CompositionError | Errors.ConfigInvalid,
    FileSystem.FileSystem | Path.Path
  > =>
    Effect.scoped(
      Effect.gen(function* () {
        const resolved = yield* ProfileLoader.resolve({
          ...(options.flags.profile === undefined ? {} : { profile: options.flags.profile }),
          configDir: options.configDir,
          env: options.env,
          flags: [...flagOverrides(options.flags), ...(options.overrides ?? [])]
        })
        const services = layerFor({
          resolved,
          registry,
          env: options.env,
          cwd: process.cwd(),
          configDir: options.configDir,
          promptsDir: promptsDir(),
          announce: options.announce ?? toStderr
        })
        return yield* Effect.gen(function* () {
          const target = yield* Workspace.Target
          return { target, value: yield* program(target, resolved) }
        }).pipe(
          Effect.provide(
            services as Layer.Layer<
              S | Workspace.Target,
              Composition.CompositionError,
              FileSystem.FileSystem | Path.Path
            >
          )
        )
      })
    )

/**
 * Resolves the profile (the workspace flags and the command's own `overrides` on top), builds its services with
 * `Composition.layer`, tells `announce` which workspace is used, and runs `program` in a scope that closes
 * (stopping a local emulator) when it ends.
 */
export const run = runWith<Composition.Services>(Composition.layer)

/** {@link run} with the profile's pattern learner and fixers too (`learn`, `plan`, `enhance`). */
export const runWithStages = runWith<Composition.EnhanceServices>(Composition.layerWithStages)
