/**
 * What never appears in a report: secrets (the values of secret environment variables, and anything shaped like a
 * Databricks, OpenAI or Anthropic token or a bearer header) and, when the run had `sendRows: false`, result values
 * (rows, differing cells, sample rows, Genie's text answer, which often quotes them).
 *
 * **Details**
 * Both passes work on `ReportData`, before any renderer sees it, and are idempotent; `Reports.render` applies them
 * again, so report data built by hand is held to the same rules.
 */
import { Secrets } from "@genie-enhancer/core"
import type { BenchmarkRow, ReportData, ResultSample } from "./ReportData.js"

/** What replaces a secret. @category constants */
export const placeholder = "[REDACTED]"

/** What replaces a hidden value. @category constants */
export const hiddenText = "[hidden: the run had sendRows: false]"

/** Names of environment variables whose values are treated as secrets, besides `Secrets.secretEnvVars`. */
const secretName = /(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|APIKEY|PRIVATE_KEY|CREDENTIAL)/i

/** Token shapes, whatever variable they came from. */
const patterns: ReadonlyArray<RegExp> = [
  /\bdapi[0-9a-f]{32}(?:-\d+)?\b/gi,
  /\bsk-ant-[A-Za-z0-9_-]{10,}/g,
  /\bsk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{20,}/g,
  /\b(?:ghp|gho|ghs|github_pat)_[A-Za-z0-9_]{20,}/g,
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g
]

/** `Bearer <token>` and `NAME=value` / `"name": "value"` for secret-looking names. */
const contextual: ReadonlyArray<RegExp> = [
  /(\bBearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  /(\b[A-Z0-9_]*(?:TOKEN|SECRET|PASSWORD|API_KEY)[A-Z0-9_]*\s*[=:]\s*["']?)[^\s"',;]{4,}/g,
  /(["'](?:api_key|apiKey|access_token|client_secret|password|token)["']\s*:\s*["'])[^"']{4,}/g
]

/**
 * Secret values to remove: the environment's values of `Secrets.secretEnvVars` and of variables named like a
 * secret (`*_TOKEN`, `*_SECRET`, `*_API_KEY`, …), at least 8 characters long so short values never blank out
 * ordinary words.
 *
 * @category constructors
 */
export const secretsFromEnv = (env: Readonly<Record<string, string | undefined>>): ReadonlyArray<string> => {
  const values = new Set<string>()
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue
    const trimmed = value.trim()
    if (trimmed.length < 8) continue
    if (Secrets.secretEnvVars.includes(name) || secretName.test(name)) values.add(trimmed)
  }
  // Longest first, so a secret containing another is replaced whole.
  return [...values].sort((a, b) => b.length - a.length)
}

/**
 * A function replacing every secret in a string; returns the string and how many replacements it made.
 *
 * @category constructors
 */
export const scrubber = (secrets: ReadonlyArray<string>) => {
  return (text: string): { readonly text: string; readonly count: number } => {
    let count = 0
    let out = text
    for (const secret of secrets) {
      if (out.includes(secret)) {
        const parts = out.split(secret)
        count += parts.length - 1
        out = parts.join(placeholder)
      }
    }
    for (const pattern of patterns) {
      out = out.replace(pattern, () => {
        count++
        return placeholder
      })
    }
    for (const pattern of contextual) {
      out = out.replace(pattern, (match: string, prefix: string) => {
        if (match.endsWith(placeholder)) return match
        count++
        return `${prefix}${placeholder}`
      })
    }
    return { text: out, count }
  }
}

/** Applies `f` to every string in a JSON value (keys included), rebuilding the value. */
const mapStrings = (value: unknown, f: (s: string) => string): unknown => {
  if (typeof value === "string") return f(value)
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f))
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [f(k), mapStrings(v, f)]))
  }
  return value
}

/**
 * Replaces every secret in any string of the report (the `secrets` given, plus token shapes) with `[REDACTED]`,
 * and counts them in `privacy.redactions`.
 *
 * @category redaction
 */
export const scrubSecrets = (data: ReportData, secrets: ReadonlyArray<string>): ReportData => {
  const scrub = scrubber(secrets)
  let count = 0
  const out = mapStrings(data, (s) => {
    const r = scrub(s)
    count += r.count
    return r.text
  }) as ReportData
  return { ...out, privacy: { ...out.privacy, redactions: data.privacy.redactions + count } }
}

const hideSample = (sample: ResultSample): ResultSample => {
  const { rows, ...rest } = sample
  return rows === undefined ? rest : { ...rest, hidden: true }
}

/** Every value of a Genie text answer, as it may be quoted in evidence and findings. */
const hideText = (text: string | undefined) => (s: string) =>
  text === undefined || text.length === 0 || !s.includes(text) ? s : s.split(text).join(hiddenText)

const hideRow = (row: BenchmarkRow): BenchmarkRow => {
  const genieText = row.genie?.text
  const hide = hideText(genieText)
  const { expected, actual, genie, evidence, diagnosis, ...rest } = row
  const out: { -readonly [K in keyof BenchmarkRow]: BenchmarkRow[K] } = { ...rest }
  if (expected !== undefined) out.expected = hideSample(expected)
  if (actual !== undefined) out.actual = hideSample(actual)
  if (genie !== undefined) {
    const { text, ...g } = genie
    out.genie = text === undefined ? g : { ...g, text: hiddenText }
  }
  if (evidence !== undefined) {
    const { differences, sampleMissingRows, sampleExtraRows, message, ...e } = evidence
    void sampleMissingRows
    void sampleExtraRows
    out.evidence = {
      ...e,
      ...(differences === undefined
        ? {}
        : { differences: differences.map((d) => ({ row: d.row, column: d.column, expected: null, actual: null })) }),
      ...(message === undefined ? {} : { message: hide(message) })
    }
  }
  if (diagnosis !== undefined) {
    out.diagnosis = {
      category: diagnosis.category,
      findings: diagnosis.findings.map((f) => ({ ...f, message: hide(f.message) }))
    }
  }
  return out
}

/**
 * With `sendRows: false`, removes every result value: result rows, the values of differing cells (row and column
 * are kept), sample missing and extra rows, and Genie's text answer (wherever it is quoted). A no-op otherwise.
 *
 * @category redaction
 */
export const hideResultValues = (data: ReportData): ReportData =>
  data.privacy.sendRows ? data : { ...data, benchmarks: data.benchmarks.map(hideRow) }

/**
 * Both passes: result values (per `privacy.sendRows`), then secrets.
 *
 * @category redaction
 */
export const apply = (data: ReportData, secrets: ReadonlyArray<string>): ReportData =>
  scrubSecrets(hideResultValues(data), secrets)
