/**
 * Builders shared by the evaluate-stage tests: benchmarks, Genie answers, result sets and the judge prompt.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import type { Benchmark } from "../src/model/Benchmark.js"
import * as Judge from "../src/stages/evaluate/Judge.js"
import { Column, GenieAnswer, ResultSet } from "../src/stages/Stages.js"

export const promptPath = fileURLToPath(new URL(`../../../prompts/${Judge.promptFile}`, import.meta.url))
export const promptText = readFileSync(promptPath, "utf8")

/** `result("region:STRING,total:DECIMAL", [["EU", "1.5"]])`. */
export const result = (spec: string, rows: ReadonlyArray<ReadonlyArray<string | null>>, truncated = false) =>
  new ResultSet({
    columns: spec.split(",").map((c) => {
      const [name, typeName] = c.split(":")
      return new Column({ name: name, typeName: typeName })
    }),
    rows,
    rowCount: rows.length,
    truncated,
    elapsedMs: 1
  })

export const benchmark = (id: string, overrides: Partial<Benchmark> = {}): Benchmark => ({
  id,
  question: `Question ${id}?`,
  expected_sql: "SELECT region, SUM(amount) AS total FROM main.sales.orders WHERE status = 'complete' GROUP BY region",
  category: "revenue",
  difficulty: "easy",
  ...overrides
})

export const answer = (fields: Partial<ConstructorParameters<typeof GenieAnswer>[0]> = {}) =>
  new GenieAnswer({
    status: "COMPLETED",
    sql: "SELECT region, SUM(amount) AS total FROM main.sales.orders GROUP BY region",
    attempts: 1,
    elapsedMs: 1000,
    ...fields
  })

/** An expected result and a Genie answer the rules leave inconclusive: the same number, returned as text. */
export const inconclusivePair = (value: string) => ({
  expected: result("n:LONG", [[value]]),
  answer: answer({
    sql: "SELECT CAST(COUNT(*) AS STRING) AS n FROM main.sales.orders",
    result: result("n:STRING", [[value]])
  })
})
