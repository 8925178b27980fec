/**
 * Loads a profile: follows its `extends` chain, layers environment and flag overrides on top, validates the result
 * and reports every problem as an `Issue` located in the file (and line) that set the offending value.
 *
 * **Details**
 * Layers, lowest first: the built-in `defaults` → the `extends` chain, root first → `GENIE_ENHANCER_*` environment
 * variables → flag overrides. Objects merge key by key; lists and scalars replace. An optional key set to `null`
 * clears an inherited value.
 */
import { FileSystem, Path } from "@effect/platform"
import { Ajv } from "ajv"
import type { ErrorObject } from "ajv"
import addFormats from "ajv-formats"
import { Effect } from "effect"
import { parseDocument } from "yaml"
import { ConfigInvalid } from "../model/Errors.js"
import * as Issue from "../model/Issue.js"
import type { PathSegment } from "../model/Issue.js"
import { didYouMean } from "../internal/didYouMean.js"
import { locateIssues, parsePath } from "../internal/sourceLocation.js"
import type { Profile } from "./Profile.js"
import { defaults, jsonSchema } from "./Profile.js"

/**
 * Names of the profiles shipped in `configs/`.
 *
 * @category configuration
 */
export const builtinNames: ReadonlyArray<string> = ["default", "conservative", "aggressive"]

/**
 * Prefix of environment variables that override profile keys: `GENIE_ENHANCER_SAFETY__GENIE__CONCURRENCY=5`.
 *
 * @category configuration
 */
export const envPrefix = "GENIE_ENHANCER_"

/**
 * `GENIE_ENHANCER_*` variables that are not key overrides (profile selection, CLI and test switches).
 *
 * @category configuration
 */
export const reservedEnvVars: ReadonlyArray<string> = [
  "GENIE_ENHANCER_PROFILE",
  "GENIE_ENHANCER_CONFIG_DIR",
  "GENIE_ENHANCER_INTEGRATION"
]

/**
 * A value set from outside the profile files: a CLI flag (`source: "--genie-concurrent"`) or anything else
 * that should win over the environment.
 *
 * @category models
 */
export interface Override {
  /** Profile key segments, e.g. `["safety", "genie", "concurrency"]`. */
  readonly path: ReadonlyArray<string>
  /** The value; strings are coerced to the key's type (number, boolean) like environment values. */
  readonly value: unknown
  /** Where it came from, shown in origins and errors: `--genie-concurrent`. */
  readonly source: string
}

/**
 * A validated profile and where each of its values came from.
 *
 * @category models
 */
export interface ResolvedProfile {
  /** Built-in name, or the profile file's name without extension. */
  readonly name: string
  readonly profile: Profile
  /** The `extends` chain as absolute paths, root first; the selected file is last. */
  readonly files: ReadonlyArray<string>
  /**
   * Dotted key path → who set it: `"default"` (built-in defaults), a file path, `"env NAME"` or a flag source.
   * A plugin or scorer module path is relative to the directory of the file named here.
   */
  readonly origins: Readonly<Record<string, string>>
}

/**
 * The environment variable that overrides a profile key: `["safety", "genie", "concurrency"]` →
 * `GENIE_ENHANCER_SAFETY__GENIE__CONCURRENCY`.
 *
 * @category configuration
 */
export const envVarName = (path: ReadonlyArray<string>): string =>
  envPrefix + path.map((segment) => segment.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()).join("__")

// ---------------------------------------------------------------------------------------------------------------
// ajv → Issue

const ajv = new Ajv({ allErrors: true, strict: true, verbose: true })
addFormats.default(ajv)
const validateProfile = ajv.compile(jsonSchema)

const article = (type: string): string => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`)

const show = (value: unknown): string => {
  const text = JSON.stringify(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/** Human description of a found value: `a string ("abc")`, `a list`, `null`. */
const describe = (value: unknown): string => {
  if (value === null) return "null"
  if (Array.isArray(value)) return "a list"
  if (typeof value === "object") return "a mapping"
  if (typeof value === "number" && !Number.isInteger(value)) return `a fractional number (${value})`
  return `${article(typeof value)} (${show(value)})`
}

const typeName = (type: unknown): string => {
  const names: Record<string, string> = { object: "mapping", array: "list", null: "null" }
  const one = (t: string) => names[t] ?? t
  return Array.isArray(type) ? type.map((t) => article(one(String(t)))).join(" or ") : article(one(String(type)))
}

const pointerSegments = (pointer: string, data: unknown): Array<PathSegment> => {
  if (pointer === "") return []
  const segments: Array<PathSegment> = []
  let current = data
  for (const raw of pointer.slice(1).split("/")) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~")
    const index = Array.isArray(current) && /^\d+$/.test(segment) ? Number(segment) : segment
    segments.push(index)
    current =
      current !== null && typeof current === "object" ? (current as Record<string, unknown>)[segment] : undefined
  }
  return segments
}

const withSegments = (segments: ReadonlyArray<PathSegment>) => Issue.formatPath(segments)

/**
 * Turns ajv errors (from an ajv instance created with `verbose: true`) into `Issue`s with JSON paths, one per
 * problem: unknown keys with a did-you-mean among the allowed keys, wrong types naming what was expected and what
 * was found, allowed values for enums, ranges for numbers.
 *
 * @category error handling
 */
export const issuesFromAjv = (errors: ReadonlyArray<ErrorObject>, data: unknown): Array<Issue.Issue> => {
  const issues: Array<Issue.Issue> = []
  for (const error of errors) {
    const at = pointerSegments(error.instancePath, data)
    const parent = (error.parentSchema ?? {}) as Record<string, unknown>
    const params = error.params as Record<string, unknown>
    switch (error.keyword) {
      case "additionalProperties": {
        const key = String(params["additionalProperty"])
        const allowed = Object.keys(parent["properties"] ?? {})
        const suggestion = didYouMean(key, allowed)
        issues.push(
          Issue.error(
            "UnknownField",
            withSegments([...at, key]),
            `unknown key "${key}"; allowed here: ${allowed.join(", ")}`,
            suggestion === undefined ? {} : { suggestion }
          )
        )
        break
      }
      case "required": {
        const key = String(params["missingProperty"])
        issues.push(Issue.error("Required", withSegments([...at, key]), `missing required key "${key}"`))
        break
      }
      case "type": {
        issues.push(
          Issue.error(
            "WrongType",
            withSegments(at),
            `expected ${typeName(params["type"])}, found ${describe(error.data)}`
          )
        )
        break
      }
      case "enum":
      case "const": {
        const allowed = (
          error.keyword === "enum" ? params["allowedValues"] : [params["allowedValue"]]
        ) as Array<unknown>
        const suggestion =
          typeof error.data === "string"
            ? didYouMean(
                error.data,
                allowed.filter((v): v is string => typeof v === "string")
              )
            : undefined
        issues.push(
          Issue.error(
            "InvalidValue",
            withSegments(at),
            `must be ${allowed.length === 1 ? "" : "one of "}${allowed.map(show).join(", ")}; found ${show(error.data)}`,
            suggestion === undefined ? {} : { suggestion }
          )
        )
        break
      }
      case "minimum":
      case "maximum":
      case "exclusiveMinimum":
      case "exclusiveMaximum": {
        const min = parent["minimum"]
        const max = parent["maximum"]
        const range =
          typeof min === "number" && typeof max === "number"
            ? `between ${min} and ${max}`
            : `${String(params["comparison"])} ${String(params["limit"])}`
        issues.push(Issue.error("OutOfRange", withSegments(at), `must be ${range}; found ${show(error.data)}`))
        break
      }
      case "minLength": {
        issues.push(Issue.error("InvalidValue", withSegments(at), "must not be empty"))
        break
      }
      case "format": {
        issues.push(
          Issue.error(
            "InvalidFormat",
            withSegments(at),
            `must be a valid ${String(params["format"])}; found ${show(error.data)}`
          )
        )
        break
      }
      default: {
        issues.push(Issue.error("Invalid", withSegments(at), error.message ?? `fails ${error.keyword}`))
      }
    }
  }
  // A wrong type makes every other complaint about the same value noise (e.g. enum after type).
  const wrongType = new Set(issues.filter((i) => i.code === "WrongType").map((i) => i.path))
  return issues.filter((i) => i.code === "WrongType" || !wrongType.has(i.path))
}

// ---------------------------------------------------------------------------------------------------------------
// Layers and origins

type Json = Record<string, unknown>

const isMapping = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)

/** Issues attributed to a source (a file path, `env X`, `--flag`, `default`), before location. */
interface Sourced {
  readonly source: string
  readonly issue: Issue.Issue
}

/** Who set each value, keyed by JSON path; objects record the last layer that touched them. */
type Origins = Map<string, string>

const clearUnder = (origins: Origins, path: string): void => {
  for (const key of [...origins.keys()]) {
    if (key.startsWith(`${path}.`) || key.startsWith(`${path}[`)) origins.delete(key)
  }
}

const mergeLayer = (
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
const sourceOf = (origins: Origins, segments: ReadonlyArray<PathSegment>): string => {
  for (let n = segments.length; n >= 0; n--) {
    const hit = origins.get(Issue.formatPath(segments.slice(0, n)))
    if (hit !== undefined) return hit
  }
  return "default"
}

const stripNulls = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(stripNulls)
  if (!isMapping(value)) return value
  const out: Json = {}
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = stripNulls(v)
  return out
}

const dottedOrigins = (
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

// ---------------------------------------------------------------------------------------------------------------
// Secrets

const normalizeKey = (key: string) => key.toLowerCase().replace(/[_-]/g, "")

const secretKey = /(token|secret|password|passwd|apikey|privatekey)$/

const secretEnvFor = (segments: ReadonlyArray<PathSegment>, key: string, provider: unknown): string | undefined => {
  const k = normalizeKey(key)
  if (k.includes("openai")) return "OPENAI_API_KEY"
  if (k.includes("anthropic")) return "ANTHROPIC_API_KEY"
  if (segments[0] === "scorer" || segments[0] === "plugins") return undefined
  if (k.includes("client")) return "DATABRICKS_CLIENT_SECRET"
  if (segments[0] === "llm") {
    if (provider === "openai" || provider === "openai-compatible") return "OPENAI_API_KEY"
    if (provider === "anthropic") return "ANTHROPIC_API_KEY"
  }
  return "DATABRICKS_TOKEN"
}

const secretIssue = (
  segments: ReadonlyArray<PathSegment>,
  key: string,
  provider: unknown,
  remove = "remove this key"
): Issue.Issue => {
  const env = secretEnvFor(segments, key, provider)
  const instead = env === undefined ? "the environment variable the plugin documents" : env
  return Issue.error(
    "SecretInProfile",
    Issue.formatPath(segments),
    `secrets are read only from the environment or ~/.databrickscfg; ${remove} and set ${instead} instead`
  )
}

const findSecrets = (
  value: unknown,
  at: ReadonlyArray<PathSegment>,
  provider: unknown,
  out: Array<Issue.Issue>
): Array<Issue.Issue> => {
  if (Array.isArray(value)) value.forEach((item, i) => findSecrets(item, [...at, i], provider, out))
  else if (isMapping(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (secretKey.test(normalizeKey(k))) out.push(secretIssue([...at, k], k, provider))
      else findSecrets(v, [...at, k], provider, out)
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// Overrides (environment variables and flags)

interface SchemaNode {
  readonly type?: string
  readonly properties?: Readonly<Record<string, SchemaNode>>
  readonly additionalProperties?: boolean | SchemaNode
}

const rootNode = jsonSchema as unknown as SchemaNode

type Walk =
  | { readonly _tag: "Found"; readonly path: ReadonlyArray<string>; readonly node: SchemaNode | undefined }
  | {
      readonly _tag: "Unknown"
      readonly path: ReadonlyArray<string>
      readonly segment: string
      readonly allowed: ReadonlyArray<string>
    }

/** Follows key segments through the schema, matching case-insensitively and ignoring `_`/`-`. */
const walkSchema = (segments: ReadonlyArray<string>): Walk => {
  const path: Array<string> = []
  let node: SchemaNode | undefined = rootNode
  for (const segment of segments) {
    if (node === undefined) {
      // Inside a free-form object (plugin options): keys are the plugin's business.
      path.push(segment)
      continue
    }
    const properties: Readonly<Record<string, SchemaNode>> = node.properties ?? {}
    const key = Object.keys(properties).find((k) => normalizeKey(k) === normalizeKey(segment))
    if (key !== undefined) {
      path.push(key)
      node = properties[key]
    } else if (node.type === "object" && isMapping(node.additionalProperties)) {
      path.push(segment)
      node = node.additionalProperties
    } else if (node.type === "object" && node.additionalProperties === true) {
      path.push(segment)
      node = undefined
    } else {
      return { _tag: "Unknown", path, segment, allowed: Object.keys(properties) }
    }
  }
  return { _tag: "Found", path, node }
}

const booleans: Record<string, boolean> = {
  true: true,
  false: false,
  yes: true,
  no: false,
  on: true,
  off: false,
  1: true,
  0: false
}

/** Text from the environment (or a string flag) → a value of the key's type; ajv reports what does not fit. */
const coerce = (text: string, node: SchemaNode | undefined): { value: unknown } | { error: string } => {
  const type = node?.type
  if (type === "string") return { value: text }
  if (type === "integer" || type === "number") {
    const n = Number(text.trim())
    return text.trim() !== "" && Number.isFinite(n) ? { value: n } : { value: text }
  }
  if (type === "boolean") {
    const b = booleans[text.trim().toLowerCase()]
    return b === undefined ? { value: text } : { value: b }
  }
  // Lists, sections and free-form plugin options take YAML (`[a, b]`, `{ x: 1 }`, `5`).
  const doc = parseDocument(text)
  const first = doc.errors[0]
  return first === undefined
    ? { value: doc.toJS() as unknown }
    : { error: `is not valid YAML: ${firstLine(first.message)}` }
}

const setIn = (path: ReadonlyArray<string>, value: unknown): unknown =>
  path.reduceRight<unknown>((acc, key) => ({ [key]: acc }), value)

interface OverrideLayer {
  readonly source: string
  readonly data: unknown
}

const overrideLayer = (
  segments: ReadonlyArray<string>,
  raw: unknown,
  source: string,
  describeKey: (path: ReadonlyArray<string>) => string,
  provider: unknown
): { layer?: OverrideLayer; issue?: Sourced } => {
  const walk = walkSchema(segments)
  const at = walk._tag === "Found" ? walk.path : [...walk.path, walk.segment]
  const issuePath = Issue.formatPath(at)
  const last = segments[segments.length - 1] ?? ""
  if (segments.length > 0 && secretKey.test(normalizeKey(last))) {
    const remove = source.startsWith("env ") ? `unset ${source.slice(4)}` : `drop ${source}`
    return { issue: { source, issue: secretIssue(at, last, provider, remove) } }
  }
  if (walk._tag === "Unknown") {
    const near = didYouMean(walk.segment, walk.allowed)
    const where = walk.path.length === 0 ? "a profile" : walk.path.join(".")
    return {
      issue: {
        source,
        issue: Issue.error(
          "UnknownField",
          issuePath,
          `${source} names no profile key: "${walk.segment}" is not a key of ${where} (keys: ${walk.allowed.join(", ")})`,
          near === undefined ? {} : { suggestion: describeKey([...walk.path, near]) }
        )
      }
    }
  }
  if (typeof raw !== "string") return { layer: { source, data: setIn(walk.path, raw) } }
  const coerced = coerce(raw, walk.node)
  if ("error" in coerced)
    return { issue: { source, issue: Issue.error("InvalidYaml", issuePath, `${source} ${coerced.error}`) } }
  return { layer: { source, data: setIn(walk.path, coerced.value) } }
}

const envLayers = (env: Readonly<Record<string, string | undefined>>, provider: unknown) => {
  const layers: Array<OverrideLayer> = []
  const issues: Array<Sourced> = []
  const names = Object.keys(env)
    .filter((name) => name.startsWith(envPrefix) && !reservedEnvVars.includes(name))
    .sort()
  for (const name of names) {
    const value = env[name]
    // An empty variable counts as unset (`GENIE_ENHANCER_LLM__MODEL= genie-enhancer …`).
    if (value === undefined || value === "") continue
    const segments = name.slice(envPrefix.length).split("__")
    const result = overrideLayer(segments, value, `env ${name}`, envVarName, provider)
    if (result.layer) layers.push(result.layer)
    if (result.issue) issues.push(result.issue)
  }
  return { layers, issues }
}

const flagLayers = (flags: ReadonlyArray<Override>, provider: unknown) => {
  const layers: Array<OverrideLayer> = []
  const issues: Array<Sourced> = []
  for (const flag of flags) {
    const result = overrideLayer(flag.path, flag.value, flag.source, (path) => path.join("."), provider)
    if (result.layer) layers.push(result.layer)
    if (result.issue) issues.push(result.issue)
  }
  return { layers, issues }
}

// ---------------------------------------------------------------------------------------------------------------
// Files

const firstLine = (message: string): string =>
  (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "")

interface LoadedFile {
  readonly path: string
  readonly text: string
  readonly data: Json
}

type Parsed =
  { readonly _tag: "Ok"; readonly data: Json } | { readonly _tag: "Invalid"; readonly issues: Array<Issue.Issue> }

/** Parses profile text; YAML errors and a non-mapping root are fatal for that file. */
const parseProfileText = (text: string): Parsed => {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true })
  if (doc.errors.length > 0) {
    return {
      _tag: "Invalid",
      issues: doc.errors.map((e) => {
        const pos = e.linePos?.[0]
        return Issue.error(
          "InvalidYaml",
          "$",
          `invalid YAML: ${firstLine(e.message)}`,
          pos === undefined ? {} : { line: pos.line, column: pos.col }
        )
      })
    }
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 })
  if (data === null || data === undefined) {
    return {
      _tag: "Invalid",
      issues: [
        Issue.error("WrongType", "$", "the file is empty; a profile needs at least `apiVersion: 1`", {
          line: 1,
          column: 1
        })
      ]
    }
  }
  if (!isMapping(data)) {
    return {
      _tag: "Invalid",
      issues: [
        Issue.error("WrongType", "$", `expected a mapping of profile keys, found ${describe(data)}`, {
          line: 1,
          column: 1
        })
      ]
    }
  }
  return { _tag: "Ok", data }
}

/** Checks that belong to each file on its own rather than to the merged result. */
const fileIssues = (data: Json): Array<Issue.Issue> => {
  if (!("apiVersion" in data)) {
    return [
      Issue.error(
        "Required",
        "$.apiVersion",
        'missing required key "apiVersion"; every profile file starts with `apiVersion: 1`'
      )
    ]
  }
  if (data["apiVersion"] !== 1) {
    return [
      Issue.error(
        "InvalidValue",
        "$.apiVersion",
        `must be 1, the only profile format this version of Genie Enhancer reads; found ${show(data["apiVersion"])}`
      )
    ]
  }
  return []
}

const looksLikePath = (ref: string) => /[/\\]/.test(ref) || /\.(ya?ml|json)$/i.test(ref) || ref.startsWith(".")

const notFoundMessage = (ref: string, file: string, reason: string) =>
  `${looksLikePath(ref) ? `profile file ${file}` : `"${ref}" is not a built-in profile (${builtinNames.join(", ")}) and ${file}`} ${reason}`

type ReadResult = { readonly _tag: "Ok"; readonly text: string } | { readonly _tag: "Failed"; readonly reason: string }

const readText = (fs: FileSystem.FileSystem, file: string) =>
  fs.readFileString(file).pipe(
    Effect.map((text): ReadResult => ({ _tag: "Ok", text })),
    Effect.catchAll((e) =>
      Effect.succeed<ReadResult>({
        _tag: "Failed",
        reason: e._tag === "SystemError" && e.reason === "NotFound" ? "does not exist" : `cannot be read (${e.message})`
      })
    )
  )

const stripExtension = (name: string) => name.replace(/\.(ya?ml|json)$/i, "")

// ---------------------------------------------------------------------------------------------------------------
// resolve

const issueOrder = (source: string, flags: ReadonlyArray<Override>, files: ReadonlyArray<string>): number => {
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
const failWith = (
  sourced: ReadonlyArray<Sourced>,
  texts: ReadonlyMap<string, string>,
  flags: ReadonlyArray<Override>,
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

/** Cross-key rules JSON Schema cannot express without making editor messages worse. */
const crossKeyIssues = (merged: Json, env: Readonly<Record<string, string | undefined>>): Array<Issue.Issue> => {
  const issues: Array<Issue.Issue> = []
  const llm = isMapping(merged["llm"]) ? merged["llm"] : {}
  const baseUrl = llm["baseUrl"] ?? env["OPENAI_BASE_URL"]
  if (llm["provider"] === "openai-compatible" && (baseUrl === undefined || baseUrl === null || baseUrl === "")) {
    issues.push(
      Issue.error("Required", "$.llm.baseUrl", 'provider "openai-compatible" needs llm.baseUrl (or OPENAI_BASE_URL)')
    )
  }
  const safety = isMapping(merged["safety"]) ? merged["safety"] : {}
  const genie = isMapping(safety["genie"]) ? safety["genie"] : {}
  const first = genie["pollIntervalSeconds"]
  const max = genie["maxPollIntervalSeconds"]
  if (typeof first === "number" && typeof max === "number" && max < first) {
    issues.push(
      Issue.error(
        "OutOfRange",
        "$.safety.genie.maxPollIntervalSeconds",
        `must be at least pollIntervalSeconds (${first}); found ${max}`
      )
    )
  }
  return issues
}

/**
 * Resolves a profile: the selected file (`options.profile`, else `GENIE_ENHANCER_PROFILE`, else `default`) and
 * its `extends` chain over the built-in defaults, then environment overrides, then flags; validated as a whole.
 *
 * **Details**
 * Fails with `ConfigInvalid` listing every problem found. Issues in files carry the line of the offending key
 * in the file that set it; issues in overrides name the environment variable or flag.
 *
 * @category constructors
 */
export const resolve: (options: {
  /** A built-in name or a path to a `.yaml` file (relative to the working directory). Default `"default"`. */
  readonly profile?: string
  /** Directory holding `default.yaml`, `conservative.yaml`, `aggressive.yaml` (the repository's `configs/`). */
  readonly configDir: string
  /** Usually `process.env`; core never reads the environment itself. */
  readonly env?: Readonly<Record<string, string | undefined>>
  readonly flags?: ReadonlyArray<Override>
}) => Effect.Effect<ResolvedProfile, ConfigInvalid, FileSystem.FileSystem | Path.Path> = Effect.fn(
  "ProfileLoader.resolve"
)(function* (options) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const env = options.env ?? {}
  const flags = options.flags ?? []
  const fromEnv =
    options.profile === undefined && env["GENIE_ENHANCER_PROFILE"] !== undefined && env["GENIE_ENHANCER_PROFILE"] !== ""
  const selector = options.profile ?? (fromEnv ? env["GENIE_ENHANCER_PROFILE"]! : "default")
  const selectorSource =
    options.profile !== undefined ? "--profile" : fromEnv ? "env GENIE_ENHANCER_PROFILE" : "profile"

  const locate = (ref: string, baseDir: string | undefined): string =>
    builtinNames.includes(ref) ? path.join(options.configDir, `${ref}.yaml`) : path.resolve(baseDir ?? ".", ref)

  const sourced: Array<Sourced> = []
  const texts = new Map<string, string>()
  const chain: Array<LoadedFile> = []

  // Walk the extends chain from the selected file up to its root.
  let ref = selector
  let file = locate(ref, undefined)
  let child: LoadedFile | undefined
  let broken = false
  for (;;) {
    const seenAt = chain.findIndex((f) => f.path === file)
    if (child !== undefined && seenAt >= 0) {
      const cycle = [...chain.slice(seenAt).map((f) => f.path), file].join(" → ")
      sourced.push({
        source: child.path,
        issue: Issue.error("ExtendsCycle", "$.extends", `extends forms a cycle: ${cycle}`)
      })
      broken = true
      break
    }
    const read = yield* readText(fs, file)
    if (read._tag === "Failed") {
      const suggestion = didYouMean(looksLikePath(ref) ? stripExtension(path.basename(ref)) : ref, builtinNames)
      const extra = suggestion === undefined ? {} : { suggestion }
      if (child === undefined) {
        return yield* new ConfigInvalid({
          source: selectorSource,
          issues: [Issue.error("ProfileNotFound", "$", notFoundMessage(ref, file, read.reason), extra)]
        })
      }
      sourced.push({
        source: child.path,
        issue: Issue.error(
          "ExtendsNotFound",
          "$.extends",
          `cannot extend: ${notFoundMessage(ref, file, read.reason)}`,
          extra
        )
      })
      broken = true
      break
    }
    texts.set(file, read.text)
    const parsed = parseProfileText(read.text)
    if (parsed._tag === "Invalid") {
      for (const issue of parsed.issues) sourced.push({ source: file, issue })
      broken = true
      break
    }
    const loaded: LoadedFile = { path: file, text: read.text, data: parsed.data }
    chain.push(loaded)
    for (const issue of fileIssues(parsed.data)) sourced.push({ source: file, issue })
    const parent = parsed.data["extends"]
    if (parent === undefined || parent === null) break
    if (typeof parent !== "string" || parent === "") {
      sourced.push({
        source: file,
        issue: Issue.error(
          "WrongType",
          "$.extends",
          `expected a profile name or a relative path, found ${describe(parent)}`
        )
      })
      broken = true
      break
    }
    child = loaded
    ref = parent
    file = locate(parent, path.dirname(file))
  }

  const files = chain.map((f) => f.path).reverse()
  // Without the whole chain, validating the merge would report problems that are not there.
  if (broken) return yield* failWith(sourced, texts, flags, files)

  // Merge: defaults, files root first, environment, flags.
  const origins: Origins = new Map()
  let merged = mergeLayer(undefined, defaults, [], "default", origins)
  for (const f of [...chain].reverse()) merged = mergeLayer(merged, f.data, [], f.path, origins)
  const llm = (merged as Json)["llm"]
  // Which API key a misplaced secret stands for depends on the provider.
  const provider = isMapping(llm) ? llm["provider"] : undefined
  const fromEnvVars = envLayers(env, provider)
  const fromFlags = flagLayers(flags, provider)
  sourced.push(...fromEnvVars.issues, ...fromFlags.issues)
  for (const layer of [...fromEnvVars.layers, ...fromFlags.layers])
    merged = mergeLayer(merged, layer.data, [], layer.source, origins)
  const mergedJson = merged as Json

  // Secrets, per file so the line points into the file that holds them.
  const secretPaths = new Set<string>()
  for (const f of chain) {
    for (const issue of findSecrets(f.data, [], provider, [])) {
      secretPaths.add(issue.path)
      sourced.push({ source: f.path, issue })
    }
  }

  const valid = validateProfile(mergedJson)
  const schemaIssues = [
    ...(valid ? [] : issuesFromAjv(validateProfile.errors ?? [], mergedJson)),
    ...crossKeyIssues(mergedJson, env)
  ]
  for (const issue of schemaIssues) {
    // apiVersion is checked per file above; a secret key is reported as such rather than as unknown.
    if (issue.path === "$.apiVersion" || secretPaths.has(issue.path)) continue
    const segments = parsePath(issue.path)
    sourced.push({ source: sourceOf(origins, segments), issue })
  }

  if (sourced.some((s) => s.issue.severity === "error")) return yield* failWith(sourced, texts, flags, files)

  const { extends: _extends, ...rest } = stripNulls(mergedJson) as Json
  const profile = rest as unknown as Profile
  const out: Record<string, string> = {}
  dottedOrigins(profile, [], origins, out)
  return {
    name: builtinNames.includes(selector)
      ? selector
      : stripExtension(path.basename(files[files.length - 1] ?? selector)),
    profile,
    files,
    origins: out
  }
})

/**
 * The built-in profiles in `configDir` with their one-line descriptions (for `profiles list` and `--profile` help).
 *
 * @category constructors
 */
export const listBuiltins: (
  configDir: string
) => Effect.Effect<
  ReadonlyArray<{ readonly name: string; readonly description: string; readonly file: string }>,
  ConfigInvalid,
  FileSystem.FileSystem | Path.Path
> = Effect.fn("ProfileLoader.listBuiltins")(function* (configDir: string) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const out: Array<{ readonly name: string; readonly description: string; readonly file: string }> = []
  for (const name of builtinNames) {
    const file = path.join(configDir, `${name}.yaml`)
    const read = yield* readText(fs, file)
    if (read._tag === "Failed") {
      return yield* new ConfigInvalid({
        source: file,
        issues: [Issue.error("ProfileNotFound", "$", `built-in profile ${name} ${read.reason}`)]
      })
    }
    const parsed = parseProfileText(read.text)
    if (parsed._tag === "Invalid") return yield* new ConfigInvalid({ source: file, issues: parsed.issues })
    const description = parsed.data["description"]
    out.push({ name, description: typeof description === "string" ? description : "", file })
  }
  return out
})
