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
  readonly kind: Kind
  /** One line for `--help` and error messages. */
  readonly description: string
  /** JSON Schema of the options a profile may pass; the registry validates them before `layer` is called. */
  readonly optionsSchema: OptionsSchema
  /** Builds the service layer from validated options (method syntax keeps manifests assignable to `AnyPlugin`). */
  layer(options: Options): Layer.Layer<ROut, E, RIn>
}

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
  return undefined
}

/**
 * Brand check: true when `u` is a well-formed manifest (from any copy of core).
 *
 * @category models
 */
export const isPlugin = (u: unknown): u is AnyPlugin => problemWith(u) === undefined
