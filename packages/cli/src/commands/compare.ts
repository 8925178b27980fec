import { Evaluator, ResultSetCompare, ResultSetFile, TextFile } from "@genie-enhancer/core"
import type { Stages } from "@genie-enhancer/core"
import { Flags } from "@oclif/core"
import { Effect } from "effect"
import { statSync } from "node:fs"
import { BaseCommand } from "../BaseCommand.js"

export interface CompareResult {
  readonly verdict: "pass" | "fail" | "inconclusive" | "excluded"
  /** The rule that decided (see "Comparing results" in the core README). */
  readonly decidedBy: string
  readonly reasons: ReadonlyArray<Stages.ReasonCode>
  readonly evidence?: Stages.Evidence
  /** Why the actual SQL went wrong, when both SQL texts were given and the verdict is not a pass. */
  readonly diagnosis?: Stages.Diagnosis
}

const isFile = (path: string): boolean => {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** `--expected-sql` and `--actual-sql` take SQL text or the path of a file holding it. */
const sqlFrom = (value: string | undefined) =>
  value === undefined ? Effect.succeed(undefined) : isFile(value) ? TextFile.read(value) : Effect.succeed(value)

const quote = (value: string | null) => (value === null ? "NULL" : JSON.stringify(value))

export default class Compare extends BaseCommand<CompareResult> {
  static override summary = "Compare two result sets the way benchmarks are scored."
  static override description =
    "Each file is a Databricks SQL StatementResponse (manifest.schema.columns + result.data_array, as the " +
    'Statement Execution API returns it) or {"columns": [{"name", "type"}], "rows": [[...]]}. Columns are matched ' +
    "by values, rows as a bag, numbers with a tolerance; row order matters only when the expected SQL's outermost " +
    "query has ORDER BY. A failed statement on the expected side makes the verdict `excluded`. The exit code is 0 " +
    "whatever the verdict; read `verdict` in --json output."
  static override examples = [
    "<%= config.bin %> <%= command.id %> --expected expected.json --actual genie.json",
    "<%= config.bin %> <%= command.id %> --expected expected.json --actual genie.json --expected-sql query.sql --json",
    `<%= config.bin %> <%= command.id %> --expected e.json --actual a.json --policy '{"row_order":"strict","relative_tolerance":0.001}'`
  ]
  static override flags = {
    expected: Flags.string({ summary: "Result-set file of the expected SQL.", required: true }),
    actual: Flags.string({ summary: "Result-set file to check (Genie's).", required: true }),
    "expected-sql": Flags.string({
      summary: "The expected SQL, or a file holding it: its ORDER BY and LIMIT decide whether row order matters."
    }),
    "actual-sql": Flags.string({
      summary: "The SQL that produced --actual, or a file holding it: adds a SQL-level diagnosis of a failure."
    }),
    policy: Flags.string({
      summary:
        "Comparison policy as JSON: row_order (auto|strict|ignore), rows (bag|set), allow_extra_columns, relative_tolerance, absolute_tolerance, case_insensitive_strings."
    })
  }

  async run(): Promise<CompareResult> {
    const { flags } = await this.parse(Compare)
    const [expected, actual, expectedSql, actualSql, policy] = await this.runEffect(
      Effect.all([
        ResultSetFile.load(flags.expected),
        ResultSetFile.load(flags.actual),
        sqlFrom(flags["expected-sql"]),
        sqlFrom(flags["actual-sql"]),
        flags.policy === undefined ? Effect.succeed(undefined) : ResultSetCompare.parsePolicy(flags.policy)
      ])
    )
    const verdict = Evaluator.compareResults({
      expected,
      actual,
      ...(expectedSql === undefined ? {} : { expectedSql }),
      ...(actualSql === undefined ? {} : { actualSql }),
      ...(policy === undefined ? {} : { policy })
    })
    const result: CompareResult = {
      // compareResults never yields "error": that outcome is for Genie calls, which compare does not make.
      verdict: verdict.outcome as CompareResult["verdict"],
      decidedBy: verdict.decidedBy,
      reasons: verdict.reasons,
      ...(verdict.evidence === undefined ? {} : { evidence: verdict.evidence }),
      ...(verdict.diagnosis === undefined ? {} : { diagnosis: verdict.diagnosis })
    }
    this.render(result)
    return result
  }

  private render(result: CompareResult): void {
    const mark = result.verdict === "pass" ? "✓" : result.verdict === "fail" ? "✗" : "?"
    const reasons = result.reasons.length === 0 ? "" : `: ${result.reasons.join(", ")}`
    this.log(`${mark} ${result.verdict} (${result.decidedBy})${reasons}`)
    const e = result.evidence
    if (e === undefined) return
    if (e.message !== undefined) this.log(`  ${e.message}`)
    if (e.expectedRows !== undefined) {
      const counts = e.missingRows === undefined ? "" : ` (${e.missingRows} missing, ${e.extraRows ?? 0} extra)`
      this.log(`  rows: expected ${e.expectedRows}, actual ${e.actualRows ?? 0}${counts}`)
    }
    if (e.columnMapping !== undefined) {
      const pairs = e.columnMapping.map((m) => `${m.expected} → ${m.actual ?? "(missing)"}`)
      this.log(`  columns: ${pairs.join(", ")}`)
    }
    if (e.orderKeys !== undefined) this.log(`  ordered by: ${e.orderKeys.join(", ")}`)
    for (const d of e.differences ?? []) {
      this.log(`  row ${d.row}, ${d.column}: expected ${quote(d.expected)}, actual ${quote(d.actual)}`)
    }
    for (const f of result.diagnosis?.findings ?? []) this.log(`  ${f.category}: ${f.message}`)
  }
}
