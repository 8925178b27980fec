// The bench's workspace target: a `workspace-target` plugin whose layer starts the workspace emulator in-process
// with whatever options a bench gives it (datasets, spaces, Genie engines, faults, seed, hooks such as
// `onAnswerReady`) and provides what the CLI's `local` target provides (`WorkspaceAuth`, `Target`, `Asker`,
// `Executor`, `SpaceStore`: the real Databricks adapter over HTTP on 127.0.0.1). Registered next to the CLI's
// built-ins, it lets a bench take every other service from core's composition root (`Composition.layer`, or
// `layerWithStages`), as `genie-enhancer score` and `enhance` do.
//
//   import * as Target from "./lib/target.mjs"
//
//   // Every service of `score` (Safety, Evaluator, RunStore, Scorer, …) for the default profile plus overrides,
//   // against an emulator started when the layer is built and stopped when its scope closes:
//   const services = Target.layer({
//     emulator: { workspace: "examples/retail", seed: 7, simulator: { noiseRate: 0.1 } },
//     overrides: { "safety.genie.concurrency": 8, "runs.dir": dir }
//   })
//   yield* program.pipe(Effect.provide(services), Effect.provide(NodeContext.layer))
//
// Options of `layer`:
// - `emulator`: `Emulator.Options` (a `workspace` path is taken from the working directory); `httpClient`: the adapter's `HttpClient` layer (default `FetchHttpClient.layer`);
//   `onStart(emulator)`: told the running emulator (its `questions`, `spaceIds`, …) once it is up.
// - `profile` (a built-in name or a file; default `default`) and `overrides` (dotted profile keys → values, applied
//   like CLI flags and validated with the profile; `undefined` values are skipped).
// - `id`: the target's id, `bench` by default. `limitsQuestions: false`: the client does not space Genie questions
//   to `safety.genie.questionsPerMinute` (as for the CLI's `local` target); a bench measuring the client without
//   that limit sets it.
// - `stages: true`: `Composition.layerWithStages` (learner and fixers too, for `enhance`); `plugins`: more
//   built-ins to register (a scripted fixer, …), named by id in `overrides` (`"fix.fixers": [...]`); `judge`:
//   whether the LLM judge may run (default false: the emulator has no model behind its serving endpoint).
// - `target`: a plugin made by `plugin` or `shared` instead of `emulator`/`httpClient`/`onStart`/`id`.
//
// Lower level: `plugin(options)` is the plugin factory (each composition that builds it starts its own emulator);
// `shared(options)` (scoped) a plugin whose emulator and adapter are built once, by the first composition, and kept
// for every later one until the caller's scope closes — one workspace for several runs, each with fresh policies,
// run store and scorer, as when the CLI is run twice against a workspace; `registry(...plugins)` the CLI's
// built-ins plus these; `resolveProfile(options)` the profile `layer` uses.
import { fileURLToPath } from "node:url"
import { registry as cliRegistry, emulatorAdapter } from "../../packages/cli/dist/index.js"
import { Composition, Plugin, PluginRegistry, ProfileLoader, Workspace } from "../../packages/core/dist/index.js"
import { Emulator } from "../../packages/workspace-emulator/dist/index.js"
import { Effect, Layer } from "./effect.mjs"

const repo = (path) => fileURLToPath(new URL(`../../${path}`, import.meta.url))
/** The repository's built-in profiles and versioned prompts, whatever the working directory. */
export const configDir = repo("configs")
export const promptsDir = repo("prompts")

/** The emulator and the CLI's adapter pointed at it (`emulatorAdapter`), with the settings of `context.profile`. */
const workspaceLayer = (options, context) =>
  Layer.unwrapScoped(
    Effect.gen(function* () {
      const emulator = yield* Emulator.start(options.emulator ?? {})
      options.onStart?.(emulator)
      const warehouseId = context.profile.workspace.warehouseId ?? emulator.warehouseId
      const adapter = emulatorAdapter(emulator, context.profile, options.httpClient)
      const info = {
        target: options.id ?? "bench",
        host: emulator.host,
        warehouseId,
        spaceIds: emulator.spaceIds,
        limitsQuestions: options.limitsQuestions ?? true,
        ...(options.emulator?.workspace === undefined ? {} : { exampleDir: options.emulator.workspace })
      }
      return Layer.merge(adapter, Layer.succeed(Workspace.Target, info))
    })
  )

const manifest = (options, layer) =>
  Plugin.definePlugin({
    id: options.id ?? "bench",
    version: "0.1.0",
    kind: "workspace-target",
    description: "The workspace emulator in-process, with a bench's datasets, Genie engines and faults.",
    optionsSchema: Plugin.noOptions,
    layer: (_options, context) => layer(context)
  })

/**
 * The bench target: each composition that builds it starts an emulator, stopped when that composition's scope
 * closes.
 *
 * @param {{ id?: string, limitsQuestions?: boolean, emulator?: object, httpClient?: object, onStart?: (emulator: object) => void }} options
 */
export const plugin = (options = {}) => manifest(options, (context) => workspaceLayer(options, context))

/**
 * The bench target with one emulator and adapter for every composition built in the caller's scope: the first
 * builds them (with its profile's settings), the later ones reuse them, and they stop when the caller's scope
 * closes. Policies, run store, scorer and evaluator stay per composition.
 *
 * @param {{ id?: string, limitsQuestions?: boolean, emulator?: object, httpClient?: object, onStart?: (emulator: object) => void }} options
 */
export const shared = (options = {}) =>
  Effect.map(Effect.scope, (scope) => {
    let built
    return manifest(options, (context) =>
      Layer.unwrapEffect(
        Effect.suspend(() => {
          built ??= Effect.runSync(Effect.cached(Layer.buildWithScope(workspaceLayer(options, context), scope)))
          return Effect.map(built, Layer.succeedContext)
        })
      )
    )
  })

/** The CLI's built-in plugins plus `plugins`; one with the id and kind of a built-in replaces it. */
export const registry = (...plugins) => {
  const own = new Set(plugins.map((p) => PluginRegistry.key(p.kind, p.id)))
  return PluginRegistry.make([
    ...[...cliRegistry.builtins.values()].filter((p) => !own.has(PluginRegistry.key(p.kind, p.id))),
    ...plugins
  ])
}

/**
 * A profile (built-in name or file, default `default`) with `overrides` applied like CLI flags (source `bench`),
 * the environment ignored; `target` sets `workspace.target`.
 *
 * @param {{ profile?: string, overrides?: Record<string, unknown>, target?: string }} options
 */
export const resolveProfile = (options = {}) =>
  ProfileLoader.resolve({
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    configDir,
    env: {},
    flags: Object.entries({
      ...options.overrides,
      ...(options.target === undefined ? {} : { "workspace.target": options.target })
    }).flatMap(([key, value]) => (value === undefined ? [] : [{ path: key.split("."), value, source: "bench" }]))
  })

/**
 * Every service of a command from `Composition` (`layerWithStages` with `stages: true`) for the bench target and
 * the resolved profile; the options are described at the top of this file. Needs `FileSystem` and `Path`
 * (`NodeContext.layer`).
 */
export const layer = (options) =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      const target = options.target ?? plugin(options)
      const resolved = yield* resolveProfile({ ...options, target: target.id })
      const compose = options.stages === true ? Composition.layerWithStages : Composition.layer
      return compose({
        resolved,
        registry: registry(target, ...(options.plugins ?? [])),
        env: {},
        cwd: repo(""),
        configDir,
        promptsDir,
        judge: options.judge ?? false
      })
    })
  )
