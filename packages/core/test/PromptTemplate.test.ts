import { NodeContext } from "@effect/platform-node"
import { assert, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Judge from "../src/stages/evaluate/Judge.js"
import * as PromptTemplate from "../src/llm/PromptTemplate.js"
import * as ResultSetCompare from "../src/stages/evaluate/ResultSetCompare.js"
import * as SqlDiagnosis from "../src/stages/evaluate/SqlDiagnosis.js"
import { answer, promptPath, promptText, result } from "./evaluate.js"

const template = (frontMatter: string, body = "Hello {{name}}.\n") => `---\n${frontMatter}\n---\n${body}`

const issuesOf = (text: string) =>
  Effect.map(Effect.flip(PromptTemplate.parse(text, "p.v1.md")), (e) =>
    e.issues.map((i) => ({ code: i.code, line: i.line }))
  )

describe("PromptTemplate.parse", () => {
  it.effect("reads the judge prompt shipped in prompts/", () =>
    Effect.gen(function* () {
      const prompt = yield* PromptTemplate.parse(promptText, promptPath)
      assert.strictEqual(prompt.id, "judge/result-equivalence")
      assert.strictEqual(prompt.version, 1)
      assert.deepStrictEqual(prompt.inputs, ["case_count", "rows_note", "cases"])
      assert.strictEqual(PromptTemplate.label(prompt), "judge/result-equivalence@1")
    })
  )

  it.effect("reports a file without front-matter", () =>
    Effect.map(issuesOf("Hello {{name}}"), (issues) =>
      assert.deepStrictEqual(issues, [{ code: "MissingFrontMatter", line: 1 }])
    )
  )

  it.effect("reports every front-matter problem with its line", () =>
    Effect.map(issuesOf(template("id: Judge\nversion: 0\ninputs: [name]\ncolour: red")), (issues) =>
      assert.deepStrictEqual(issues, [
        { code: "UnknownField", line: 5 },
        { code: "InvalidValue", line: 2 },
        { code: "InvalidValue", line: 3 }
      ])
    )
  )

  it.effect("placeholders and declared inputs must agree", () =>
    Effect.map(
      issuesOf(template("id: a/b\nversion: 1\ninputs: [name, unused]", "Hi\n{{name}} {{other}}\n")),
      (issues) =>
        assert.deepStrictEqual(issues, [
          { code: "UnusedInput", line: 4 },
          { code: "UndeclaredInput", line: 7 }
        ])
    )
  )
})

describe("PromptTemplate.load and render", () => {
  it.effect("the file name must match the id and version", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "prompts-"))
      writeFileSync(join(dir, "b.v2.md"), template("id: a/b\nversion: 1\ninputs: [name]"))
      writeFileSync(join(dir, "b.v1.md"), template("id: a/b\nversion: 1\ninputs: [name]"))
      const wrong = yield* Effect.flip(PromptTemplate.load(join(dir, "b.v2.md")))
      assert.strictEqual(wrong.issues[0]?.code, "FileNameMismatch")
      const right = yield* PromptTemplate.load(join(dir, "b.v1.md"))
      assert.strictEqual(yield* PromptTemplate.render(right, { name: "Genie" }), "Hello Genie.\n")
      const missing = yield* Effect.flip(PromptTemplate.load(join(dir, "none.v1.md")))
      assert.strictEqual(missing.issues[0]?.code, "FileNotFound")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.effect("rendering without a declared input fails", () =>
    Effect.gen(function* () {
      const prompt = yield* PromptTemplate.parse(template("id: a/b\nversion: 1\ninputs: [name]"), "b.v1.md")
      const error = yield* Effect.flip(PromptTemplate.render(prompt, {}))
      assert.deepStrictEqual(error.missing, ["name"])
    })
  )

  it.effect("the rendered judge prompt matches its snapshot", () =>
    Effect.gen(function* () {
      const prompt = yield* PromptTemplate.parse(promptText, promptPath)
      const expected = result("region:STRING,total:DECIMAL", [
        ["EU", "10.50"],
        ["US", "20.00"],
        ["APAC", "5.25"]
      ])
      const genie = answer({
        sql: "SELECT region, CAST(SUM(amount) AS STRING) AS total FROM main.sales.orders GROUP BY region",
        result: result("region:STRING,total:STRING", [
          ["EU", "10.5"],
          ["US", "20"],
          ["APAC", "5.25"]
        ])
      })
      const comparison = ResultSetCompare.compare(expected, genie.result!)
      const expectedSql =
        "SELECT region, SUM(amount) AS total FROM main.sales.orders WHERE status = 'complete' GROUP BY region"
      const diagnosis = SqlDiagnosis.diagnose(expectedSql, genie.sql!, comparison.reasons)
      const input = {
        benchmarkId: "rev_001",
        question: "Revenue by region?",
        expectedSql,
        expected,
        answer: genie,
        actual: genie.result!,
        comparison,
        diagnosis
      }
      const cases = [
        Judge.makeCase({ ...input, egress: { sendRows: true, sampleRows: 2 } }),
        Judge.makeCase({ ...input, benchmarkId: "rev_002", egress: { sendRows: false, sampleRows: 2 } })
      ]
      const rendered = yield* Judge.renderBatch(prompt, cases, { sendRows: true, sampleRows: 2 })
      yield* Effect.promise(() => expect(rendered).toMatchFileSnapshot("fixtures/evaluate/judge-prompt.snapshot.md"))
    })
  )
})
