import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { ReportFormatContract } from "@genie-enhancer/core/testing"
import { ReportData, Reports } from "../src/index.js"

// The built-in formats run the kit report-format plugins run.
describe("ReportFormatContract: the built-in formats", () => {
  it("the kit's samples are valid report data", () => {
    for (const sample of ReportFormatContract.samples) {
      assert.doesNotThrow(() => Schema.decodeUnknownSync(ReportData.ReportData)(sample.data), sample.name)
    }
  })
  for (const plugin of Reports.builtinPlugins) {
    for (const c of ReportFormatContract.cases) it.effect(`${plugin.id}: ${c.name}`, () => c.run(plugin))
  }
  it.effect("a plugin gets the redacted JSON report", () =>
    Effect.sync(() => {
      const data = Schema.decodeUnknownSync(ReportData.ReportData)(ReportFormatContract.samples[0].data)
      const seen = Reports.pluginData(data, { secrets: ["main.sales.orders"] })
      assert.notInclude(JSON.stringify(seen), "main.sales.orders")
    })
  )
})
