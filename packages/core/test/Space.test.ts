import { assert, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { ConfigInvalid } from "../src/model/Errors.js"
import * as Space from "../src/model/Space.js"
import * as SpaceValidation from "../src/model/SpaceValidation.js"

const fixtureText = readFileSync(new URL("./fixtures/genie-space-v2-export.json", import.meta.url), "utf8")
const fixture = (): Record<string, any> => JSON.parse(fixtureText) as Record<string, any>

const hex = (n: number): string => n.toString(16).padStart(32, "0")

const failure = <A>(effect: Effect.Effect<A, ConfigInvalid>) =>
  Effect.flip(effect).pipe(Effect.tap((e) => assert.instanceOf(e, ConfigInvalid)))

describe("Space.decode", () => {
  it.effect("keeps the parsed value exactly (lossless)", () =>
    Effect.gen(function* () {
      const space = yield* Space.decode(fixtureText)
      assert.deepStrictEqual(space, fixture())
    })
  )

  it.effect("reports a JSON syntax error with its line and column", () =>
    Effect.gen(function* () {
      const error = yield* failure(Space.decode('{\n  "version": 2,\n  "config": {,\n}', "space.json"))
      assert.strictEqual(error.source, "space.json")
      assert.strictEqual(error.issues.length, 1)
      const issue = error.issues[0]
      assert.strictEqual(issue.code, "InvalidJson")
      assert.strictEqual(issue.line, 3)
      assert.strictEqual(issue.column, 14)
      expect(issue.message).toContain("line 3, column 14")
    })
  )

  it.effect("locates errors JSON.parse reports without a position", () =>
    Effect.gen(function* () {
      const truncated = yield* failure(Space.decode('{"version": 2, "config": {"sample_questions": ['))
      assert.strictEqual(truncated.issues[0].line, 1)
      expect(truncated.issues[0].message).toContain("end of input")
      const badLiteral = yield* failure(Space.decode('{\n "version": 2,\n "x": tru\n}'))
      assert.deepInclude(badLiteral.issues[0], { code: "InvalidJson", line: 3, column: 10 })
      const trailing = yield* failure(Space.decode('{"version": 2}\nx'))
      assert.deepInclude(trailing.issues[0], { line: 2, column: 1 })
    })
  )

  it.effect("requires an object root with version 1 or 2", () =>
    Effect.gen(function* () {
      const array = yield* failure(Space.decode("[]"))
      assert.deepInclude(array.issues[0], { code: "WrongType", path: "$" })
      const missing = yield* failure(Space.decode('{"data_sources": {}}'))
      assert.deepInclude(missing.issues[0], { code: "MissingField", path: "$.version" })
      const v3 = yield* failure(Space.decode('{\n  "version": 3\n}'))
      assert.deepInclude(v3.issues[0], { code: "UnsupportedVersion", path: "$.version", line: 2 })
      expect(v3.issues[0].message).toContain("expected 1 or 2")
    })
  )
})

describe("Space.parse", () => {
  it.effect("round-trips the real export: serialize(parse(x)) is the canonical form of x", () =>
    Effect.gen(function* () {
      const space = yield* Space.parse(fixtureText)
      const written = JSON.parse(Space.serialize(space)) as unknown
      assert.deepStrictEqual(written, Space.canonicalize(fixture() as Space.SerializedSpace))
      // The export is already canonical (benchmarks exempt), so the value comes back unchanged.
      assert.deepStrictEqual(written, fixture())
      expect(Space.serialize(space)).toMatch(/^\{\n {2}"version": 2,\n/)
    })
  )

  it("validates the real export with no issues at all, although its benchmarks are in descending order", () => {
    const space = fixture()
    const ids = (space.benchmarks.questions as Array<{ id: string }>).map((q) => q.id)
    assert.deepStrictEqual(ids, [...ids].sort().reverse())
    assert.deepStrictEqual(SpaceValidation.validate(space), [])
  })

  it.effect("keeps unknown fields through a round trip when they are only warnings", () =>
    Effect.gen(function* () {
      const copy = fixture()
      copy.data_sources.tables[0].x_owner = { team: "kpi" }
      copy.future_section = [1, 2]
      const text = JSON.stringify(copy, null, 2)

      const strict = yield* failure(Space.parse(text, { source: "copy.json" }))
      assert.deepStrictEqual(
        strict.issues.map((i) => [i.code, i.path]),
        [
          ["UnknownField", "$.data_sources.tables[0].x_owner"],
          ["UnknownField", "$.future_section"]
        ]
      )
      assert.isTrue(strict.issues.every((i) => i.line !== undefined))

      const space = yield* Space.parse(text, { unknownFields: "warning" })
      const written = JSON.parse(Space.serialize(space)) as Record<string, any>
      assert.deepStrictEqual(written.future_section, [1, 2])
      assert.deepStrictEqual(written.data_sources.tables[0].x_owner, { team: "kpi" })
      assert.deepStrictEqual(written, copy)
    })
  )

  it.effect("fails with every error, located, and ignores warnings", () =>
    Effect.gen(function* () {
      const text = JSON.stringify(
        {
          version: 2,
          data_sources: { tables: [{ identifier: "a.b.c", column_configs: [{ column_name: "x", synonyms: "y" }] }] },
          instructions: {
            text_instructions: [{ id: "nope", content: ["hi\n"] }],
            sql_snippets: { filters: [{ id: hex(1), sql: ["WHERE x = 1"] }] }
          }
        },
        null,
        2
      )
      const error = yield* failure(Space.parse(text, { source: "bad.json" }))
      assert.strictEqual(error.source, "bad.json")
      assert.deepStrictEqual(
        error.issues.map((i) => i.code),
        ["WrongType", "InvalidId"]
      )
      assert.isTrue(error.issues.every((i) => i.severity === "error" && i.line !== undefined))
      const synonyms = error.issues[0]
      assert.strictEqual(synonyms.path, "$.data_sources.tables[0].column_configs[0].synonyms")
      assert.strictEqual(synonyms.line, text.split("\n").findIndex((l) => l.includes('"synonyms"')) + 1)
    })
  )

  it.effect("accepts a version 1 space with v1 column flags", () =>
    Effect.gen(function* () {
      const v1 = {
        version: 1,
        config: { sample_questions: [{ id: hex(1), question: ["Sales?"] }] },
        data_sources: {
          tables: [
            {
              identifier: "main.sales.orders",
              column_configs: [{ column_name: "region", get_example_values: true, build_value_dictionary: true }]
            }
          ]
        }
      }
      const space = yield* Space.parse(JSON.stringify(v1))
      assert.strictEqual(space.version, 1)
      assert.deepStrictEqual(SpaceValidation.validate(v1), [])
    })
  )
})

describe("Space.canonicalize", () => {
  const messy = (): Space.SerializedSpace => ({
    version: 2,
    data_sources: {
      tables: [
        {
          identifier: "main.s.b",
          column_configs: [{ column_name: "z" }, { column_name: "a" }, { column_name: "B" }]
        },
        { identifier: "main.s.a" },
        { identifier: "main.s.B" }
      ]
    },
    instructions: {
      sql_functions: [
        { id: hex(2), identifier: "a.b.f" },
        { id: hex(1), identifier: "a.b.z" },
        { id: hex(1), identifier: "a.b.g" }
      ],
      join_specs: [
        { id: hex(9), left: { identifier: "a.b.c", alias: "c" }, right: { identifier: "a.b.d", alias: "d" }, sql: [] },
        { id: hex(8), left: { identifier: "a.b.c", alias: "c" }, right: { identifier: "a.b.d", alias: "d" }, sql: [] }
      ],
      sql_snippets: {
        measures: [
          { id: hex(5), alias: "m5", sql: ["1"] },
          { id: hex(4), alias: "m4", sql: ["1"] }
        ]
      }
    },
    benchmarks: {
      questions: [
        { id: hex(1), question: ["q1"], answer: [] },
        { id: hex(3), question: ["q3"], answer: [] },
        { id: hex(2), question: ["q2"], answer: [] }
      ]
    }
  })

  it("sorts every sorted collection in code-point order and leaves benchmarks alone", () => {
    const c = Space.canonicalize(messy())
    assert.deepStrictEqual(
      c.data_sources!.tables!.map((t) => t.identifier),
      ["main.s.B", "main.s.a", "main.s.b"]
    )
    assert.deepStrictEqual(
      c.data_sources!.tables![2].column_configs!.map((x) => x.column_name),
      ["B", "a", "z"]
    )
    assert.deepStrictEqual(
      c.instructions!.sql_functions!.map((f) => [f.id, f.identifier]),
      [
        [hex(1), "a.b.g"],
        [hex(1), "a.b.z"],
        [hex(2), "a.b.f"]
      ]
    )
    assert.deepStrictEqual(
      c.instructions!.join_specs!.map((j) => j.id),
      [hex(8), hex(9)]
    )
    assert.deepStrictEqual(
      c.instructions!.sql_snippets!.measures!.map((m) => m.alias),
      ["m4", "m5"]
    )
    assert.deepStrictEqual(
      c.benchmarks!.questions!.map((q) => q.question[0]),
      ["q1", "q3", "q2"]
    )
    assert.deepStrictEqual(
      SpaceValidation.validate(c, { unknownFields: "error" }).filter((i) => i.code === "Unsorted"),
      []
    )
  })

  it("orders astral characters after U+FFxx, as UTF-8 bytes do (unlike UTF-16 comparison)", () => {
    const space: Space.SerializedSpace = {
      version: 2,
      data_sources: { tables: [{ identifier: "a.b.\u{1F600}" }, { identifier: "a.b.\uFF21" }] }
    }
    assert.deepStrictEqual(
      Space.canonicalize(space).data_sources!.tables!.map((t) => t.identifier),
      ["a.b.\uFF21", "a.b.\u{1F600}"]
    )
  })

  it("does not mutate its input, is idempotent and keeps key order", () => {
    const input = messy()
    const snapshot = JSON.stringify(input)
    const once = Space.canonicalize(input)
    assert.strictEqual(JSON.stringify(input), snapshot)
    assert.deepStrictEqual(Space.canonicalize(once), once)
    assert.strictEqual(Space.serialize(once), Space.serialize(input))
    assert.deepStrictEqual(Object.keys(once), ["version", "data_sources", "instructions", "benchmarks"])
    assert.deepStrictEqual(Object.keys(once.instructions!), ["sql_functions", "join_specs", "sql_snippets"])
  })
})

describe("Space.summary", () => {
  it("counts the items of the real export", () => {
    assert.deepStrictEqual(Space.summary(fixture() as Space.SerializedSpace), {
      tables: 7,
      metricViews: 0,
      columnConfigs: 101,
      textInstructions: 1,
      exampleSqls: 5,
      sqlFunctions: 0,
      joinSpecs: 4,
      snippets: 1,
      sampleQuestions: 0,
      benchmarkQuestions: 4
    })
  })
})
