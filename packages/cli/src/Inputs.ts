import { FileSystem } from "@effect/platform"
import { Errors, Issue, Space } from "@genie-enhancer/core"
import type { SpaceValidation } from "@genie-enhancer/core"
import { Effect } from "effect"

/** Reads a text file; a missing or unreadable file is a `ConfigInvalid` naming it. */
export const readText = (path: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(path)).pipe(
    Effect.mapError(
      (cause) =>
        new Errors.ConfigInvalid({
          source: path,
          issues: [Issue.error("FileNotFound", "$", `cannot read the file: ${cause.message}`)]
        })
    )
  )

/** Writes a text file, creating nothing but the file itself. */
export const writeText = (path: string, text: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.writeFileString(path, text)).pipe(
    Effect.mapError(
      (cause) =>
        new Errors.ConfigInvalid({
          source: path,
          issues: [Issue.error("FileUnwritable", "$", `cannot write the file: ${cause.message}`)]
        })
    )
  )

/**
 * The `serialized_space` text inside a file that holds either the serialized space itself or a space as the
 * spaces API returns it (`{space_id, title, serialized_space: "<json string>"}`).
 */
const unwrapEnvelope = (text: string): string => {
  const parsed: unknown = (() => {
    try {
      return JSON.parse(text) as unknown
    } catch {
      return undefined // Space.decode reports the syntax error with its line.
    }
  })()
  if (typeof parsed === "object" && parsed !== null && "serialized_space" in parsed) {
    const inner = parsed.serialized_space
    if (typeof inner === "string") return inner
  }
  return text
}

/** Loads and validates a space file (serialized space or API envelope). */
export const loadSpace = (path: string, options?: SpaceValidation.Options) =>
  Effect.flatMap(readText(path), (text) => Space.parse(unwrapEnvelope(text), { ...options, source: path }))

/** Loads a space file without validating it beyond its JSON shape (for diffs of work in progress). */
export const decodeSpace = (path: string) =>
  Effect.flatMap(readText(path), (text) => Space.decode(unwrapEnvelope(text), path))
