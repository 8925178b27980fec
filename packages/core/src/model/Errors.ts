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
  reason: Schema.optional(Schema.String),
  /** Where the profile names it: the file and the JSON path (`$.scorer.plugin`). */
  source: Schema.optional(Schema.String),
  path: Schema.optional(Schema.String)
}) {
  override get message(): string {
    const where = this.path === undefined ? "" : `${this.source === undefined ? "" : `${this.source}: `}${this.path}: `
    return `${where}${this.detail}`
  }

  /** The message without its location, for an issue that carries the location itself. */
  get detail(): string {
    const why = this.reason === undefined ? "" : ` (${this.reason})`
    return `Plugin "${this.id}" was not found${why}. Available: ${this.available.join(", ") || "none"}.`
  }
}

/**
 * Why a call to an external provider (LLM, Databricks REST) failed.
 *
 * @category errors
 */
export const ProviderErrorReason = Schema.Literal(
  "RateLimited",
  "Timeout",
  "Auth",
  "BadRequest",
  "Server",
  "Network",
  "InvalidOutput"
)
export type ProviderErrorReason = typeof ProviderErrorReason.Type

/**
 * One failed call to an external provider (an LLM or a model-serving endpoint), mapped from the vendor's error in
 * exactly one place per provider.
 *
 * **Details**
 * `retryable` tells the safety layer whether another attempt may succeed (rate limits, timeouts, 5xx, network);
 * `retryAfterMs` carries the provider's `Retry-After`. `rawOutput` keeps the model's text for `InvalidOutput`, so a
 * report can show what came back. Messages never contain secrets or request payloads.
 *
 * @category errors
 */
export class ProviderError extends Schema.TaggedError<ProviderError>()("ProviderError", {
  provider: Schema.String,
  reason: ProviderErrorReason,
  message: Schema.String,
  retryable: Schema.Boolean,
  retryAfterMs: Schema.optionalWith(Schema.Number, { exact: true }),
  status: Schema.optionalWith(Schema.Number, { exact: true }),
  rawOutput: Schema.optionalWith(Schema.String, { exact: true })
}) {}

/**
 * Credentials are missing, ambiguous, rejected or cannot be refreshed.
 *
 * @category errors
 */
export class AuthFailed extends Schema.TaggedError<AuthFailed>()("AuthFailed", {
  message: Schema.String,
  /** The workspace or provider the credentials were for, when known. */
  host: Schema.optionalWith(Schema.String, { exact: true })
}) {}

/**
 * True for an error another attempt may fix: any error carrying `retryable: true` (the convention every
 * retryable error in Genie Enhancer follows; the safety layer retries only these).
 *
 * @category error handling
 */
export const isRetryable = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { readonly retryable?: unknown }).retryable === true

/**
 * The delay a server asked for (`Retry-After`), from an error carrying `retryAfterMs`.
 *
 * @category error handling
 */
export const retryAfterMs = (error: unknown): number | undefined => {
  const value =
    typeof error === "object" && error !== null ? (error as { retryAfterMs?: unknown }).retryAfterMs : undefined
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined
}
