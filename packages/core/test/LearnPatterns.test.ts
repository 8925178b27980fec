import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { readdirSync, readFileSync, existsSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { parse as parseYaml } from "yaml"
import type { Benchmark } from "../src/model/Benchmark.js"
import * as BenchmarkSplit from "../src/model/BenchmarkSplit.js"
import * as SqlAnalysis from "../src/sql/SqlAnalysis.js"
import { Executor, SqlFailed } from "../src/stages/execute/Executor.js"
import { PatternLearner } from "../src/stages/learn-patterns/PatternLearner.js"
import * as SqlGroundedLearner from "../src/stages/learn-patterns/SqlGroundedLearner.js"
import * as Tokens from "../src/stages/learn-patterns/Tokens.js"

const root = fileURLToPath(new URL("../../..", import.meta.url))

describe("Tokens", () => {
  it("strips Hangul particles so 매출은 and 매출을 are 매출, and keeps two syllables", () => {
    assert.deepStrictEqual(Tokens.stems("매출은 매출을 국가별로 국가"), ["매출", "매출", "국가", "국가"])
    assert.isTrue(Tokens.sameWord("매출을", "매출"))
  })
  it("splits on scripts and underscores, stems English plurals, keeps ISO dates whole", () => {
    assert.deepStrictEqual(Tokens.stems("list_price of 7일간 categories on 2024-03-01"), [
      "list",
      "price",
      "of",
      "7",
      "일간",
      "category",
      "on",
      "2024-03-01"
    ])
  })
  it("n-grams are consecutive in the question", () => {
    const tokens = Tokens.tokenize("a b c").filter((t) => t.lower !== "b")
    assert.deepStrictEqual(
      Tokens.ngrams(tokens, 2).map((g) => g.stems.join(" ")),
      ["a", "c"]
    )
  })
})

describe("SqlAnalysis additions", () => {
  it("folds a filter into every aggregate, lists query blocks, parameterises and binds", () => {
    assert.strictEqual(
      SqlAnalysis.withAggregateFilter("try_divide(SUM(t.a), COUNT(DISTINCT t.k))", "t.s = 'x'"),
      "TRY_DIVIDE(SUM(t.a) FILTER(WHERE t.s = 'x'), COUNT(DISTINCT t.k) FILTER(WHERE t.s = 'x'))"
    )
    assert.deepStrictEqual(SqlAnalysis.queryBlocks("SELECT * FROM (SELECT a FROM t) AS q"), [
      "SELECT * FROM (SELECT a FROM t) AS q",
      "SELECT a FROM t"
    ])
    assert.strictEqual(
      SqlAnalysis.parameterize("SELECT 1 FROM t WHERE y = 2024", (l) => (l.value === "2024" ? "year" : undefined)),
      "SELECT 1 FROM t WHERE y = :year"
    )
    assert.deepStrictEqual(SqlAnalysis.parameterNames("SELECT 1 FROM t WHERE y = :year AND z = :year"), ["year"])
    assert.strictEqual(
      SqlAnalysis.bindParameters("SELECT 1 FROM t WHERE y = :year", () => "2024"),
      "SELECT 1 FROM t WHERE y = 2024"
    )
  })
  it("reads filters' literals and window functions", () => {
    const a = SqlAnalysis.analyze("SELECT k, SUM(v) / SUM(SUM(v)) OVER () AS s FROM t WHERE k IN ('a', 'b') GROUP BY k")
    assert.strictEqual(a._tag, "Analyzed")
    if (a._tag !== "Analyzed") return
    assert.deepStrictEqual(
      a.facts.filters[0].literals?.map((l) => l.value),
      ["a", "b"]
    )
    assert.deepStrictEqual(
      a.facts.windows?.map((w) => [w.name, w.overAggregate]),
      [["sum", true]]
    )
  })
})

const holdout: Benchmark = {
  id: "h",
  question: "q?",
  expected_sql: "SELECT 1",
  category: "c",
  difficulty: "easy",
  split: "holdout"
}
const trainOne: Benchmark = {
  id: "t",
  question: "q?",
  expected_sql: "SELECT 1",
  category: "c",
  difficulty: "easy",
  split: "train"
}

describe("holdout benchmarks cannot reach the learner", () => {
  it("by type: a TrainSet is only made by trainSet, which drops holdouts", () => {
    // @ts-expect-error a plain benchmark array is not a TrainSet
    const input: SqlGroundedLearner.Options | { train: BenchmarkSplit.TrainSet } = { train: [holdout] }
    assert.isDefined(input)
    assert.deepStrictEqual(
      BenchmarkSplit.trainSet([holdout, trainOne]).map((b) => b.id),
      ["t"]
    )
  })

  it.effect("at the boundary: a holdout cast to a TrainSet fails before any query runs", () => {
    const queries: Array<string> = []
    const executor = Layer.succeed(
      Executor,
      Executor.of({
        execute: (sql) =>
          Effect.suspend(() => {
            queries.push(sql)
            return Effect.fail(
              new SqlFailed({ message: "no warehouse", retryable: false, rateLimited: false, callerError: true })
            )
          })
      })
    )
    return Effect.gen(function* () {
      const learner = yield* PatternLearner
      const outcome = yield* Effect.either(
        learner.learn({ train: [holdout] as unknown as BenchmarkSplit.TrainSet, space: { version: 2 } })
      )
      assert.strictEqual(outcome._tag, "Left")
      assert.deepStrictEqual(queries, [])
    }).pipe(Effect.provide(SqlGroundedLearner.layer().pipe(Layer.provide(executor))))
  })
})

/** Words of an example's schema and benchmarks: table and column names, compound output aliases, string literals. */
const exampleWords = (dir: string): Set<string> => {
  const words = new Set<string>()
  const add = (text: string) => {
    for (const w of text.toLowerCase().split(/[^\p{L}\p{N}_]+/u)) if (w.length >= 4 && !/^\d+$/.test(w)) words.add(w)
  }
  for (const file of ["space.baseline.json", "space.curated.json"]) {
    const path = join(dir, file)
    if (!existsSync(path)) continue
    const space = JSON.parse(readFileSync(path, "utf8")) as Record<string, any>
    for (const t of space.data_sources?.tables ?? []) {
      add(t.identifier.split(".").pop())
      for (const c of t.column_configs ?? []) add(c.column_name)
    }
  }
  // Domain words of another language: Hangul words of the curated space's synonyms and of the questions (without
  // their particles), except the language's own function and calendar words, which the tokeniser must know.
  const hangul = (text: string) => {
    for (const t of Tokens.tokenize(text))
      if (Tokens.isHangul(t.lower) && t.stem.length >= 2 && !Tokens.isFunctionWord(t) && !Tokens.isCalendarWord(t))
        words.add(t.stem)
  }
  const curated = join(dir, "space.curated.json")
  if (existsSync(curated)) {
    const space = JSON.parse(readFileSync(curated, "utf8")) as Record<string, any>
    for (const t of space.data_sources?.tables ?? [])
      for (const c of t.column_configs ?? []) for (const s of c.synonyms ?? []) hangul(s)
    for (const kind of ["measures", "filters", "expressions"])
      for (const s of space.instructions?.sql_snippets?.[kind] ?? []) for (const x of s.synonyms ?? []) hangul(x)
  }
  const benchmarks = join(dir, "benchmarks.yaml")
  if (existsSync(benchmarks)) {
    for (const b of (parseYaml(readFileSync(benchmarks, "utf8")) as { benchmarks: Array<Benchmark> }).benchmarks) {
      hangul(b.question)
      const a = SqlAnalysis.analyze(b.expected_sql)
      if (a._tag !== "Analyzed") continue
      for (const t of a.facts.tables) add(t.split(".").pop()!)
      for (const o of a.facts.outputs) if (o.name?.includes("_") === true) add(o.name)
      for (const c of [...a.facts.outputs.flatMap((o) => o.columns), ...a.facts.filters.flatMap((f) => f.columns)])
        add(c.split(".").pop()!)
      for (const f of a.facts.filters) for (const l of f.literals ?? []) if (l.type === "string") add(l.value)
    }
  }
  return words
}

// Words the product itself uses for its own concepts, which an example schema happens to share.
const productWords = new Set([
  "month",
  "week",
  "year",
  "quarter",
  "category",
  "status",
  "name",
  "date",
  "count",
  "value",
  "values",
  "total",
  "type",
  // `@effect/platform`, imported by fixers that read prompt files
  "platform"
])

describe("learn-patterns and fix sources are domain-agnostic", () => {
  it("contain no word of either example's schema or benchmarks", () => {
    const examples = ["retail", "gamekpi"].map((e) => join(root, "examples", e)).filter((d) => existsSync(d))
    const banned = new Set([...examples.flatMap((d) => [...exampleWords(d)])].filter((w) => !productWords.has(w)))
    assert.isAbove(banned.size, 30)
    const sources = ["learn-patterns", "fix"].flatMap((stage) => {
      const dir = join(root, "packages/core/src/stages", stage)
      return readdirSync(dir)
        .filter((f) => f.endsWith(".ts"))
        .map((f) => join(dir, f))
    })
    const found: Array<string> = []
    for (const file of sources) {
      const text = readFileSync(file, "utf8").toLowerCase()
      for (const w of text.split(/[^\p{L}\p{N}_]+/u)) if (banned.has(w)) found.push(`${file.split("/").pop()}: ${w}`)
      for (const t of Tokens.tokenize(text))
        if (Tokens.isHangul(t.lower) && banned.has(t.stem)) found.push(`${file.split("/").pop()}: ${t.lower}`)
    }
    // The Korean example's domain words are among them (매출 is its "revenue").
    assert.isTrue([...banned].some((w) => Tokens.isHangul(w)))
    assert.deepStrictEqual([...new Set(found)], [])
  }, 60_000)
})
