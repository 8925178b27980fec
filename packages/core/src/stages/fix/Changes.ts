/**
 * The typed `change` payload of a fix, one Schema per category. A plan file is JSON of `Plan`; each fix's `change`
 * must decode with the schema of its `category` (plan validation rejects it with `InvalidChange` otherwise).
 *
 * | category | change |
 * | --- | --- |
 * | `instruction-fix` | `{ append: string[] }`: lines appended to the single text instruction (created if none); never replaces it |
 * | `join-spec-add` | `{ left: {identifier, alias}, right: {identifier, alias}, condition, relationship, comment? }` |
 * | `join-spec-delete` | `{ id, left, right }` (identifiers, for the reader) |
 * | `sql-snippet-add` | `{ kind: measure\|filter\|expression, sql, displayName, alias?, synonyms, instruction?, comment? }` |
 * | `sql-snippet-delete` | `{ kind, id, displayName? }` |
 * | `metadata-add` | one of `ColumnSynonyms`, `ColumnDescription`, `TableDescription`, `EntityMatching`, `FormatAssistance`, `SnippetSynonyms`, `Exclusion` |
 * | `metadata-delete` | one of `ColumnSynonym`, `SnippetSynonym`, `EntityMatching`, `Exclusion` (un-exclude) |
 * | `example-query-add` | `{ question, sql, parameters: [{name, typeHint, description?, defaultValue?}], usageGuidance? }` |
 * | `example-query-delete` | `{ id, question? }` |
 */
import { Either, ParseResult, Schema } from "effect"
import type { FixCategory } from "./Fixer.js"

const Side = Schema.Struct({ identifier: Schema.String, alias: Schema.String })
const Relationship = Schema.Literal("MANY_TO_ONE", "ONE_TO_MANY", "ONE_TO_ONE", "MANY_TO_MANY")
const SnippetKind = Schema.Literal("measure", "filter", "expression")

/** @category models */
export const InstructionFix = Schema.Struct({ append: Schema.Array(Schema.String) })
/** @category models */
export const JoinSpecAdd = Schema.Struct({
  left: Side,
  right: Side,
  /** Condition over the two aliases: `a.x = b.y [AND …]`. */
  condition: Schema.String,
  relationship: Relationship,
  comment: Schema.optional(Schema.String)
})
/** @category models */
export const JoinSpecDelete = Schema.Struct({ id: Schema.String, left: Schema.String, right: Schema.String })
/** @category models */
export const SqlSnippetAdd = Schema.Struct({
  kind: SnippetKind,
  sql: Schema.String,
  displayName: Schema.String,
  /** Measures and expressions. */
  alias: Schema.optional(Schema.String),
  synonyms: Schema.Array(Schema.String),
  instruction: Schema.optional(Schema.String),
  comment: Schema.optional(Schema.String)
})
/** @category models */
export const SqlSnippetDelete = Schema.Struct({
  kind: SnippetKind,
  id: Schema.String,
  displayName: Schema.optional(Schema.String)
})
const Column = { table: Schema.String, column: Schema.String }
/** @category models */
export const MetadataAdd = Schema.Union(
  Schema.TaggedStruct("ColumnSynonyms", { ...Column, synonyms: Schema.Array(Schema.String) }),
  Schema.TaggedStruct("ColumnDescription", { ...Column, description: Schema.String }),
  Schema.TaggedStruct("TableDescription", { table: Schema.String, description: Schema.String }),
  /** Turns on format assistance and entity matching (the value dictionary). */
  Schema.TaggedStruct("EntityMatching", Column),
  Schema.TaggedStruct("FormatAssistance", Column),
  Schema.TaggedStruct("SnippetSynonyms", {
    kind: SnippetKind,
    id: Schema.String,
    synonyms: Schema.Array(Schema.String)
  }),
  /** Hides a column from Genie. */
  Schema.TaggedStruct("Exclusion", Column)
)
/** @category models */
export const MetadataDelete = Schema.Union(
  Schema.TaggedStruct("ColumnSynonym", { ...Column, synonym: Schema.String }),
  Schema.TaggedStruct("SnippetSynonym", { kind: SnippetKind, id: Schema.String, synonym: Schema.String }),
  Schema.TaggedStruct("EntityMatching", Column),
  /** Shows an excluded column again. */
  Schema.TaggedStruct("Exclusion", Column)
)
/** @category models */
export const ExampleQueryAdd = Schema.Struct({
  question: Schema.String,
  sql: Schema.String,
  parameters: Schema.Array(
    Schema.Struct({
      name: Schema.String,
      typeHint: Schema.Literal("STRING", "INTEGER", "DATE", "DECIMAL", "DOUBLE", "BOOLEAN", "TIMESTAMP"),
      description: Schema.optional(Schema.String),
      defaultValue: Schema.optional(Schema.String)
    })
  ),
  usageGuidance: Schema.optional(Schema.String)
})
/** @category models */
export const ExampleQueryDelete = Schema.Struct({ id: Schema.String, question: Schema.optional(Schema.String) })

/** The payload schema of each category. @category models */
export const schemas = {
  "instruction-fix": InstructionFix,
  "join-spec-add": JoinSpecAdd,
  "join-spec-delete": JoinSpecDelete,
  "sql-snippet-add": SqlSnippetAdd,
  "sql-snippet-delete": SqlSnippetDelete,
  "metadata-add": MetadataAdd,
  "metadata-delete": MetadataDelete,
  "example-query-add": ExampleQueryAdd,
  "example-query-delete": ExampleQueryDelete
} as const satisfies Record<FixCategory, Schema.Schema.AnyNoContext>

/** The decoded payload of a category. @category models */
export type Change<C extends FixCategory> = (typeof schemas)[C]["Type"]

/** A fix's category and decoded change, discriminated by category. @category models */
export type Typed = { readonly [C in FixCategory]: { readonly category: C; readonly change: Change<C> } }[FixCategory]

/**
 * Decodes a fix's change with its category's schema; `Left` carries a readable message with the failing path.
 *
 * @category constructors
 */
export const decode = (category: FixCategory, change: unknown): Either.Either<Typed, string> => {
  const schema = schemas[category] as Schema.Schema<unknown>
  return Schema.decodeUnknownEither(schema)(change).pipe(
    Either.map((decoded) => ({ category, change: decoded }) as Typed),
    Either.mapLeft((error) => ParseResult.TreeFormatter.formatErrorSync(error))
  )
}
