/**
 * The contract every `PatternLearner` must keep, as checks any test runner can run on a learner layer: built-in and
 * third-party learners alike (`for (const c of PatternLearnerContract.cases) it.effect(c.name, () =>
 * c.run(MyLearner.layer()))`). The layer gets no services from the checks: provide its warehouse yourself.
 */
import { Effect, Schema } from "effect"
import type { Layer } from "effect"
import type { Benchmark } from "../model/Benchmark.js"
import * as BenchmarkSplit from "../model/BenchmarkSplit.js"
import type { SerializedSpace } from "../model/Space.js"
import { PatternBook, PatternKind, PatternLearner } from "../stages/learn-patterns/PatternLearner.js"

/** @category models */
export type LearnerLayer = Layer.Layer<PatternLearner>

/** @category models */
export interface Case {
  readonly name: string
  readonly run: (learner: LearnerLayer) => Effect.Effect<void, Error>
}

/**
 * What the checks learn from: benchmarks (with explicit splits) and a space. A kit user passes its own (over a
 * warehouse its layer can read), or uses {@link defaultInput} with a layer that needs no data.
 *
 * @category models
 */
export interface Input {
  readonly benchmarks: ReadonlyArray<Benchmark>
  readonly space: SerializedSpace
}

const check = (condition: boolean, message: string): Effect.Effect<void, Error> =>
  condition ? Effect.void : Effect.fail(new Error(message))

const learnWith = (learner: LearnerLayer, input: Input) =>
  Effect.gen(function* () {
    const service = yield* PatternLearner
    return yield* service.learn({ train: BenchmarkSplit.trainSet(input.benchmarks), space: input.space })
  }).pipe(
    Effect.provide(learner),
    Effect.mapError((e) => new Error(`learn failed: ${e.message}`))
  )

/**
 * The checks, over `input` (its benchmarks must include both splits).
 *
 * @category testing
 */
export const casesFor = (input: Input): ReadonlyArray<Case> => {
  const holdout = input.benchmarks.filter((b) => b.split === "holdout").map((b) => b.id)
  return [
    {
      name: "learns a serialisable pattern book from the train split only",
      run: (learner) =>
        Effect.gen(function* () {
          const book = yield* learnWith(learner, input)
          const encoded = Schema.encodeSync(PatternBook)(book)
          const decoded = Schema.decodeUnknownSync(PatternBook)(JSON.parse(JSON.stringify(encoded)))
          yield* check(decoded.patterns.length === book.patterns.length, "the pattern book does not survive JSON")
          const used = new Set([...book.trainBenchmarkIds, ...book.patterns.flatMap((p) => p.supportingBenchmarkIds)])
          const leaked = holdout.filter((id) => used.has(id))
          yield* check(leaked.length === 0, `holdout benchmarks reached the learner: ${leaked.join(", ")}`)
        })
    },
    {
      name: "every pattern has a known kind, an id, a description and evidence",
      run: (learner) =>
        Effect.gen(function* () {
          const book = yield* learnWith(learner, input)
          const kinds = new Set<string>(PatternKind.literals)
          for (const p of book.patterns) {
            yield* check(kinds.has(p.kind), `pattern ${p.id} has kind ${p.kind}`)
            yield* check(p.id !== "" && p.description !== "", `pattern ${p.id} lacks an id or a description`)
          }
          const ids = book.patterns.map((p) => p.id)
          yield* check(new Set(ids).size === ids.length, "pattern ids are not unique")
        })
    },
    {
      name: "is deterministic: the same input gives the same book",
      run: (learner) =>
        Effect.gen(function* () {
          const a = yield* learnWith(learner, input)
          const b = yield* learnWith(learner, input)
          yield* check(JSON.stringify(a) === JSON.stringify(b), "two runs on the same input differ")
        })
    },
    {
      name: "refuses holdout benchmarks smuggled past the types",
      run: (learner) =>
        Effect.gen(function* () {
          if (holdout.length === 0) return
          const service = yield* PatternLearner
          const smuggled = input.benchmarks as unknown as BenchmarkSplit.TrainSet
          const outcome = yield* Effect.either(service.learn({ train: smuggled, space: input.space }))
          yield* check(outcome._tag === "Left", "a holdout benchmark passed as train was learnt from")
        }).pipe(Effect.provide(learner))
    }
  ]
}

/** A two-benchmark input over a table `main.s.t (k STRING, v BIGINT)`, for layers that need no data. @category testing */
export const defaultInput: Input = {
  benchmarks: [
    {
      id: "t1",
      question: "Total v by k?",
      expected_sql: "SELECT k, SUM(v) AS total_v FROM main.s.t GROUP BY k",
      category: "c",
      difficulty: "easy",
      split: "train"
    },
    {
      id: "h1",
      question: "Average v?",
      expected_sql: "SELECT AVG(v) AS avg_v FROM main.s.t",
      category: "c",
      difficulty: "easy",
      split: "holdout"
    }
  ],
  space: { version: 2, data_sources: { tables: [{ identifier: "main.s.t" }] } }
}
