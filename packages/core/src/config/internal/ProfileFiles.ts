/**
 * Reading profile files: finding a profile by built-in name or path, parsing its YAML, the checks that belong to
 * each file on its own (`apiVersion`), and following its `extends` chain up to the root.
 */
import type { FileSystem, Path } from "@effect/platform"
import { Effect } from "effect"
import { parseDocument } from "yaml"
import { ConfigInvalid } from "../../model/Errors.js"
import * as Issue from "../../model/Issue.js"
import { didYouMean } from "../../internal/didYouMean.js"
import { describe, show } from "./AjvIssues.js"
import type { Sourced } from "./IssueReport.js"
import type { Json } from "./ProfileData.js"
import { isMapping } from "./ProfileData.js"

/**
 * Names of the profiles shipped in `configs/`.
 *
 * @category configuration
 */
export const builtinNames: ReadonlyArray<string> = ["default", "conservative", "aggressive"]

/** The first line of a `yaml` error message, without the position (issues carry it as line and column). */
export const firstLine = (message: string): string =>
  (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "")

/** A profile file that parsed to a mapping. */
export interface LoadedFile {
  readonly path: string
  readonly text: string
  readonly data: Json
}

type Parsed =
  { readonly _tag: "Ok"; readonly data: Json } | { readonly _tag: "Invalid"; readonly issues: Array<Issue.Issue> }

/** Parses profile text; YAML errors and a non-mapping root are fatal for that file. */
export const parseProfileText = (text: string): Parsed => {
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

/** A file's text, or why it could not be read (`does not exist`, `cannot be read (…)`). */
export type ReadResult =
  { readonly _tag: "Ok"; readonly text: string } | { readonly _tag: "Failed"; readonly reason: string }

export const readText = (fs: FileSystem.FileSystem, file: string) =>
  fs.readFileString(file).pipe(
    Effect.map((text): ReadResult => ({ _tag: "Ok", text })),
    Effect.catchAll((e) =>
      Effect.succeed<ReadResult>({
        _tag: "Failed",
        reason: e._tag === "SystemError" && e.reason === "NotFound" ? "does not exist" : `cannot be read (${e.message})`
      })
    )
  )

export const stripExtension = (name: string) => name.replace(/\.(ya?ml|json)$/i, "")

/** What reading an `extends` chain found. */
export interface Chain {
  /** The files that parsed, the selected file first, then its parents. */
  readonly chain: ReadonlyArray<LoadedFile>
  /** The text of every file read (also those that failed to parse), to locate issues in. */
  readonly texts: ReadonlyMap<string, string>
  readonly sourced: ReadonlyArray<Sourced>
  /** The chain stopped early (a missing parent, a cycle, a file that is not a profile). */
  readonly broken: boolean
}

/**
 * Reads the selected profile and follows its `extends` chain up to the root. Fails only when the selected
 * profile itself cannot be read; every other problem is returned as a sourced issue.
 */
export const readChain = (
  fs: FileSystem.FileSystem,
  path: Path.Path,
  options: {
    /** A built-in name or a path. */
    readonly selector: string
    /** Who chose it (`--profile`, `env GENIE_ENHANCER_PROFILE`, `profile`), for the not-found error. */
    readonly selectorSource: string
    readonly configDir: string
  }
): Effect.Effect<Chain, ConfigInvalid> =>
  Effect.gen(function* () {
    const locate = (ref: string, baseDir: string | undefined): string =>
      builtinNames.includes(ref) ? path.join(options.configDir, `${ref}.yaml`) : path.resolve(baseDir ?? ".", ref)

    const sourced: Array<Sourced> = []
    const texts = new Map<string, string>()
    const chain: Array<LoadedFile> = []

    let ref = options.selector
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
            source: options.selectorSource,
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
    return { chain, texts, sourced, broken }
  })
