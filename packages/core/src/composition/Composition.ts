/**
 * The composition root: from a resolved profile to the Layer of every service a command needs. Every command, the
 * bench and the end-to-end tests build their services here, so a profile behaves the same wherever it runs.
 *
 * **Details**
 * Plugins are resolved once, here, through `PluginRegistry.resolveProfile` (the function `profiles validate` uses):
 * the workspace target, the LLM provider, the scorer, the learner and fixers when asked for, and the `plugins:`
 * list. Entries of that list that are not decorators become available by id to the slots (so `llm.provider:
 * acme-llm` works once `@acme/genie-llm` is listed); `stage-decorator` plugins wrap the assembled services in
 * profile order. A workspace target left at the built-in default gives way to a configured one (a target plugin
 * whose `detect` says so, e.g. `DATABRICKS_HOST` is set): Databricks users get their workspace, and only a machine
 * with nothing configured falls back to the bundled example.
 */
import type { FileSystem, Path } from "@effect/platform"
import { Context, Effect, Layer } from "effect"
import type { Profile } from "../config/Profile.js"
import type * as ProfileLoader from "../config/ProfileLoader.js"
import * as UsageLedger from "../llm/UsageLedger.js"
import { AuthFailed, ConfigInvalid, PluginNotFound, ProviderError } from "../model/Errors.js"
import * as Issue from "../model/Issue.js"
import type * as Plugin from "../plugins/Plugin.js"
import * as PluginRegistry from "../plugins/PluginRegistry.js"
import * as RunStore from "../runs/RunStore.js"
import * as Safety from "../safety/Safety.js"
import * as PlanValidation from "../stages/apply/PlanValidation.js"
import * as Evaluator from "../stages/evaluate/Evaluator.js"
import type * as ScoreBenchmark from "../stages/score/ScoreBenchmark.js"
import * as Stages from "../stages/Stages.js"
import * as Workspace from "../workspace/Workspace.js"

/**
 * What a workspace-target plugin provides.
 *
 * @category models
 */
export type WorkspaceServices =
  Workspace.WorkspaceAuth | Workspace.Target | Stages.Asker | Stages.Executor | Stages.SpaceStore

/**
 * What every command that runs against a workspace gets.
 *
 * @category models
 */
export type Services =
  | WorkspaceServices
  | Stages.LanguageModel
  | UsageLedger.UsageLedger
  | Safety.Safety
  | Stages.Evaluator
  | RunStore.RunStore
  | Stages.Scorer
  | Loaded

/**
 * What `learn`, `plan` and `enhance` get on top of {@link Services}.
 *
 * @category models
 */
export type EnhanceServices = Services | Stages.PatternLearner | Stages.Fixer | Stages.PlanValidator

/**
 * Failures of building the services: a profile or plugin problem, credentials, or a provider that cannot be set
 * up. A third-party plugin's own failure keeps its tag.
 *
 * @category errors
 */
export type CompositionError =
  ConfigInvalid | PluginNotFound | AuthFailed | ProviderError | { readonly _tag: string; readonly message?: string }

/**
 * The plugins this run resolved, and where they came from: for `profiles show`, reports (report-format plugins)
 * and run records.
 *
 * @category services
 */
export class Loaded extends Context.Tag("@genie-enhancer/core/Composition/Loaded")<
  Loaded,
  PluginRegistry.ResolvedPlugins & { readonly context: Plugin.Context }
>() {}

/**
 * Inputs of the composition root.
 *
 * @category models
 */
export interface Options {
  readonly resolved: ProfileLoader.ResolvedProfile
  /** The host's built-in plugins (the CLI registers targets, providers, scorers, learners and fixers). */
  readonly registry: PluginRegistry.Registry
  readonly env: Readonly<Record<string, string | undefined>>
  /** Package names are looked for from the profile's directory, then from here. */
  readonly cwd: string
  /** Directory of the built-in profiles: a `workspace.target` set only there counts as left at the default. */
  readonly configDir: string
  /** Directory of the versioned prompts (`prompts/`), for the LLM judge and fixers. */
  readonly promptsDir: string
  /** Told once about the workspace in use (stderr in the CLI). */
  readonly announce?: (note: string) => void
  /** Whether the LLM judge may decide inconclusive verdicts (see {@link judgePlan}). Default: the profile's. */
  readonly judge?: boolean
}

const sourceOf = (resolved: ProfileLoader.ResolvedProfile): string =>
  resolved.files[resolved.files.length - 1] ?? resolved.name

const dirOf = (file: string): string => file.replace(/[/\\][^/\\]*$/, "") || "/"

/** A profile key set by nobody but the built-in defaults or a built-in profile. */
const leftAtDefault = (resolved: ProfileLoader.ResolvedProfile, key: string, configDir: string): boolean => {
  const origin = resolved.origins[key]
  return origin === undefined || origin === "default" || dirOf(origin) === configDir.replace(/[/\\]$/, "")
}

/** The file that set a profile key, from its JSON path (`$.fix.fixers[1]` → the origin of `fix.fixers`). */
const originOf =
  (resolved: ProfileLoader.ResolvedProfile) =>
  (at: string): string | undefined => {
    const key = at.replace(/^\$\./, "").replace(/\[\d+\]$/, "")
    const origin = resolved.origins[key] ?? Object.entries(resolved.origins).find(([k]) => k.startsWith(`${key}.`))?.[1]
    return origin === "default" ? "built-in defaults" : origin
  }

/** Where the `plugins:` list's relative paths start: the folder of the file that set the list. */
const listBaseDir = (resolved: ProfileLoader.ResolvedProfile, fallback: string): string => {
  const origin = originOf(resolved)("$.plugins")
  return origin !== undefined && origin.startsWith("/") ? dirOf(origin) : fallback
}

/**
 * The plugin context of a run: the profile, the environment and the directory relative paths are resolved from.
 *
 * @category constructors
 */
export const pluginContext = (
  options: Pick<Options, "resolved" | "env" | "cwd"> & Partial<Pick<Options, "promptsDir">>
): Plugin.Context => {
  const file = options.resolved.files[options.resolved.files.length - 1]
  return {
    profile: options.resolved.profile,
    env: options.env,
    source: sourceOf(options.resolved),
    baseDir: file === undefined ? options.cwd : dirOf(file),
    ...(options.promptsDir === undefined ? {} : { promptsDir: options.promptsDir })
  }
}

/**
 * The workspace target the run uses: the profile's, unless it was left at the built-in default and another target
 * plugin detects a configured workspace (then that one, with a note saying so).
 */
const chooseTarget = (options: Options, context: Plugin.Context) =>
  Effect.gen(function* () {
    const profile = options.resolved.profile
    if (!leftAtDefault(options.resolved, "workspace.target", options.configDir)) {
      return { profile, note: undefined }
    }
    for (const entry of options.registry.builtins.values()) {
      const id = entry.id
      if (entry.kind !== "workspace-target" || id === profile.workspace.target) continue
      const plugin = yield* PluginRegistry.load(options.registry, id, { kind: "workspace-target" })
      if (plugin.detect === undefined) continue
      const detect = plugin.detect.bind(plugin)
      const configured = yield* Effect.promise(() => detect(context).catch(() => false))
      if (configured) {
        return {
          profile: { ...profile, workspace: { ...profile.workspace, target: id } },
          note: `Using the configured ${id} workspace (set --target ${profile.workspace.target} for the bundled example).`
        }
      }
    }
    return { profile, note: undefined }
  })

/** Registers the non-decorator entries of `plugins:` under their ids, so slots can name them. */
const withListedPlugins = (
  registry: PluginRegistry.Registry,
  listed: ReadonlyArray<PluginRegistry.Resolved>
): PluginRegistry.Registry => {
  const extra = listed.filter((r) => r.plugin.kind !== "stage-decorator").map((r) => r.plugin)
  if (extra.length === 0) return registry
  return {
    builtins: new Map([...registry.builtins, ...extra.map((p) => [PluginRegistry.key(p.kind, p.id), p] as const)])
  }
}

/**
 * A slot that names a plugin of the `plugins:` list by its id takes the options given there (slots themselves carry
 * none, except `scorer.options` and `learn.options`).
 */
const withListedOptions = (
  plugins: PluginRegistry.ResolvedPlugins,
  listed: ReadonlyArray<PluginRegistry.Resolved>
): PluginRegistry.ResolvedPlugins => {
  const optionsOf = (r: PluginRegistry.Resolved): PluginRegistry.Resolved => {
    const entry = listed.find((l) => l.plugin === r.plugin)
    return entry === undefined ? r : { plugin: r.plugin, options: entry.options }
  }
  return {
    ...plugins,
    target: optionsOf(plugins.target),
    llm: optionsOf(plugins.llm),
    fixers: plugins.fixers.map(optionsOf),
    ...(plugins.learner === undefined ? {} : { learner: optionsOf(plugins.learner) })
  }
}

/**
 * Whether the LLM judge can run, and why not. The local example has no model behind its serving endpoint (the
 * emulator would answer with placeholder JSON), so a judge there would invent verdicts.
 *
 * @category constructors
 */
export const judgePlan = (profile: Profile, target: string): { readonly enabled: boolean; readonly note?: string } => {
  if (!profile.evaluate.judge.enabled) return { enabled: false }
  if (target === "local" && profile.llm.provider === "databricks") {
    return {
      enabled: false,
      note: "LLM judge off: the local example has no model behind its serving endpoint; results the comparator cannot decide stay inconclusive."
    }
  }
  return { enabled: true }
}

// A built-in layer's type is erased in the registry: the slot's kind vouches for what it provides.
const layerOf = <ROut, RIn>(resolved: PluginRegistry.Resolved, context: Plugin.Context) =>
  (resolved.plugin.layer as (o: unknown, c: Plugin.Context) => Layer.Layer<ROut, CompositionError, RIn>)(
    resolved.options,
    context
  )

/**
 * The language model, built on first use: commands that never call it (a score without judge) need no API key,
 * and a provider that cannot be set up fails the call that needed it, with its own error.
 */
const lazyLanguageModel = (
  provider: Layer.Layer<
    Stages.LanguageModel,
    CompositionError,
    Workspace.WorkspaceAuth | FileSystem.FileSystem | Path.Path
  >
) =>
  Layer.scoped(
    Stages.LanguageModel,
    Effect.gen(function* () {
      const scope = yield* Effect.scope
      const requirements = yield* Effect.context<Workspace.WorkspaceAuth | FileSystem.FileSystem | Path.Path>()
      const model = yield* Effect.cached(
        Layer.buildWithScope(provider, scope).pipe(
          Effect.provide(requirements),
          Effect.map((ctx) => Context.get(ctx, Stages.LanguageModel)),
          Effect.mapError(asProviderError)
        )
      )
      return {
        complete: (request) => Effect.flatMap(model, (m) => m.complete(request)),
        completeJson: (request, output) => Effect.flatMap(model, (m) => m.completeJson(request, output))
      }
    })
  )

/** A provider that could not be set up (a missing key, a bad option) fails the call that needed it. */
const asProviderError = (error: CompositionError): ProviderError => {
  if (error instanceof ProviderError) return error
  const message =
    error instanceof ConfigInvalid
      ? error.issues.map((i) => `${i.path}: ${i.message}`).join("; ")
      : (error.message ?? error._tag)
  const reason = error._tag === "AuthFailed" ? "Auth" : "BadRequest"
  return new ProviderError({
    provider: "setup",
    reason,
    retryable: false,
    message: `the language model could not be set up: ${message}`
  })
}

/** Which tier of the service graph a decorator wraps (see `Plugin.decorates`). */
const tierOf = (stage: Plugin.Stage | undefined): 1 | 2 | 3 => {
  switch (stage) {
    case "ask":
    case "execute":
    case "llm":
      return 1
    case "evaluate":
      return 2
    default:
      return 3
  }
}

/** Applies the profile's stage decorators, in order, over the assembled services. */
const decorate = <A>(
  base: Layer.Layer<A, CompositionError, FileSystem.FileSystem | Path.Path>,
  decorators: ReadonlyArray<PluginRegistry.Resolved>,
  context: Plugin.Context
): Layer.Layer<A, CompositionError, FileSystem.FileSystem | Path.Path> =>
  decorators.reduce(
    (layer, decorator) =>
      Layer.scopedContext(
        Effect.gen(function* () {
          const services = yield* Layer.build(layer)
          const wrapped = yield* Layer.build(layerOf<unknown, A>(decorator, context)).pipe(Effect.provide(services))
          // Later entries win: the decorator's services replace the ones it wraps.
          return Context.merge(services, wrapped)
        })
      ),
    base
  )

/**
 * What every entry point starts from: the plugin context, where modules are looked for, and the registry with the
 * profile's `plugins:` list loaded (relative to the file that set it) and its non-decorators added by id.
 */
const prepare = (options: Pick<Options, "resolved" | "registry" | "env" | "cwd">) =>
  Effect.gen(function* () {
    const context = pluginContext(options)
    const loadFrom = { source: context.source, baseDir: context.baseDir, cwd: options.cwd }
    const listed = yield* PluginRegistry.resolvePlugins(options.registry, options.resolved.profile.plugins ?? [], {
      ...loadFrom,
      baseDir: listBaseDir(options.resolved, loadFrom.baseDir)
    })
    return { context, loadFrom, listed, registry: withListedPlugins(options.registry, listed) }
  })

const build = (options: Options, slots: ReadonlyArray<PluginRegistry.Slot>) =>
  Layer.unwrapScoped(
    Effect.gen(function* () {
      const { context: context0, loadFrom, listed, registry } = yield* prepare(options)
      const { profile, note } = yield* chooseTarget({ ...options, registry }, context0)
      const context: Plugin.Context = { ...context0, profile }
      const plugins = withListedOptions(
        yield* PluginRegistry.resolveProfile(registry, profile, {
          ...loadFrom,
          slots,
          origin: originOf(options.resolved)
        }),
        listed
      )
      if (note !== undefined && options.announce !== undefined) options.announce(note)

      const workspace = Layer.tap(layerOf<WorkspaceServices, never>(plugins.target, context), (ctx) =>
        Effect.sync(() => {
          const info = Context.get(ctx, Workspace.Target)
          if (info.note !== undefined && note === undefined) options.announce?.(info.note)
        })
      )
      const languageModel = UsageLedger.tracked.pipe(
        Layer.provide(lazyLanguageModel(layerOf(plugins.llm, context))),
        Layer.provideMerge(UsageLedger.UsageLedger.layer)
      )
      const judge = options.judge ?? judgePlan(profile, profile.workspace.target).enabled
      const safety = Layer.unwrapEffect(
        Effect.map(Workspace.Target, (info) =>
          Safety.layer(Safety.settingsFromProfile(profile.safety, { limitQuestions: info.limitsQuestions ?? true }), {
            workspace: info.host
          })
        )
      )
      const evaluator = judge
        ? Evaluator.layerFromPrompts({ settings: profile.evaluate, promptsDir: options.promptsDir }).pipe(
            Layer.provide(Safety.languageModel)
          )
        : Evaluator.layerDeterministic()
      // Decorators wrap a stage before anything that uses it is built: the services are built in tiers (workspace
      // and model; evaluator and run store; scorer, learner, fixers), each tier's decorators applied on top of it.
      // A decorator of a stage this run does not build (a `fix` decorator in `score`) has nothing to wrap.
      const built = (stage: Plugin.Stage | undefined) =>
        slots.length > 0 || !(stage === "learn-patterns" || stage === "fix" || stage === "validate")
      const decorators = plugins.plugins.filter((r) => r.plugin.kind === "stage-decorator" && built(r.plugin.decorates))
      const inTier = (tier: number) => decorators.filter((d) => tierOf(d.plugin.decorates) === tier)
      type Built<A> = Layer.Layer<A, CompositionError, FileSystem.FileSystem | Path.Path>
      const tier1 = decorate(
        Layer.provideMerge(languageModel, workspace) as Built<
          WorkspaceServices | Stages.LanguageModel | UsageLedger.UsageLedger
        >,
        inTier(1),
        context
      )
      const tier2 = decorate(
        Layer.mergeAll(evaluator, RunStore.layer(profile.runs.dir)).pipe(
          Layer.provideMerge(safety),
          Layer.provideMerge(tier1)
        ) as Built<Exclude<Services, Stages.Scorer | Loaded>>,
        inTier(2),
        context
      )
      const scorer = layerOf<Stages.Scorer, ScoreBenchmark.Requirements>(plugins.scorer, context)
      const stages = slots.length === 0 ? Layer.empty : enhanceStages(plugins, context)
      const all = Layer.mergeAll(scorer, stages, Layer.succeed(Loaded, { ...plugins, context })).pipe(
        Layer.provideMerge(tier2)
      )
      return decorate(all as Built<EnhanceServices>, inTier(3), context)
    })
  )

/**
 * The learner and the fixers of a profile, the fixers combined in order: each later fixer sees what the earlier
 * ones proposed (`FixInput.proposed`), and the plans are concatenated (a fix proposed twice is kept once).
 */
const enhanceStages = (plugins: PluginRegistry.ResolvedPlugins, context: Plugin.Context) => {
  const learner =
    plugins.learner === undefined ? Layer.empty : layerOf<Stages.PatternLearner, Services>(plugins.learner, context)
  const fixers = plugins.fixers.map((f) =>
    Layer.build(layerOf<Stages.Fixer, Services>(f, context)).pipe(Effect.map((ctx) => Context.get(ctx, Stages.Fixer)))
  )
  const fixer = Layer.scoped(
    Stages.Fixer,
    Effect.map(Effect.all(fixers), (built) => ({
      propose: (input: Stages.FixInput) =>
        Effect.reduce(built, new Stages.Plan({ fixes: [], rejected: [] }), (plan, next) =>
          Effect.map(next.propose({ ...input, proposed: plan.fixes }), (more) => {
            const seen = new Set(plan.fixes.map((f) => f.id))
            return new Stages.Plan({
              fixes: [...plan.fixes, ...more.fixes.filter((f) => !seen.has(f.id))],
              rejected: [...plan.rejected, ...more.rejected]
            })
          })
        )
    }))
  )
  const validator = PlanValidation.layer({ guardTrainLeakage: context.profile.fix.guardTrainLeakage })
  return Layer.mergeAll(learner, fixer, validator) as Layer.Layer<
    Stages.PatternLearner | Stages.Fixer | Stages.PlanValidator,
    CompositionError,
    Services
  >
}

/**
 * Every service a scoring command needs, from a resolved profile.
 *
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Services, CompositionError, FileSystem.FileSystem | Path.Path> =>
  build(options, [])

/**
 * {@link layer} plus the profile's pattern learner and fixers, for `learn`, `plan` and `enhance`.
 *
 * @category layers
 */
export const layerWithStages = (
  options: Options
): Layer.Layer<EnhanceServices, CompositionError, FileSystem.FileSystem | Path.Path> =>
  build(options, ["learner", "fixers"])

/**
 * Checks that `PluginRegistry` can resolve every slot of a resolved profile (what `profiles validate` reports),
 * without building anything.
 *
 * @category constructors
 */
export const check = (options: Pick<Options, "resolved" | "registry" | "env" | "cwd">) =>
  Effect.gen(function* () {
    const { loadFrom, registry } = yield* prepare(options)
    return yield* PluginRegistry.resolveProfile(registry, options.resolved.profile, {
      ...loadFrom,
      slots: ["learner", "fixers"],
      origin: originOf(options.resolved)
    })
  })

/** A usage error for a missing required input, located at the flag that supplies it. @category constructors */
export const required = (flag: string, message: string): ConfigInvalid =>
  new ConfigInvalid({ source: flag, issues: [Issue.error("Required", "$", message)] })

/** Re-exported so hosts can report unknown plugins uniformly. @category errors */
export { PluginNotFound }

/** Credentials for a provider that does not call the workspace: never used, and say so if they were. */
const noWorkspace = Layer.succeed(Workspace.WorkspaceAuth, {
  host: "",
  authorization: Effect.fail(new AuthFailed({ message: "this LLM provider does not use a Databricks workspace" }))
})

/**
 * The profile's language model alone (`llm check`): the `llm.provider` slot, with the workspace target `target`
 * (default `databricks`) opened only for a provider that calls the workspace (`usesWorkspace`).
 *
 * @category layers
 */
export const languageModelLayer = (
  options: Pick<Options, "resolved" | "registry" | "env" | "cwd"> & { readonly target?: string }
): Layer.Layer<Stages.LanguageModel | UsageLedger.UsageLedger, CompositionError, FileSystem.FileSystem | Path.Path> =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      const { context, loadFrom, registry } = yield* prepare(options)
      const plugin = yield* PluginRegistry.load(registry, context.profile.llm.provider, {
        ...loadFrom,
        kind: "llm-provider"
      })
      const llmOptions = yield* PluginRegistry.validateOptions(
        plugin,
        {},
        { source: context.source, at: "$.llm.provider" }
      )
      const target = yield* PluginRegistry.load(registry, options.target ?? "databricks", {
        ...loadFrom,
        kind: "workspace-target"
      })
      const workspace = layerOf<WorkspaceServices, FileSystem.FileSystem | Path.Path>(
        { plugin: target, options: {} },
        context
      )
      return UsageLedger.tracked.pipe(
        Layer.provide(layerOf({ plugin, options: llmOptions }, context)),
        Layer.provide(plugin.usesWorkspace === true ? workspace : noWorkspace),
        Layer.provideMerge(UsageLedger.UsageLedger.layer)
      ) as Layer.Layer<
        Stages.LanguageModel | UsageLedger.UsageLedger,
        CompositionError,
        FileSystem.FileSystem | Path.Path
      >
    })
  )
