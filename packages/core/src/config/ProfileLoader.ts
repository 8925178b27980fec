/**
 * Loads a profile: follows its `extends` chain, layers environment and flag overrides on top, validates the result
 * and reports every problem as an `Issue` located in the file (and line) that set the offending value.
 *
 * **Details**
 * Layers, lowest first: the built-in `defaults` → the `extends` chain, root first → `GENIE_ENHANCER_*` environment
 * variables → flag overrides. Objects merge key by key; lists and scalars replace. An optional key set to `null`
 * clears an inherited value.
 *
 * The steps live in `./internal/`: `ProfileFiles` (reading, `extends`), `Overrides` (environment and flags),
 * `Layers` (merging, origins), `SecretKeys`, `ProfileValidation` (schema and cross-key rules), `AjvIssues` and
 * `IssueReport` (which source an error is reported against).
 */
import { FileSystem, Path } from "@effect/platform"
import { Effect } from "effect"
import { ConfigInvalid } from "../model/Errors.js"
import * as Issue from "../model/Issue.js"
import { parsePath } from "../internal/sourceLocation.js"
import type { Profile } from "./Profile.js"
import { defaults } from "./Profile.js"
import type { Sourced } from "./internal/IssueReport.js"
import { failWith } from "./internal/IssueReport.js"
import type { Origins } from "./internal/Layers.js"
import { dottedOrigins, mergeLayer, sourceOf, stripNulls } from "./internal/Layers.js"
import type { Override } from "./internal/Overrides.js"
import { envLayers, flagLayers } from "./internal/Overrides.js"
import type { Json } from "./internal/ProfileData.js"
import { isMapping } from "./internal/ProfileData.js"
import { builtinNames, parseProfileText, readChain, readText, stripExtension } from "./internal/ProfileFiles.js"
import { profileIssues } from "./internal/ProfileValidation.js"
import { findSecrets } from "./internal/SecretKeys.js"

// Part of the public API; each is defined next to the step that uses it.
export { issuesFromAjv } from "./internal/AjvIssues.js"
export { envPrefix, envVarName, reservedEnvVars } from "./internal/Overrides.js"
export type { Override } from "./internal/Overrides.js"
export { builtinNames } from "./internal/ProfileFiles.js"

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

  const read = yield* readChain(fs, path, { selector, selectorSource, configDir: options.configDir })
  const { chain, texts } = read
  const sourced: Array<Sourced> = [...read.sourced]
  const files = chain.map((f) => f.path).reverse()
  // Without the whole chain, validating the merge would report problems that are not there.
  if (read.broken) return yield* failWith(sourced, texts, flags, files)

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

  for (const issue of profileIssues(mergedJson, env)) {
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
