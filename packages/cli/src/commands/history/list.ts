import { BaseCommand } from "../../BaseCommand.js"

export default class HistoryList extends BaseCommand<unknown> {
  static override summary = "List enhancement runs recorded in the history database (newest first)."
  static override examples = ["<%= config.bin %> <%= command.id %>"]

  async run(): Promise<unknown> {
    const { flags } = await this.parse(HistoryList)
    const { withHistory } = await import("../../EnhanceWiring.js")
    const runs = await this.runEffect(
      withHistory({ profile: flags.profile, configDir: this.configDir(flags) }, (h) => h.runs)
    )
    const pct = (x: number | undefined) => (x === undefined ? "  –  " : `${(x * 100).toFixed(1)}%`)
    for (const r of runs) {
      this.log(
        `${r.runId}  ${r.status.padEnd(11)} ${(r.stopReason ?? "").padEnd(22)} space ${r.spaceId}  train ${pct(r.baselineTrain)} → ${pct(r.bestTrain)}  holdout ${pct(r.baselineHoldout)} → ${pct(r.finalHoldout)}  ${r.fixesAccepted}✓ ${r.fixesRejected}✗  ${r.genieQuestions} q`
      )
    }
    if (runs.length === 0) this.log("No enhancement runs recorded yet.")
    return runs
  }
}
