import { ProfileLoader } from "@genie-enhancer/core"
import { BaseCommand } from "../../BaseCommand.js"

export type ProfilesListResult = ReadonlyArray<{
  readonly name: string
  readonly description: string
  readonly file: string
}>

export default class ProfilesList extends BaseCommand<ProfilesListResult> {
  static override summary = "List the built-in profiles."
  static override examples = ["<%= config.bin %> <%= command.id %>", "<%= config.bin %> <%= command.id %> --json"]

  async run(): Promise<ProfilesListResult> {
    const { flags } = await this.parse(ProfilesList)
    const profiles = await this.runEffect(ProfileLoader.listBuiltins(this.configDir(flags)))
    const width = Math.max(...profiles.map((p) => p.name.length))
    for (const p of profiles) this.log(`${p.name.padEnd(width)}  ${p.description}`)
    return profiles
  }
}
