import { FileSystem } from "@effect/platform"
import { Effect } from "effect"
import { ConfigInvalid } from "../model/Errors.js"
import * as Issue from "../model/Issue.js"

/** Reads a text input file; a missing or unreadable file is a `ConfigInvalid` naming it. */
export const readSource = (path: string) =>
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
