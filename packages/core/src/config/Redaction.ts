/**
 * Redaction of secret values from text that came from a server (error bodies, messages) before it is printed or
 * stored: a server that echoes the request's `Authorization` header must not get the token into stderr, `--json`,
 * the journal or a report.
 *
 * **Details**
 * The process keeps one registry of every secret value it knows: the environment's (`Secrets.secretEnvVars` and
 * any `*_TOKEN`, `*_SECRET`, `*_API_KEY`, `*_PASSWORD` variable), `~/.databrickscfg` credentials and OAuth access
 * tokens as the Databricks adapter obtains them, the emulator's token. `redact` replaces each occurrence (and
 * `Bearer <anything>`) with `***`. A registry rather than a service because redaction happens at every output
 * boundary, including the CLI's error rendering outside any Effect runtime.
 */
import { Redacted } from "effect"

const known = new Set<string>()
let pattern: RegExp | undefined

/** Shorter values would redact ordinary words; no real token is this short. */
const minLength = 8

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** A bearer credential in an echoed header or message, whatever its value (`Bearer` only: "Basic" is a word). */
const bearer = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/g

/**
 * The text every redacted value is replaced with.
 *
 * @category constructors
 */
export const mask = "***"

/**
 * Adds secret values to the registry (`Redacted` or plain; blank and very short values are ignored).
 *
 * @category constructors
 */
export const register = (...values: ReadonlyArray<string | Redacted.Redacted<string> | undefined>): void => {
  let changed = false
  for (const value of values) {
    if (value === undefined) continue
    const text = (Redacted.isRedacted(value) ? Redacted.value(value) : value).trim()
    if (text.length < minLength || known.has(text)) continue
    known.add(text)
    changed = true
  }
  if (changed) {
    // Longest first, so a secret that contains another is removed whole.
    const sorted = [...known].sort((a, b) => b.length - a.length)
    pattern = new RegExp(sorted.map(escape).join("|"), "g")
  }
}

/** `Secrets.secretEnvVars` and every variable named like a secret (`*_TOKEN`, `*_CLIENT_SECRET`, `*_API_KEY`, …). */
const secretName = /(_TOKEN|_SECRET|_API_KEY|_APIKEY|_PASSWORD|_PASSWD)$/i

/**
 * Registers the secrets of an environment: the known secret variables and any variable whose name says it holds one.
 *
 * @category constructors
 */
export const registerEnv = (env: Readonly<Record<string, string | undefined>>): void =>
  register(
    ...Object.entries(env)
      .filter(([name]) => secretName.test(name))
      .map(([, value]) => value)
  )

/**
 * `text` with every registered secret value and every `Bearer …` credential replaced by {@link mask}.
 *
 * @category constructors
 */
export const redact = (text: string): string => {
  const withoutKnown = pattern === undefined ? text : text.replace(pattern, mask)
  return withoutKnown.replace(bearer, (_, scheme: string) => `${scheme} ${mask}`)
}

/**
 * A JSON-like value with {@link redact} applied to every string in it (keys included).
 *
 * @category constructors
 */
export const redactDeep = <A>(value: A): A => {
  if (typeof value === "string") return redact(value) as A
  if (Array.isArray(value)) return value.map(redactDeep) as A
  if (typeof value === "object" && value !== null && !Redacted.isRedacted(value)) {
    const prototype = Object.getPrototypeOf(value) as unknown
    if (prototype !== Object.prototype && prototype !== null) return value
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactDeep(v)])) as A
  }
  return value
}

/**
 * Whether `text` holds a registered secret value (for tests and checks).
 *
 * @category predicates
 */
export const containsSecret = (text: string): boolean => {
  if (pattern === undefined) return false
  pattern.lastIndex = 0
  return pattern.test(text)
}
