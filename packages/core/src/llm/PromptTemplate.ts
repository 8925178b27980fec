/**
 * Versioned prompt templates: `prompts/<stage>/<name>.v<N>.md` files with YAML front-matter (`id`, `version`,
 * `inputs`, optional `description`) and a body with `{{input}}` placeholders. A prompt is never edited in place;
 * a change is a new version, so cached and recorded LLM answers stay tied to the exact text that produced them.
 */
import { Data, Effect } from "effect"
import { parseDocument } from "yaml"
import { ConfigInvalid } from "../model/Errors.js"
import * as Issue from "../model/Issue.js"
import * as TextFile from "../model/TextFile.js"

/** A parsed prompt template. @category models */
export interface PromptTemplate {
  /** `<stage>/<name>`, e.g. `judge/result-equivalence`. */
  readonly id: string
  readonly version: number
  /** The placeholders the body uses, each exactly once declared. */
  readonly inputs: ReadonlyArray<string>
  readonly description?: string
  readonly body: string
  /** Where it was read from. */
  readonly source: string
}

/**
 * A render call did not supply a value for every declared input (a bug in the caller, not in the file).
 *
 * @category errors
 */
export class PromptInputMissing extends Data.TaggedError("PromptInputMissing")<{
  readonly prompt: string
  readonly missing: ReadonlyArray<string>
}> {
  override get message(): string {
    return `prompt ${this.prompt} needs ${this.missing.join(", ")}`
  }
}

const frontMatter = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/
const placeholder = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g
const idPattern = /^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*$/

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** The placeholders a body uses, in order of first use. @category constructors */
export const placeholders = (body: string): Array<string> => [
  ...new Set([...body.matchAll(placeholder)].map((m) => m[1]))
]

/**
 * Parses a template file. Every problem is reported at once with its line: no front-matter, a bad `id` or
 * `version`, inputs declared but unused or used but undeclared, unknown front-matter keys.
 *
 * @category constructors
 */
export const parse = Effect.fn("PromptTemplate.parse")(function* (text: string, source: string) {
  const match = frontMatter.exec(text)
  if (match === null) {
    return yield* new ConfigInvalid({
      source,
      issues: [
        Issue.error("MissingFrontMatter", "$", "a prompt file starts with YAML front-matter between --- lines", {
          line: 1
        })
      ]
    })
  }
  const doc = parseDocument(match[1])
  const lineOf = (offset: number | undefined) =>
    offset === undefined ? undefined : match[1].slice(0, offset).split("\n").length + 1
  const at = (key: string): Partial<Issue.Issue> => {
    const node = doc.get(key, true) as { range?: [number, number, number] } | undefined
    const line = lineOf(node?.range?.[0])
    return line === undefined ? {} : { line }
  }
  const issues: Array<Issue.Issue> = doc.errors.map((e) =>
    Issue.error("InvalidYaml", "$", e.message.split("\n")[0] ?? e.message, { line: (e.linePos?.[0].line ?? 0) + 1 })
  )
  const meta: unknown = issues.length === 0 ? doc.toJS() : {}
  const fields = isRecord(meta) ? meta : {}
  const { id, version, inputs, description } = fields
  for (const key of Object.keys(fields)) {
    if (!["id", "version", "inputs", "description"].includes(key)) {
      issues.push(
        Issue.error("UnknownField", `$.${key}`, `unknown field; allowed: id, version, inputs, description`, at(key))
      )
    }
  }
  if (typeof id !== "string" || !idPattern.test(id)) {
    issues.push(
      Issue.error(
        "InvalidValue",
        "$.id",
        'must be "<stage>/<name>" in lower case, e.g. judge/result-equivalence',
        at("id")
      )
    )
  }
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
    issues.push(Issue.error("InvalidValue", "$.version", "must be a positive integer", at("version")))
  }
  if (description !== undefined && typeof description !== "string") {
    issues.push(Issue.error("InvalidType", "$.description", "must be a string", at("description")))
  }
  const declared = Array.isArray(inputs) && inputs.every((i) => typeof i === "string") ? inputs : undefined
  const body = text.slice(match[0].length)
  if (declared === undefined) {
    issues.push(Issue.error("InvalidType", "$.inputs", "must be a list of input names", at("inputs")))
  } else {
    const used = placeholders(body)
    for (const name of declared.filter((d) => !used.includes(d))) {
      issues.push(
        Issue.error(
          "UnusedInput",
          "$.inputs",
          `input "${name}" is declared but the body never uses {{${name}}}`,
          at("inputs")
        )
      )
    }
    for (const name of used.filter((u) => !declared.includes(u))) {
      const offset = match[0].length + body.search(new RegExp(`\\{\\{\\s*${name}\\s*\\}\\}`))
      const line = text.slice(0, offset).split("\n").length
      issues.push(
        Issue.error("UndeclaredInput", "$.inputs", `the body uses {{${name}}} but inputs do not declare it`, { line })
      )
    }
  }
  if (issues.length > 0) return yield* new ConfigInvalid({ source, issues })
  const template: PromptTemplate = {
    id: id as string,
    version: version as number,
    inputs: declared!,
    ...(typeof description === "string" ? { description } : {}),
    body,
    source
  }
  return template
})

/**
 * Reads and parses a template file; the file name must be `<name>.v<version>.md` matching its front-matter.
 *
 * @category constructors
 */
export const load = Effect.fn("PromptTemplate.load")(function* (path: string) {
  const text = yield* TextFile.read(path)
  const template = yield* parse(text, path)
  const expectedName = `${template.id.split("/")[1]}.v${template.version}.md`
  if (!path.replace(/\\/g, "/").endsWith(`/${expectedName}`) && path !== expectedName) {
    return yield* new ConfigInvalid({
      source: path,
      issues: [
        Issue.error(
          "FileNameMismatch",
          "$.id",
          `a template with this id and version belongs in a file named ${expectedName}`
        )
      ]
    })
  }
  return template
})

/**
 * Fills the placeholders. Values are inserted verbatim (no escaping); every declared input is required.
 *
 * @category constructors
 */
export const render = Effect.fn("PromptTemplate.render")(function* (
  template: PromptTemplate,
  values: Readonly<Record<string, string>>
) {
  const missing = template.inputs.filter((name) => values[name] === undefined)
  if (missing.length > 0) return yield* new PromptInputMissing({ prompt: label(template), missing })
  return template.body.replace(placeholder, (_, name: string) => values[name] ?? "")
})

/** `judge/result-equivalence@1`: how verdicts and caches name a template version. @category constructors */
export const label = (template: Pick<PromptTemplate, "id" | "version">): string => `${template.id}@${template.version}`
