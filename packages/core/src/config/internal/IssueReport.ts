/**
 * Issues found while loading a profile, each attributed to the layer that caused it, and how they become the one
 * `ConfigInvalid` a command reports.
 */
import { ConfigInvalid } from "../../model/Errors.js"
import type * as Issue from "../../model/Issue.js"
import { locateIssues } from "../../internal/sourceLocation.js"

/** An issue attributed to a source (a file path, `env X`, `--flag`, `default`), before location. */
export interface Sourced {
  readonly source: string
  readonly issue: Issue.Issue
}

const issueOrder = (
  source: string,
  flags: ReadonlyArray<{ readonly source: string }>,
  files: ReadonlyArray<string>
): number => {
  const flag = flags.findIndex((f) => f.source === source)
  if (flag >= 0) return flag
  if (source.startsWith("env ")) return 1000
  const file = files.indexOf(source)
  // Files: the selected (last) file first, then its parents.
  return file >= 0 ? 2000 + (files.length - file) : 3000
}

/**
 * Fails with one `ConfigInvalid` for the source the user most likely touched last (a flag, then an environment
 * variable, then the selected file, then its parents); issues from other sources are kept in the same error with
 * their file and line moved into the message, so nothing is lost.
 */
export const failWith = (
  sourced: ReadonlyArray<Sourced>,
  texts: ReadonlyMap<string, string>,
  flags: ReadonlyArray<{ readonly source: string }>,
  files: ReadonlyArray<string>
): ConfigInvalid => {
  const bySource = new Map<string, Array<Issue.Issue>>()
  const seen = new Set<string>()
  for (const { source, issue } of sourced) {
    const key = `${source}\u0000${issue.path}\u0000${issue.code}`
    if (seen.has(key)) continue
    seen.add(key)
    bySource.set(source, [...(bySource.get(source) ?? []), issue])
  }
  const located = [...bySource.entries()]
    .map(([source, issues]) => {
      const text = texts.get(source)
      return { source, issues: text === undefined ? issues : locateIssues(text, issues) }
    })
    .sort((a, b) => issueOrder(a.source, flags, files) - issueOrder(b.source, flags, files))
  const [primary, ...others] = located
  const moved = others.flatMap(({ source, issues }) =>
    issues.map(({ line, column: _column, ...issue }) => ({
      ...issue,
      message: `in ${source}${line === undefined ? "" : `:${line}`}: ${issue.message}`
    }))
  )
  return new ConfigInvalid({ source: primary?.source ?? "profile", issues: [...(primary?.issues ?? []), ...moved] })
}
