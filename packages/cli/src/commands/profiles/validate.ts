import { Composition, Errors, Issue, ProfileLoader } from "@genie-enhancer/core"
import { Args } from "@oclif/core"
import { Effect } from "effect"
import { BaseCommand } from "../../BaseCommand.js"
import { registry } from "../../Plugins.js"

export interface ProfilesValidateResult {
  readonly profiles: ReadonlyArray<{ readonly profile: string; readonly files: ReadonlyArray<string> }>
}

export default class ProfilesValidate extends BaseCommand<ProfilesValidateResult> {
  static override summary = "Validate profiles: the built-in ones, or the files you name."
  static override description =
    "Resolves `extends`, then checks every key against the profile schema (configs/profile.schema.json). " +
    "Each problem names the file, line, JSON path and what was expected; unknown keys get a did-you-mean. Exits 2 " +
    "when any profile is invalid."
  static override strict = false
  static override examples = [
    "<%= config.bin %> <%= command.id %>",
    "<%= config.bin %> <%= command.id %> ./team.yaml ./ci.yaml --json"
  ]
  static override args = {
    profiles: Args.string({ description: "Profile names or YAML files (default: all built-in profiles)." })
  }

  async run(): Promise<ProfilesValidateResult> {
    const { argv, flags } = await this.parse(ProfilesValidate)
    const configDir = this.configDir(flags)
    const named = (argv as Array<string>).length > 0 ? (argv as Array<string>) : ProfileLoader.builtinNames
    // Validate every profile before failing, so one run reports all broken files.
    const outcomes = await this.runEffect(
      Effect.forEach(named, (profile) =>
        Effect.either(Effect.tap(ProfileLoader.resolve({ profile, configDir, env: {} }), checkPlugins))
      )
    )
    const valid: Array<{ profile: string; files: ReadonlyArray<string> }> = []
    const invalid: Array<Errors.ConfigInvalid> = []
    outcomes.forEach((outcome, i) => {
      if (outcome._tag === "Right") {
        valid.push({ profile: named[i], files: outcome.right.files })
        this.log(`✓ ${named[i]}`)
      } else {
        invalid.push(outcome.left)
      }
    })
    if (invalid.length > 0) {
      const issues = invalid.flatMap((e) => e.issues.map((i) => ({ ...i, file: i.file ?? e.source })))
      await this.runEffect(
        Effect.fail(new Errors.ConfigInvalid({ source: invalid.map((e) => e.source).join(", "), issues }))
      )
    }
    return { profiles: valid }
  }
}

/**
 * Resolves every plugin the profile names — workspace target, LLM provider, scorer, learner, fixers and the
 * `plugins:` list (paths relative to the file that named them) — with the same function every run uses, and
 * validates their options, so a typo shows up here rather than at the start of a run. A missing plugin becomes an
 * issue of the file and key that named it.
 */
const checkPlugins = (resolved: ProfileLoader.ResolvedProfile) =>
  Composition.check({ resolved, registry, env: process.env, cwd: process.cwd() }).pipe(
    Effect.mapError((e) =>
      e._tag === "PluginNotFound"
        ? new Errors.ConfigInvalid({
            source: e.source ?? resolved.name,
            issues: [Issue.error("PluginNotFound", e.path ?? "$", e.detail)]
          })
        : e
    )
  )
