import { describe, expect, it } from "@effect/vitest"
import { join } from "node:path"
import { runCliJson, tempDir } from "./cli.js"
import { benchmarksYaml, spaceText } from "./fixtures.js"

/**
 * Each malformed input must fail with exit code 2 and a ConfigInvalid error whose issues name the problem
 * (code), where it is (JSON path and line), and what was expected.
 */
interface Case {
  readonly name: string
  readonly command: ReadonlyArray<string>
  readonly file: string
  readonly content: string
  readonly code: string
  readonly path: string | RegExp
  readonly message?: RegExp
  readonly suggestion?: string
}

const space = (
  name: string,
  mutate: Parameters<typeof spaceText>[0],
  expected: Omit<Case, "name" | "command" | "file" | "content">
): Case => ({
  name: `space: ${name}`,
  command: ["spaces", "validate"],
  file: "space.json",
  content: spaceText(mutate),
  ...expected
})

const benchmarks = (
  name: string,
  content: string,
  expected: Omit<Case, "name" | "command" | "file" | "content">
): Case => ({
  name: `benchmarks: ${name}`,
  command: ["benchmarks", "validate"],
  file: "benchmarks.yaml",
  content,
  ...expected
})

const profile = (
  name: string,
  content: string,
  expected: Omit<Case, "name" | "command" | "file" | "content">
): Case => ({
  name: `profile: ${name}`,
  command: ["profiles", "validate"],
  file: "profile.yaml",
  content,
  ...expected
})

const cases: ReadonlyArray<Case> = [
  {
    name: "space: not JSON",
    command: ["spaces", "validate"],
    file: "space.json",
    content: '{\n  "version": 2,\n  "data_sources": {\n    "tables": [\n  }\n}\n',
    code: "InvalidJson",
    path: "$"
  },
  space("unknown key", (s) => (s.instructions.sql_snippets.measures[0].instructions = ["Use for KPIs\n"]), {
    code: "UnknownField",
    path: "$.instructions.sql_snippets.measures[0].instructions",
    message: /Cannot find field: instructions in message/,
    suggestion: "instruction"
  }),
  space(
    "string where an array of strings is expected",
    (s) => (s.data_sources.tables[1].description = "One row per order."),
    {
      code: "WrongType",
      path: "$.data_sources.tables[1].description",
      message: /array of strings/
    }
  ),
  space(
    "duplicate id across instruction groups",
    (s) => (s.instructions.sql_snippets.measures[0].id = s.instructions.join_specs[0].id),
    {
      code: "DuplicateId",
      path: /\$\.instructions\.(sql_snippets\.measures\[0\]|join_specs\[0\])\.id/
    }
  ),
  space(
    "id not 32 lowercase hex",
    (s) => (s.instructions.text_instructions[0].id = "1A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9"),
    {
      code: "InvalidId",
      path: "$.instructions.text_instructions[0].id",
      message: /32/
    }
  ),
  space("unsorted tables", (s) => s.data_sources.tables.reverse(), {
    code: "Unsorted",
    path: /\$\.data_sources\.tables/
  }),
  space("join spec without its right side", (s) => delete s.instructions.join_specs[0].right, {
    code: "MissingField",
    path: /\$\.instructions\.join_specs\[0\]/,
    message: /right/
  }),
  space("join spec without a relationship marker", (s) => s.instructions.join_specs[0].sql.pop(), {
    code: "JoinSpecMissingRelationship",
    path: /\$\.instructions\.join_specs\[0\]\.sql/
  }),
  space(
    "version 1 flag in a version 2 space",
    (s) => (s.data_sources.tables[1].column_configs[0].get_example_values = true),
    {
      code: "VersionFlagMismatch",
      path: "$.data_sources.tables[1].column_configs[0].get_example_values",
      message: /enable_format_assistance/
    }
  ),
  space(
    "two text instructions",
    (s) => s.instructions.text_instructions.push({ id: "6a1b2c3d4e5f60718293a4b5c6d7e8f9", content: ["x\n"] }),
    {
      code: "TooManyTextInstructions",
      path: /\$\.instructions\.text_instructions/
    }
  ),
  benchmarks("bad YAML", "apiVersion: 1\nbenchmarks:\n  - id: a\n    question: [unclosed\n", {
    code: "InvalidYaml",
    path: /\$/
  }),
  benchmarks("unknown key", benchmarksYaml.replace("    difficulty: easy", "    dificulty: easy"), {
    code: "UnknownField",
    path: "$.benchmarks[0].dificulty",
    suggestion: "difficulty"
  }),
  // Only question and expected_sql are required (id, category and difficulty have defaults).
  benchmarks("missing required field", benchmarksYaml.replace("    question: Sales by region?\n", ""), {
    code: "MissingField",
    path: /\$\.benchmarks\[1\]/,
    message: /question/
  }),
  benchmarks("wrong enum value", benchmarksYaml.replace("difficulty: easy", "difficulty: trivial"), {
    code: "InvalidValue",
    path: "$.benchmarks[0].difficulty",
    message: /easy.*medium.*hard/
  }),
  benchmarks("duplicate id", benchmarksYaml.replace("id: by_region", "id: total_2025"), {
    code: "DuplicateId",
    path: "$.benchmarks[1].id"
  }),
  profile("unknown key", "apiVersion: 1\nextends: default\nsafety:\n  genie:\n    concurency: 4\n", {
    code: "UnknownField",
    path: "$.safety.genie.concurency",
    suggestion: "concurrency"
  }),
  profile("wrong type", "apiVersion: 1\nextends: default\nsafety:\n  genie:\n    concurrency: three\n", {
    code: "WrongType",
    path: "$.safety.genie.concurrency",
    message: /integer|number/
  }),
  profile("secret in YAML", "apiVersion: 1\nextends: default\nworkspace:\n  token: dapi123\n", {
    code: "SecretInProfile",
    path: "$.workspace.token",
    message: /environment/
  })
]

describe("malformed inputs give a clear, located error and exit 2", () => {
  it.each(cases)("$name", async (c) => {
    const dir = tempDir({ [c.file]: c.content })
    const { exitCode, json } = await runCliJson([...c.command, join(dir, c.file)])
    expect(exitCode).toBe(2)
    expect(json.status).toBe(2)
    expect(json.error._tag).toBe("ConfigInvalid")
    const issues = json.error.data.issues as Array<Record<string, unknown>>
    const issue = issues.find(
      (i) => i.code === c.code && (typeof c.path === "string" ? i.path === c.path : c.path.test(String(i.path)))
    )
    expect(issue, `no ${c.code} at ${String(c.path)} in ${JSON.stringify(issues, null, 2)}`).toBeDefined()
    expect(issue!.line, "the issue carries a line number").toEqual(expect.any(Number))
    expect(String(issue!.message).length).toBeGreaterThan(10)
    if (c.message) expect(issue!.message).toMatch(c.message)
    if (c.suggestion) expect(issue!.suggestion).toBe(c.suggestion)
  })
})
