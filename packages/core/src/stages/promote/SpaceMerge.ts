/**
 * Three-way merge of space configurations, per item id: `base` is production when the run started, `ours` the
 * enhanced configuration, `theirs` production now. Used by promotion when someone edited production during a run.
 *
 * **Details**
 * Lists of the format with an identity (tables by `identifier`, column configs by `column_name`, instructions,
 * examples, join specs and snippets by `id`, …) are merged item by item; an item changed on both sides is merged
 * field by field (a table's column configs column by column), so two edits conflict only when they touch the same
 * field of the same item. Any other value merges as a whole: the side that changed it wins, both sides changing it
 * the same way is no conflict, both changing it differently is one. The result is canonicalized (sorted as the API
 * wants).
 */
import { GenieSpaceExport, isRecord, keyOf } from "../../internal/spaceSchema.js"
import type { MessageSpec } from "../../internal/spaceSchema.js"
import type { SerializedSpace } from "../../model/Space.js"
import { canonicalize } from "../../model/Space.js"

/**
 * Both sides changed the same value differently. `path` locates it: dotted fields, with `[key]` for list items
 * (`instructions.sql_snippets.measures[<id>].sql`).
 *
 * @category models
 */
export interface Conflict {
  readonly path: string
  readonly base: unknown
  readonly ours: unknown
  readonly theirs: unknown
}

/**
 * The merged space, or the conflicts that prevent it.
 *
 * @category models
 */
export type MergeResult =
  | { readonly _tag: "Merged"; readonly space: SerializedSpace; readonly theirsChanged: ReadonlyArray<string> }
  | { readonly _tag: "Conflicts"; readonly conflicts: ReadonlyArray<Conflict> }

/** Deep equality of JSON values, ignoring object key order; `undefined` fields count as absent. */
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

interface Context {
  readonly conflicts: Array<Conflict>
  /** Paths production changed since the base (for the report). */
  readonly theirsChanged: Array<string>
}

const whole = (path: string, base: unknown, ours: unknown, theirs: unknown, ctx: Context): unknown => {
  if (equal(ours, theirs)) return ours
  if (equal(base, ours)) {
    ctx.theirsChanged.push(path)
    return theirs
  }
  if (equal(base, theirs)) return ours
  ctx.conflicts.push({ path, base, ours, theirs })
  return ours
}

const mergeMessage = (
  path: string,
  base: unknown,
  ours: unknown,
  theirs: unknown,
  spec: MessageSpec,
  ctx: Context
): unknown => {
  if (!(isRecord(ours) && isRecord(theirs) && (base === undefined || isRecord(base)))) {
    return whole(path, base, ours, theirs, ctx)
  }
  const b: Readonly<Record<string, unknown>> = base ?? {}
  const out: Record<string, unknown> = {}
  const names = [...new Set([...Object.keys(ours), ...Object.keys(theirs), ...Object.keys(b)])]
  for (const name of names) {
    const here = path === "" ? name : `${path}.${name}`
    const field = Object.hasOwn(spec.fields, name) ? spec.fields[name] : undefined
    const kind = field?.kind
    const value =
      kind?._tag === "Message"
        ? b[name] === undefined && (ours[name] === undefined || theirs[name] === undefined)
          ? whole(here, b[name], ours[name], theirs[name], ctx)
          : mergeMessage(here, b[name], ours[name] ?? {}, theirs[name] ?? {}, kind.message, ctx)
        : kind?._tag === "List" && kind.key !== undefined && kind.key.length > 0
          ? mergeList(here, b[name], ours[name], theirs[name], kind.message, kind.key, ctx)
          : whole(here, b[name], ours[name], theirs[name], ctx)
    if (value !== undefined) out[name] = value
  }
  return out
}

const keyed = (list: unknown, key: ReadonlyArray<string>): Map<string, unknown> => {
  const out = new Map<string, unknown>()
  if (!Array.isArray(list)) return out
  list.forEach((item: unknown, i) => {
    const parts = keyOf(item, key)
    out.set(parts.includes(undefined) ? `#${i}` : parts.join(" "), item)
  })
  return out
}

const mergeList = (
  path: string,
  base: unknown,
  ours: unknown,
  theirs: unknown,
  spec: MessageSpec,
  key: ReadonlyArray<string>,
  ctx: Context
): unknown => {
  if (equal(ours, theirs)) return ours
  if (!Array.isArray(ours) && ours !== undefined) return whole(path, base, ours, theirs, ctx)
  if (!Array.isArray(theirs) && theirs !== undefined) return whole(path, base, ours, theirs, ctx)
  const b = keyed(base, key)
  const o = keyed(ours, key)
  const t = keyed(theirs, key)
  const keys = [...new Set([...o.keys(), ...t.keys(), ...b.keys()])]
  const out: Array<unknown> = []
  for (const k of keys) {
    const here = `${path}[${k}]`
    const [bv, ov, tv] = [b.get(k), o.get(k), t.get(k)]
    const merged =
      ov !== undefined && tv !== undefined && !equal(ov, tv) && !equal(bv, ov) && !equal(bv, tv)
        ? mergeMessage(here, bv, ov, tv, spec, ctx)
        : whole(here, bv, ov, tv, ctx)
    if (merged !== undefined) out.push(merged)
  }
  return ours === undefined && theirs === undefined ? undefined : out
}

/**
 * Merges `ours` (the enhanced configuration) and `theirs` (production now) against `base` (production at the start).
 *
 * @category constructors
 */
export const merge = (base: SerializedSpace, ours: SerializedSpace, theirs: SerializedSpace): MergeResult => {
  const ctx: Context = { conflicts: [], theirsChanged: [] }
  const merged = mergeMessage("", base, ours, theirs, GenieSpaceExport, ctx)
  return ctx.conflicts.length > 0
    ? { _tag: "Conflicts", conflicts: ctx.conflicts }
    : { _tag: "Merged", space: canonicalize(merged as SerializedSpace), theirsChanged: ctx.theirsChanged }
}

const show = (value: unknown): string => {
  if (value === undefined) return "(absent)"
  const text = JSON.stringify(value)
  return text.length > 100 ? `${text.slice(0, 99)}…` : text
}

/**
 * A readable report of conflicts: one block per conflicting value with what each side has.
 *
 * @category constructors
 */
export const formatConflicts = (conflicts: ReadonlyArray<Conflict>): string =>
  conflicts
    .map((c) =>
      [
        `✗ ${c.path}`,
        `    at the start of the run: ${show(c.base)}`,
        `    enhanced (ours):         ${show(c.ours)}`,
        `    production now (theirs): ${show(c.theirs)}`
      ].join("\n")
    )
    .join("\n")
