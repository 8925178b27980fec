// @ts-check
/** A report format: one CSV line per benchmark (id, category, outcome, rule, reasons), written as `report.csv`. */
import { ReportFormat } from "@genie-enhancer/core"

/** @param {unknown} value */
const cell = (value, separator = ",") => {
  const text = value === undefined || value === null ? "" : String(value)
  return text.includes(separator) || /["\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export default ReportFormat.define({
  id: "team-csv",
  version: "1.0.0",
  core: ">=0.1 <1",
  description: "One CSV line per benchmark, for the team's spreadsheet.",
  extension: "csv",
  optionsSchema: {
    type: "object",
    additionalProperties: false,
    properties: { separator: { type: "string", minLength: 1, maxLength: 1 } }
  },
  /** @param {{ readonly separator?: string }} options */
  render: (data, options) => {
    const sep = options.separator ?? ","
    const header = ["run", "benchmark", "category", "outcome", "decided_by", "reasons"]
    const rows = data.benchmarks.map((b) =>
      [data.run.runId, b.id, b.category, b.outcome, b.decidedBy, b.reasons.join(" ")].map((v) => cell(v, sep))
    )
    return [header, ...rows].map((r) => r.join(sep)).join("\n") + "\n"
  }
})
