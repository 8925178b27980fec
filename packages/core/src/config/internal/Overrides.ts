/**
 * Overrides from outside the profile files: `GENIE_ENHANCER_*` environment variables and CLI flags. Each one names
 * a key loosely (`SAFETY__GENIE__CONCURRENCY`), so it is matched against the schema to find the real key and its
 * type, and its text is coerced to that type. The result is one layer per override, merged over the files.
 */
import { parseDocument } from "yaml"
import * as Issue from "../../model/Issue.js"
import { didYouMean } from "../../internal/didYouMean.js"
import { jsonSchema } from "../Profile.js"
import type { Sourced } from "./IssueReport.js"
import { isMapping, normalizeKey } from "./ProfileData.js"
import { firstLine } from "./ProfileFiles.js"
import { secretIssue, secretKey } from "./SecretKeys.js"

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
 * The environment variable that overrides a profile key: `["safety", "genie", "concurrency"]` →
 * `GENIE_ENHANCER_SAFETY__GENIE__CONCURRENCY`.
 *
 * @category configuration
 */
export const envVarName = (path: ReadonlyArray<string>): string =>
  envPrefix + path.map((segment) => segment.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()).join("__")

/** The part of the profile's JSON Schema an override needs: which keys exist and what type each has. */
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

/** Spellings of booleans people use in shells. */
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

/** `["a", "b"]`, `1` → `{ a: { b: 1 } }` */
const setIn = (path: ReadonlyArray<string>, value: unknown): unknown =>
  path.reduceRight<unknown>((acc, key) => ({ [key]: acc }), value)

/** An override as a sparse profile mapping, merged like a file. */
export interface OverrideLayer {
  readonly source: string
  readonly data: unknown
}

/**
 * One override → its layer, or an issue: a secret-looking key (secrets come only from their own variables), a key
 * the schema does not have (with a did-you-mean spelled the way the override is), text that is not valid YAML.
 */
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

/** One layer per set `GENIE_ENHANCER_*` variable (reserved ones aside), in name order. */
export const envLayers = (env: Readonly<Record<string, string | undefined>>, provider: unknown) => {
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

/** One layer per flag, in the order given, so a later flag wins. */
export const flagLayers = (flags: ReadonlyArray<Override>, provider: unknown) => {
  const layers: Array<OverrideLayer> = []
  const issues: Array<Sourced> = []
  for (const flag of flags) {
    const result = overrideLayer(flag.path, flag.value, flag.source, (path) => path.join("."), provider)
    if (result.layer) layers.push(result.layer)
    if (result.issue) issues.push(result.issue)
  }
  return { layers, issues }
}
