/**
 * Finds the plugins a profile names and checks their options, before any network call.
 *
 * **Details**
 * Resolution order: a built-in id registered with `make` (`batch`, `sequential`, `openai`, …), else a module
 * specifier loaded with dynamic `import()`: a path (`./my-plugin.js`, `/abs/plugin.mjs`, `file:` URL) is resolved
 * against the directory of the profile file that named it; a package name is resolved like Node resolves an
 * `import` from the profile's directory, then from the working directory (as eslint and prettier find their
 * plugins), so a package installed in the user's own project is found. The default export
 * must pass the brand check of `Plugin.isPlugin`. Options are then validated against the plugin's JSON Schema and
 * reported as `ConfigInvalid` issues located at their path in the profile (`$.scorer.options.strict`).
 */
import { Ajv } from "ajv"
import type { ValidateFunction } from "ajv"
import { Effect } from "effect"
import { resolve as resolveImport } from "import-meta-resolve"
import { ConfigInvalid, PluginNotFound } from "../model/Errors.js"
import * as Issue from "../model/Issue.js"
import type { AnyPlugin, Kind, Lazy } from "./Plugin.js"
import { problemWith } from "./Plugin.js"
import type { PluginEntry, Profile } from "../config/Profile.js"
import { issuesFromAjv } from "../config/ProfileLoader.js"

/**
 * The built-in plugins, by id.
 *
 * @category models
 */
export interface Registry {
  /** Keyed by `kind:id`: ids are unique per kind (`databricks` is a workspace target and an LLM provider). */
  readonly builtins: ReadonlyMap<string, AnyPlugin | Lazy>
}

/** The registry key of a plugin. @category models */
export const key = (kind: Kind, id: string): string => `${kind}:${id}`

const find = (registry: Registry, id: string, kind: Kind | undefined): AnyPlugin | Lazy | undefined => {
  if (kind !== undefined) return registry.builtins.get(key(kind, id))
  for (const entry of registry.builtins.values()) if (entry.id === id) return entry
  return undefined
}

/**
 * A registry of built-in plugins, given as manifests or as `Plugin.lazy` entries imported on first use. Two
 * built-ins with one id are a programming error (thrown at start-up).
 *
 * @category constructors
 */
export const make = (builtins: Iterable<AnyPlugin | Lazy>): Registry => {
  const map = new Map<string, AnyPlugin | Lazy>()
  for (const plugin of builtins) {
    const k = key(plugin.kind, plugin.id)
    if (map.has(k)) throw new Error(`two built-in ${plugin.kind} plugins share the id "${plugin.id}"`)
    map.set(k, plugin)
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
  /** Where package names are looked for after `baseDir`: the working directory. */
  readonly cwd?: string
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

const dirUrl = (dir: string): string => {
  const url = dir.startsWith("file:") ? dir : new URL(`file://${dir}`).href
  return url.endsWith("/") ? url : `${url}/`
}

/**
 * A package name resolved from the first of `dirs` where Node would find it (`node_modules` up the tree, the
 * package's `exports`), or the reasons it was found nowhere.
 */
const resolvePackage = (
  specifier: string,
  dirs: ReadonlyArray<string>
): { readonly url: string } | { readonly tried: ReadonlyArray<string> } => {
  const tried: Array<string> = []
  for (const dir of dirs) {
    try {
      return { url: resolveImport(specifier, `${dirUrl(dir)}noop.js`) }
    } catch {
      tried.push(dir.startsWith("file:") ? new URL(dir).pathname : dir)
    }
  }
  return { tried }
}

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
  const builtin = find(registry, specifier, kind)
  const otherKind = builtin === undefined && kind !== undefined ? find(registry, specifier, undefined) : undefined
  if (otherKind !== undefined) {
    return yield* notFound(`"${otherKind.id}" is a ${otherKind.kind} plugin; a ${kind} plugin is needed here`)
  }
  let plugin: AnyPlugin
  if (builtin !== undefined) {
    plugin =
      builtin._tag === "LazyPlugin"
        ? yield* Effect.tryPromise({
            try: builtin.load,
            catch: (cause) => notFound(`the built-in could not be loaded: ${String(cause)}`)
          })
        : builtin
  } else {
    let target = toImportSpecifier(specifier, options?.baseDir)
    if (target === undefined) return yield* notFound("a relative module path needs the directory of the profile")
    if (!isPath(specifier) && options?.importModule === undefined && (options?.baseDir ?? options?.cwd) !== undefined) {
      const dirs = [options?.baseDir, options?.cwd].filter((d): d is string => d !== undefined)
      const found = resolvePackage(specifier, dirs)
      if ("tried" in found) {
        return yield* notFound(
          `no built-in plugin has this id, and no package of this name is installed where the profile is or in the working directory (looked from ${found.tried.join(", ") || "nowhere: no directory given"})`
        )
      }
      target = found.url
    }
    const importTarget = target
    const module = yield* Effect.tryPromise({
      try: () => (options?.importModule ?? defaultImport)(importTarget),
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
 * The plugins a profile needs, one per slot: the workspace target (`workspace.target`), the LLM provider
 * (`llm.provider`), the scorer (`scorer.plugin`), the pattern learner (`learn.learner`), the fixers (`fix.fixers`,
 * in order) and the `plugins:` list (decorators and extra contributions, in profile order).
 *
 * @category models
 */
export interface ResolvedPlugins {
  readonly target: Resolved
  readonly llm: Resolved
  readonly scorer: Resolved
  readonly learner?: Resolved
  readonly fixers: ReadonlyArray<Resolved>
  readonly plugins: ReadonlyArray<Resolved>
}

/**
 * Slots a command needs resolved. Scoring needs neither a learner nor fixers; `learn`, `plan` and `enhance` do.
 *
 * @category models
 */
export type Slot = "learner" | "fixers"

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

/** A slot whose plugin takes no options from the profile: both locations are the key that names it. */
const named = (at: string) => ({ name: at, options: at })

/** Where a profile key was set (a file), for messages; `at` is a JSON path such as `$.scorer.plugin`. */
type Origin = (at: string) => string | undefined

const slot = (
  registry: Registry,
  specifier: string,
  kind: Kind,
  given: unknown,
  where: { readonly name: string; readonly options: string },
  options: { readonly source: string; readonly origin?: Origin } & Omit<LoadOptions, "kind">
) =>
  Effect.gen(function* () {
    // A relative path is relative to the file that set the key (a profile may extend another in another folder).
    const origin = options.origin?.(where.name)
    const baseDir =
      origin !== undefined && /^(\/|[A-Za-z]:[\\/])/.test(origin) ? origin.replace(/[/\\][^/\\]*$/, "") : undefined
    const plugin = yield* load(registry, specifier, {
      ...options,
      kind,
      ...(baseDir === undefined ? {} : { baseDir })
    }).pipe(Effect.mapError((e) => new PluginNotFound({ ...e, source: origin ?? options.source, path: where.name })))
    return {
      plugin,
      options: yield* validateOptions(plugin, given, { source: options.source, at: where.options })
    } satisfies Resolved
  })

/**
 * Loads and validates every plugin a profile names (see `ResolvedPlugins`); `learner` and `fixers` only when
 * `slots` asks for them. Fails on the first plugin that cannot be found, with every options issue of that plugin.
 * `profiles validate` and every run call this one function, so a profile that validates also runs.
 *
 * @category constructors
 */
export const resolveProfile = Effect.fn("PluginRegistry.resolveProfile")(function* (
  registry: Registry,
  profile: Pick<Profile, "scorer" | "plugins" | "workspace" | "llm" | "learn" | "fix">,
  options: { readonly source: string; readonly slots?: ReadonlyArray<Slot>; readonly origin?: Origin } & Omit<
    LoadOptions,
    "kind"
  >
) {
  const slots = options.slots ?? []
  const target = yield* slot(
    registry,
    profile.workspace.target,
    "workspace-target",
    {},
    named("$.workspace.target"),
    options
  )
  const llm = yield* slot(registry, profile.llm.provider, "llm-provider", {}, named("$.llm.provider"), options)
  const scorer = yield* slot(
    registry,
    profile.scorer.plugin,
    "scorer",
    profile.scorer.options,
    { name: "$.scorer.plugin", options: "$.scorer.options" },
    options
  )
  const learner = slots.includes("learner")
    ? yield* slot(
        registry,
        profile.learn.learner,
        "pattern-learner",
        profile.learn.options,
        { name: "$.learn.learner", options: "$.learn.options" },
        options
      )
    : undefined
  const fixers = slots.includes("fixers")
    ? yield* Effect.forEach(profile.fix.fixers, (id, i) =>
        slot(registry, id, "fixer", {}, named(`$.fix.fixers[${i}]`), options)
      )
    : []
  const plugins = yield* resolvePlugins(registry, profile.plugins ?? [], options)
  return {
    target,
    llm,
    scorer,
    ...(learner === undefined ? {} : { learner }),
    fixers,
    plugins
  } satisfies ResolvedPlugins
})
