import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml"
import type { Node } from "yaml"
import type { Issue, PathSegment } from "../model/Issue.js"

/** Parses a JSON path produced by `Issue.formatPath` back into segments. */
export const parsePath = (path: string): Array<PathSegment> => {
  const segments: Array<PathSegment> = []
  const re = /\.([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g
  for (const m of path.slice(1).matchAll(re)) {
    if (m[1] !== undefined) segments.push(m[1])
    else if (m[2] !== undefined) segments.push(Number(m[2]))
    else if (m[3] !== undefined) segments.push(JSON.parse(m[3]) as string)
  }
  return segments
}

/**
 * Finds where each issue's path sits in a YAML or JSON source (JSON is YAML) and fills `line`/`column`.
 * Paths that run past the document (a missing key) point at the deepest existing ancestor; the key itself
 * is preferred for unknown-field issues so the editor jumps to the typo.
 */
export const locateIssues = (text: string, issues: ReadonlyArray<Issue>): Array<Issue> => {
  if (issues.length === 0) return []
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: false, uniqueKeys: false })
  return issues.map((issue) => {
    if (issue.line !== undefined) return issue
    const offset = offsetOf(doc.contents, parsePath(issue.path))
    if (offset === undefined) return issue
    const pos = lineCounter.linePos(offset)
    return { ...issue, line: pos.line, column: pos.col }
  })
}

const offsetOf = (root: unknown, segments: ReadonlyArray<PathSegment>): number | undefined => {
  let node = root as Node | null
  let best: number | undefined = node?.range?.[0]
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment))
      if (pair === undefined) return best
      // Point at the key: that is where a reader looks for a wrong or unknown field.
      if (isScalar(pair.key) && pair.key.range) best = pair.key.range[0]
      node = pair.value as Node | null
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment] as Node | undefined
      if (item === undefined) return best
      node = item
      if (node.range) best = node.range[0]
    } else {
      return best
    }
  }
  return best
}
