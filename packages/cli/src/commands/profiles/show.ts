import { ProfileLoader } from "@genie-enhancer/core"
import { Args, Flags } from "@oclif/core"
import { stringify } from "yaml"
import { BaseCommand } from "../../BaseCommand.js"

export default class ProfilesShow extends BaseCommand<ProfileLoader.ResolvedProfile> {
  static override summary = "Show a profile after `extends`, environment overrides and defaults are applied."
  static override description =
    "Precedence is flag > environment (GENIE_ENHANCER_<SECTION>__<KEY>, e.g. GENIE_ENHANCER_SAFETY__GENIE__CONCURRENCY) " +
    "> profile file (and the profiles it extends) > built-in default. --origins shows where each value came from."
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

  async run(): Promise<ProfileLoader.ResolvedProfile> {
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
    return resolved
  }
}
