/**
 * The plugin manifest: what a plugin module's default export looks like, and how to recognise one.
 *
 * **Details**
 * A plugin is an ES module (an npm package or a local file) whose default export is built with `definePlugin`. The
 * manifest names the plugin, says what it provides and carries a JSON Schema for its options; `layer(options)`
 * builds the Effect layer that provides the service. Plugins declare `effect` and `@genie-enhancer/core` as peer
 * dependencies so that tags and fibers are shared with the host.
 */
import type { Layer } from "effect"
import { createRequire } from "node:module"
import semver from "semver"
import type { Profile } from "../config/Profile.js"
import type { Renderer } from "./ReportFormat.js"

/**
 * The brand every manifest carries. Checked by value, never with `instanceof`, because a plugin may bundle its own
 * copy of core.
 *
 * @category models
 */
export const brand = "GenieEnhancerPlugin" as const

/**
 * The manifest format this version of core understands.
 *
 * @category models
 */
export const apiVersion = 1 as const

/**
 * The version of `@genie-enhancer/core` running this process, checked against each plugin's `core` range.
 *
 * @category models
 */
// `../../package.json` is the package's manifest from both `src/plugins` and `dist/plugins`.
export const coreVersion: string = (createRequire(import.meta.url)("../../package.json") as { version: string }).version

/**
 * What a plugin contributes: a `Scorer`, a `LanguageModel` provider, a decorator over a stage service, a workspace
 * target (`Asker`, `Executor`, `SpaceStore`), a `PatternLearner`, a `Fixer`, or a report format.
 *
 * @category models
 */
export type Kind =
  "scorer" | "llm-provider" | "stage-decorator" | "workspace-target" | "pattern-learner" | "fixer" | "report-format"

/** The kinds, for messages and validation. @category models */
export const kinds: ReadonlyArray<Kind> = [
  "scorer",
  "llm-provider",
  "stage-decorator",
  "workspace-target",
  "pattern-learner",
  "fixer",
  "report-format"
]

/**
 * A JSON Schema (draft-07) for a plugin's options; validated with ajv in strict mode.
 *
 * @category models
 */
export type OptionsSchema = Readonly<Record<string, unknown>>

/**
 * A plugin manifest.
 *
 * @category models
 */
export interface Plugin<Options = unknown, ROut = never, E = unknown, RIn = unknown> {
  readonly _tag: typeof brand
  readonly apiVersion: typeof apiVersion
  /** Stable id; built-ins use short ids (`batch`), third parties their package name. */
  readonly id: string
  readonly version: string
  /**
   * The versions of `@genie-enhancer/core` the plugin works with, as a semver range (`">=0.1 <1"`, `"^0.1"`). A
   * plugin loaded by a core outside the range is refused with both versions in the message. Omitted: any core that
   * speaks {@link apiVersion}.
   */
  readonly core?: string
  readonly kind: Kind
  /** One line for `--help` and error messages. */
  readonly description: string
  /** JSON Schema of the options a profile may pass; the registry validates them before `layer` is called. */
  readonly optionsSchema: OptionsSchema
  /**
   * Builds the service layer from validated options and the run's context (method syntax keeps manifests
   * assignable to `AnyPlugin`).
   */
  layer(options: Options, context: Context): Layer.Layer<ROut, E, RIn>
  /**
   * Stage decorators only: the stage they wrap, so they are applied before anything that uses it is built (an
   * evaluator decorator is in place before the scorer takes the evaluator). Default: the last tier (scorer,
   * learner, fixers, plan validation).
   */
  readonly decorates?: Stage
  /**
   * LLM providers only: the layer calls the workspace (it uses `WorkspaceAuth`, as the `databricks` serving provider
   * does). `llm check` opens the configured workspace only for such a provider.
   */
  readonly usesWorkspace?: boolean
  /**
   * Workspace targets only: whether this target is configured in the environment (e.g. `DATABRICKS_HOST`). When the
   * profile leaves `workspace.target` at its built-in default, the first configured target wins over `local`.
   */
  detect?(context: Context): Promise<boolean>
  /** Report formats only: the renderer (see `ReportFormat.define`). */
  readonly report?: Renderer<Options>
}

/**
 * A stage a decorator can wrap: `ask` (`Asker`), `execute` (`Executor`), `llm` (`LanguageModel`), `evaluate`
 * (`Evaluator`), `score` (`Scorer`), `learn-patterns` (`PatternLearner`), `fix` (`Fixer`), `validate`
 * (`PlanValidator`), `promote` (`Promoter`).
 *
 * @category models
 */
export type Stage = "ask" | "execute" | "llm" | "evaluate" | "score" | "learn-patterns" | "fix" | "validate" | "promote"

/**
 * What a plugin's layer may read besides its options: the resolved profile (every stage's settings), the
 * environment (never read `process.env` directly: tests and embedders pass their own), and where the profile came
 * from.
 *
 * @category models
 */
export interface Context {
  readonly profile: Profile
  readonly env: Readonly<Record<string, string | undefined>>
  /** The profile's name or file, for messages. */
  readonly source: string
  /** Directory relative paths in the profile are resolved from. */
  readonly baseDir: string
  /** The host's directory of versioned prompts (`prompts/`), for plugins that call a language model. */
  readonly promptsDir?: string
}

/**
 * A built-in plugin whose module is imported only when a run needs it, so that start-up (and `--help`) pays for
 * nothing else. `id` and `kind` are known up front for listings and `PluginNotFound` messages.
 *
 * @category models
 */
export interface Lazy {
  readonly _tag: "LazyPlugin"
  readonly id: string
  readonly kind: Kind
  readonly load: () => Promise<AnyPlugin>
}

/**
 * Declares a built-in plugin that is imported on first use.
 *
 * @category constructors
 */
export const lazy = (id: string, kind: Kind, load: () => Promise<AnyPlugin>): Lazy => ({
  _tag: "LazyPlugin",
  id,
  kind,
  load
})

/**
 * Any manifest, whatever its options and layer types.
 *
 * @category models
 */
export type AnyPlugin = Plugin<never, never, unknown, unknown>

/** Accepts any options: the schema for plugins without settings. @category models */
export const noOptions: OptionsSchema = { type: "object", additionalProperties: false, properties: {} }

/**
 * Builds a manifest. Exists for type inference and to stamp the brand and API version.
 *
 * @example
 * ```ts
 * export default definePlugin({
 *   id: "my-scorer", version: "1.0.0", kind: "scorer", description: "Scores with my rules.",
 *   optionsSchema: { type: "object", properties: { strict: { type: "boolean" } }, additionalProperties: false },
 *   layer: (options: { strict?: boolean }) => MyScorer.layer(options)
 * })
 * ```
 *
 * @category constructors
 */
export const definePlugin = <Options, ROut, E, RIn>(
  manifest: Omit<Plugin<Options, ROut, E, RIn>, "_tag" | "apiVersion">
): Plugin<Options, ROut, E, RIn> => ({ _tag: brand, apiVersion, ...manifest })

/**
 * Why a value is not a usable manifest, or `undefined` when it is one.
 *
 * @category models
 */
export const problemWith = (u: unknown): string | undefined => {
  if (typeof u !== "object" || u === null) return "its default export is not an object (expected definePlugin(...))"
  const m = u as Record<string, unknown>
  if (m._tag !== brand) return "its default export is not a Genie Enhancer plugin (expected definePlugin(...))"
  if (m.apiVersion !== apiVersion) {
    return `it was built for plugin API ${JSON.stringify(m.apiVersion)}; this version of genie-enhancer supports ${apiVersion}`
  }
  if (typeof m.id !== "string" || m.id === "") return "its manifest has no id"
  if (typeof m.version !== "string") return `plugin "${m.id}" has no version`
  if (typeof m.kind !== "string" || !(kinds as ReadonlyArray<string>).includes(m.kind)) {
    return `plugin "${m.id}" has kind ${JSON.stringify(m.kind)}; expected one of ${kinds.join(", ")}`
  }
  if (typeof m.optionsSchema !== "object" || m.optionsSchema === null) return `plugin "${m.id}" has no optionsSchema`
  if (typeof m.layer !== "function") return `plugin "${m.id}" has no layer function`
  if (m.core !== undefined) {
    const problem = incompatibility(m.id, m.version, m.core)
    if (problem !== undefined) return problem
  }
  if (m.kind === "report-format") {
    const report = m.report as { extension?: unknown; render?: unknown } | undefined
    if (typeof report !== "object" || report === null || typeof report.render !== "function") {
      return `report-format plugin "${m.id}" has no report renderer (expected ReportFormat.define(...))`
    }
    if (typeof report.extension !== "string" || !/^[A-Za-z0-9][A-Za-z0-9.]*$/.test(report.extension)) {
      return `report-format plugin "${m.id}" has no file extension (e.g. "csv")`
    }
  }
  return undefined
}

/**
 * Why a plugin's supported core range excludes this core (`version` the running core's), or `undefined` when it
 * includes it. Pre-releases of core count as their release (`0.2.0-rc.1` satisfies `>=0.1 <1`).
 *
 * @category models
 */
export const incompatibility = (
  id: string,
  pluginVersion: string,
  range: unknown,
  version: string = coreVersion
): string | undefined => {
  if (typeof range !== "string" || semver.validRange(range) === null) {
    return `plugin "${id}" ${pluginVersion} declares core ${JSON.stringify(range)}, which is not a semver range (e.g. ">=0.1 <1")`
  }
  if (semver.satisfies(version, range, { includePrerelease: true })) return undefined
  return `plugin "${id}" ${pluginVersion} supports @genie-enhancer/core ${range}, but this is @genie-enhancer/core ${version}; install a version of "${id}" built for it, or a genie-enhancer it supports`
}

/**
 * Brand check: true when `u` is a well-formed manifest (from any copy of core).
 *
 * @category models
 */
export const isPlugin = (u: unknown): u is AnyPlugin => problemWith(u) === undefined
