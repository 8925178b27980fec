import { assert, describe, expect, it } from "@effect/vitest"
import type { Issue } from "../src/model/Issue.js"
import * as SpaceValidation from "../src/model/SpaceValidation.js"

const hex = (n: number): string => n.toString(16).padStart(32, "0")

const join = (n: number, sql: Array<string>) => ({
  id: hex(n),
  left: { identifier: "main.sales.orders", alias: "orders" },
  right: { identifier: "main.sales.customers", alias: "customers" },
  sql
})

/** The minimal valid v2 payload of databricks-api.md §3.3, plus one of each remaining collection. */
const minimal = (): Record<string, any> => ({
  version: 2,
  config: { sample_questions: [{ id: hex(0x10), question: ["Total sales by month?"] }] },
  data_sources: {
    tables: [
      {
        identifier: "main.sales.orders",
        description: ["One row per order.\n"],
        column_configs: [
          { column_name: "order_date", enable_format_assistance: true },
          { column_name: "region", synonyms: ["area"], enable_format_assistance: true, enable_entity_matching: true }
        ]
      }
    ]
  },
  instructions: {
    text_instructions: [{ id: hex(0x20), content: ["## PURPOSE\n", "- Sales KPIs.\n"] }],
    example_question_sqls: [
      {
        id: hex(0x21),
        question: ["Sales in a year"],
        sql: ["SELECT SUM(amount) FROM main.sales.orders WHERE year(order_date) = :year"],
        parameters: [{ name: "year", type_hint: "INTEGER", default_value: { values: ["2025"] } }]
      }
    ],
    sql_functions: [{ id: hex(0x22), identifier: "main.sales.fiscal_year" }],
    join_specs: [
      join(0x23, ["`orders`.`customer_id` = `customers`.`customer_id`", "--rt=FROM_RELATIONSHIP_TYPE_MANY_TO_ONE--"])
    ],
    sql_snippets: {
      filters: [{ id: hex(0x24), display_name: "EU", sql: ["orders.region = 'EU'"] }],
      expressions: [
        { id: hex(0x25), alias: "order_year", display_name: "Order year", sql: ["YEAR(orders.order_date)"] }
      ],
      measures: [{ id: hex(0x26), alias: "total_sales", display_name: "Total sales", sql: ["SUM(orders.amount)"] }]
    }
  },
  benchmarks: {
    questions: [
      {
        id: hex(0x11),
        question: ["Total sales in 2025?"],
        answer: [
          { format: "SQL", content: ["SELECT SUM(amount) FROM main.sales.orders\n", "WHERE year(order_date) = 2025"] }
        ]
      }
    ]
  }
})

const validate = (space: unknown, options?: SpaceValidation.Options) => SpaceValidation.validate(space, options)

/** The single issue with `code`, asserting it exists exactly once at `path`. */
const only = (issues: ReadonlyArray<Issue>, code: string, path: string): Issue => {
  const found = issues.filter((i) => i.code === code)
  assert.deepStrictEqual(
    found.map((i) => i.path),
    [path],
    `issues: ${JSON.stringify(issues)}`
  )
  return found[0]
}

describe("SpaceValidation.validate", () => {
  it("accepts the minimal valid payload with no issues", () => {
    assert.deepStrictEqual(validate(minimal()), [])
  })

  it("rejects a non-object root without throwing", () => {
    for (const value of [null, 42, "x", []]) only(validate(value), "WrongType", "$")
  })

  describe("structure", () => {
    it("reports unknown fields like the API, with a suggestion from the message's fields", () => {
      const space = minimal()
      space.instructions.sql_snippets.filters[0].instructions = ["use for EU"]
      const issue = only(validate(space), "UnknownField", "$.instructions.sql_snippets.filters[0].instructions")
      assert.strictEqual(issue.message, "Cannot find field: instructions in message databricks.datarooms.export.Filter")
      assert.strictEqual(issue.suggestion, "instruction")
      assert.strictEqual(issue.severity, "error")
    })

    it("names the proto message of each location and rejects alias on filters", () => {
      const space = minimal()
      space.instructions.sql_snippets.filters[0].alias = "eu"
      space.instructions.join_specs[0].left.table = "x"
      space.data_sources.tables[0].column_configs[0].data_type = "DATE"
      space.space_name = "Sales"
      const issues = validate(space)
      const messages = issues.filter((i) => i.code === "UnknownField").map((i) => i.message)
      assert.sameMembers(messages, [
        "Cannot find field: space_name in message databricks.datarooms.export.GenieSpaceExport",
        "Cannot find field: data_type in message databricks.datarooms.export.ColumnConfig",
        "Cannot find field: table in message databricks.datarooms.export.JoinSpecSide",
        "Cannot find field: alias in message databricks.datarooms.export.Filter"
      ])
      assert.strictEqual(
        SpaceValidation.protoMessageNames["$.instructions.sql_snippets.measures[]"],
        "databricks.datarooms.export.Measure"
      )
      assert.strictEqual(SpaceValidation.protoMessageNames["$"], "databricks.datarooms.export.GenieSpaceExport")
    })

    it("downgrades unknown fields to warnings on request", () => {
      const space = minimal()
      space.benchmarks.x_source = "import"
      const issue = only(validate(space, { unknownFields: "warning" }), "UnknownField", "$.benchmarks.x_source")
      assert.strictEqual(issue.severity, "warning")
    })

    it("flags GET-only metadata at the root as an error regardless of options", () => {
      const space = { ...minimal(), title: "Sales", warehouse_id: "abc" }
      const issues = validate(space, { unknownFields: "warning" })
      assert.deepStrictEqual(
        issues.map((i) => [i.code, i.path]),
        [
          ["MetadataInSpace", "$.title"],
          ["MetadataInSpace", "$.warehouse_id"]
        ]
      )
      const title = issues[0]
      assert.strictEqual(title.severity, "error")
      expect(title.message).toContain("envelope")
    })

    it("requires free text as an array of strings and says how to fix a plain string", () => {
      const space = minimal()
      space.instructions.text_instructions[0].content = "## PURPOSE\n- Sales KPIs.\n"
      space.instructions.join_specs[0].instruction = ["ok", 3]
      const issues = validate(space)
      const content = issues.find((i) => i.path === "$.instructions.text_instructions[0].content")!
      assert.strictEqual(content.code, "WrongType")
      expect(content.message).toContain("expected an array of strings (split the text at newlines)")
      only(
        issues.filter((i) => i.path.startsWith("$.instructions.join_specs")),
        "WrongType",
        "$.instructions.join_specs[0].instruction[1]"
      )
    })

    it("checks plain strings, booleans, integers, messages and lists", () => {
      const space = minimal()
      space.version = 2
      space.data_sources.tables[0].identifier = ["main.sales.orders"]
      space.data_sources.tables[0].column_configs[0].exclude = "true"
      space.instructions.join_specs[0].left = "orders"
      space.config.sample_questions = { id: hex(1) }
      const issues = validate(space)
      const at = (path: string) => issues.find((i) => i.path === path && i.code === "WrongType")?.message
      expect(at("$.data_sources.tables[0].identifier")).toContain("expected a plain string")
      expect(at("$.data_sources.tables[0].column_configs[0].exclude")).toContain("expected true or false")
      expect(at("$.instructions.join_specs[0].left")).toContain("expected an object (JoinSpecSide)")
      expect(at("$.config.sample_questions")).toContain("expected an array of SampleQuestion objects")
      only(validate({ ...minimal(), version: 2.5 }), "UnsupportedVersion", "$.version")
    })

    it("reports missing required fields, with display_name only a warning", () => {
      const space = minimal()
      delete space.instructions.join_specs[0].right
      delete space.instructions.join_specs[0].left.alias
      delete space.instructions.sql_snippets.expressions[0].alias
      delete space.instructions.sql_snippets.measures[0].display_name
      delete space.benchmarks.questions[0].answer
      delete space.config.sample_questions[0].id
      const issues = validate(space)
      const missing = issues.filter((i) => i.code === "MissingField").map((i) => [i.path, i.severity])
      assert.deepStrictEqual(missing, [
        ["$.config.sample_questions[0].id", "error"],
        ["$.instructions.join_specs[0].left.alias", "error"],
        ["$.instructions.join_specs[0].right", "error"],
        ["$.instructions.sql_snippets.expressions[0].alias", "error"],
        ["$.instructions.sql_snippets.measures[0].display_name", "warning"],
        ["$.benchmarks.questions[0].answer", "error"]
      ])
      only(validate({ data_sources: {} }), "MissingField", "$.version")
    })

    it("treats null as an unset field (protobuf JSON)", () => {
      const space = minimal()
      space.instructions.join_specs[0].comment = null
      assert.deepStrictEqual(validate(space), [])
      space.instructions.join_specs[0].id = null
      only(validate(space), "MissingField", "$.instructions.join_specs[0].id")
    })

    it("rejects ids that are not 32 lowercase hex characters", () => {
      const space = minimal()
      space.instructions.join_specs[0].id = "01F0F9B2-BB0D-1F2C-A059-8CFF807B6591"
      const issue = only(validate(space), "InvalidId", "$.instructions.join_specs[0].id")
      expect(issue.message).toContain('"01F0F9B2-BB0D-1F2C-A059-8CFF807B6591"')
      expect(issue.message).toContain("36 characters")
      expect(issue.message).toContain("expected exactly 32 lowercase hex characters")
    })

    it("rejects table and function names that are not three-part", () => {
      const space = minimal()
      space.data_sources.tables[0].identifier = "sales.orders"
      space.instructions.sql_functions[0].identifier = "main.sales.fiscal_year.extra"
      const issues = validate(space)
      assert.deepStrictEqual(
        issues.map((i) => [i.code, i.path]),
        [
          ["InvalidIdentifier", "$.data_sources.tables[0].identifier"],
          ["InvalidIdentifier", "$.instructions.sql_functions[0].identifier"]
        ]
      )
      expect(issues[0].message).toContain("2 parts")
      expect(issues[1].message).toContain("4 parts")
      const quoted = minimal()
      quoted.data_sources.tables[0].identifier = "main.`sales.eu`.orders"
      assert.deepStrictEqual(validate(quoted), [])
    })
  })

  describe("uniqueness", () => {
    it("requires question ids unique across sample and benchmark questions", () => {
      const space = minimal()
      space.benchmarks.questions[0].id = hex(0x10)
      const issue = only(validate(space), "DuplicateId", "$.benchmarks.questions[0].id")
      expect(issue.message).toContain("$.config.sample_questions[0]")
    })

    it("requires instruction ids unique across all instruction kinds", () => {
      const space = minimal()
      space.instructions.sql_snippets.measures[0].id = hex(0x23)
      const issue = only(validate(space), "DuplicateId", "$.instructions.sql_snippets.measures[0].id")
      expect(issue.message).toContain("$.instructions.join_specs[0]")
    })

    it("allows the same id in a question and an instruction", () => {
      const space = minimal()
      space.instructions.text_instructions[0].id = hex(0x10)
      assert.deepStrictEqual(validate(space), [])
    })

    it("rejects duplicate tables and duplicate columns of a table", () => {
      const space = minimal()
      space.data_sources.tables[0].column_configs[1].column_name = "order_date"
      space.data_sources.metric_views = [{ identifier: "main.sales.orders" }]
      const issues = validate(space)
      only(issues, "DuplicateColumn", "$.data_sources.tables[0].column_configs[1].column_name")
      expect(only(issues, "DuplicateTable", "$.data_sources.metric_views[0].identifier").message).toContain(
        "$.data_sources.tables[0]"
      )
    })
  })

  describe("sort order", () => {
    const unsorted = () => {
      const space = minimal()
      space.data_sources.tables.push({ identifier: "main.sales.aaa" })
      return space
    }

    it("names the first out-of-order pair and the sort key", () => {
      const issue = only(validate(unsorted()), "Unsorted", "$.data_sources.tables")
      assert.strictEqual(issue.severity, "error")
      expect(issue.message).toContain("sorted by identifier")
      expect(issue.message).toContain('item 0 ("main.sales.orders") comes before item 1 ("main.sales.aaa")')
    })

    it("uses byte order, not locale order", () => {
      const space = minimal()
      space.data_sources.tables[0].column_configs = [{ column_name: "a" }, { column_name: "B" }]
      only(validate(space), "Unsorted", "$.data_sources.tables[0].column_configs")
      space.data_sources.tables[0].column_configs = [{ column_name: "B" }, { column_name: "a" }]
      assert.deepStrictEqual(validate(space), [])
    })

    it("sorts sql_functions by (id, identifier)", () => {
      const space = minimal()
      space.instructions.sql_functions = [
        { id: hex(0x22), identifier: "main.sales.b" },
        { id: hex(0x22), identifier: "main.sales.a" }
      ]
      only(validate(space), "Unsorted", "$.instructions.sql_functions")
    })

    it("follows the sortOrder option", () => {
      assert.strictEqual(
        only(validate(unsorted(), { sortOrder: "warning" }), "Unsorted", "$.data_sources.tables").severity,
        "warning"
      )
      assert.deepStrictEqual(validate(unsorted(), { sortOrder: "ignore" }), [])
    })

    it("exempts benchmark questions (exports list them in descending order)", () => {
      const space = minimal()
      space.benchmarks.questions.unshift({ ...space.benchmarks.questions[0], id: hex(0x12) })
      assert.deepStrictEqual(validate(space), [])
    })
  })

  describe("limits", () => {
    it("allows at most one text instruction", () => {
      const space = minimal()
      space.instructions.text_instructions.push({ id: hex(0x27), content: ["more"] })
      only(validate(space), "TooManyTextInstructions", "$.instructions.text_instructions")
    })

    it("limits strings to 25,000 characters and arrays to 10,000 items", () => {
      const space = minimal()
      space.instructions.text_instructions[0].content = ["x".repeat(25_001)]
      space.data_sources.tables[0].column_configs[1].synonyms = Array.from({ length: 10_001 }, () => "a")
      const issues = validate(space)
      only(issues, "StringTooLong", "$.instructions.text_instructions[0].content[0]")
      only(issues, "ArrayTooLong", "$.data_sources.tables[0].column_configs[1].synonyms")
      space.instructions.text_instructions[0].content = ["x".repeat(25_000)]
      assert.isFalse(validate(space).some((i) => i.code === "StringTooLong"))
    })

    it("counts example SQL, SQL functions and the text block against 100 instruction slots", () => {
      const space = minimal()
      space.instructions.example_question_sqls = Array.from({ length: 98 }, (_, i) => ({
        id: hex(0x1000 + i),
        question: ["q"],
        sql: ["SELECT 1"]
      }))
      // 98 examples + 1 function + 1 text block = 100: at the limit.
      assert.isFalse(validate(space).some((i) => i.code === "TooManyInstructionSlots"))
      space.instructions.sql_functions.push({ id: hex(0x2000), identifier: "main.sales.f2" })
      expect(only(validate(space), "TooManyInstructionSlots", "$.instructions").message).toContain("101 slots")
    })

    it("allows at most 200 SQL snippets in total", () => {
      const space = minimal()
      // 199 filters + 1 expression + 1 measure = 201.
      space.instructions.sql_snippets.filters = Array.from({ length: 199 }, (_, i) => ({
        id: hex(0x3000 + i),
        display_name: `f${i}`,
        sql: ["orders.amount > 1"]
      }))
      only(validate(space), "TooManySnippets", "$.instructions.sql_snippets")
    })
  })

  describe("join specs", () => {
    const joinIssues = (sql: Array<string>) => {
      const space = minimal()
      space.instructions.join_specs = [join(0x23, sql)]
      return validate(space)
    }

    it("requires the relationship marker as the last sql element", () => {
      only(
        joinIssues(["`orders`.`customer_id` = `customers`.`customer_id`"]),
        "JoinSpecMissingRelationship",
        "$.instructions.join_specs[0].sql[0]"
      )
      only(
        joinIssues(["--rt=FROM_RELATIONSHIP_TYPE_MANY_TO_ONE--", "a.x = b.x"]),
        "JoinSpecMissingRelationship",
        "$.instructions.join_specs[0].sql[1]"
      )
    })

    it("rejects unknown relationship types and accepts the four known ones", () => {
      const issue = only(
        joinIssues(["a.x = b.x", "--rt=FROM_RELATIONSHIP_TYPE_SOME_TO_SOME--"]),
        "JoinSpecInvalidRelationship",
        "$.instructions.join_specs[0].sql[1]"
      )
      expect(issue.message).toContain("SOME_TO_SOME")
      for (const t of ["MANY_TO_ONE", "ONE_TO_MANY", "MANY_TO_MANY", "ONE_TO_ONE"]) {
        assert.deepStrictEqual(joinIssues(["a.x = b.x", `--rt=FROM_RELATIONSHIP_TYPE_${t}--`]), [])
      }
    })

    it("requires a condition before the marker", () => {
      const issues = joinIssues(["--rt=FROM_RELATIONSHIP_TYPE_ONE_TO_ONE--"])
      only(issues, "JoinSpecMissingCondition", "$.instructions.join_specs[0].sql")
      assert.strictEqual(issues.length, 1)
    })
  })

  describe("snippets", () => {
    it("only knows filters, expressions and measures", () => {
      const space = minimal()
      space.instructions.sql_snippets.dimensions = []
      const issue = only(validate(space), "UnknownField", "$.instructions.sql_snippets.dimensions")
      expect(issue.message).toContain("in message databricks.datarooms.export.SqlSnippets")
    })

    it("requires non-empty sql", () => {
      const space = minimal()
      space.instructions.sql_snippets.measures[0].sql = ["  "]
      only(validate(space), "EmptySql", "$.instructions.sql_snippets.measures[0].sql")
    })

    it("warns about a filter starting with WHERE", () => {
      const space = minimal()
      space.instructions.sql_snippets.filters[0].sql = ["where orders.region = 'EU'"]
      const issue = only(validate(space), "SnippetFilterHasWhere", "$.instructions.sql_snippets.filters[0].sql")
      assert.strictEqual(issue.severity, "warning")
    })
  })

  describe("benchmarks", () => {
    it("requires exactly one answer in SQL format", () => {
      const space = minimal()
      const answer = space.benchmarks.questions[0].answer[0]
      space.benchmarks.questions[0].answer = [answer, answer]
      only(validate(space), "BenchmarkAnswer", "$.benchmarks.questions[0].answer")
      space.benchmarks.questions[0].answer = [{ ...answer, format: "TEXT" }]
      only(validate(space), "BenchmarkAnswer", "$.benchmarks.questions[0].answer[0].format")
      space.benchmarks.questions[0].answer = []
      only(validate(space), "BenchmarkAnswer", "$.benchmarks.questions[0].answer")
    })
  })

  describe("version flags", () => {
    it("rejects v1 flags in a v2 space, naming the v2 replacement", () => {
      const space = minimal()
      space.data_sources.tables[0].column_configs[0].get_example_values = true
      const issue = only(
        validate(space),
        "VersionFlagMismatch",
        "$.data_sources.tables[0].column_configs[0].get_example_values"
      )
      expect(issue.message).toContain("enable_format_assistance")
    })

    it("rejects v2 flags in a v1 space, naming the v1 name", () => {
      const space = minimal()
      space.version = 1
      const issues = validate(space)
      const mismatches = issues.filter((i) => i.code === "VersionFlagMismatch")
      assert.deepStrictEqual(
        mismatches.map((i) => i.path.replace("$.data_sources.tables[0].column_configs", "")),
        ["[0].enable_format_assistance", "[1].enable_format_assistance", "[1].enable_entity_matching"]
      )
      const entity = issues.find((i) => i.path.endsWith("column_configs[1].enable_entity_matching"))!
      expect(entity.message).toContain("build_value_dictionary")
    })

    it("warns when entity matching is on without format assistance", () => {
      const space = minimal()
      delete space.data_sources.tables[0].column_configs[1].enable_format_assistance
      const issue = only(
        validate(space),
        "EntityMatchingNeedsFormatAssistance",
        "$.data_sources.tables[0].column_configs[1].enable_entity_matching"
      )
      assert.strictEqual(issue.severity, "warning")
    })
  })
})
