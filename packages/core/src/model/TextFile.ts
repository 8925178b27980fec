/**
 * Reading and writing the text files users hand us (spaces, benchmarks, plans, result sets, prompts). One place
 * turns a missing or unreadable file into a `ConfigInvalid` that names it, so every command reports it alike.
 */
import { FileSystem } from "@effect/platform"
import { Effect } from "effect"
import { ConfigInvalid } from "./Errors.js"
import * as Issue from "./Issue.js"

/**
 * Reads a text file; a missing or unreadable file is a `ConfigInvalid` naming it.
 *
 * @category constructors
 */
export const read = (path: string): Effect.Effect<string, ConfigInvalid, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(path)).pipe(
    Effect.mapError(
      (error) =>
        new ConfigInvalid({
          source: path,
          issues: [
            error._tag === "SystemError" && error.reason === "NotFound"
              ? Issue.error("FileNotFound", "$", `file not found: ${path}`)
              : Issue.error("FileUnreadable", "$", `cannot read ${path}: ${error.message}`)
          ]
        })
    )
  )

/**
 * Writes a text file (creating nothing but the file itself); failure is a `ConfigInvalid` naming it.
 *
 * @category constructors
 */
export const write = (path: string, text: string): Effect.Effect<void, ConfigInvalid, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.writeFileString(path, text)).pipe(
    Effect.mapError(
      (error) =>
        new ConfigInvalid({
          source: path,
          issues: [Issue.error("FileUnwritable", "$", `cannot write ${path}: ${error.message}`)]
        })
    )
  )
