/**
 * Semantic differences between two Genie spaces: items matched by identity, order-only changes ignored.
 */
import type { Collection } from "../internal/spaceSchema.js"
import { collections, GenieSpaceExport, isRecord, keyOf } from "../internal/spaceSchema.js"
import type { MessageSpec } from "../internal/spaceSchema.js"
import type { SerializedSpace } from "./Space.js"
import { canonicalize } from "./Space.js"

/**
 * An item present only on one side.
 *
 * @category models
 */
export interface Entry {
  readonly key: string
  readonly value: unknown
}

/**
 * An item present on both sides with different content. `fields` names the item's top-level fields that differ;
 * for tables, column changes are spelled `column_configs[<column_name>].<field>`, `+column_configs[<name>]` (added)
 * and `-column_configs[<name>]` (removed).
 *
 * @category models
 */
export interface Change {
  readonly key: string
  readonly before: unknown
  readonly after: unknown
  readonly fields: ReadonlyArray<string>
}

/**
 * The differences within one section: a collection (`data_sources.tables`, `instructions.sql_snippets.measures`,
 * `benchmarks.questions`, …), `version`, or `other` (fields outside the known collections, compared as whole values
 * and keyed by dotted path).
 *
 * @category models
 */
export interface SectionDiff {
  readonly section: string
  readonly added: ReadonlyArray<Entry>
  readonly removed: ReadonlyArray<Entry>
  readonly changed: ReadonlyArray<Change>
}

/**
 * The differences between two spaces; `sections` lists only sections that differ.
 *
 * @category models
 */
export interface SpaceDiff {
  readonly sections: ReadonlyArray<SectionDiff>
  readonly identical: boolean
}

/** Deep equality of JSON values, ignoring object key order. */
const equal = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => equal(x, b[i]))
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined)
    const kb = Object.keys(b).filter((k) => b[k] !== undefined)
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k]))
  }
  return false
}

const at = (root: unknown, path: ReadonlyArray<string>): unknown =>
  path.reduce<unknown>((node, segment) => (isRecord(node) ? node[segment] : undefined), root)

/** Items keyed by identity; items without a usable key fall back to their position, repeated keys get a suffix. */
const keyed = (list: unknown, key: ReadonlyArray<string>): Map<string, unknown> => {
  const out = new Map<string, unknown>()
  if (!Array.isArray(list)) return out
  list.forEach((item: unknown, i) => {
    const parts = keyOf(item, key)
    let k = key.length === 0 || parts.includes(undefined) ? `#${i}` : parts.join(" ")
    for (let n = 2; out.has(k); n++) k = `${parts.join(" ")}#${n}`
    out.set(k, item)
  })
  return out
}

const changedFields = (before: unknown, after: unknown, nested: boolean): ReadonlyArray<string> => {
  if (!isRecord(before) || !isRecord(after)) return []
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])]
  return names.flatMap((name) => {
    if (equal(before[name], after[name])) return []
    if (nested && name === "column_configs") return columnChanges(before[name], after[name])
    return [name]
  })
}

const columnChanges = (before: unknown, after: unknown): ReadonlyArray<string> => {
  const d = compareLists(before, after, ["column_name"], false)
  return [
    ...d.changed.flatMap((c) => c.fields.map((f) => `column_configs[${c.key}].${f}`)),
    ...d.added.map((e) => `+column_configs[${e.key}]`),
    ...d.removed.map((e) => `-column_configs[${e.key}]`)
  ]
}

const compareLists = (
  a: unknown,
  b: unknown,
  key: ReadonlyArray<string>,
  nestedColumns: boolean
): Omit<SectionDiff, "section"> => {
  const before = keyed(a, key)
  const after = keyed(b, key)
  const added: Array<Entry> = []
  const removed: Array<Entry> = []
  const changed: Array<Change> = []
  for (const [k, value] of before) {
    if (!after.has(k)) removed.push({ key: k, value })
  }
  for (const [k, value] of after) {
    if (!before.has(k)) added.push({ key: k, value })
    else if (!equal(before.get(k), value)) {
      const old = before.get(k)
      changed.push({ key: k, before: old, after: value, fields: changedFields(old, value, nestedColumns) })
    }
  }
  return { added, removed, changed }
}

const sectionOf = (collection: Collection, a: unknown, b: unknown): SectionDiff => ({
  section: collection.name,
  ...compareLists(
    at(a, collection.path),
    at(b, collection.path),
    collection.key,
    collection.message.fields.column_configs !== undefined
  )
})

/** Fields outside the known collections: unknown sections, unknown keys in known containers, `version`. */
const others = (
  a: unknown,
  b: unknown,
  spec: MessageSpec,
  path: ReadonlyArray<string>,
  out: Array<Change | (Entry & { side: "+" | "-" })>
) => {
  const ra = isRecord(a) ? a : {}
  const rb = isRecord(b) ? b : {}
  for (const name of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
    const field = Object.hasOwn(spec.fields, name) ? spec.fields[name] : undefined
    const here = [...path, name]
    if (field?.kind._tag === "List" || (path.length === 0 && name === "version")) continue
    if (
      field?.kind._tag === "Message" &&
      (isRecord(ra[name]) || ra[name] === undefined) &&
      (isRecord(rb[name]) || rb[name] === undefined)
    ) {
      others(ra[name], rb[name], field.kind.message, here, out)
      continue
    }
    const key = here.join(".")
    if (!Object.hasOwn(ra, name)) out.push({ key, value: rb[name], side: "+" })
    else if (!Object.hasOwn(rb, name)) out.push({ key, value: ra[name], side: "-" })
    else if (!equal(ra[name], rb[name])) out.push({ key, before: ra[name], after: rb[name], fields: [] })
  }
}

/**
 * Compares two spaces section by section.
 *
 * **Details**
 * Items are matched by `id`; tables and metric views by `identifier`; SQL functions by `(id, identifier)`; column
 * configs by `column_name` inside a changed table. Both sides are canonicalized first, so pure reordering is not a
 * change.
 *
 * @category constructors
 */
export const diff = (a: SerializedSpace, b: SerializedSpace): SpaceDiff => {
  const ca = canonicalize(a)
  const cb = canonicalize(b)
  const sections: Array<SectionDiff> = []
  if (!equal(ca.version, cb.version)) {
    sections.push({
      section: "version",
      added: [],
      removed: [],
      changed: [{ key: "version", before: ca.version, after: cb.version, fields: [] }]
    })
  }
  for (const collection of collections) sections.push(sectionOf(collection, ca, cb))
  const rest: Array<Change | (Entry & { side: "+" | "-" })> = []
  others(ca, cb, GenieSpaceExport, [], rest)
  sections.push({
    section: "other",
    added: rest.flatMap((e) => ("side" in e && e.side === "+" ? [{ key: e.key, value: e.value }] : [])),
    removed: rest.flatMap((e) => ("side" in e && e.side === "-" ? [{ key: e.key, value: e.value }] : [])),
    changed: rest.flatMap((e) => ("before" in e ? [e] : []))
  })
  const nonEmpty = sections.filter((s) => s.added.length + s.removed.length + s.changed.length > 0)
  return { sections: nonEmpty, identical: nonEmpty.length === 0 }
}

const firstLine = (u: unknown): string | undefined => {
  const text = Array.isArray(u)
    ? u.filter((x) => typeof x === "string").join("")
    : typeof u === "string"
      ? u
      : undefined
  const line = text?.trim().split("\n")[0]?.trim()
  if (line === undefined || line === "") return undefined
  return line.length > 60 ? `${line.slice(0, 59)}…` : line
}

/** A human label for an item: its question, display name or alias. */
const labelOf = (item: unknown): string => {
  if (!isRecord(item)) return ""
  const label = firstLine(item.question) ?? firstLine(item.display_name) ?? firstLine(item.alias)
  return label === undefined ? "" : `  ${JSON.stringify(label)}`
}

/**
 * Renders a diff as text: one block per section with `+ added`, `- removed` and `~ changed (fields)` lines.
 *
 * @category constructors
 */
export const formatDiff = (d: SpaceDiff): string => {
  if (d.identical) return "No differences."
  return d.sections
    .map((s) => {
      const lines = [
        ...s.added.map((e) => `  + ${e.key}${labelOf(e.value)}`),
        ...s.removed.map((e) => `  - ${e.key}${labelOf(e.value)}`),
        ...s.changed.map(
          (c) =>
            `  ~ ${c.key}${labelOf(c.after)}${c.fields.length > 0 ? ` (${c.fields.join(", ")})` : s.section === "version" ? ` (${String(c.before)} → ${String(c.after)})` : ""}`
        )
      ]
      return [s.section, ...lines].join("\n")
    })
    .join("\n\n")
}
