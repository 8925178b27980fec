/**
 * The `PlanValidator` layer: nothing invalid is ever applied. Each fix is checked on its own (its change decodes,
 * its SQL parses, is read-only, references tables and columns that exist and runs on the warehouse with no rows,
 * it duplicates nothing, leaks no benchmark), then against the others (conflicts), then the plan as a whole against
 * the API's rules (`SpaceValidation`, limits). Every rejected fix carries a code and a sentence.
 *
 * | code | why |
 * | --- | --- |
 * | `InvalidChange` | the change does not match its category's schema (`Changes`) |
 * | `Unparseable` | a SQL fragment does not parse |
 * | `WritesData` | a SQL fragment is not a single read-only query (`SqlGuard`) |
 * | `UnknownTable` / `UnknownColumn` | it references what the warehouse does not have |
 * | `NotInSpace` | metadata or a join for a table the space does not include |
 * | `NotFound` | a delete (or an edit) names an item the space does not have |
 * | `InvalidTarget` | entity matching on a column that is not a string |
 * | `InvalidParameters` | example SQL's `:parameters` and declared parameters differ |
 * | `Duplicate` | the space (or an earlier fix of the plan) already has it |
 * | `Conflict` | it contradicts another fix (a synonym added and deleted, one synonym on a column and a measure or on two differently named columns, two measures with one name) |
 * | `Leakage` | example SQL or a snippet whose normalised query equals or contains a benchmark's expected SQL |
 * | `QuestionLeak` | a benchmark question copied into the space |
 * | `SqlFailed` | the warehouse refused to run it (`LIMIT 0`) |
 * | `ApiInvalid` | the space would no longer pass `SpaceValidation` |
 * | `Limit` | an API limit (instruction length, entity-matching columns, instruction slots, snippets) |
 */
import { Effect, Layer } from "effect"
import type { Benchmark } from "../../model/Benchmark.js"
import { normalizeQuestion } from "../../model/Benchmark.js"
import type { SerializedSpace } from "../../model/Space.js"
import * as SpaceValidation from "../../model/SpaceValidation.js"
import * as SqlAnalysis from "../../sql/SqlAnalysis.js"
import * as SqlGuard from "../../sql/SqlGuard.js"
import { Executor } from "../execute/Executor.js"
import * as Changes from "../fix/Changes.js"
import type { Fix } from "../fix/Fixer.js"
import { Plan, RejectedFix } from "../fix/Fixer.js"
import * as Catalog from "../learn-patterns/Catalog.js"
import * as PlanApply from "./PlanApply.js"
import type { ValidationContext } from "./PlanValidator.js"
import { PlanValidator } from "./PlanValidator.js"

/** Options of the validator. @category configuration */
export interface Options {
  /** Also guard train benchmarks' SQL against leakage (holdout: always). Profile `fix.guardTrainLeakage`. */
  readonly guardTrainLeakage: boolean
  /** Columns with entity matching at most (Genie's documented limit is 120 per space). */
  readonly maxEntityMatchingColumns: number
  /** Characters of the text instruction at most (the API caps any string at 25,000). */
  readonly maxInstructionChars: number
}

/** @category configuration */
export const defaultOptions: Options = {
  guardTrainLeakage: true,
  maxEntityMatchingColumns: 120,
  maxInstructionChars: SpaceValidation.limits.maxStringLength
}

type Rejection = { readonly code: string; readonly reason: string }

const reject = (code: string, reason: string): Rejection => ({ code, reason })

const short = (identifier: string) => (identifier.split(".").pop() ?? identifier).toLowerCase()

/** A query's structure, alias-insensitive: equal fingerprints mean the same query up to spelling. */
const fingerprint = (sql: string): string | undefined => {
  const a = SqlAnalysis.analyze(sql)
  if (a._tag === "Unparseable") return undefined
  const f = a.facts
  return JSON.stringify([
    f.tables,
    f.joins.map((j) => `${j.kind}:${j.condition}`).sort(),
    f.filters.map((x) => x.sql).sort(),
    f.aggregates,
    [...f.groupBy].sort(),
    f.outputs.map((o) => o.sql),
    f.orderBy.map((o) => `${o.sql}:${o.descending}`),
    f.limit ?? null
  ])
}

interface Guard {
  /** Canonical SQL and fingerprints of the guarded benchmarks' queries. */
  readonly queries: ReadonlyArray<{ readonly id: string; readonly canonical: string; readonly fingerprint?: string }>
  /** Normalised questions of every benchmark (and their translations). */
  readonly questions: ReadonlyArray<{ readonly id: string; readonly text: string }>
}

const makeGuard = (benchmarks: ReadonlyArray<Benchmark>, guardTrain: boolean): Guard => ({
  queries: benchmarks
    .filter((b) => b.split === "holdout" || b.split === undefined || guardTrain)
    .flatMap((b) => {
      const canonical = SqlAnalysis.canonicalSql(b.expected_sql)
      if (canonical === undefined) return []
      const fp = fingerprint(b.expected_sql)
      return [{ id: b.id, canonical, ...(fp === undefined ? {} : { fingerprint: fp }) }]
    }),
  questions: benchmarks.flatMap((b) =>
    [b.question, ...Object.values(b.question_alt ?? {})]
      .map((q) => ({ id: b.id, text: normalizeQuestion(q) }))
      .filter((q) => q.text.length >= 12)
  )
})

/** A benchmark whose query one of the SQL's blocks restates. */
const leakedQuery = (guard: Guard, sql: string): string | undefined => {
  const blocks = SqlAnalysis.queryBlocks(sql)
  const prints = blocks.map(fingerprint)
  return guard.queries.find(
    (q) => blocks.includes(q.canonical) || (q.fingerprint !== undefined && prints.includes(q.fingerprint))
  )?.id
}

const leakedQuestion = (guard: Guard, texts: ReadonlyArray<string>): string | undefined => {
  const normalised = texts.map(normalizeQuestion)
  return guard.questions.find((q) => normalised.some((t) => t.includes(q.text)))?.id
}

/** Tables of the space by short name and by identifier (lower case). */
const spaceTables = (space: SerializedSpace) => {
  const tables = [...(space.data_sources?.tables ?? []), ...(space.data_sources?.metric_views ?? [])]
  return new Map(
    tables.flatMap((t) => [
      [t.identifier.toLowerCase(), t.identifier] as const,
      [short(t.identifier), t.identifier] as const
    ])
  )
}

/**
 * Builds the validator with an executor (catalog, `LIMIT 0` runs).
 *
 * @category constructors
 */
export const make = (executor: Executor["Type"], options: Partial<Options> = {}) => {
  const opts: Options = { ...defaultOptions, ...options }
  return (plan: Plan, context: ValidationContext): Effect.Effect<Plan> =>
    Effect.gen(function* () {
      const { space } = context
      const guard = makeGuard(context.benchmarks, opts.guardTrainLeakage)
      const tables = spaceTables(space)
      const mentioned = plan.fixes.flatMap((f) => {
        const c = f.change as Record<string, unknown> | null
        const fromSides = [c?.["left"], c?.["right"]].flatMap((s) =>
          typeof s === "object" && s !== null && typeof (s as Record<string, unknown>)["identifier"] === "string"
            ? [(s as Record<string, string>)["identifier"]]
            : []
        )
        return [...fromSides, ...(typeof c?.["table"] === "string" ? [c["table"]] : [])]
      })
      const catalog = yield* Catalog.describe(executor, [...new Set(tables.values()), ...mentioned])

      /** Checks the columns a query reads exist; tables are named by short names resolved through the space. */
      const references = (sql: string): Rejection | undefined => {
        const a = SqlAnalysis.analyze(sql)
        if (a._tag === "Unparseable") return reject("Unparseable", `the SQL does not parse: ${a.message}`)
        for (const table of a.facts.tables) {
          if (!catalog.has(table) && !catalog.has(tables.get(short(table))?.toLowerCase() ?? "")) {
            return reject("UnknownTable", `table ${table} does not exist in the warehouse`)
          }
        }
        const fullOf = (alias: string) =>
          a.facts.tableNames?.[alias] ?? a.facts.tables.find((t) => short(t) === alias) ?? tables.get(alias)
        for (const ref of [
          ...a.facts.outputs.flatMap((o) => o.columns),
          ...a.facts.filters.flatMap((f) => f.columns),
          ...a.facts.groupBy
        ]) {
          const dot = ref.lastIndexOf(".")
          if (dot < 0) continue
          const full = fullOf(ref.slice(0, dot))
          if (full === undefined) continue
          if (catalog.has(full.toLowerCase()) && Catalog.column(catalog, full, ref.slice(dot + 1)) === undefined) {
            return reject("UnknownColumn", `column ${ref.slice(dot + 1)} does not exist in ${full}`)
          }
        }
        return undefined
      }
      const guardSql = (sql: string): Rejection | undefined => {
        const unsafe = SqlGuard.check(sql)
        if (unsafe === undefined) return undefined
        return unsafe.reason === "Unparseable"
          ? reject("Unparseable", unsafe.message)
          : reject("WritesData", `${unsafe.message}; only a single read-only query is allowed`)
      }
      const runs = (sql: string): Effect.Effect<Rejection | undefined> =>
        executor.execute(`SELECT * FROM (${sql}) AS checked LIMIT 0`, { rowLimit: 1 }).pipe(
          Effect.as(undefined),
          Effect.catchAll((e) => Effect.succeed(reject("SqlFailed", `the warehouse refused it: ${e.message}`)))
        )
      /** A snippet as a query over the tables it names (short names, as snippets write them). */
      const snippetQuery = (kind: "measure" | "filter" | "expression", sql: string): string | undefined => {
        const probe = SqlAnalysis.analyze(
          `SELECT 1 FROM ${[...new Set(tables.values())].map((t) => `${t} AS ${short(t)}`).join(" CROSS JOIN ") || "(SELECT 1) AS x"} WHERE ${kind === "filter" ? `(${sql})` : `(${sql}) IS NOT NULL`}`
        )
        if (probe._tag === "Unparseable") return undefined
        const used = [
          ...new Set(probe.facts.filters.flatMap((f) => f.columns).map((c) => c.slice(0, c.lastIndexOf("."))))
        ]
          .map((alias) => tables.get(alias))
          .filter((t): t is string => t !== undefined)
        const from = used.length === 0 ? [...new Set(tables.values())].slice(0, 1) : used
        const fromSql = from.map((t) => `${t} AS ${short(t)}`).join(" CROSS JOIN ")
        return kind === "filter"
          ? `SELECT 1 AS v FROM ${fromSql} WHERE (${sql}) AND 1 = 0`
          : `SELECT ${sql} AS v FROM ${fromSql} WHERE 1 = 0`
      }

      const accepted: Array<Fix> = []
      const rejected: Array<RejectedFix> = [...plan.rejected]
      const seen = new Set<string>()
      for (const fix of plan.fixes) {
        const problem = yield* check(fix)
        if (problem !== undefined) rejected.push(new RejectedFix({ fix, code: problem.code, reason: problem.reason }))
        else accepted.push(fix)
      }

      // The plan as a whole: conflicts between fixes, then the API's rules, adding one fix at a time.
      const final: Array<Fix> = []
      let current = space
      const baseIssues = new Set(
        SpaceValidation.validate(space)
          .filter((i) => i.severity === "error")
          .map((i) => `${i.code}@${i.path}`)
      )
      for (const fix of accepted) {
        const conflict = conflictWith(fix, final)
        if (conflict !== undefined) {
          rejected.push(new RejectedFix({ fix, code: conflict.code, reason: conflict.reason }))
          continue
        }
        const next = PlanApply.apply(current, new Plan({ fixes: [fix] }))
        const issues = SpaceValidation.validate(next).filter(
          (i) => i.severity === "error" && !baseIssues.has(`${i.code}@${i.path}`)
        )
        const limit = limits(next)
        if (issues.length > 0) {
          const limitCodes = new Set([
            "TooManySnippets",
            "TooManyInstructionSlots",
            "TooManyTextInstructions",
            "StringTooLong",
            "ArrayTooLong"
          ])
          const code = issues.some((i) => limitCodes.has(i.code)) ? "Limit" : "ApiInvalid"
          rejected.push(
            new RejectedFix({
              fix,
              code,
              reason: `the space would be invalid: ${issues[0].message} (${issues[0].path})`
            })
          )
        } else if (limit !== undefined) {
          rejected.push(new RejectedFix({ fix, code: "Limit", reason: limit }))
        } else {
          final.push(fix)
          current = next
        }
      }
      return new Plan({ fixes: final, rejected })

      function limits(next: SerializedSpace): string | undefined {
        const entity = (next.data_sources?.tables ?? [])
          .flatMap((t) => t.column_configs ?? [])
          .filter((c) => c.enable_entity_matching === true || c.build_value_dictionary === true).length
        if (entity > opts.maxEntityMatchingColumns)
          return `entity matching would be on ${entity} columns; at most ${opts.maxEntityMatchingColumns} are allowed`
        const instruction = (next.instructions?.text_instructions ?? []).map((t) => (t.content ?? []).join("")).join("")
        if (instruction.length > opts.maxInstructionChars)
          return `the text instruction would have ${instruction.length} characters; at most ${opts.maxInstructionChars} are allowed`
        return undefined
      }

      function check(fix: Fix): Effect.Effect<Rejection | undefined> {
        return Effect.gen(function* () {
          const decoded = Changes.decode(fix.category, fix.change)
          if (decoded._tag === "Left")
            return reject("InvalidChange", `the change does not match ${fix.category}: ${decoded.left}`)
          const typed = decoded.right
          const key = `${fix.category}:${JSON.stringify(typed.change)}`
          if (seen.has(key)) return reject("Duplicate", "an earlier fix of the plan makes the same change")
          seen.add(key)
          const instructions = space.instructions
          switch (typed.category) {
            case "instruction-fix": {
              const lines = typed.change.append.map((l) => l.trim()).filter((l) => l !== "")
              if (lines.length === 0) return reject("InvalidChange", "nothing to append")
              const existing = (instructions?.text_instructions ?? []).flatMap((t) => t.content ?? []).join("")
              if (lines.every((l) => existing.includes(l)))
                return reject("Duplicate", "the instruction already says this")
              const q = leakedQuestion(guard, lines)
              return q === undefined ? undefined : reject("QuestionLeak", `it copies the question of benchmark ${q}`)
            }
            case "join-spec-add": {
              const c = typed.change
              for (const side of [c.left, c.right]) {
                if (!catalog.has(side.identifier.toLowerCase()))
                  return reject("UnknownTable", `table ${side.identifier} does not exist in the warehouse`)
                if (!tables.has(side.identifier.toLowerCase()))
                  return reject("NotInSpace", `table ${side.identifier} is not in the space`)
              }
              const pair = [c.left.identifier, c.right.identifier]
                .map((s) => s.toLowerCase())
                .sort()
                .join("|")
              const dup = (instructions?.join_specs ?? []).find(
                (s) =>
                  [s.left.identifier, s.right.identifier]
                    .map((x) => x.toLowerCase())
                    .sort()
                    .join("|") === pair
              )
              if (dup !== undefined)
                return reject(
                  "Duplicate",
                  `join spec ${dup.id} already joins ${c.left.identifier} and ${c.right.identifier}`
                )
              const sql = `SELECT 1 AS v FROM ${c.left.identifier} AS ${c.left.alias} JOIN ${c.right.identifier} AS ${c.right.alias} ON ${c.condition} WHERE 1 = 0`
              return guardSql(sql) ?? references(sql) ?? (yield* runs(sql))
            }
            case "join-spec-delete":
              return (instructions?.join_specs ?? []).some((s) => s.id === typed.change.id)
                ? undefined
                : reject("NotFound", `the space has no join spec ${typed.change.id}`)
            case "sql-snippet-add": {
              const c = typed.change
              if ((c.kind === "measure" || c.kind === "expression") && (c.alias ?? "") === "")
                return reject("InvalidChange", `a ${c.kind} snippet needs an alias`)
              const existing = instructions?.sql_snippets?.[`${c.kind}s` as "measures"] ?? []
              const norm = (s: string) => SqlAnalysis.canonicalSql(`SELECT ${s}`) ?? s
              const same = existing.find((s) => norm(s.sql.join(" ")) === norm(c.sql))
              if (same !== undefined) return reject("Duplicate", `snippet ${same.id} already computes ${c.sql}`)
              const named = existing.find(
                (s) =>
                  (s.display_name ?? "").toLowerCase() === c.displayName.toLowerCase() ||
                  (c.alias !== undefined &&
                    ((s as { alias?: string }).alias ?? "").toLowerCase() === c.alias.toLowerCase())
              )
              if (named !== undefined)
                return reject(
                  "Conflict",
                  `snippet ${named.id} already has the name ${c.displayName}; two ${c.kind}s with one name`
                )
              const sql = snippetQuery(c.kind, c.sql)
              if (sql === undefined) return reject("Unparseable", `the snippet does not parse as a ${c.kind}: ${c.sql}`)
              const leaked = leakedQuery(guard, sql)
              if (leaked !== undefined) return reject("Leakage", `it contains the expected SQL of benchmark ${leaked}`)
              const q = leakedQuestion(guard, [c.displayName, ...c.synonyms, c.instruction ?? "", c.comment ?? ""])
              if (q !== undefined) return reject("QuestionLeak", `it copies the question of benchmark ${q}`)
              return guardSql(sql) ?? references(sql) ?? (yield* runs(sql))
            }
            case "sql-snippet-delete": {
              const existing = instructions?.sql_snippets?.[`${typed.change.kind}s` as "measures"] ?? []
              return existing.some((s) => s.id === typed.change.id)
                ? undefined
                : reject("NotFound", `the space has no ${typed.change.kind} snippet ${typed.change.id}`)
            }
            case "metadata-add":
            case "metadata-delete": {
              const c = typed.change
              if (c._tag === "SnippetSynonyms" || c._tag === "SnippetSynonym") {
                const snippet = (instructions?.sql_snippets?.[`${c.kind}s` as "measures"] ?? []).find(
                  (s) => s.id === c.id
                )
                if (snippet === undefined) return reject("NotFound", `the space has no ${c.kind} snippet ${c.id}`)
                if (c._tag === "SnippetSynonym")
                  return (snippet.synonyms ?? []).includes(c.synonym)
                    ? undefined
                    : reject("NotFound", `snippet ${c.id} has no synonym "${c.synonym}"`)
                const fresh = c.synonyms.filter(
                  (s) => !(snippet.synonyms ?? []).some((x) => x.toLowerCase() === s.toLowerCase())
                )
                if (fresh.length === 0) return reject("Duplicate", `snippet ${c.id} already has these synonyms`)
                const q = leakedQuestion(guard, c.synonyms)
                return q === undefined ? undefined : reject("QuestionLeak", `it copies the question of benchmark ${q}`)
              }
              const tableId = tables.get(c.table.toLowerCase())
              if (tableId === undefined) return reject("NotInSpace", `table ${c.table} is not in the space`)
              if (!catalog.has(tableId.toLowerCase()))
                return reject("UnknownTable", `table ${c.table} does not exist in the warehouse`)
              const config = (space.data_sources?.tables ?? [])
                .find((t) => t.identifier.toLowerCase() === tableId.toLowerCase())
                ?.column_configs?.find((x) => "column" in c && x.column_name.toLowerCase() === c.column.toLowerCase())
              if (c._tag === "TableDescription") {
                const q = leakedQuestion(guard, [c.description])
                return q === undefined ? undefined : reject("QuestionLeak", `it copies the question of benchmark ${q}`)
              }
              const column = Catalog.column(catalog, tableId, c.column)
              if (column === undefined)
                return reject("UnknownColumn", `column ${c.column} does not exist in ${tableId}`)
              if (typed.category === "metadata-delete") {
                if (c._tag === "ColumnSynonym")
                  return (config?.synonyms ?? []).includes(c.synonym)
                    ? undefined
                    : reject("NotFound", `${c.column} has no synonym "${c.synonym}"`)
                if (c._tag === "EntityMatching")
                  return config?.enable_entity_matching === true || config?.build_value_dictionary === true
                    ? undefined
                    : reject("NotFound", `${c.column} has no entity matching`)
                return config?.exclude === true ? undefined : reject("NotFound", `${c.column} is not excluded`)
              }
              if (c._tag === "ColumnSynonyms") {
                const fresh = c.synonyms.filter(
                  (s) => !(config?.synonyms ?? []).some((x) => x.toLowerCase() === s.toLowerCase())
                )
                if (fresh.length === 0) return reject("Duplicate", `${c.column} already has these synonyms`)
                const q = leakedQuestion(guard, c.synonyms)
                return q === undefined ? undefined : reject("QuestionLeak", `it copies the question of benchmark ${q}`)
              }
              if (c._tag === "ColumnDescription") {
                const q = leakedQuestion(guard, [c.description])
                return q === undefined ? undefined : reject("QuestionLeak", `it copies the question of benchmark ${q}`)
              }
              if (c._tag === "EntityMatching" || c._tag === "FormatAssistance") {
                if (c._tag === "EntityMatching" && !Catalog.isString(column))
                  return reject(
                    "InvalidTarget",
                    `entity matching needs a string column; ${c.column} is ${column.typeName}`
                  )
                const on =
                  c._tag === "EntityMatching"
                    ? config?.enable_entity_matching === true || config?.build_value_dictionary === true
                    : config?.enable_format_assistance === true || config?.get_example_values === true
                return on
                  ? reject(
                      "Duplicate",
                      `${c.column} already has ${c._tag === "EntityMatching" ? "entity matching" : "format assistance"}`
                    )
                  : undefined
              }
              return config?.exclude === true ? reject("Duplicate", `${c.column} is already excluded`) : undefined
            }
            case "example-query-add": {
              const c = typed.change
              const unsafe = guardSql(c.sql)
              if (unsafe !== undefined) return unsafe
              const used = SqlAnalysis.parameterNames(c.sql)
              const declared = c.parameters.map((p) => p.name)
              const missing = used.filter((u) => !declared.includes(u))
              const unused = declared.filter((d) => !used.includes(d))
              if (missing.length + unused.length > 0)
                return reject(
                  "InvalidParameters",
                  `parameters used but not declared: [${missing.join(", ")}]; declared but not used: [${unused.join(", ")}]`
                )
              const bound = SqlAnalysis.bindParameters(c.sql, (name) => {
                const p = c.parameters.find((x) => x.name === name)
                const v = p?.defaultValue
                if (v === undefined) return "NULL"
                if (p?.typeHint === "STRING") return `'${v.replace(/'/g, "''")}'`
                if (p?.typeHint === "DATE") return `DATE'${v}'`
                return v
              })
              if (bound === undefined) return reject("Unparseable", "the example SQL does not parse")
              const leaked = leakedQuery(guard, c.sql) ?? leakedQuery(guard, bound)
              if (leaked !== undefined) return reject("Leakage", `it restates the expected SQL of benchmark ${leaked}`)
              const q = leakedQuestion(guard, [c.question, c.usageGuidance ?? ""])
              if (q !== undefined) return reject("QuestionLeak", `it copies the question of benchmark ${q}`)
              const canonical = SqlAnalysis.canonicalSql(c.sql)
              const dup = (instructions?.example_question_sqls ?? []).find(
                (e) =>
                  normalizeQuestion(e.question.join("")) === normalizeQuestion(c.question) ||
                  (canonical !== undefined && SqlAnalysis.canonicalSql(e.sql.join("")) === canonical)
              )
              if (dup !== undefined) return reject("Duplicate", `example ${dup.id} already asks this or has this SQL`)
              return references(bound) ?? (yield* runs(bound))
            }
            case "example-query-delete":
              return (instructions?.example_question_sqls ?? []).some((e) => e.id === typed.change.id)
                ? undefined
                : reject("NotFound", `the space has no example ${typed.change.id}`)
          }
        })
      }
    }).pipe(Effect.withSpan("PlanValidation.validate"))
}

/** What a fix gives synonyms to: a column (any table) or a snippet (by kind and id or name). */
interface SynonymOwner {
  readonly column?: string
  readonly snippet?: string
  readonly label: string
  readonly synonyms: ReadonlyArray<string>
}

const addedSynonyms = (fix: Fix): SynonymOwner | undefined => {
  const c = fix.change as Record<string, unknown>
  const synonyms = Array.isArray(c["synonyms"]) ? (c["synonyms"] as Array<string>) : []
  if (synonyms.length === 0) return undefined
  if (fix.category === "metadata-add" && c["_tag"] === "ColumnSynonyms")
    return {
      column: String(c["column"]).toLowerCase(),
      label: `${String(c["table"])}.${String(c["column"])}`,
      synonyms
    }
  if (fix.category === "metadata-add" && c["_tag"] === "SnippetSynonyms")
    return {
      snippet: `${String(c["kind"])}:${String(c["id"])}`,
      label: `${String(c["kind"])} ${String(c["id"])}`,
      synonyms
    }
  if (fix.category === "sql-snippet-add")
    return {
      snippet: `${String(c["kind"])}:${String(c["displayName"]).toLowerCase()}`,
      label: `${String(c["kind"])} ${String(c["displayName"])}`,
      synonyms
    }
  return undefined
}

/** Two owners one phrase may name: the same column name (in any tables), or the same snippet. */
const sameConcept = (a: SynonymOwner, b: SynonymOwner) =>
  (a.column !== undefined && a.column === b.column) || (a.snippet !== undefined && a.snippet === b.snippet)

/** What a fix would contradict among the fixes kept so far. */
const conflictWith = (fix: Fix, kept: ReadonlyArray<Fix>): Rejection | undefined => {
  const c = fix.change as Record<string, unknown>
  for (const other of kept) {
    const o = other.change as Record<string, unknown>
    // A synonym added and deleted.
    if (
      fix.category === "metadata-delete" &&
      other.category === "metadata-add" &&
      c["_tag"] === "ColumnSynonym" &&
      o["_tag"] === "ColumnSynonyms"
    ) {
      if (
        c["table"] === o["table"] &&
        c["column"] === o["column"] &&
        (o["synonyms"] as Array<string>).includes(c["synonym"] as string)
      )
        return reject("Conflict", `fix ${other.id} adds the synonym "${String(c["synonym"])}" this fix deletes`)
    }
    if (
      fix.category === "metadata-add" &&
      other.category === "metadata-delete" &&
      c["_tag"] === "ColumnSynonyms" &&
      o["_tag"] === "ColumnSynonym"
    ) {
      if (
        c["table"] === o["table"] &&
        c["column"] === o["column"] &&
        (c["synonyms"] as Array<string>).includes(o["synonym"] as string)
      )
        return reject("Conflict", `fix ${other.id} deletes the synonym "${String(o["synonym"])}" this fix adds`)
    }
    // The same phrase given to two things: two differently named columns, or a column and a snippet. Columns with
    // one name in several tables (a key such as `x_code` in each table that has it) are one concept: the phrase is
    // theirs in every table, so questions over any of them find it.
    const cs = addedSynonyms(fix)
    const os = addedSynonyms(other)
    if (cs !== undefined && os !== undefined) {
      const shared = cs.synonyms.find((s) => os.synonyms.some((x) => x.toLowerCase() === s.toLowerCase()))
      if (shared !== undefined && !sameConcept(cs, os))
        return reject("Conflict", `fix ${other.id} gives "${shared}" to ${os.label} already`)
    }
    // Two snippets of one kind with one name.
    if (fix.category === "sql-snippet-add" && other.category === "sql-snippet-add" && c["kind"] === o["kind"]) {
      const name = (x: Record<string, unknown>) => [
        (typeof x["displayName"] === "string" ? x["displayName"] : "").toLowerCase(),
        (typeof x["alias"] === "string" ? x["alias"] : "").toLowerCase()
      ]
      const [dn, al] = name(c)
      const [odn, oal] = name(o)
      if (dn === odn || (al !== "" && al === oal))
        return reject("Conflict", `fix ${other.id} adds a ${String(c["kind"])} with the same name`)
    }
    // Adding and deleting one item.
    if (
      fix.category.endsWith("-delete") &&
      other.category.endsWith("-add") &&
      c["id"] !== undefined &&
      c["id"] === o["id"]
    )
      return reject("Conflict", `fix ${other.id} changes the item this fix deletes`)
  }
  return undefined
}

/**
 * The validator as a `PlanValidator` layer (needs an `Executor`).
 *
 * @category layers
 */
export const layer = (options: Partial<Options> = {}): Layer.Layer<PlanValidator, never, Executor> =>
  Layer.effect(
    PlanValidator,
    Effect.map(Executor, (executor) => PlanValidator.of({ validate: make(executor, options) }))
  )
