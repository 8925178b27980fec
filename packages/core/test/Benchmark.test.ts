import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Benchmark from "../src/model/Benchmark.js"
import type { ConfigInvalid } from "../src/model/Errors.js"
import type { Issue } from "../src/model/Issue.js"

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8")

/** Parses text that must fail and returns the issues. */
const issuesOf = (text: string) =>
  Effect.flip(Benchmark.parse(text, "bench.yaml")).pipe(Effect.map((e: ConfigInvalid) => e.issues))

const find = (issues: ReadonlyArray<Issue>, code: string): Issue => {
  const issue = issues.find((i) => i.code === code)
  assert.isDefined(issue, `no ${code} issue in ${JSON.stringify(issues)}`)
  return issue
}

/** A valid one-benchmark file with `extra` lines appended to the benchmark. */
const one = (...extra: ReadonlyArray<string>) =>
  [
    "apiVersion: 1",
    "benchmarks:",
    "  - id: a_1",
    "    question: How many orders?",
    "    expected_sql: SELECT COUNT(*) FROM orders",
    "    category: orders",
    "    difficulty: easy",
    ...extra.map((l) => `    ${l}`)
  ].join("\n") + "\n"

describe("Benchmark.parse", () => {
  it.effect("reads the canonical YAML file", () =>
    Effect.gen(function* () {
      const file = yield* Benchmark.parse(fixture("benchmarks/canonical.yaml"), "canonical.yaml")
      assert.strictEqual(file.apiVersion, 1)
      assert.deepStrictEqual(
        file.benchmarks.map((b) => b.id),
        ["rev_001", "rev_002", "cust.003"]
      )
      const [first, , third] = file.benchmarks
      assert.strictEqual(
        first.expected_sql,
        "SELECT SUM(amount) AS revenue\nFROM main.sales.orders\nWHERE year(order_date) = 2024\n"
      )
      assert.deepStrictEqual(first.comparison, {
        row_order: "ignore",
        rows: "bag",
        allow_extra_columns: true,
        relative_tolerance: 1e-6,
        absolute_tolerance: 1e-9,
        case_insensitive_strings: false
      })
      assert.deepStrictEqual(first.tags, ["kpi", "yearly"])
      assert.deepStrictEqual(first.question_alt, { ko: "2024년 총 매출은?" })
      assert.strictEqual(first.split, "holdout")
      // `|-` strips the final newline
      assert.isFalse(third.expected_sql.endsWith("\n"))
    })
  )

  it.effect("reads the same file written as JSON", () =>
    Effect.gen(function* () {
      const yaml = yield* Benchmark.parse(fixture("benchmarks/canonical.yaml"), "canonical.yaml")
      const json = yield* Benchmark.parse(fixture("benchmarks/canonical.json"), "canonical.json")
      assert.deepStrictEqual(json, yaml)
    })
  )

  it.effect("reports YAML syntax errors with their line", () =>
    Effect.gen(function* () {
      const issues = yield* issuesOf("apiVersion: 1\nbenchmarks:\n  - id: a\n    question: [unclosed\n")
      const issue = find(issues, "InvalidYaml")
      assert.isDefined(issue.line)
      assert.isAtLeast(issue.line, 4)
      assert.notMatch(issue.message, /at line/)
    })
  )

  it.effect("reports duplicate YAML keys as a syntax error", () =>
    Effect.gen(function* () {
      const issues = yield* issuesOf(one("category: again"))
      assert.strictEqual(find(issues, "InvalidYaml").line, 8)
    })
  )

  it.effect("reports an unknown key with a suggestion and its line", () =>
    Effect.gen(function* () {
      const issues = yield* issuesOf(one("difficuly: hard"))
      const issue = find(issues, "UnknownField")
      assert.strictEqual(issue.path, "$.benchmarks[0].difficuly")
      assert.strictEqual(issue.suggestion, "difficulty")
      assert.strictEqual(issue.line, 8)
      assert.strictEqual(issue.column, 5)
      assert.include(issue.message, "expected_sql")
    })
  )

  it.effect("points the original tool's korean_question at question_alt", () =>
    Effect.gen(function* () {
      const issues = yield* issuesOf(one("korean_question: 주문 수는?"))
      assert.strictEqual(find(issues, "UnknownField").suggestion, "question_alt")
    })
  )

  it.effect("reports an unknown key inside comparison against the comparison fields", () =>
    Effect.gen(function* () {
      const issues = yield* issuesOf(one("comparison:", "  row_ordr: strict"))
      const issue = find(issues, "UnknownField")
      assert.strictEqual(issue.path, "$.benchmarks[0].comparison.row_ordr")
      assert.strictEqual(issue.suggestion, "row_order")
      assert.strictEqual(issue.line, 9)
    })
  )

  it.effect("reports wrong types, saying what was expected", () =>
    Effect.gen(function* () {
      const issues = yield* issuesOf(one("tags: kpi").replace("id: a_1", "id: 17"))
      const id = issues.find((i) => i.path === "$.benchmarks[0].id")
      assert.strictEqual(id?.code, "InvalidType")
      assert.include(id!.message, "must be a string")
      assert.include(id!.message, "quote")
      assert.strictEqual(id!.line, 3)
      const tags = issues.find((i) => i.path === "$.benchmarks[0].tags")
      assert.strictEqual(tags?.code, "InvalidType")
      assert.include(tags!.message, "must be a list")
      assert.strictEqual(tags!.line, 8)
    })
  )

  it.effect("lists the allowed values of an enum and suggests the closest", () =>
    Effect.gen(function* () {
      const issues = yield* issuesOf(one("split: Holdout").replace("difficulty: easy", "difficulty: expert"))
      const difficulty = issues.find((i) => i.path === "$.benchmarks[0].difficulty")
      assert.strictEqual(difficulty?.code, "InvalidValue")
      assert.include(difficulty!.message, '"easy", "medium", "hard"')
      assert.include(difficulty!.message, '"expert"')
      assert.strictEqual(difficulty!.line, 7)
      const split = issues.find((i) => i.path === "$.benchmarks[0].split")
      assert.strictEqual(split?.suggestion, "holdout")
    })
  )

  it.effect("reports a missing required field at the benchmark that lacks it", () =>
    Effect.gen(function* () {
      const text = one() + "  - id: b_2\n    question: Revenue?\n    category: sales\n    difficulty: easy\n"
      const issues = yield* issuesOf(text)
      const issue = find(issues, "MissingField")
      assert.strictEqual(issue.path, "$.benchmarks[1].expected_sql")
      assert.include(issue.message, "expected_sql")
      assert.strictEqual(issue.line, 8)
      assert.strictEqual(issues.length, 1)
    })
  )

  it.effect("reports a duplicate id naming the first benchmark that used it", () =>
    Effect.gen(function* () {
      const issues = yield* issuesOf(one() + one().split("\n").slice(2).join("\n"))
      const issue = find(issues, "DuplicateId")
      assert.strictEqual(issue.path, "$.benchmarks[1].id")
      assert.include(issue.message, "$.benchmarks[0]")
      assert.strictEqual(issue.line, 8)
    })
  )

  it.effect("rejects an empty or blank question", () =>
    Effect.gen(function* () {
      for (const blank of ['""', '"   "']) {
        const issues = yield* issuesOf(one().replace("question: How many orders?", `question: ${blank}`))
        const issue = find(issues, "EmptyValue")
        assert.strictEqual(issue.path, "$.benchmarks[0].question")
        assert.strictEqual(issue.line, 4)
      }
    })
  )

  it.effect("rejects an explicit null in an optional field once, with a clear message", () =>
    Effect.gen(function* () {
      const issues = yield* issuesOf(one("split:"))
      assert.deepStrictEqual(
        issues.map((i) => [i.code, i.path]),
        [["InvalidType", "$.benchmarks[0].split"]]
      )
      assert.include(issues[0].message, "omit the field")
    })
  )

  it.effect("rejects other versions, bad ids, negative tolerances and non-language keys", () =>
    Effect.gen(function* () {
      const text = one("comparison:", "  relative_tolerance: -1", "question_alt:", "  Korean: 주문 수는?")
        .replace("apiVersion: 1", "apiVersion: 2")
        .replace("id: a_1", "id: _a b")
      const codes = (yield* issuesOf(text)).map((i) => [i.code, i.path])
      assert.deepStrictEqual(codes, [
        ["UnsupportedVersion", "$.apiVersion"],
        ["InvalidId", "$.benchmarks[0].id"],
        ["OutOfRange", "$.benchmarks[0].comparison.relative_tolerance"],
        ["InvalidKey", "$.benchmarks[0].question_alt.Korean"]
      ])
    })
  )

  it.effect("explains that a bare list is another format", () =>
    Effect.gen(function* () {
      const issues = yield* issuesOf(fixture("original-benchmarks-array.json"))
      assert.strictEqual(issues[0].path, "$")
      assert.include(issues[0].message, "BenchmarkImport")
    })
  )
})

describe("Benchmark.validate", () => {
  it("accepts the parsed fixture and reports nothing", () => {
    const value: unknown = JSON.parse(fixture("benchmarks/canonical.json"))
    assert.deepStrictEqual(Benchmark.validate(value), [])
  })

  it("reports every problem at once, in reading order, without lines", () => {
    const issues = Benchmark.validate({
      apiVersion: 1,
      benchmarks: [
        { id: "a", question: "q", expected_sql: "s", category: "c", difficulty: "hard", extra: 1 },
        { id: "a", question: "q", category: "c", difficulty: "x" }
      ]
    })
    assert.deepStrictEqual(
      issues.map((i) => [i.code, i.path]),
      [
        ["UnknownField", "$.benchmarks[0].extra"],
        ["MissingField", "$.benchmarks[1].expected_sql"],
        ["InvalidValue", "$.benchmarks[1].difficulty"],
        ["DuplicateId", "$.benchmarks[1].id"]
      ]
    )
    assert.isTrue(issues.every((i) => i.line === undefined && i.severity === "error"))
  })
})

const tricky: Benchmark.BenchmarkFile = {
  apiVersion: 1,
  benchmarks: [
    {
      comparison: { case_insensitive_strings: true, row_order: "strict" },
      tags: ["a", "b c"],
      difficulty: "hard",
      category: "weird",
      expected_sql: "SELECT \n  a,\tb\nFROM t;\n\n",
      question: "yes",
      id: "t_1",
      split: "train",
      question_alt: { ko: "네: #1?", "pt-BR": "sim" }
    },
    {
      id: "t_2",
      question: "- leading dash: # hash",
      expected_sql: "  SELECT 1\r\nFROM x",
      category: "w",
      difficulty: "easy"
    },
    { id: "t_3", question: "null", expected_sql: "SELECT '|' -- \u0007 bell", category: "123", difficulty: "medium" }
  ]
}

describe("Benchmark.stringify", () => {
  it.effect("round-trips through parse, byte-exact", () =>
    Effect.gen(function* () {
      for (const name of ["benchmarks/canonical.yaml", "benchmarks/canonical.json"]) {
        const file = yield* Benchmark.parse(fixture(name), name)
        assert.deepStrictEqual(yield* Benchmark.parse(Benchmark.stringify(file), "out.yaml"), file)
      }
      assert.deepStrictEqual(yield* Benchmark.parse(Benchmark.stringify(tricky), "out.yaml"), tricky)
    })
  )

  it("writes the schema comment, block scalars and a stable key order", () => {
    const text = Benchmark.stringify(tricky)
    assert.isTrue(text.startsWith("# yaml-language-server: $schema=../../configs/benchmarks.schema.json\n"))
    expect(text).toContain("expected_sql: |")
    expect(text).toContain("tags: [ a, b c ]")
    const keys = [...text.split(/\n *- id: t_2/)[0].matchAll(/^ {4}([a-z_]+):/gm)].map((m) => m[1])
    assert.deepStrictEqual(keys, [
      "question",
      "expected_sql",
      "category",
      "difficulty",
      "split",
      "tags",
      "question_alt",
      "comparison"
    ])
    assert.match(text, /comparison:\n {6}row_order: strict\n {6}case_insensitive_strings: true/)
    // a blank line separates benchmarks
    assert.match(text, /\n\n {2}- id: t_2/)
  })

  it("takes another schema path or none", () => {
    assert.isTrue(
      Benchmark.stringify(tricky, { schemaPath: "schema.json" }).startsWith(
        "# yaml-language-server: $schema=schema.json\n"
      )
    )
    assert.isTrue(Benchmark.stringify(tricky, { schemaPath: false }).startsWith("apiVersion: 1\n"))
  })
})

describe("Benchmark.load", () => {
  it.effect("reads a file through FileSystem", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "bench-"))
      const path = join(dir, "b.yaml")
      writeFileSync(path, fixture("benchmarks/canonical.yaml"))
      const file = yield* Benchmark.load(path)
      assert.strictEqual(file.benchmarks.length, 3)
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )

  it.effect("fails with FileNotFound naming the path", () =>
    Effect.gen(function* () {
      const path = join(tmpdir(), "does-not-exist", "benchmarks.yaml")
      const error = yield* Effect.flip(Benchmark.load(path))
      assert.strictEqual(error.source, path)
      assert.strictEqual(error.issues[0].code, "FileNotFound")
      assert.include(error.issues[0].message, path)
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )

  it.effect("locates issues in the file it read", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "bench-"))
      const path = join(dir, "b.yaml")
      writeFileSync(path, one("difficuly: hard"))
      const error = yield* Effect.flip(Benchmark.load(path))
      assert.strictEqual(error.source, path)
      assert.strictEqual(error.issues[0].line, 8)
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )
})

describe("Benchmark.jsonSchema", () => {
  it("matches configs/benchmarks.schema.json (regenerate the file if this fails)", () => {
    const onDisk: unknown = JSON.parse(
      readFileSync(new URL("../../../configs/benchmarks.schema.json", import.meta.url), "utf8")
    )
    assert.deepStrictEqual(onDisk, JSON.parse(JSON.stringify(Benchmark.jsonSchema)))
  })

  it("forbids unknown keys at every object level", () => {
    const benchmark = Benchmark.jsonSchema.properties.benchmarks.items
    assert.isFalse(Benchmark.jsonSchema.additionalProperties)
    assert.isFalse(benchmark.additionalProperties)
    assert.isFalse(benchmark.properties.comparison.additionalProperties)
  })
})

describe("Benchmark ids", () => {
  it("hashes stably (pinned: changing these would rename every imported benchmark)", () => {
    assert.strictEqual(Benchmark.stableHash(""), "efd01f60ba992926")
    assert.strictEqual(Benchmark.stableHash("genie-enhancer:kpi_001"), "1a9c9da161f10f2c")
    assert.strictEqual(Benchmark.deriveId("Average order value?"), "q_cf93d45120af")
    assert.strictEqual(
      Benchmark.deriveId("최근 7일간 inZOI의 일별 DAU 및 매출 추이는 어떻게 되나요?"),
      "q_72e05b656cf5"
    )
  })

  it("derives the same id from questions that differ only in case, spacing or final punctuation", () => {
    const id = Benchmark.deriveId("Average order value?")
    assert.strictEqual(Benchmark.deriveId("  average   ORDER\tvalue "), id)
    assert.strictEqual(Benchmark.deriveId("Average order value"), id)
    assert.notStrictEqual(Benchmark.deriveId("Average order count?"), id)
    assert.match(id, /^q_[0-9a-f]{12}$/)
  })
})

describe("Benchmark: only question and expected_sql are required", () => {
  it.effect("derives a stable id from the question and defaults category and difficulty, saying how many", () =>
    Effect.gen(function* () {
      const text = [
        "apiVersion: 1",
        "benchmarks:",
        "  - question: How many orders?",
        "    expected_sql: SELECT COUNT(*) FROM main.retail.orders",
        "  - id: named",
        "    question: How many stores?",
        "    expected_sql: SELECT COUNT(*) FROM main.retail.stores",
        "    category: volume",
        ""
      ].join("\n")
      const parsed = yield* Benchmark.parseDetailed(text, "b.yaml")
      const [first, second] = parsed.file.benchmarks
      assert.strictEqual(first?.id, Benchmark.deriveId("How many orders?"))
      assert.match(first?.id ?? "", /^q_[0-9a-f]{12}$/)
      assert.strictEqual(first?.category, "uncategorized")
      assert.strictEqual(first?.difficulty, "medium")
      assert.deepInclude(second, { id: "named", category: "volume", difficulty: "medium" })
      assert.deepStrictEqual(parsed.defaults, { id: 1, category: 1, difficulty: 2 })
      // The same question twice without ids is one derived id twice: a located error on the question.
      const twice = yield* Effect.flip(
        Benchmark.parse(
          "apiVersion: 1\nbenchmarks:\n  - question: Q?\n    expected_sql: SELECT 1\n  - question: q\n    expected_sql: SELECT 2\n",
          "b.yaml"
        )
      )
      assert.strictEqual(twice.issues[0]?.path, "$.benchmarks[1].question")
      assert.match(twice.issues[0]?.message ?? "", /duplicate question/)
    })
  )

  it.effect("a truncated .json file gets the JSON parser's error with its line, not YAML errors", () =>
    Effect.gen(function* () {
      const text =
        '{\n  "apiVersion": 1,\n  "benchmarks": [\n    { "question": "How many orders?", "expected_sql": "SEL'
      const error = yield* Effect.flip(Benchmark.parse(text, "b.json"))
      assert.strictEqual(error.issues.length, 1)
      assert.strictEqual(error.issues[0]?.code, "InvalidJson")
      assert.match(error.issues[0]?.message ?? "", /truncated|JSON/)
      assert.isDefined(error.issues[0]?.line)
    })
  )

  it("reports expected SQL that is not one read-only query, located", () => {
    const text = [
      "apiVersion: 1",
      "benchmarks:",
      "  - question: ok?",
      "    expected_sql: SELECT 1",
      "  - question: wipe?",
      "    expected_sql: DELETE FROM main.retail.orders",
      "  - question: two?",
      "    expected_sql: SELECT 1; DROP TABLE t",
      "  - question: cte?",
      "    expected_sql: WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d",
      "  - question: duck?",
      "    expected_sql: SELECT setseed(0.1)",
      ""
    ].join("\n")
    const issues = Benchmark.unsafeSqlIssues(
      [
        { expected_sql: "SELECT 1" },
        { expected_sql: "DELETE FROM main.retail.orders" },
        { expected_sql: "SELECT 1; DROP TABLE t" },
        { expected_sql: "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d" },
        { expected_sql: "SELECT setseed(0.1)" }
      ],
      text
    )
    assert.deepStrictEqual(
      issues.map((i) => [i.code, i.path, i.line]),
      [
        ["UnsafeSql", "$.benchmarks[1].expected_sql", 6],
        ["UnsafeSql", "$.benchmarks[2].expected_sql", 8],
        ["UnsafeSql", "$.benchmarks[3].expected_sql", 10],
        ["UnsafeSql", "$.benchmarks[4].expected_sql", 12]
      ]
    )
  })
})
