/**
 * The words a space gives the simulator and how they are found in a question: table names, column names and
 * column synonyms, snippet display names / aliases / synonyms, and the values of columns with entity matching.
 * Phrases are matched on stems, longest first, left to right.
 */
import type { Column, Model, Snippet } from "./Model.js"
import * as Text from "./Text.js"

/** What a phrase of a question refers to. */
export type Concept =
  | { readonly _tag: "Table"; readonly table: string }
  | { readonly _tag: "Column"; readonly column: Column }
  | { readonly _tag: "Value"; readonly column: Column; readonly value: string }
  | { readonly _tag: "Snippet"; readonly snippet: Snippet }

/** A phrase found in a question: tokens `[start, end)` and what it may refer to (best candidates first). */
export interface Mention {
  readonly start: number
  readonly end: number
  readonly candidates: ReadonlyArray<Concept>
  /** Korean particles attached to its last word (지역별: 별, which groups by the phrase). */
  readonly particles?: string
}

interface Entry {
  readonly stems: ReadonlyArray<string>
  readonly concept: Concept
  readonly rank: number
}

export interface Vocabulary {
  readonly tag: (tokens: ReadonlyArray<Text.Token>) => ReadonlyArray<Mention>
}

// For phrases of equal length: configured snippets first, then values, columns, tables.
const rank: Readonly<Record<Concept["_tag"], number>> = { Snippet: 3, Value: 2, Column: 1, Table: 0 }

/** Values of entity-matching columns, keyed by `table.column`. */
export type Values = ReadonlyMap<string, ReadonlyArray<string>>

/** The key of a column in `Values`. */
export const columnKey = (column: Column): string => `${column.table}.${column.name}`

/** Builds the vocabulary of a space; `values` are the distinct values of its entity-matching columns. */
export const make = (model: Model, values: Values): Vocabulary => {
  const entries: Array<Entry> = []
  const add = (words: string | ReadonlyArray<string>, concept: Concept) => {
    const stems = typeof words === "string" ? Text.phrase(words) : words
    if (stems.length > 0) entries.push({ stems, concept, rank: rank[concept._tag] })
  }
  for (const table of model.tables) {
    const noun = Text.phrase(table.alias)
    add(noun, { _tag: "Table", table: table.alias })
    for (const column of table.columns) {
      const concept: Concept = { _tag: "Column", column }
      const words = Text.phrase(column.name)
      add(words, concept)
      // "customer region", "store channel": the table's noun in front tells same-named columns apart.
      if (words.slice(0, noun.length).join(" ") !== noun.join(" ")) add([...noun.slice(-1), ...words], concept)
      for (const synonym of column.synonyms) add(synonym, concept)
      for (const value of values.get(columnKey(column)) ?? []) add(value, { _tag: "Value", column, value })
    }
  }
  for (const snippet of model.snippets) for (const name of snippet.names) add(name, { _tag: "Snippet", snippet })

  const byFirst = new Map<string, Array<Entry>>()
  for (const e of entries) byFirst.set(e.stems[0], [...(byFirst.get(e.stems[0]) ?? []), e])

  const tag = (tokens: ReadonlyArray<Text.Token>): ReadonlyArray<Mention> => {
    const mentions: Array<Mention> = []
    for (let i = 0; i < tokens.length;) {
      // A Hangul word also matches a configured word that only particles follow (책의 matches 책).
      const matching = Text.forms(tokens[i])
        .flatMap((form) => byFirst.get(form) ?? [])
        .filter((e) => e.stems.every((s, k) => tokens[i + k] !== undefined && Text.forms(tokens[i + k]).includes(s)))
      if (matching.length === 0) {
        i++
        continue
      }
      const length = Math.max(...matching.map((e) => e.stems.length))
      const longest = matching.filter((e) => e.stems.length === length)
      const best = Math.max(...longest.map((e) => e.rank))
      const candidates: Array<Concept> = []
      for (const e of longest.filter((e) => e.rank === best)) {
        if (!candidates.some((c) => sameConcept(c, e.concept))) candidates.push(e.concept)
      }
      const particles = Text.particlesAfter(tokens[i + length - 1], longest[0].stems[length - 1])
      mentions.push({ start: i, end: i + length, candidates, ...(particles ? { particles } : {}) })
      i += length
    }
    return mentions
  }
  return { tag }
}

const sameConcept = (a: Concept, b: Concept): boolean => {
  if (a._tag === "Table" && b._tag === "Table") return a.table === b.table
  if (a._tag === "Snippet" && b._tag === "Snippet") return a.snippet === b.snippet
  if (a._tag === "Column" && b._tag === "Column") return a.column === b.column
  if (a._tag === "Value" && b._tag === "Value") return a.column === b.column && a.value === b.value
  return false
}

/** A stable name of a concept, for similarity signatures and descriptions. */
export const conceptKey = (c: Concept): string => {
  switch (c._tag) {
    case "Table":
      return `t:${c.table}`
    case "Column":
      return `c:${columnKey(c.column)}`
    case "Value":
      return `v:${columnKey(c.column)}`
    case "Snippet":
      return `s:${c.snippet.id}`
  }
}
