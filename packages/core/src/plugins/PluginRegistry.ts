/**
 * Finds the plugins a profile names and checks their options, before any network call.
 *
 * **Details**
 * Resolution order: a built-in id registered with `make` (`batch`, `sequential`, `openai`, …), else a module
 * specifier loaded with dynamic `import()`: a path (`./my-plugin.js`, `/abs/plugin.mjs`, `file:` URL) is resolved
 * against the directory of the profile file that named it; a package name is imported as is. The default export
 * must pass the brand check of `Plugin.isPlugin`. Options are then validated against the plugin's JSON Schema and
 * reported as `ConfigInvalid` issues located at their path in the profile (`$.scorer.options.strict`).
 */
import { Ajv } from "ajv"
import type { ValidateFunction } from "ajv"
import { Effect } from "effect"
import { ConfigInvalid, PluginNotFound } from "../model/Errors.js"
import * as Issue from "../model/Issue.js"
import type { AnyPlugin, Kind } from "./Plugin.js"
import { problemWith } from "./Plugin.js"
import type { PluginEntry, Profile } from "../config/Profile.js"
import { issuesFromAjv } from "../config/ProfileLoader.js"

/**
 * The built-in plugins, by id.
 *
 * @category models
 */
export interface Registry {
  readonly builtins: ReadonlyMap<string, AnyPlugin>
}

/**
 * A registry of built-in plugins. Two built-ins with one id are a programming error (thrown at start-up).
 *
 * @category constructors
 */
export const make = (builtins: Iterable<AnyPlugin>): Registry => {
  const map = new Map<string, AnyPlugin>()
  for (const plugin of builtins) {
    if (map.has(plugin.id)) throw new Error(`two built-in plugins share the id "${plugin.id}"`)
    map.set(plugin.id, plugin)
  }
  return { builtins: map }
}

/**
 * Ids of the built-in plugins, optionally of one kind, sorted.
 *
 * @category models
 */
export const available = (registry: Registry, kind?: Kind): ReadonlyArray<string> =>
  [...registry.builtins.values()]
    .filter((p) => kind === undefined || p.kind === kind)
    .map((p) => p.id)
    .sort()

/**
 * Where module specifiers are resolved from, and how modules are imported.
 *
 * @category configuration
 */
export interface LoadOptions {
  /** Directory (absolute path or `file:` URL) that relative paths are resolved against: the profile's directory. */
  readonly baseDir?: string
  /** Only accept plugins of this kind (a scorer slot must hold a scorer). */
  readonly kind?: Kind
  /** Imports a resolved specifier; defaults to dynamic `import()`. Tests and bundlers may replace it. */
  readonly importModule?: (specifier: string) => Promise<unknown>
}

const isPath = (specifier: string): boolean => /^(\.{1,2}\/|\/|file:)/.test(specifier)

/** A `file:` URL for a path specifier, so that `import()` treats it as a file whatever the working directory. */
const toImportSpecifier = (specifier: string, baseDir: string | undefined): string | undefined => {
  if (!isPath(specifier) || specifier.startsWith("file:")) return specifier
  if (specifier.startsWith("/")) return new URL(`file://${specifier}`).href
  if (baseDir === undefined) return undefined
  const base = baseDir.startsWith("file:") ? baseDir : new URL(`file://${baseDir}`).href
  return new URL(specifier, base.endsWith("/") ? base : `${base}/`).href
}

const defaultImport = (specifier: string): Promise<unknown> => import(specifier)

/**
 * Loads one plugin by built-in id or module specifier.
 *
 * **Details**
 * Fails with `PluginNotFound` listing the available built-ins when the id is unknown, the module cannot be
 * imported, its default export is not a manifest, or it is of the wrong kind. Never calls the plugin's `layer`.
 *
 * @category constructors
 */
export const load = Effect.fn("PluginRegistry.load")(function* (
  registry: Registry,
  specifier: string,
  options?: LoadOptions
) {
  const kind = options?.kind
  const notFound = (reason?: string) =>
    new PluginNotFound({
      id: specifier,
      available: available(registry, kind),
      ...(reason === undefined ? {} : { reason })
    })
  const builtin = registry.builtins.get(specifier)
  let plugin: AnyPlugin
  if (builtin !== undefined) {
    plugin = builtin
  } else {
    const target = toImportSpecifier(specifier, options?.baseDir)
    if (target === undefined) return yield* notFound("a relative module path needs the directory of the profile")
    const module = yield* Effect.tryPromise({
      try: () => (options?.importModule ?? defaultImport)(target),
      catch: (cause) => {
        const why = cause instanceof Error ? cause.message.split("\n")[0] : String(cause)
        return notFound(
          isPath(specifier)
            ? `cannot import ${target}: ${why}`
            : `no built-in plugin has this id, and importing it as a package failed: ${why}`
        )
      }
    })
    const exported =
      typeof module === "object" && module !== null ? (module as { default?: unknown }).default : undefined
    const problem = problemWith(exported)
    if (problem !== undefined) return yield* notFound(`the module loaded, but ${problem}`)
    plugin = exported as AnyPlugin
  }
  if (kind !== undefined && plugin.kind !== kind) {
    return yield* notFound(`"${plugin.id}" is a ${plugin.kind} plugin; a ${kind} plugin is needed here`)
  }
  return plugin
})

// Plugin schemas come from third parties: strict mode would reject harmless schema style (e.g. `properties`
// without `type`), so schemas are compiled leniently; the options themselves are still checked in full.
const ajv = new Ajv({ allErrors: true, strict: false, verbose: true })
const compiled = new WeakMap<object, ValidateFunction>()

/**
 * Validates a plugin's options against its `optionsSchema`.
 *
 * **Details**
 * `at` is the JSON path of the options in the profile (e.g. `$.scorer.options`); issues are reported below it.
 * A schema ajv cannot compile is reported as an issue of the plugin, not a crash.
 *
 * @category constructors
 */
export const validateOptions = Effect.fn("PluginRegistry.validateOptions")(function* (
  plugin: AnyPlugin,
  options: unknown,
  where: { readonly source: string; readonly at: string }
) {
  let validate = compiled.get(plugin.optionsSchema)
  if (validate === undefined) {
    validate = yield* Effect.try({
      try: () => ajv.compile(plugin.optionsSchema),
      catch: (cause) =>
        new ConfigInvalid({
          source: where.source,
          issues: [
            Issue.error(
              "InvalidPluginSchema",
              where.at,
              `plugin "${plugin.id}" ships an options schema that cannot be compiled: ${cause instanceof Error ? cause.message : String(cause)}`
            )
          ]
        })
    })
    compiled.set(plugin.optionsSchema, validate)
  }
  const value = options ?? {}
  if (validate(value)) return value
  const issues = issuesFromAjv(validate.errors ?? [], value).map((issue) => ({
    ...issue,
    path: where.at + issue.path.slice(1),
    message: `${issue.message} (options of plugin "${plugin.id}")`
  }))
  return yield* new ConfigInvalid({ source: where.source, issues })
})

/**
 * A plugin with the options the profile gave it, validated.
 *
 * @category models
 */
export interface Resolved {
  readonly plugin: AnyPlugin
  readonly options: unknown
}

/**
 * The plugins a profile needs: its scorer and its `plugins:` list.
 *
 * @category models
 */
export interface ResolvedPlugins {
  readonly scorer: Resolved
  readonly plugins: ReadonlyArray<Resolved>
}

/**
 * Loads each entry of a profile's `plugins:` list and validates its options (issues at `$.plugins[i].options`).
 *
 * @category constructors
 */
export const resolvePlugins = Effect.fn("PluginRegistry.resolvePlugins")(function* (
  registry: Registry,
  entries: ReadonlyArray<PluginEntry>,
  options: { readonly source: string } & Omit<LoadOptions, "kind">
) {
  return yield* Effect.forEach(entries, (entry, i) =>
    Effect.gen(function* () {
      const plugin = yield* load(registry, entry.module, options)
      const validated = yield* validateOptions(plugin, entry.options, {
        source: options.source,
        at: `$.plugins[${i}].options`
      })
      return { plugin, options: validated } satisfies Resolved
    })
  )
})

/**
 * Loads and validates every plugin a profile names: the scorer (`scorer.plugin`, which must be a scorer) and each
 * entry of `plugins`. Fails on the first plugin that cannot be found, with every options issue of that plugin.
 *
 * @category constructors
 */
export const resolveProfile = Effect.fn("PluginRegistry.resolveProfile")(function* (
  registry: Registry,
  profile: Pick<Profile, "scorer" | "plugins">,
  options: { readonly source: string } & Omit<LoadOptions, "kind">
) {
  const scorerPlugin = yield* load(registry, profile.scorer.plugin, { ...options, kind: "scorer" })
  const scorer: Resolved = {
    plugin: scorerPlugin,
    options: yield* validateOptions(scorerPlugin, profile.scorer.options, {
      source: options.source,
      at: "$.scorer.options"
    })
  }
  const plugins = yield* resolvePlugins(registry, profile.plugins ?? [], options)
  return { scorer, plugins } satisfies ResolvedPlugins
})
