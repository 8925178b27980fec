// @ts-check
/**
 * A `learn-patterns` stage decorator: whatever the profile's learner mines from the train split, also add the team's
 * vocabulary (the words its questions use for a column) as `vocabulary` patterns. The profile's fixers then use them
 * like learned ones: the `rules` fixer proposes them as column synonyms, the `llm` fixer reads them in its prompt,
 * and the enhance loop keeps the resulting fixes only when the rescored train split says they help.
 */
import { Decorator, Plugin, Stages } from "@genie-enhancer/core"
import { Effect } from "effect"

/**
 * @typedef {{ readonly phrase: string, readonly table: string, readonly column: string }} Term
 * @typedef {{ readonly vocabulary: ReadonlyArray<Term> }} Options
 */

const id = "team-vocabulary"

/**
 * Lower-case words of a text (`Client tier` → `client`, `tier`).
 * @param {string} text
 * @returns {ReadonlyArray<string>}
 */
const words = (text) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []

/**
 * Whether a question uses the phrase, as whole words (a plural last word counts: `client tiers`).
 * @param {string} question
 * @param {ReadonlyArray<string>} phrase
 */
const uses = (question, phrase) => {
  const q = words(question)
  return q.some((_, i) => phrase.every((w, j) => q[i + j] === w || (j === phrase.length - 1 && q[i + j] === `${w}s`)))
}

/**
 * The team's patterns for one input: one per term whose table is in the space and that the learner has not mapped to
 * the same column already, with the train questions that use the phrase as evidence.
 * @param {Stages.LearnInput} input
 * @param {Stages.PatternBook} book
 * @param {Options} options
 * @returns {ReadonlyArray<Stages.Pattern>}
 */
const teamPatterns = (input, book, options) => {
  const tables = new Map(
    (input.space.data_sources?.tables ?? []).map((t) => [t.identifier.toLowerCase(), t.identifier])
  )
  const learned = new Set(
    book.patterns.flatMap((p) => {
      const d = /** @type {{ phrase?: unknown, target?: { ref?: unknown } } | undefined} */ (p.details)
      return p.kind === "vocabulary" && typeof d?.phrase === "string" && typeof d.target?.ref === "string"
        ? [`${words(d.phrase).join(" ")}→${d.target.ref.toLowerCase()}`]
        : []
    })
  )
  const failed = new Set(
    (input.results ?? [])
      .filter((r) => r.verdict.outcome === "fail" || r.verdict.outcome === "error")
      .map((r) => r.benchmarkId)
  )
  const seen = new Set()
  return options.vocabulary.flatMap((term) => {
    const table = tables.get(term.table.toLowerCase())
    const ref = `${table}.${term.column}`
    const stems = words(term.phrase)
    const key = `${ref.toLowerCase()}:${stems.join("-")}`
    if (table === undefined || stems.length === 0 || seen.has(key)) return []
    seen.add(key)
    if (learned.has(`${stems.join(" ")}→${ref.toLowerCase()}`)) return []
    // Train questions only: `input.train` holds nothing else.
    const supporting = input.train.filter((b) => uses(b.question, stems)).map((b) => b.id)
    return [
      new Stages.Pattern({
        // Stable: the same term always has the same id.
        id: `${id}:${key}`,
        kind: "vocabulary",
        description: `"${term.phrase}" → column ${ref} (team vocabulary, support ${supporting.length})`,
        // The shape the built-in learner writes for a phrase that names a column, which the built-in fixers read.
        details: {
          phrase: term.phrase,
          stems,
          target: { kind: "column", ref, table, column: term.column },
          support: supporting.length,
          precision: 1
        },
        supportingBenchmarkIds: supporting,
        explainsFailures: supporting.filter((b) => failed.has(b))
      })
    ]
  })
}

export default Plugin.definePlugin({
  id,
  version: "1.0.0",
  core: ">=0.1 <1",
  kind: "stage-decorator",
  decorates: "learn-patterns",
  description: "Adds the team's vocabulary (phrases its questions use for columns) to the learned patterns.",
  optionsSchema: {
    type: "object",
    additionalProperties: false,
    required: ["vocabulary"],
    properties: {
      vocabulary: {
        type: "array",
        items: {
          type: "object",
          additionalProperties: false,
          required: ["phrase", "table", "column"],
          properties: {
            phrase: { type: "string", minLength: 1 },
            table: { type: "string", minLength: 1 },
            column: { type: "string", minLength: 1 }
          }
        }
      }
    }
  },
  /** @param {Options} options */
  layer: (options) =>
    Decorator.wrap(Stages.PatternLearner, (inner) => ({
      learn: (input) =>
        Effect.map(
          inner.learn(input),
          (book) =>
            new Stages.PatternBook({
              learner: book.learner,
              trainBenchmarkIds: book.trainBenchmarkIds,
              patterns: [...book.patterns, ...teamPatterns(input, book, options)]
            })
        )
    }))
})
