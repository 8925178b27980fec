/**
 * Applying a plan: a pure function `Space × Plan → Space`. New items get canonical ids derived from the fix id
 * (`SpaceId.fromSeed`, so applying the same plan twice gives the same space) and the result is in canonical order
 * (`Space.canonicalize`). Deletes run before adds, area by area (instruction, join specs, snippets, metadata,
 * examples). A fix whose change does not decode, or whose target is missing, changes nothing: validation reports
 * those before a plan is applied (`PlanValidation`).
 */
import { Effect } from "effect"
import type { SerializedSpace } from "../../model/Space.js"
import { canonicalize } from "../../model/Space.js"
import * as SpaceId from "../../model/SpaceId.js"
import * as Changes from "../fix/Changes.js"
import type { Fix, FixCategory, Plan } from "../fix/Fixer.js"

/** The order fixes are applied in: deletes before adds, area by area. @category models */
export const categoryOrder: ReadonlyArray<FixCategory> = [
  "instruction-fix",
  "join-spec-delete",
  "join-spec-add",
  "sql-snippet-delete",
  "sql-snippet-add",
  "metadata-delete",
  "metadata-add",
  "example-query-delete",
  "example-query-add"
]

type Json = Record<string, unknown>
type Mutable = Json & { instructions?: Json; data_sources?: Json }

/** Free text as the API stores it: lines that end with `\n`. @category constructors */
export const lines = (text: string): Array<string> => {
  const parts = text.split(/(?<=\n)/)
  const out = parts.filter((p) => p !== "")
  if (out.length > 0 && !out[out.length - 1].endsWith("\n")) out[out.length - 1] += "\n"
  return out
}

const array = (parent: Json, key: string): Array<Json> => {
  const existing = parent[key]
  if (Array.isArray(existing)) return existing as Array<Json>
  const created: Array<Json> = []
  parent[key] = created
  return created
}
const object = (parent: Json, key: string): Json => {
  const existing = parent[key]
  if (typeof existing === "object" && existing !== null && !Array.isArray(existing)) return existing as Json
  const created: Json = {}
  parent[key] = created
  return created
}

/** Every id the space uses (instructions and questions), for collision-free new ids. */
const usedIds = (space: Mutable): Set<string> => {
  const ids = new Set<string>()
  const walk = (u: unknown) => {
    if (Array.isArray(u)) u.forEach(walk)
    else if (typeof u === "object" && u !== null) {
      for (const [k, v] of Object.entries(u)) {
        if (k === "id" && typeof v === "string") ids.add(v)
        else walk(v)
      }
    }
  }
  walk(space)
  return ids
}

const snippetKey = { measure: "measures", filter: "filters", expression: "expressions" } as const

const findTable = (space: Mutable, identifier: string): Json | undefined =>
  (Array.isArray(space.data_sources?.tables) ? (space.data_sources.tables as Array<Json>) : []).find(
    (t) => typeof t.identifier === "string" && t.identifier.toLowerCase() === identifier.toLowerCase()
  )

const findColumn = (table: Json, column: string, create: boolean): Json | undefined => {
  const configs = create ? array(table, "column_configs") : ((table.column_configs as Array<Json> | undefined) ?? [])
  const found = configs.find(
    (c) => typeof c.column_name === "string" && c.column_name.toLowerCase() === column.toLowerCase()
  )
  if (found !== undefined || !create) return found
  const created: Json = { column_name: column }
  configs.push(created)
  return created
}

const addUnique = (target: Json, key: string, values: ReadonlyArray<string>) => {
  const list = array(target, key) as unknown as Array<string>
  for (const v of values) if (!list.some((x) => x.toLowerCase() === v.toLowerCase())) list.push(v)
}

const applyOne = (space: Mutable, fix: Fix, newId: () => string): void => {
  const decoded = Changes.decode(fix.category, fix.change)
  if (decoded._tag === "Left") return
  const typed = decoded.right
  const instructions = object(space, "instructions")
  const v1 = space.version === 1
  switch (typed.category) {
    case "instruction-fix": {
      const list = array(instructions, "text_instructions")
      const first = list[0] ?? (list.push({ id: newId(), content: [] }), list[0])
      const content = array(first, "content") as unknown as Array<string>
      if (content.length > 0 && !content[content.length - 1].endsWith("\n")) content[content.length - 1] += "\n"
      content.push(...typed.change.append.flatMap(lines))
      return
    }
    case "join-spec-delete": {
      const list = array(instructions, "join_specs")
      const i = list.findIndex((s) => s.id === typed.change.id)
      if (i >= 0) list.splice(i, 1)
      return
    }
    case "join-spec-add": {
      const c = typed.change
      array(instructions, "join_specs").push({
        id: newId(),
        left: { identifier: c.left.identifier, alias: c.left.alias },
        right: { identifier: c.right.identifier, alias: c.right.alias },
        sql: [c.condition, `--rt=FROM_RELATIONSHIP_TYPE_${c.relationship}--`],
        ...(c.comment === undefined ? {} : { comment: lines(c.comment) })
      })
      return
    }
    case "sql-snippet-delete": {
      const list = array(object(instructions, "sql_snippets"), snippetKey[typed.change.kind])
      const i = list.findIndex((s) => s.id === typed.change.id)
      if (i >= 0) list.splice(i, 1)
      return
    }
    case "sql-snippet-add": {
      const c = typed.change
      array(object(instructions, "sql_snippets"), snippetKey[c.kind]).push({
        id: newId(),
        sql: [c.sql],
        display_name: c.displayName,
        ...(c.kind === "filter" || c.alias === undefined ? {} : { alias: c.alias }),
        ...(c.synonyms.length === 0 ? {} : { synonyms: [...c.synonyms] }),
        ...(c.instruction === undefined ? {} : { instruction: lines(c.instruction) }),
        ...(c.comment === undefined ? {} : { comment: lines(c.comment) })
      })
      return
    }
    case "metadata-delete": {
      const c = typed.change
      if (c._tag === "SnippetSynonym") {
        const snippet = array(object(instructions, "sql_snippets"), snippetKey[c.kind]).find((s) => s.id === c.id)
        if (snippet !== undefined && Array.isArray(snippet.synonyms))
          snippet.synonyms = (snippet.synonyms as Array<string>).filter((s) => s !== c.synonym)
        return
      }
      const table = findTable(space, c.table)
      const column = table === undefined ? undefined : findColumn(table, c.column, false)
      if (column === undefined) return
      if (c._tag === "ColumnSynonym" && Array.isArray(column.synonyms))
        column.synonyms = (column.synonyms as Array<string>).filter((s) => s !== c.synonym)
      if (c._tag === "EntityMatching") delete column[v1 ? "build_value_dictionary" : "enable_entity_matching"]
      if (c._tag === "Exclusion") delete column.exclude
      return
    }
    case "metadata-add": {
      const c = typed.change
      if (c._tag === "SnippetSynonyms") {
        const snippet = array(object(instructions, "sql_snippets"), snippetKey[c.kind]).find((s) => s.id === c.id)
        if (snippet !== undefined) addUnique(snippet, "synonyms", c.synonyms)
        return
      }
      const table = findTable(space, c.table)
      if (table === undefined) return
      if (c._tag === "TableDescription") {
        table.description = lines(c.description)
        return
      }
      const column = findColumn(table, c.column, true)!
      if (c._tag === "ColumnSynonyms") addUnique(column, "synonyms", c.synonyms)
      if (c._tag === "ColumnDescription") column.description = lines(c.description)
      if (c._tag === "FormatAssistance" || c._tag === "EntityMatching")
        column[v1 ? "get_example_values" : "enable_format_assistance"] = true
      if (c._tag === "EntityMatching") column[v1 ? "build_value_dictionary" : "enable_entity_matching"] = true
      if (c._tag === "Exclusion") column.exclude = true
      return
    }
    case "example-query-delete": {
      const list = array(instructions, "example_question_sqls")
      const i = list.findIndex((s) => s.id === typed.change.id)
      if (i >= 0) list.splice(i, 1)
      return
    }
    case "example-query-add": {
      const c = typed.change
      array(instructions, "example_question_sqls").push({
        id: newId(),
        question: [c.question],
        sql: lines(c.sql),
        ...(c.parameters.length === 0
          ? {}
          : {
              parameters: [...c.parameters]
                .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
                .map((p) => ({
                  name: p.name,
                  type_hint: p.typeHint,
                  ...(p.description === undefined ? {} : { description: lines(p.description) }),
                  ...(p.defaultValue === undefined ? {} : { default_value: { values: [p.defaultValue] } })
                }))
            }),
        ...(c.usageGuidance === undefined ? {} : { usage_guidance: lines(c.usageGuidance) })
      })
      return
    }
  }
}

/**
 * Applies a plan's fixes (not its rejected ones) to a space and returns the new space in canonical order. Pure:
 * the input is not changed, and the same inputs always give the same output.
 *
 * @category constructors
 */
export const apply = (space: SerializedSpace, plan: Plan): SerializedSpace => {
  const copy = structuredClone(space) as unknown as Mutable
  const ids = usedIds(copy)
  const ordered = [...plan.fixes].sort((a, b) => categoryOrder.indexOf(a.category) - categoryOrder.indexOf(b.category))
  for (const fix of ordered) {
    let n = 0
    const newId = () => {
      let id = SpaceId.fromSeed(fix.id)
      while (ids.has(id)) id = SpaceId.fromSeed(`${fix.id}:${++n}`)
      ids.add(id)
      return id
    }
    applyOne(copy, fix, newId)
  }
  return canonicalize(copy as unknown as SerializedSpace)
}

/**
 * Finds the fix a workspace refuses: `fails(k)` tries the first `k` fixes and says whether that was refused.
 * Assumes one offending fix (the first `k` for which `fails(k)` holds, found in ⌈log₂ n⌉ + 1 tries); returns its
 * index, or `undefined` when all `n` are accepted.
 *
 * @category constructors
 */
export const bisect = <E, R>(
  n: number,
  fails: (k: number) => Effect.Effect<boolean, E, R>
): Effect.Effect<number | undefined, E, R> =>
  Effect.gen(function* () {
    if (!(yield* fails(n))) return undefined
    let lo = 0 // fails(lo) is false (no fix applied)
    let hi = n // fails(hi) is true
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2)
      if (yield* fails(mid)) hi = mid
      else lo = mid
    }
    return hi - 1
  })
