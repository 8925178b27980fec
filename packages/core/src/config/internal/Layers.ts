/**
 * Merging profile layers (defaults, files, environment, flags) while recording which layer set each value, so a
 * problem in the merged profile can be reported in the file, variable or flag that caused it.
 */
import * as Issue from "../../model/Issue.js"
import type { PathSegment } from "../../model/Issue.js"
import type { Json } from "./ProfileData.js"
import { isMapping } from "./ProfileData.js"

/** Who set each value, keyed by JSON path; objects record the last layer that touched them. */
export type Origins = Map<string, string>

const clearUnder = (origins: Origins, path: string): void => {
  for (const key of [...origins.keys()]) {
    if (key.startsWith(`${path}.`) || key.startsWith(`${path}[`)) origins.delete(key)
  }
}

/**
 * Lays `over` on top of `base`: mappings merge key by key, lists and scalars replace (and forget the origins of
 * what they replace).
 */
export const mergeLayer = (
  base: unknown,
  over: unknown,
  at: ReadonlyArray<PathSegment>,
  source: string,
  origins: Origins
): unknown => {
  const key = Issue.formatPath(at)
  if (isMapping(over)) {
    if (!isMapping(base)) clearUnder(origins, key)
    origins.set(key, source)
    const result: Json = isMapping(base) ? { ...base } : {}
    for (const [k, v] of Object.entries(over)) result[k] = mergeLayer(result[k], v, [...at, k], source, origins)
    return result
  }
  clearUnder(origins, key)
  origins.set(key, source)
  return over
}

/** The layer that set `segments` or, for a missing key, its closest ancestor. */
export const sourceOf = (origins: Origins, segments: ReadonlyArray<PathSegment>): string => {
  for (let n = segments.length; n >= 0; n--) {
    const hit = origins.get(Issue.formatPath(segments.slice(0, n)))
    if (hit !== undefined) return hit
  }
  return "default"
}

/** Drops keys set to `null`: a `null` in a layer clears an inherited value. */
export const stripNulls = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(stripNulls)
  if (!isMapping(value)) return value
  const out: Json = {}
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = stripNulls(v)
  return out
}

/** The origin of every leaf of `value` (lists count as leaves), keyed by dotted path: `safety.genie.concurrency`. */
export const dottedOrigins = (
  value: unknown,
  at: ReadonlyArray<PathSegment>,
  origins: Origins,
  out: Record<string, string>
) => {
  if (isMapping(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) dottedOrigins(v, [...at, k], origins, out)
    return
  }
  out[at.join(".")] = sourceOf(origins, at)
}
