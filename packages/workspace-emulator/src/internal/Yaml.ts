/**
 * Decoding of the emulator's YAML inputs (workspace manifest, faults, scripted answers) with errors that name the
 * file, the path inside it, the line and what was expected.
 */
import { Errors, Issue } from "@genie-enhancer/core"
import { Effect, ParseResult, Schema } from "effect"
import { readFile } from "node:fs/promises"
import { LineCounter, parseDocument } from "yaml"

/** A `ConfigInvalid` with a single issue. */
export const invalid = (source: string, code: string, path: string, message: string): Errors.ConfigInvalid =>
  new Errors.ConfigInvalid({ source, issues: [Issue.error(code, path, message)] })

/** Reads a text file; a missing or unreadable file is a `ConfigInvalid` naming it (and the referencing path). */
export const readText = (file: string, referencedFrom?: { readonly source: string; readonly path: string }) =>
  Effect.tryPromise({
    try: () => readFile(file, "utf8"),
    catch: (cause) => {
      const reason = cause instanceof Error ? cause.message : String(cause)
      return referencedFrom === undefined
        ? invalid(file, "FileNotFound", "$", `cannot read the file: ${reason}`)
        : invalid(referencedFrom.source, "FileNotFound", referencedFrom.path, `cannot read ${file}: ${reason}`)
    }
  })

/**
 * Parses YAML text and decodes it with `schema`, rejecting unknown keys. Every problem becomes an issue with its
 * JSON path and line.
 */
export const decode = <A, I>(schema: Schema.Schema<A, I>, text: string, source: string) =>
  Effect.gen(function* () {
    const lineCounter = new LineCounter()
    const doc = parseDocument(text, { lineCounter })
    if (doc.errors.length > 0) {
      const issues = doc.errors.map((e) =>
        Issue.error("InvalidYaml", "$", e.message.split("\n")[0] ?? e.message, {
          ...(e.linePos === undefined ? {} : { line: e.linePos[0].line, column: e.linePos[0].col })
        })
      )
      return yield* new Errors.ConfigInvalid({ source, issues })
    }
    const value: unknown = doc.toJS()
    return yield* Schema.decodeUnknown(schema, { onExcessProperty: "error", errors: "all" })(value).pipe(
      Effect.mapError((error) => {
        const issues = ParseResult.ArrayFormatter.formatErrorSync(error).map((e) => {
          const path = e.path.map((p) => (typeof p === "number" ? p : String(p)))
          const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined
          const pos = node?.range === undefined ? undefined : lineCounter.linePos(node.range[0])
          const message = e._tag === "Unexpected" ? `unknown key: ${e.message}` : e.message
          return Issue.error(
            e._tag === "Unexpected" ? "UnknownField" : "InvalidValue",
            Issue.formatPath(path),
            message,
            {
              ...(pos === undefined ? {} : { line: pos.line, column: pos.col })
            }
          )
        })
        return new Errors.ConfigInvalid({ source, issues })
      })
    )
  })

/** Reads and decodes a YAML file. */
export const load = <A, I>(schema: Schema.Schema<A, I>, file: string) =>
  Effect.flatMap(readText(file), (text) => decode(schema, text, file))
