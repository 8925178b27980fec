// @ts-check
// The plugin against core's contract kits, with node's own test runner (`node --test`): the fix decorator keeps the
// fixer contract over the built-in rules fixer, and the CSV format keeps the report-format contract.
import { RulesFixer } from "@genie-enhancer/core"
import { FixerContract, ReportFormatContract, StageDecoratorContract } from "@genie-enhancer/core/testing"
import { Effect } from "effect"
import { test } from "node:test"
import teamRules from "@example/genie-team-rules"
import csv from "@example/genie-team-rules/csv"

const options = { glossary: [{ table: "main.s.items", column: "amount", synonyms: ["turnover"] }] }
const decorate = StageDecoratorContract.decorating(teamRules, options)

for (const c of StageDecoratorContract.keeps(FixerContract.cases, decorate)) {
  test(c.name, () => Effect.runPromise(c.run(RulesFixer.layer())))
}
for (const c of StageDecoratorContract.manifestCases) {
  test(c.name, () => Effect.runPromise(c.run(teamRules, options)))
}
for (const c of ReportFormatContract.cases) {
  test(`csv: ${c.name}`, () => Effect.runPromise(c.run(csv, { separator: ";" })))
}
