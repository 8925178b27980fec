// @ts-check
/**
 * A `fix` stage decorator: whatever the profile's fixers propose, also propose the team glossary's column synonyms
 * (`metadata-add` / `ColumnSynonyms`) for every glossary column of a table in the space that does not have them yet.
 */
import { Decorator, Plugin, Stages } from "@genie-enhancer/core"
import { Effect } from "effect"

/**
 * @typedef {{ readonly table: string, readonly column: string, readonly synonyms: ReadonlyArray<string> }} Term
 * @typedef {{ readonly glossary: ReadonlyArray<Term> }} Options
 */

const id = "team-rules"

/**
 * The synonyms of a column the space already has.
 * @param {Stages.FixInput["space"]} space
 * @param {Term} term
 * @returns {ReadonlyArray<string>}
 */
const existing = (space, term) => {
  const table = (space.data_sources?.tables ?? []).find((t) => t.identifier === term.table)
  const config = (table?.column_configs ?? []).find((c) => c.column_name === term.column)
  return config?.synonyms ?? []
}

/**
 * The team's fixes for one input.
 * @param {Stages.FixInput} input
 * @param {Options} options
 */
const teamFixes = (input, options) => {
  const tables = new Set((input.space.data_sources?.tables ?? []).map((t) => t.identifier))
  return options.glossary.flatMap((term) => {
    if (!tables.has(term.table)) return []
    const have = new Set(existing(input.space, term).map((s) => s.toLowerCase()))
    const missing = term.synonyms.filter((s) => !have.has(s.toLowerCase()))
    if (missing.length === 0) return []
    const fix = new Stages.Fix({
      // Stable: the same glossary entry always has the same id, so a rejected one is not proposed again.
      id: `${id}:synonyms:${term.table}.${term.column}:${[...missing].sort().join("|")}`,
      category: "metadata-add",
      target: `${term.table}.${term.column}`,
      change: { _tag: "ColumnSynonyms", table: term.table, column: term.column, synonyms: missing },
      rationale: `Team glossary: ${term.column} is also called ${missing.join(", ")}`,
      sourceBenchmarkIds: [],
      risk: "low",
      origin: id
    })
    return input.excludeFixIds?.has(fix.id) ? [] : [fix]
  })
}

export default Plugin.definePlugin({
  id,
  version: "1.0.0",
  core: ">=0.1 <1",
  kind: "stage-decorator",
  decorates: "fix",
  description: "Proposes the team glossary's column synonyms on top of the profile's fixers.",
  optionsSchema: {
    type: "object",
    additionalProperties: false,
    required: ["glossary"],
    properties: {
      glossary: {
        type: "array",
        items: {
          type: "object",
          additionalProperties: false,
          required: ["table", "column", "synonyms"],
          properties: {
            table: { type: "string", minLength: 1 },
            column: { type: "string", minLength: 1 },
            synonyms: { type: "array", minItems: 1, items: { type: "string", minLength: 1 } }
          }
        }
      }
    }
  },
  /** @param {Options} options */
  layer: (options) =>
    Decorator.wrap(Stages.Fixer, (inner) => ({
      propose: (input) =>
        Effect.map(inner.propose(input), (plan) => {
          const seen = new Set(plan.fixes.map((f) => f.id))
          const extra = teamFixes(input, options).filter((f) => !seen.has(f.id))
          return new Stages.Plan({ fixes: [...plan.fixes, ...extra], rejected: plan.rejected })
        })
    }))
})
