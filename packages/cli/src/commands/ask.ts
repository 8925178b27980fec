import { Stages } from "@genie-enhancer/core"
import { Args, Flags } from "@oclif/core"
import { Effect } from "effect"
import { BaseCommand } from "../BaseCommand.js"
import * as WorkspaceTarget from "../WorkspaceTarget.js"

/** What `ask` reports. */
export interface AskResult {
  readonly target: WorkspaceTarget.TargetInfo
  readonly spaceId: string
  readonly question: string
  readonly answer: Stages.GenieAnswer
}

/** Rows as an aligned text table (NULL for nulls), at most `limit` rows. */
const table = (result: Stages.ResultSet, limit: number): Array<string> => {
  const header = result.columns.map((c) => c.name)
  const shown = result.rows.slice(0, limit).map((row) => row.map((v) => v ?? "NULL"))
  const widths = header.map((h, i) => Math.max(h.length, ...shown.map((row) => (row[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join(" | ")
      .trimEnd()
  const more = result.rows.length - shown.length
  return [
    line(header),
    widths.map((w) => "-".repeat(w)).join("-+-"),
    ...shown.map(line),
    ...(more > 0 ? [`… ${more} more row${more === 1 ? "" : "s"} (--rows to show more, --json for all)`] : [])
  ]
}

export default class Ask extends BaseCommand<AskResult> {
  static override summary = "Ask a Genie space one question; print its SQL, text and rows."
  static override description =
    "Starts a new Genie conversation in the space, polls until the answer is in (safety.genie timing of the " +
    "profile) and prints the SQL of Genie's last query, its text and the rows of the result. The conversation is " +
    "deleted afterwards when workspace.deleteConversations is on. With the local target the question goes to the " +
    "emulator's Genie for the example workspace."
  static override examples = [
    '<%= config.bin %> <%= command.id %> "Total sales by region?" --space 01f0f5c840c118b9824acd167525a768',
    '<%= config.bin %> <%= command.id %> "Top 5 customers last month?" --space 01f0f5c840c118b9824acd167525a768 --target databricks --json'
  ]
  static override args = {
    question: Args.string({ description: "The question, in natural language.", required: true })
  }
  static override flags = {
    space: Flags.string({ char: "s", summary: "The Genie space to ask (32 hex id).", required: true }),
    rows: Flags.integer({ summary: "Rows to print (all are in --json output).", default: 20, min: 0 }),
    ...WorkspaceTarget.flags
  }

  async run(): Promise<AskResult> {
    const { args, flags } = await this.parse(Ask)
    const { target, value: answer } = await this.runEffect(
      WorkspaceTarget.run({ flags, configDir: this.configDir(flags), env: process.env }, () =>
        Effect.flatMap(Stages.Asker, (asker) => asker.ask(flags.space, args.question))
      )
    )
    if (answer.sql !== undefined) this.log(`SQL:\n${indent(answer.sql)}\n`)
    if (answer.text !== undefined) this.log(`Text:\n${indent(answer.text)}\n`)
    if (answer.error !== undefined) this.addWarning(`${answer.error.type}: ${answer.error.message}`)
    const result = answer.result
    if (result !== undefined) {
      const count = `${result.rowCount} row${result.rowCount === 1 ? "" : "s"}${result.truncated ? ", truncated" : ""}`
      this.log(`Rows (${count}):`)
      for (const line of table(result, flags.rows)) this.log(line)
    } else if (answer.sql === undefined && answer.text === undefined) {
      this.log("Genie completed without an answer (no SQL, no text).")
    }
    return { target, spaceId: flags.space, question: args.question, answer }
  }
}

const indent = (text: string): string =>
  text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n")
