import { Composition, PluginRegistry, ProfileLoader } from "@genie-enhancer/core"
import type { Plugin } from "@genie-enhancer/core"
import { Args, Flags } from "@oclif/core"
import { Effect } from "effect"
import { stringify } from "yaml"
import { BaseCommand } from "../../BaseCommand.js"
import { registry } from "../../Plugins.js"

/** One plugin of the profile and what it contributes. */
export interface Contribution {
  /** Where the profile names it (`$.scorer.plugin`, `$.plugins[0]`). */
  readonly at: string
  readonly kind: Plugin.Kind
  /** The stage a decorator wraps. */
  readonly decorates?: Plugin.Stage
  readonly id: string
  readonly version: string
  /** `built-in`, or the module the profile names (a package or a path). */
  readonly source: string
  readonly description: string
}

/** What `profiles show` returns: the resolved profile and its plugins. */
export type ProfilesShowResult = ProfileLoader.ResolvedProfile & {
  readonly plugins?: ReadonlyArray<Contribution>
}

export default class ProfilesShow extends BaseCommand<ProfilesShowResult> {
  static override summary = "Show a profile after `extends`, environment overrides and defaults are applied."
  static override description =
    "Precedence is flag > environment (GENIE_ENHANCER_<SECTION>__<KEY>, e.g. GENIE_ENHANCER_SAFETY__GENIE__CONCURRENCY) " +
    "> profile file (and the profiles it extends) > built-in default. --origins shows where each value came from. " +
    "Then lists the plugins the profile uses (workspace target, LLM provider, scorer, learner, fixers, then the " +
    "plugins: list in the order decorators apply) with the kind, the stage a decorator wraps, id, version and module."
  static override examples = [
    "<%= config.bin %> <%= command.id %>",
    "<%= config.bin %> <%= command.id %> conservative --origins",
    "<%= config.bin %> <%= command.id %> ./team.yaml --json"
  ]
  static override args = {
    profile: Args.string({ description: "Built-in name or path to a profile YAML (default: --profile or default)." })
  }
  static override flags = {
    origins: Flags.boolean({ summary: "List where each value came from." })
  }

  async run(): Promise<ProfilesShowResult> {
    const { args, flags } = await this.parse(ProfilesShow)
    const profile = args.profile ?? flags.profile
    const resolved = await this.runEffect(
      ProfileLoader.resolve({
        ...(profile === undefined ? {} : { profile }),
        configDir: this.configDir(flags),
        env: process.env
      })
    )
    this.log(`# profile ${resolved.name} (${resolved.files.join(" → ")})`)
    this.log(stringify(resolved.profile).trimEnd())
    if (flags.origins) {
      this.log("\n# origins")
      for (const [path, origin] of Object.entries(resolved.origins)) this.log(`${path}: ${origin}`)
    }
    const plugins = await this.runEffect(
      Effect.either(Composition.check({ resolved, registry, env: process.env, cwd: process.cwd() }))
    )
    if (plugins._tag === "Left") {
      const message = "message" in plugins.left ? plugins.left.message : String(plugins.left)
      this.warn(`plugins not resolved: ${message} (see profiles validate)`)
      return resolved
    }
    const contributions = contributionsOf(plugins.right, resolved.profile)
    this.log("\n# plugins (slots, then the plugins: list in the order it applies)")
    for (const c of contributions) {
      const what = c.decorates === undefined ? c.kind : `${c.kind} (${c.decorates})`
      this.log(`${c.at.padEnd(20)} ${what.padEnd(26)} ${`${c.id}@${c.version}`.padEnd(34)} ${c.source}`)
    }
    return { ...resolved, plugins: contributions }
  }
}

/** The profile's plugins, slot by slot, then its `plugins:` list in order. */
const contributionsOf = (
  resolved: PluginRegistry.ResolvedPlugins,
  profile: ProfileLoader.ResolvedProfile["profile"]
): ReadonlyArray<Contribution> => {
  const listed = profile.plugins ?? []
  const sourceOf = (specifier: string, kind: Plugin.Kind): string => {
    if (registry.builtins.has(PluginRegistry.key(kind, specifier))) return "built-in"
    const entry = listed.find((e, i) => resolved.plugins[i]?.plugin.id === specifier && e.module !== specifier)
    return entry?.module ?? specifier
  }
  const of = (at: string, specifier: string, r: PluginRegistry.Resolved): Contribution => ({
    at,
    kind: r.plugin.kind,
    ...(r.plugin.decorates === undefined ? {} : { decorates: r.plugin.decorates }),
    id: r.plugin.id,
    version: r.plugin.version,
    source: sourceOf(specifier, r.plugin.kind),
    description: r.plugin.description
  })
  return [
    of("$.workspace.target", profile.workspace.target, resolved.target),
    of("$.llm.provider", profile.llm.provider, resolved.llm),
    of("$.scorer.plugin", profile.scorer.plugin, resolved.scorer),
    ...(resolved.learner === undefined ? [] : [of("$.learn.learner", profile.learn.learner, resolved.learner)]),
    ...resolved.fixers.map((f, i) => of(`$.fix.fixers[${i}]`, profile.fix.fixers[i] ?? f.plugin.id, f)),
    ...resolved.plugins.map((p, i) => of(`$.plugins[${i}]`, listed[i]?.module ?? p.plugin.id, p))
  ]
}
