import { Schema } from "effect"

const IssueSchema = Schema.Struct({
  code: Schema.String,
  path: Schema.String,
  message: Schema.String,
  severity: Schema.Literal("error", "warning"),
  file: Schema.optionalWith(Schema.String, { exact: true }),
  line: Schema.optionalWith(Schema.Number, { exact: true }),
  column: Schema.optionalWith(Schema.Number, { exact: true }),
  suggestion: Schema.optionalWith(Schema.String, { exact: true })
})

/**
 * An input (profile, space file, benchmark file, plugin options) is malformed. Carries every issue found, each
 * with its JSON path and, where known, its line.
 *
 * @category errors
 */
export class ConfigInvalid extends Schema.TaggedError<ConfigInvalid>()("ConfigInvalid", {
  /** The file (or other source, e.g. `--flag`, `env GENIE_ENHANCER_…`) the issues are about. */
  source: Schema.String,
  issues: Schema.Array(IssueSchema)
}) {
  override get message(): string {
    const first = this.issues[0]
    const more = this.issues.length > 1 ? ` (and ${this.issues.length - 1} more)` : ""
    return first === undefined
      ? `${this.source} is invalid`
      : `${this.source}${first.line === undefined ? "" : `:${first.line}`}: ${first.path} ${first.message}${more}`
  }
}

/**
 * A profile names a plugin (built-in id or module specifier) that cannot be found.
 *
 * @category errors
 */
export class PluginNotFound extends Schema.TaggedError<PluginNotFound>()("PluginNotFound", {
  id: Schema.String,
  available: Schema.Array(Schema.String),
  reason: Schema.optional(Schema.String)
}) {
  override get message(): string {
    const why = this.reason === undefined ? "" : ` (${this.reason})`
    return `Plugin "${this.id}" was not found${why}. Available: ${this.available.join(", ") || "none"}.`
  }
}
