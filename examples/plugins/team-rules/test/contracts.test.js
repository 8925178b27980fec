// @ts-check
// The plugins against core's contract kits, with node's own test runner (`node --test`): the learn decorator keeps
// the learner contract over the built-in sql-grounded learner, the fix decorator keeps the fixer contract over the
// built-in rules fixer, and the CSV format keeps the report-format contract.
import { BenchmarkSplit, RulesFixer, SqlGroundedLearner, Stages } from "@genie-enhancer/core"
import {
  FakeWorkspace,
  FixerContract,
  PatternLearnerContract,
  ReportFormatContract,
  StageDecoratorContract
} from "@genie-enhancer/core/testing"
import { Effect, Layer } from "effect"
import assert from "node:assert/strict"
import { test } from "node:test"
import teamRules from "@example/genie-team-rules"
import teamVocabulary from "@example/genie-team-rules/learn"
import csv from "@example/genie-team-rules/csv"

// learn-patterns: the kit's input (a table main.s.t (k, v); "Total v by k?" in train), and a phrase it uses.
const vocabulary = { vocabulary: [{ phrase: "total v", table: "main.s.t", column: "v" }] }
// The sql-grounded learner reads SQL only from the benchmarks here: an empty warehouse answers its catalog queries.
const learner = SqlGroundedLearner.layer().pipe(
  Layer.provide(FakeWorkspace.layer({ genie: () => ({ _tag: "Text", text: "" }), warehouse: {} }))
)
const learnCases = PatternLearnerContract.casesFor(PatternLearnerContract.defaultInput)
for (const c of StageDecoratorContract.keeps(
  learnCases,
  StageDecoratorContract.decorating(teamVocabulary, vocabulary)
)) {
  test(`learn: ${c.name}`, () => Effect.runPromise(c.run(learner)))
}
for (const c of StageDecoratorContract.manifestCases) {
  test(`learn: ${c.name}`, () => Effect.runPromise(c.run(teamVocabulary, vocabulary)))
}
test("learn: adds the team's phrase, with the train questions that use it as evidence", async () => {
  const { benchmarks, space } = PatternLearnerContract.defaultInput
  const book = await Effect.runPromise(
    Effect.flatMap(Stages.PatternLearner, (l) => l.learn({ train: BenchmarkSplit.trainSet(benchmarks), space })).pipe(
      Effect.provide(StageDecoratorContract.decorating(teamVocabulary, vocabulary)(learner))
    )
  )
  const team = book.patterns.filter((p) => p.id.startsWith("team-vocabulary:"))
  assert.deepEqual(
    team.map((p) => [p.kind, p.supportingBenchmarkIds]),
    [["vocabulary", ["t1"]]]
  )
})

// fix
const glossary = { glossary: [{ table: "main.s.items", column: "amount", synonyms: ["turnover"] }] }
for (const c of StageDecoratorContract.keeps(
  FixerContract.cases,
  StageDecoratorContract.decorating(teamRules, glossary)
)) {
  test(`fix: ${c.name}`, () => Effect.runPromise(c.run(RulesFixer.layer())))
}
for (const c of StageDecoratorContract.manifestCases) {
  test(`fix: ${c.name}`, () => Effect.runPromise(c.run(teamRules, glossary)))
}

// report format
for (const c of ReportFormatContract.cases) {
  test(`csv: ${c.name}`, () => Effect.runPromise(c.run(csv, { separator: ";" })))
}
