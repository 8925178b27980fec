import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { Benchmark } from "../src/model/Benchmark.js"
import * as BenchmarkSplit from "../src/model/BenchmarkSplit.js"
import type { SerializedSpace } from "../src/model/Space.js"
import * as SpaceValidation from "../src/model/SpaceValidation.js"
import * as PlanApply from "../src/stages/apply/PlanApply.js"
import * as Changes from "../src/stages/fix/Changes.js"
import * as Profile from "../src/config/Profile.js"
import type * as Plugin from "../src/plugins/Plugin.js"
import { Fix, Fixer, Plan } from "../src/stages/fix/Fixer.js"
import type { FixCategory } from "../src/stages/fix/Fixer.js"
import * as RulesFixer from "../src/stages/fix/RulesFixer.js"
import { Pattern, PatternBook } from "../src/stages/learn-patterns/PatternLearner.js"
import { FixerContract } from "../src/testing/index.js"

const b = (id: string, question: string, sql: string): Benchmark & { split: "train" } => ({
  id,
  question,
  expected_sql: sql,
  category: "c",
  difficulty: "easy",
  split: "train"
})

const train = BenchmarkSplit.trainSet([
  b(
    "share",
    "What share of the total amount does each kind give?",
    "SELECT g.kind, SUM(i.amount) / SUM(SUM(i.amount)) OVER () AS s FROM main.s.items i JOIN main.s.groups g ON g.group_id = i.group_id WHERE i.state = 'ok' GROUP BY g.kind"
  ),
  b(
    "by_label",
    "Total amount by label",
    "SELECT g.label, SUM(i.amount) AS total_amount FROM main.s.items i JOIN main.s.groups g ON g.group_id = i.group_id WHERE i.state = 'ok' GROUP BY g.label"
  ),
  b(
    "by_kind",
    "Total amount by kind",
    "SELECT g.kind, SUM(i.amount) AS total_amount FROM main.s.items i JOIN main.s.groups g ON g.group_id = i.group_id WHERE i.state = 'ok' GROUP BY g.kind"
  ),
  b(
    "growth",
    "Monthly pieces growth in 2024",
    "WITH m AS (SELECT date_trunc('MONTH', i.day) AS month, SUM(i.qty) AS pieces FROM main.s.items i WHERE i.state = 'ok' AND year(i.day) = 2024 GROUP BY date_trunc('MONTH', i.day)) SELECT month, pieces, pieces - LAG(pieces) OVER (ORDER BY month) AS g FROM m"
  )
])

const space: SerializedSpace = {
  version: 2,
  data_sources: {
    tables: [
      { identifier: "main.s.groups", column_configs: [{ column_name: "label", synonyms: ["weight"] }] },
      { identifier: "main.s.items" }
    ]
  },
  instructions: {
    text_instructions: [{ id: "0a000000000000000000000000000001", content: ["Written by a human.\n"] }],
    example_question_sqls: [
      { id: "0a000000000000000000000000000002", question: ["Old example"], sql: ["SELECT FROM WHERE"] }
    ],
    join_specs: [
      {
        id: "0a000000000000000000000000000003",
        left: { identifier: "main.s.items", alias: "items" },
        right: { identifier: "main.s.groups", alias: "groups" },
        sql: ["`items`.`day` = `groups`.`group_id`", "--rt=FROM_RELATIONSHIP_TYPE_MANY_TO_ONE--"]
      }
    ],
    sql_snippets: {
      measures: [
        { id: "0a000000000000000000000000000004", alias: "pieces", display_name: "Pieces", sql: ["SUM(items.qty)"] }
      ]
    }
  }
}

const pattern = (id: string, kind: Pattern["kind"], details: unknown, supporting: Array<string>, sql?: string) =>
  new Pattern({
    id,
    kind,
    description: id,
    details,
    supportingBenchmarkIds: supporting,
    ...(sql === undefined ? {} : { sql })
  })

const join = {
  left: { table: "main.s.items", columns: ["group_id"], rows: 9, distinctKeys: 3 },
  right: { table: "main.s.groups", columns: ["group_id"], rows: 3, distinctKeys: 3 },
  condition: "items.group_id = groups.group_id",
  relationship: "MANY_TO_ONE",
  kinds: ["INNER"],
  configured: true
}
const measure = (
  name: string,
  expression: string,
  configured: boolean,
  ids: Array<string>,
  embeddedIn: Array<string> = []
) =>
  pattern(
    `measure:${name}`,
    "measure",
    {
      name,
      nameCollides: false,
      expression,
      filters: ["items.state = 'ok'"],
      tables: ["main.s.items"],
      aliases: [name],
      variants: [],
      embeddedIn,
      configured
    },
    ids,
    `${expression} FILTER(WHERE items.state = 'ok')`
  )

const book = new PatternBook({
  learner: "test",
  trainBenchmarkIds: train.map((x) => x.id),
  patterns: [
    pattern("join:1", "join", join, ["share", "by_label", "by_kind"]),
    measure("total_amount", "SUM(items.amount)", false, ["by_label", "by_kind", "share"], ["share"]),
    measure("pieces", "SUM(items.qty)", true, ["growth"]),
    pattern(
      "filter:1",
      "filter",
      {
        predicate: "groups.kind = 'x'",
        columns: ["groups.kind"],
        tables: ["main.s.groups"],
        implicit: 2,
        occurrences: 2,
        foldedInto: [],
        configured: false
      },
      ["by_kind", "by_label"],
      "groups.kind = 'x'"
    ),
    pattern(
      "expression:1",
      "expression",
      {
        name: "weekday",
        expression: "DAYOFWEEK(items.day)",
        columns: ["items.day"],
        tables: ["main.s.items"],
        configured: false
      },
      ["by_kind"],
      "DAYOFWEEK(items.day)"
    ),
    pattern(
      "vocabulary:1",
      "vocabulary",
      {
        phrase: "bucket",
        stems: ["bucket"],
        target: { kind: "column", ref: "main.s.groups.kind", table: "main.s.groups", column: "kind" },
        support: 2,
        precision: 1
      },
      ["by_kind", "share"]
    ),
    pattern(
      "vocabulary:2",
      "vocabulary",
      {
        phrase: "weight",
        stems: ["weight"],
        target: { kind: "measure", ref: "measure:pieces", name: "pieces" },
        support: 2,
        precision: 1
      },
      ["growth"]
    ),
    pattern(
      "value:1",
      "value",
      {
        table: "main.s.groups",
        column: "kind",
        source: "question",
        mentioned: [{ value: "Big" }],
        distinct: 3,
        sample: ["Big", "Small"],
        entityMatching: false
      },
      ["by_kind"]
    ),
    pattern(
      "date:1",
      "date-convention",
      { column: "items.day", table: "main.s.items", form: "calendar-year", cue: [] },
      ["growth"]
    ),
    pattern(
      "date:2",
      "date-convention",
      {
        column: "items.day",
        table: "main.s.items",
        form: "offset-year",
        startMonth: 7,
        yearOffset: -1,
        cue: ["season"]
      },
      ["growth"]
    ),
    pattern(
      "shape:share",
      "query-shape",
      {
        shape: "share-of-total",
        instances: [
          { benchmarkId: "share", measure: "measure:total_amount", dimension: "groups.kind", yearFilter: false }
        ],
        cues: ["share"]
      },
      ["share"]
    ),
    pattern(
      "shape:growth",
      "query-shape",
      {
        shape: "period-growth",
        instances: [{ benchmarkId: "growth", measure: "measure:pieces", grain: "month", yearFilter: true }],
        cues: ["growth"]
      },
      ["growth"]
    )
  ]
})

const plan = RulesFixer.propose({ failures: [], patterns: book, space, train })
const byCategory = (c: FixCategory) => plan.fixes.filter((f) => f.category === c)

describe("RulesFixer", () => {
  it("proposes every fix with a change that decodes with its category's schema", () => {
    for (const fix of plan.fixes) assert.strictEqual(Changes.decode(fix.category, fix.change)._tag, "Right", fix.target)
  })

  it("metadata-add: column synonyms from the vocabulary, entity matching for named values, measure synonyms before a snippet", () => {
    const changes = byCategory("metadata-add").map((f) => f.change as Changes.Change<"metadata-add">)
    assert.deepInclude(changes, {
      _tag: "ColumnSynonyms",
      table: "main.s.groups",
      column: "kind",
      synonyms: ["bucket"]
    })
    assert.deepInclude(changes, { _tag: "EntityMatching", table: "main.s.groups", column: "kind" })
    assert.deepInclude(changes, {
      _tag: "SnippetSynonyms",
      kind: "measure",
      id: "0a000000000000000000000000000004",
      synonyms: ["weight"]
    })
  })

  it("metadata-add: a column's words on the same-named column of every table the queries read it from, one fix each", () => {
    const vocabulary = (phrase: string, tables: ReadonlyArray<string>) =>
      pattern(
        `vocabulary:${phrase}`,
        "vocabulary",
        {
          phrase,
          stems: [phrase],
          target: {
            kind: "column",
            ref: "main.s.items.group_id",
            table: "main.s.items",
            column: "group_id",
            tables
          },
          support: 2,
          precision: 1
        },
        ["by_kind", "by_label"]
      )
    const propose = (tables: ReadonlyArray<string>, s: SerializedSpace = space) =>
      RulesFixer.propose({
        failures: [],
        patterns: new PatternBook({ ...book, patterns: [vocabulary("cluster", tables)] }),
        space: s,
        train
      }).fixes.filter((f) => (f.change as { _tag?: string })._tag === "ColumnSynonyms")
    const fixes = propose(["main.s.groups", "main.s.items", "main.s.elsewhere"])
    // Every table of the space with the column, one fix each; a table the space does not have gets nothing.
    assert.deepStrictEqual(
      fixes.map((f) => f.change).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)),
      [
        { _tag: "ColumnSynonyms", table: "main.s.groups", column: "group_id", synonyms: ["cluster"] },
        { _tag: "ColumnSynonyms", table: "main.s.items", column: "group_id", synonyms: ["cluster"] }
      ]
    )
    // The table the queries read it from most keeps the id it had when it was the only one.
    const primary = fixes.find((f) => (f.change as { table: string }).table === "main.s.items")!
    assert.strictEqual(primary.id, propose(["main.s.items"])[0].id)
    assert.notInclude(primary.rationale, "same column")
    const other = fixes.find((f) => (f.change as { table: string }).table === "main.s.groups")!
    assert.include(other.rationale, "groups has the same column")
    // A table that has the word already is left alone.
    const configured: SerializedSpace = {
      ...space,
      data_sources: {
        tables: [
          { identifier: "main.s.groups", column_configs: [{ column_name: "GROUP_ID", synonyms: ["Cluster"] }] },
          { identifier: "main.s.items" }
        ]
      }
    }
    assert.deepStrictEqual(
      propose(["main.s.groups", "main.s.items"], configured).map((f) => (f.change as { table: string }).table),
      ["main.s.items"]
    )
  })

  it("join-spec-delete: a configured join contradicted by the evidence, as a high-risk fix", () => {
    const [del] = byCategory("join-spec-delete")
    assert.strictEqual((del.change as { id: string }).id, "0a000000000000000000000000000003")
    assert.strictEqual(del.risk, "high")
  })

  it("join-spec-add: an unconfigured join with its measured relationship", () => {
    const unconfigured = new PatternBook({
      ...book,
      patterns: [pattern("join:2", "join", { ...join, configured: false }, ["by_kind"])]
    })
    const p = RulesFixer.propose({
      failures: [],
      patterns: unconfigured,
      space: { version: 2, data_sources: space.data_sources! },
      train
    })
    const [add] = p.fixes.filter((f) => f.category === "join-spec-add")
    assert.deepStrictEqual(add.change, {
      left: { identifier: "main.s.items", alias: "items" },
      right: { identifier: "main.s.groups", alias: "groups" },
      condition: "items.group_id = groups.group_id",
      relationship: "MANY_TO_ONE",
      comment: (add.change as { comment: string }).comment
    })
  })

  it("sql-snippet-add: the measure with its filter folded in, an implicit filter, an expression", () => {
    const adds = byCategory("sql-snippet-add").map((f) => f.change as Changes.Change<"sql-snippet-add">)
    const m = adds.find((a) => a.kind === "measure")!
    assert.strictEqual(m.sql, "SUM(items.amount) FILTER(WHERE items.state = 'ok')")
    assert.strictEqual(m.displayName, "Total amount")
    assert.isDefined(adds.find((a) => a.kind === "filter" && a.sql === "groups.kind = 'x'"))
    assert.isDefined(adds.find((a) => a.kind === "expression" && a.alias === "weekday"))
  })

  it("instruction-fix: appends learnt rules and never replaces the human text", () => {
    const [fix] = byCategory("instruction-fix")
    const lines = (fix.change as { append: Array<string> }).append.join("")
    assert.include(lines, "Total amount counts only rows where items.state = 'ok'")
    assert.include(lines, '"season N" runs for one year from July 1 of year N-1')
    const applied = PlanApply.apply(space, new Plan({ fixes: [fix] }))
    assert.strictEqual(applied.instructions?.text_instructions?.[0].content?.[0], "Written by a human.\n")
  })

  it("example-query-add: shapes over another dimension or measure than the benchmarks', parameterised", () => {
    const adds = byCategory("example-query-add").map((f) => f.change as Changes.Change<"example-query-add">)
    const share = adds.find((a) => a.sql.includes("OVER ()"))!
    assert.include(share.sql, "GROUP BY groups.label")
    assert.notInclude(share.sql, "groups.kind")
    const growth = adds.find((a) => a.sql.includes("LAG("))!
    assert.include(growth.sql, "total_amount")
    assert.deepStrictEqual(
      growth.parameters.map((p) => p.name),
      ["year"]
    )
  })

  it("example-query-delete and metadata-delete: only with evidence, as high-risk fixes", () => {
    const [example] = byCategory("example-query-delete")
    assert.strictEqual((example.change as { id: string }).id, "0a000000000000000000000000000002")
    assert.strictEqual(example.risk, "high")
    const [synonym] = byCategory("metadata-delete")
    assert.deepStrictEqual(synonym.change, {
      _tag: "ColumnSynonym",
      table: "main.s.groups",
      column: "label",
      synonym: "weight"
    })
    assert.strictEqual(synonym.risk, "high")
  })

  it("sql-snippet-delete: a change of that category applies by id", () => {
    const del = new Fix({
      id: "d",
      category: "sql-snippet-delete",
      target: "m",
      change: { kind: "measure", id: "0a000000000000000000000000000004" },
      rationale: "r",
      sourceBenchmarkIds: []
    })
    const applied = PlanApply.apply(space, new Plan({ fixes: [del] }))
    assert.deepStrictEqual(applied.instructions?.sql_snippets?.measures, [])
  })

  it("respects maxFixes and excludeFixIds", () => {
    assert.strictEqual(
      RulesFixer.propose({ failures: [], patterns: book, space, train }, { maxFixes: 3 }).fixes.length,
      3
    )
    const excluded = new Set([plan.fixes[0].id])
    assert.isFalse(
      RulesFixer.propose({ failures: [], patterns: book, space, train, excludeFixIds: excluded }).fixes.some((f) =>
        excluded.has(f.id)
      )
    )
  })

  it("does not propose again what an earlier fixer proposed", () => {
    const proposed = plan.fixes.slice(0, 2)
    const again = RulesFixer.propose({ failures: [], patterns: book, space, train, proposed })
    assert.deepStrictEqual(
      again.fixes.map((f) => f.id),
      plan.fixes.slice(2).map((f) => f.id)
    )
  })

  it.effect("the plugin reads fix.language and fix.maxFixes from the profile, under explicit options", () =>
    Effect.gen(function* () {
      const context = (fix: Partial<Profile.Profile["fix"]>): Plugin.Context => ({
        profile: { ...Profile.defaults, fix: { ...Profile.defaults.fix, ...fix } },
        env: {},
        source: "test",
        baseDir: "."
      })
      const proposeWith = (options: Partial<RulesFixer.Options>, fix: Partial<Profile.Profile["fix"]>) =>
        Effect.flatMap(Fixer, (f) => f.propose({ failures: [], patterns: book, space, train })).pipe(
          Effect.provide(RulesFixer.plugin.layer(options, context(fix)))
        )
      assert.strictEqual((yield* proposeWith({}, { maxFixes: 2 })).fixes.length, 2)
      assert.strictEqual((yield* proposeWith({ maxFixes: 3 }, { maxFixes: 2 })).fixes.length, 3)
      const instruction = (p: Plan) =>
        JSON.stringify(p.fixes.find((f) => f.category === "instruction-fix")?.change ?? "")
      assert.include(instruction(yield* proposeWith({}, { language: "ko" })), "학습된 규칙")
      assert.include(instruction(yield* proposeWith({ language: "en" }, { language: "ko" })), "Learnt conventions")
    })
  )
})

describe("PlanApply", () => {
  it("applies the whole plan into a valid space with canonical ids, deterministically", () => {
    const a = PlanApply.apply(space, plan)
    const again = PlanApply.apply(space, plan)
    assert.deepStrictEqual(a, again)
    const errors = SpaceValidation.validate(a).filter((i) => i.severity === "error")
    assert.deepStrictEqual(errors, [])
    assert.notStrictEqual(a, space)
    assert.strictEqual(space.instructions?.text_instructions?.[0].content?.length, 1, "the input is not changed")
  })

  it.effect("bisect finds the one offending fix in log2(n) + 1 tries", () =>
    Effect.gen(function* () {
      const tries: Array<number> = []
      const found = yield* PlanApply.bisect(10, (k) => Effect.sync(() => (tries.push(k), k > 6)))
      assert.strictEqual(found, 6)
      assert.isAtMost(tries.length, 5)
      assert.strictEqual(yield* PlanApply.bisect(10, () => Effect.succeed(false)), undefined)
    })
  )
})

describe("FixerContract on the rules fixer", () => {
  for (const c of FixerContract.cases) it.effect(c.name, () => c.run(RulesFixer.layer()))
})
