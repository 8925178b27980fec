/**
 * A located problem found in an input file (space, benchmarks, profile, plugin options).
 *
 * **Details**
 * Every validator in core reports problems as `Issue`s rather than throwing, so a command can print all of them at
 * once. `path` is a JSON path (`$.data_sources.tables[0].identifier`); `line`/`column` are 1-based positions in the
 * source text when the loader could find them.
 *
 * @category models
 */
export interface Issue {
  /** Stable machine-readable code, e.g. `UnknownField`, `DuplicateId`, `Unsorted`. */
  readonly code: string
  /** JSON path of the offending value, `$` for the document root. */
  readonly path: string
  /** What is wrong and what was expected, in one sentence. */
  readonly message: string
  readonly severity: "error" | "warning"
  /** The file the issue is in, when it differs from the source being validated (e.g. a profile's parent). */
  readonly file?: string
  readonly line?: number
  readonly column?: number
  /** A close valid alternative ("did you mean …"), when one exists. */
  readonly suggestion?: string
}

/** @category constructors */
export const error = (code: string, path: string, message: string, extra?: Partial<Issue>): Issue => ({
  code,
  path,
  message,
  severity: "error",
  ...extra
})

/** @category constructors */
export const warning = (code: string, path: string, message: string, extra?: Partial<Issue>): Issue => ({
  code,
  path,
  message,
  severity: "warning",
  ...extra
})

/** Segments of a JSON path: object keys and array indexes. @category models */
export type PathSegment = string | number

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/**
 * Renders path segments as a JSON path: `["a", 0, "b c"]` → `$.a[0]["b c"]`.
 *
 * @category constructors
 */
export const formatPath = (segments: ReadonlyArray<PathSegment>): string =>
  segments.reduce<string>(
    (acc, s) =>
      typeof s === "number" ? `${acc}[${s}]` : identifier.test(s) ? `${acc}.${s}` : `${acc}[${JSON.stringify(s)}]`,
    "$"
  )

/** True when at least one issue is an error (warnings alone do not fail validation). @category models */
export const hasErrors = (issues: ReadonlyArray<Issue>): boolean => issues.some((i) => i.severity === "error")

/**
 * One line per issue: `file:line:col  $.path  message (did you mean "x"?)`.
 *
 * @category constructors
 */
export const formatIssue = (issue: Issue, source?: string): string => {
  const where = [issue.file ?? source, issue.line, issue.line === undefined ? undefined : issue.column]
    .filter((x) => x !== undefined)
    .join(":")
  const hint = issue.suggestion === undefined ? "" : ` (did you mean "${issue.suggestion}"?)`
  return `${where === "" ? "" : `${where}  `}${issue.severity === "warning" ? "warning " : ""}${issue.path}  ${issue.message}${hint}`
}
