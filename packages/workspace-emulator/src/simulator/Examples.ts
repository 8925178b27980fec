/**
 * Example-SQL retrieval: the example question most similar to the question (Dice similarity over signatures —
 * normalised words, with the space's phrases replaced by what they refer to, so synonyms count as the same word, and
 * literals replaced by their kind) is used when it is similar enough and its literals fit: every literal of the
 * question either appears in the example question or fills one of the example's `:parameters`, and every parameter
 * gets a value (from the question, else its default).
 */
import type { Space } from "@genie-enhancer/core"
import * as SqlTokens from "../internal/SqlTokens.js"
import type { Example, Model } from "./Model.js"
import * as Text from "./Text.js"
import type { Mention, Vocabulary } from "./Vocabulary.js"
import { columnKey, conceptKey } from "./Vocabulary.js"

/** How similar an example question must be to be used. */
export const threshold = 0.7

type Literal =
  | { readonly kind: "year" | "number" | "date"; readonly value: string }
  | { readonly kind: "value"; readonly column: string; readonly value: string }

interface Parsed {
  readonly signature: ReadonlySet<string>
  readonly literals: ReadonlyArray<Literal>
}

/** The signature and literals of a question. */
export const parse = (tokens: ReadonlyArray<Text.Token>, mentions: ReadonlyArray<Mention>): Parsed => {
  const signature = new Set<string>()
  const literals: Array<Literal> = []
  for (let i = 0; i < tokens.length;) {
    const m = mentions.find((x) => x.start === i)
    if (m !== undefined) {
      const concept = m.candidates[0]
      signature.add(conceptKey(concept))
      if (concept._tag === "Value") {
        literals.push({ kind: "value", column: columnKey(concept.column), value: concept.value })
      }
      i = m.end
      continue
    }
    const t = tokens[i]
    if (Text.isYear(t)) literals.push({ kind: "year", value: t.lower })
    else if (Text.isDate(t)) literals.push({ kind: "date", value: t.lower })
    else if (Text.isInteger(t)) literals.push({ kind: "number", value: t.lower })
    const word = Text.isYear(t)
      ? "#year"
      : Text.isDate(t)
        ? "#date"
        : Text.isInteger(t)
          ? "#number"
          : Text.signatureWord(tokens, i)
    if (word !== undefined) signature.add(word)
    i++
  }
  return { signature, literals }
}

/** Dice similarity of two signatures. */
export const similarity = (a: ReadonlySet<string>, b: ReadonlySet<string>): number => {
  if (a.size + b.size === 0) return 0
  let common = 0
  for (const x of a) if (b.has(x)) common++
  return (2 * common) / (a.size + b.size)
}

const numericTypes = /^(INT|INTEGER|BIGINT|LONG|SMALLINT|SHORT|TINYINT|BYTE|DECIMAL|NUMERIC|DOUBLE|FLOAT|NUMBER)/i

const notAliases = new Set([
  "where",
  "join",
  "left",
  "right",
  "inner",
  "full",
  "cross",
  "on",
  "group",
  "order",
  "limit",
  "union"
])

/** Table aliases an example SQL declares (`main.retail.products p`, `… AS p`), by lower-case alias. */
const declaredAliases = (tokens: ReadonlyArray<SqlTokens.Token>, model: Model): Map<string, string> => {
  const aliases = new Map(model.tables.map((t) => [t.alias.toLowerCase(), t.alias]))
  tokens.forEach((_, i) => {
    const parts = [0, 2, 4].map((k) => SqlTokens.identifier(tokens[i + k]))
    if (tokens[i + 1]?.text !== "." || tokens[i + 3]?.text !== ".") return
    const table = model.tables.find((t) => t.identifier.toLowerCase() === parts.join(".").toLowerCase())
    const next = tokens[i + 5]?.text.toLowerCase() === "as" ? tokens[i + 6] : tokens[i + 5]
    const alias = next?.kind === "word" ? next.text.toLowerCase() : undefined
    if (table !== undefined && alias !== undefined && !notAliases.has(alias)) aliases.set(alias, table.alias)
  })
  return aliases
}

/** What kind of literal a parameter takes, read from its type and where the SQL uses it. */
const parameterKind = (
  parameter: Space.Parameter,
  sql: string,
  model: Model
): { readonly kind: Literal["kind"] | "string"; readonly column?: string } => {
  const type = parameter.type_hint ?? "STRING"
  if (/^(DATE|TIMESTAMP)/i.test(type)) return { kind: "date" }
  const tokens = SqlTokens.tokenize(sql).filter((t) => t.kind !== "space" && t.kind !== "comment")
  const at = tokens.findIndex((t, i) => t.text === ":" && tokens[i + 1]?.text === parameter.name)
  const before = tokens.slice(Math.max(0, at - 8), at).map((t) => SqlTokens.identifier(t) ?? t.text)
  if (numericTypes.test(type)) {
    const inYear = at >= 0 && /year\s*\(/i.test(before.join(""))
    return { kind: /year/i.test(parameter.name) || inYear ? "year" : "number" }
  }
  // `<alias>.<column> = :p` or `<column> = :p` (also IN (:p)): a value of that column.
  const op = Math.max(before.lastIndexOf("="), before.map((w) => w.toUpperCase()).lastIndexOf("IN"))
  const columnName = op > 0 ? before[op - 1].toLowerCase() : undefined
  const qualifier = op > 2 && before[op - 2] === "." ? before[op - 3].toLowerCase() : undefined
  const table = qualifier === undefined ? undefined : declaredAliases(tokens, model).get(qualifier)
  const column = model.tables
    .filter((t) => table === undefined || t.alias === table)
    .flatMap((t) => t.columns)
    .find((c) => c.name.toLowerCase() === columnName)
  return column === undefined ? { kind: "string" } : { kind: "value", column: columnKey(column) }
}

const literalSql = (kind: Literal["kind"] | "string", value: string): string | undefined => {
  if (kind === "year" || kind === "number") return /^-?\d+(\.\d+)?$/.test(value) ? value : undefined
  if (kind === "date") return /^\d{4}-\d{2}-\d{2}$/.test(value) ? `DATE'${value}'` : undefined
  return Text.sqlString(value)
}

const sameLiteral = (a: Literal, b: Literal): boolean =>
  a.kind === b.kind && a.value.toLowerCase() === b.value.toLowerCase()

/** Fills an example's parameters from the question's literals; undefined when its literals do not fit. */
const fill = (
  example: Example,
  exampleLiterals: ReadonlyArray<Literal>,
  question: ReadonlyArray<Literal>,
  model: Model
): string | undefined => {
  const remaining = [...question]
  const values = new Map<string, string>()
  const kinds = new Set<string>()
  for (const parameter of example.parameters) {
    const { kind, column } = parameterKind(parameter, example.sql, model)
    kinds.add(kind)
    const index = remaining.findIndex((l) =>
      kind === "value" ? l.kind === "value" && l.column === column : l.kind === kind
    )
    const value = index >= 0 ? remaining.splice(index, 1)[0].value : parameter.default_value?.values?.[0]
    const sql = value === undefined ? undefined : literalSql(kind, value)
    if (sql === undefined) return undefined
    values.set(parameter.name, sql)
  }
  // A literal of the question that no parameter takes must be one the example question has too ...
  if (!remaining.every((q) => exampleLiterals.some((e) => sameLiteral(e, q)))) return undefined
  // ... and a literal the example hard-codes must be one the question asks for.
  if (!exampleLiterals.every((e) => kinds.has(e.kind) || question.some((q) => sameLiteral(e, q)))) return undefined
  return SqlTokens.tokenize(example.sql)
    .map((t, i, all) => {
      if (t.text === ":" && all[i + 1]?.kind === "word" && values.has(all[i + 1].text))
        return values.get(all[i + 1].text)!
      if (t.kind === "word" && all[i - 1]?.text === ":" && values.has(t.text)) return ""
      return t.text
    })
    .join("")
}

/** An example question read once per space. */
export interface Indexed {
  readonly example: Example
  readonly parsed: Parsed
}

/** Reads the example questions of a space with its vocabulary. */
export const index = (model: Model, vocabulary: Vocabulary): ReadonlyArray<Indexed> =>
  model.examples.map((example) => {
    const tokens = Text.tokenize(example.question)
    return { example, parsed: parse(tokens, vocabulary.tag(tokens)) }
  })

/** The best fitting example for a question, with its SQL (parameters filled), if one is similar enough. */
export const retrieve = (
  model: Model,
  examples: ReadonlyArray<Indexed>,
  question: Parsed
): { readonly example: Example; readonly sql: string; readonly score: number } | undefined => {
  const ranked = examples
    .map((e) => ({ ...e, score: similarity(question.signature, e.parsed.signature) }))
    .filter((r) => r.score >= threshold)
    .sort((a, b) => b.score - a.score) // stable: equal scores keep the space's order
  for (const r of ranked) {
    const sql = fill(r.example, r.parsed.literals, question.literals, model)
    if (sql !== undefined) return { example: r.example, sql, score: r.score }
  }
  return undefined
}
