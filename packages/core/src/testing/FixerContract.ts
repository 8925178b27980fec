/**
 * The contract every `Fixer` must keep, as checks any test runner can run on a fixer layer (`for (const c of
 * FixerContract.cases) it.effect(c.name, () => c.run(MyFixer.layer()))`): typed changes in known categories,
 * stable ids, respect for `excludeFixIds`, no benchmark SQL or question copied, and determinism.
 */
import { Effect, Schema } from "effect"
import type { Layer } from "effect"
import type { Benchmark } from "../model/Benchmark.js"
import * as BenchmarkSplit from "../model/BenchmarkSplit.js"
import type { SerializedSpace } from "../model/Space.js"
import * as SqlAnalysis from "../sql/SqlAnalysis.js"
import * as Changes from "../stages/fix/Changes.js"
import { Fixer, Plan } from "../stages/fix/Fixer.js"
import { Pattern, PatternBook } from "../stages/learn-patterns/PatternLearner.js"

/** @category models */
export type FixerLayer = Layer.Layer<Fixer>

/** @category models */
export interface Case {
  readonly name: string
  readonly run: (fixer: FixerLayer) => Effect.Effect<void, Error>
}

const train: ReadonlyArray<Benchmark> = [
  {
    id: "t1",
    question: "Total amount of paid items per group?",
    expected_sql:
      "SELECT g.label, SUM(i.amount) AS total_amount FROM main.s.items i JOIN main.s.groups g ON g.group_id = i.group_id WHERE i.state = 'paid' GROUP BY g.label",
    category: "c",
    difficulty: "easy",
    split: "train"
  },
  {
    id: "t2",
    question: "What was the total amount in 2024?",
    expected_sql: "SELECT SUM(amount) AS total_amount FROM main.s.items WHERE state = 'paid' AND year(day) = 2024",
    category: "c",
    difficulty: "easy",
    split: "train"
  }
]

const space: SerializedSpace = {
  version: 2,
  data_sources: { tables: [{ identifier: "main.s.groups" }, { identifier: "main.s.items" }] }
}

/** A hand-written pattern book (what a learner would find in {@link train}). @category testing */
export const patterns = new PatternBook({
  learner: "contract",
  trainBenchmarkIds: ["t1", "t2"],
  patterns: [
    new Pattern({
      id: "join:items-groups",
      kind: "join",
      description: "items ⋈ groups",
      sql: "items.group_id = groups.group_id",
      details: {
        left: { table: "main.s.items", columns: ["group_id"], rows: 10, distinctKeys: 3 },
        right: { table: "main.s.groups", columns: ["group_id"], rows: 3, distinctKeys: 3 },
        condition: "items.group_id = groups.group_id",
        relationship: "MANY_TO_ONE",
        kinds: ["INNER"],
        configured: false
      },
      supportingBenchmarkIds: ["t1"],
      explainsFailures: ["t1"]
    }),
    new Pattern({
      id: "measure:total_amount",
      kind: "measure",
      description: "total_amount",
      sql: "SUM(items.amount) FILTER(WHERE items.state = 'paid')",
      details: {
        name: "total_amount",
        nameCollides: false,
        expression: "SUM(items.amount)",
        filters: ["items.state = 'paid'"],
        tables: ["main.s.items"],
        aliases: ["total_amount"],
        variants: [],
        embeddedIn: [],
        configured: false
      },
      supportingBenchmarkIds: ["t1", "t2"],
      explainsFailures: ["t2"]
    })
  ]
})

const input = (excludeFixIds?: ReadonlySet<string>) => ({
  failures: [],
  patterns,
  space,
  train: BenchmarkSplit.trainSet(train),
  ...(excludeFixIds === undefined ? {} : { excludeFixIds })
})

const check = (condition: boolean, message: string): Effect.Effect<void, Error> =>
  condition ? Effect.void : Effect.fail(new Error(message))

const propose = (fixer: FixerLayer, excludeFixIds?: ReadonlySet<string>) =>
  Effect.flatMap(Fixer, (f) => f.propose(input(excludeFixIds))).pipe(
    Effect.provide(fixer),
    Effect.mapError((e) => new Error(`propose failed: ${e.message}`))
  )

/** The checks. @category testing */
export const cases: ReadonlyArray<Case> = [
  {
    name: "proposes typed fixes whose changes decode with their category's schema",
    run: (fixer) =>
      Effect.gen(function* () {
        const plan = yield* propose(fixer)
        yield* check(plan.fixes.length > 0, "no fix proposed for an unjoined pair and an unconfigured measure")
        for (const fix of plan.fixes) {
          const decoded = Changes.decode(fix.category, fix.change)
          yield* check(decoded._tag === "Right", `fix ${fix.id} (${fix.category}) has an invalid change`)
          yield* check(fix.rationale !== "", `fix ${fix.id} has no rationale`)
        }
        const encoded = Schema.encodeSync(Plan)(plan)
        yield* check(
          Schema.decodeUnknownSync(Plan)(JSON.parse(JSON.stringify(encoded))).fixes.length === plan.fixes.length,
          "the plan does not survive JSON"
        )
      })
  },
  {
    name: "fix ids are stable and excluded ids are not proposed again",
    run: (fixer) =>
      Effect.gen(function* () {
        const a = yield* propose(fixer)
        const b = yield* propose(fixer)
        yield* check(
          JSON.stringify(a.fixes.map((f) => f.id)) === JSON.stringify(b.fixes.map((f) => f.id)),
          "ids differ between runs"
        )
        const excluded = new Set(a.fixes.slice(0, 1).map((f) => f.id))
        const c = yield* propose(fixer, excluded)
        yield* check(!c.fixes.some((f) => excluded.has(f.id)), "an excluded fix was proposed again")
      })
  },
  {
    name: "copies no benchmark SQL or question into a change",
    run: (fixer) =>
      Effect.gen(function* () {
        const plan = yield* propose(fixer)
        const text = JSON.stringify(plan.fixes.map((f) => f.change)).toLowerCase()
        for (const b of train) {
          yield* check(!text.includes(b.question.toLowerCase()), `fix copies the question of ${b.id}`)
          const canonical = SqlAnalysis.canonicalSql(b.expected_sql)
          for (const fix of plan.fixes) {
            const sql = (fix.change as { sql?: unknown }).sql
            if (typeof sql !== "string") continue
            yield* check(
              !SqlAnalysis.queryBlocks(sql).includes(canonical ?? "\u0000"),
              `fix ${fix.id} restates ${b.id}`
            )
          }
        }
      })
  }
]
