/**
 * The Genie simulator: a deterministic Genie engine that writes SQL from a space's configuration and the warehouse
 * catalog only — never from benchmarks — so that configuration changes (synonyms, snippets, join specs, examples,
 * entity matching) change its answers the way they change Genie's. It is the emulator's default engine. The rules,
 * and what it deliberately does not understand, are in the package README ("Genie simulator").
 */
import { Effect } from "effect"
import * as GenieEngine from "../GenieEngine.js"
import * as Compose from "./Compose.js"
import * as Examples from "./Examples.js"
import * as Model from "./Model.js"
import * as Noise from "./Noise.js"
import * as Query from "./Query.js"
import * as Text from "./Text.js"
import * as TimeWindows from "./TimeWindows.js"
import * as Vocabulary from "./Vocabulary.js"

export {
  type AccuracyOptions,
  type AccuracyReport,
  type BenchmarkOutcome,
  measureAccuracy,
  measureAccuracyPromise
} from "./Accuracy.js"

/**
 * Options of the simulator.
 *
 * @category configuration
 */
export interface Options {
  /**
   * Share of questions (0–1) answered with a plausible wrong query instead, to model Genie's non-determinism.
   * Which questions are noisy depends only on the emulator's seed and the question. Default 0.
   */
  readonly noiseRate?: number
  /** Noise rates of particular spaces, by space id; they override `noiseRate`. */
  readonly spaceNoiseRates?: Readonly<Record<string, number>>
}

/** The most distinct values a column's value dictionary holds; columns with more get none. @category configuration */
export const maxEntityValues = 1024

const backtick = (name: string): string => `\`${name.replace(/`/g, "``")}\``

/** What the simulator derives from a space once per warehouse: its model, vocabulary and indexed examples. */
interface Prepared {
  readonly model: Model.Model
  readonly vocabulary: Vocabulary.Vocabulary
  readonly examples: ReadonlyArray<Examples.Indexed>
}

/**
 * Per warehouse (its catalog object, stable while the emulator runs): the distinct values of entity-matching
 * columns, and what each space (object) prepared. The data is read-only and spaces are replaced, never mutated.
 */
type Cache = WeakMap<
  object,
  { readonly values: Map<string, ReadonlyArray<string>>; readonly spaces: WeakMap<object, Prepared> }
>

// Distinct values of the string columns with entity matching: Genie's value dictionary.
const entityValues = (question: GenieEngine.Question, model: Model.Model, known: Map<string, ReadonlyArray<string>>) =>
  Effect.forEach(
    model.tables.flatMap((t) =>
      t.columns.filter((c) => c.entityMatching && c.kind === "string").map((c) => ({ table: t, column: c }))
    ),
    ({ table, column }) => {
      const key = `${table.identifier}.${column.name}`.toLowerCase()
      const cached = known.get(key)
      const values =
        cached !== undefined
          ? Effect.succeed(cached)
          : question
              .query(
                `SELECT DISTINCT ${backtick(column.name)} FROM ${table.identifier} ` +
                  `WHERE ${backtick(column.name)} IS NOT NULL LIMIT ${maxEntityValues + 1}`
              )
              .pipe(
                Effect.map((result) => {
                  const found = result.rows.flatMap((row) => (row[0] === null ? [] : [row[0]]))
                  return found.length > maxEntityValues ? [] : found
                }),
                Effect.tap((found) => Effect.sync(() => known.set(key, found))),
                Effect.orElseSucceed((): ReadonlyArray<string> => [])
              )
      return Effect.map(values, (found) => [Vocabulary.columnKey(column), found] as const)
    }
  ).pipe(Effect.map((entries) => new Map(entries)))

const prepare = (question: GenieEngine.Question, cache: Cache) =>
  Effect.gen(function* () {
    const warehouse = cache.get(question.catalog) ?? { values: new Map(), spaces: new WeakMap() }
    cache.set(question.catalog, warehouse)
    const known = warehouse.spaces.get(question.space)
    if (known !== undefined) return known
    const model = Model.make(question.space, question.catalog)
    const vocabulary = Vocabulary.make(model, yield* entityValues(question, model, warehouse.values))
    const prepared: Prepared = { model, vocabulary, examples: Examples.index(model, vocabulary) }
    warehouse.spaces.set(question.space, prepared)
    return prepared
  })

const clarify = GenieEngine.Reply.Text({
  text: "I am not sure which numbers you mean. Could you say which measure, time period or breakdown you want?"
})

const answer = Effect.fn("GenieSimulator.answer")(function* (
  question: GenieEngine.Question,
  options: Options,
  cache: Cache
) {
  const { model, vocabulary, examples } = yield* prepare(question, cache)
  if (model.tables.length === 0) {
    return GenieEngine.Reply.Text({ text: "This space has no tables I can query. Add tables to the space first." })
  }
  const tokens = Text.tokenize(question.question)
  const mentions = vocabulary.tag(tokens)
  const rate = options.spaceNoiseRates?.[question.spaceId] ?? options.noiseRate ?? 0
  const noisy = Noise.isNoisy(rate, question.seed, question.question)

  const example = Examples.retrieve(model, examples, Examples.parse(tokens, mentions))
  if (example !== undefined && !noisy) {
    return GenieEngine.Reply.Sql({
      sql: example.sql,
      title: example.example.question.trim(),
      description: `Based on the example question "${example.example.question.trim()}".`
    })
  }
  const covered = new Set(mentions.flatMap((m) => Array.from({ length: m.end - m.start }, (_, k) => m.start + k)))
  const composed = Compose.compose(model, tokens, mentions, TimeWindows.parse(tokens, covered))
  if (composed._tag === "Text") return GenieEngine.Reply.Text({ text: composed.text })
  // A noisy answer that had an example is the composed one (Genie missed the example); otherwise a flipped query.
  const query =
    !noisy || example !== undefined ? composed.query : Noise.flip(composed.query, question.seed, question.question)
  if (query === undefined) return clarify
  return GenieEngine.Reply.Sql({
    sql: Query.render(query),
    title: composed.title,
    description: `Composed from: ${composed.notes.length === 0 ? "the table and column names" : composed.notes.join("; ")}.`
  })
})

const checkRate = (rate: number, name: string) => {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`${name} must be between 0 and 1, got ${rate}`)
}

/**
 * Creates a simulator engine. Throws a `RangeError` (a defect) for a noise rate outside [0, 1].
 *
 * @example
 * ```ts
 * const emulator = yield* Emulator.start({ workspace: "examples/retail", defaultEngine: GenieSimulator.make({ noiseRate: 0.1 }) })
 * ```
 *
 * @category constructors
 */
export const make = (options: Options = {}): GenieEngine.GenieEngine => {
  checkRate(options.noiseRate ?? 0, "noiseRate")
  for (const [id, rate] of Object.entries(options.spaceNoiseRates ?? {})) checkRate(rate, `spaceNoiseRates.${id}`)
  const cache: Cache = new WeakMap()
  return { name: "genie-simulator", answer: (question) => answer(question, options, cache) }
}
