/**
 * The read-only guard: SQL that did not come from the user's own benchmark file (Genie's answers, LLM-proposed
 * examples) is parsed before it runs, and anything but a single read-only query is refused.
 */
import { Effect, Schema } from "effect"
import { Dialect, parse } from "./Polyglot.js"

/**
 * SQL that may change data, schema, session state or files, or that is not exactly one statement. Never executed.
 *
 * @category errors
 */
export class UnsafeSql extends Schema.TaggedError<UnsafeSql>()("UnsafeSql", {
  /** `Unparseable`: not valid SQL; `Empty`: no statement; `MultipleStatements`; `NotReadOnly`: writes or changes state. */
  reason: Schema.Literal("Unparseable", "Empty", "MultipleStatements", "NotReadOnly"),
  message: Schema.String,
  /** Statement kinds found, as the parser names them (`select`, `drop_table`, …). */
  kinds: Schema.Array(Schema.String)
}) {}

/** Top-level statement kinds that only read: queries (also parenthesised), set operations, SHOW, DESCRIBE/EXPLAIN. */
const readOnlyKinds: ReadonlySet<string> = new Set([
  "select",
  "values",
  "union",
  "intersect",
  "except",
  "subquery",
  "paren",
  "show",
  "describe"
])

/**
 * Node kinds that write or change state. Searched for at any depth, because a read-only statement can hide one
 * (`SELECT * FROM (INSERT …)`, a data-modifying CTE, `EXPLAIN` over DML where a dialect allows it).
 */
const writingKinds: ReadonlySet<string> = new Set([
  "insert",
  "update",
  "delete",
  "merge",
  "copy",
  "truncate",
  "attach",
  "detach",
  "install",
  "load",
  "pragma",
  "set_statement",
  "use",
  "grant",
  "revoke",
  "command",
  "cache",
  "uncache",
  "refresh",
  "call",
  "vacuum",
  "analyze",
  "export",
  "import"
])
const writingPrefixes = ["create_", "drop_", "alter_", "rename_"]

const isWriting = (kind: string): boolean =>
  writingKinds.has(kind) || writingPrefixes.some((prefix) => kind.startsWith(prefix))

/**
 * Functions that change state, read outside the warehouse's tables, call out of the engine or run SQL of their own,
 * refused wherever they appear (lower case). DuckDB's (the emulator's engine) and Databricks' are both listed: a
 * benchmark file is run on either.
 */
const deniedFunctions: ReadonlySet<string> = new Set([
  // DuckDB: state, files, nested SQL
  "checkpoint",
  "force_checkpoint",
  "setseed",
  "query",
  "query_table",
  "glob",
  "sniff_csv",
  "nextval",
  "currval",
  "set_variable",
  "getvariable",
  "current_setting",
  "enable_logging",
  "disable_logging",
  "truncate_duckdb_logs",
  // Databricks / Spark: files, streams, secrets, outbound calls, JVM reflection, model calls
  "read_files",
  "read_kafka",
  "read_kinesis",
  "read_pubsub",
  "read_pulsar",
  "read_statestore",
  "read_state_metadata",
  "cloud_files_state",
  "secret",
  "try_secret",
  "http_request",
  "reflect",
  "java_method",
  "try_reflect",
  "ai_query",
  "vector_search"
])
const deniedFunctionPrefixes = ["read_", "pragma_", "duckdb_", "parquet_", "iceberg_", "delta_scan", "sqlite_"]

/**
 * Table-valued functions allowed in `FROM` / `JOIN` / `LATERAL VIEW`: generators over values only. Any other function
 * in a table position (`read_csv('…')`, `query('…')`, `range` aside) reads something that is not a table of the
 * space, so it is refused.
 */
const allowedTableFunctions: ReadonlySet<string> = new Set([
  "range",
  "generate_series",
  "explode",
  "explode_outer",
  "posexplode",
  "posexplode_outer",
  "inline",
  "inline_outer",
  "stack",
  "json_tuple",
  "unnest",
  "sequence",
  "values"
])

const isDeniedFunction = (name: string): boolean =>
  deniedFunctions.has(name) || deniedFunctionPrefixes.some((prefix) => name.startsWith(prefix))

/** Keys whose children are table sources (a function directly under them is a table function). */
const tableKeys: ReadonlySet<string> = new Set(["from", "joins", "lateral_views"])
/** Keys that leave a table position: arguments, conditions, nested queries. */
const valueKeys: ReadonlySet<string> = new Set([
  "args",
  "on",
  "using",
  "select",
  "subquery",
  "where_clause",
  "condition"
])

/** The first refused function call anywhere in the AST (`name` and why), or `undefined`. */
const findFunction = (node: unknown, inTable: boolean): string | undefined => {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = findFunction(item, inTable)
      if (found !== undefined) return found
    }
    return undefined
  }
  if (typeof node !== "object" || node === null) return undefined
  for (const [key, value] of Object.entries(node)) {
    if (value === null) continue
    if (key === "function" && typeof value === "object") {
      const raw = (value as { readonly name?: unknown }).name
      const name = typeof raw === "string" ? raw.toLowerCase() : ""
      if (isDeniedFunction(name)) return `the function ${name}()`
      if (inTable && !allowedTableFunctions.has(name)) return `the table function ${name}()`
    }
    const found = findFunction(value, tableKeys.has(key) ? true : valueKeys.has(key) ? false : inTable)
    if (found !== undefined) return found
  }
  return undefined
}

/** The first writing construct anywhere in the AST, or `undefined`. `SELECT … INTO t` counts. */
const findWriting = (node: unknown): string | undefined => {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = findWriting(item)
      if (found !== undefined) return found
    }
    return undefined
  }
  if (typeof node !== "object" || node === null) return undefined
  for (const [key, value] of Object.entries(node)) {
    if (value === null) continue
    if (isWriting(key)) return key
    if (key === "into") return "select_into"
    const found = findWriting(value)
    if (found !== undefined) return found
  }
  return undefined
}

/**
 * Why the statements of an already parsed SQL text (the `ast` of `@polyglot-sql/sdk`'s `parse`) may not run, or
 * `undefined` when there is exactly one read-only statement.
 *
 * @category constructors
 */
export const checkParsed = (ast: ReadonlyArray<unknown>): UnsafeSql | undefined => {
  const statements = ast.filter(
    (s): s is Record<string, unknown> => typeof s === "object" && s !== null && Object.keys(s).length > 0
  )
  const kinds = statements.map((s) => Object.keys(s)[0] ?? "unknown")
  if (statements.length === 0) return new UnsafeSql({ reason: "Empty", message: "refused: no SQL statement", kinds })
  if (statements.length > 1) {
    return new UnsafeSql({
      reason: "MultipleStatements",
      message: `refused: ${statements.length} statements (${kinds.join(", ")}); exactly one read-only query may run`,
      kinds
    })
  }
  if (!readOnlyKinds.has(kinds[0])) {
    return new UnsafeSql({ reason: "NotReadOnly", message: `refused: ${kinds[0]} is not a read-only statement`, kinds })
  }
  const writing = findWriting(statements[0])
  if (writing !== undefined) {
    return new UnsafeSql({
      reason: "NotReadOnly",
      message: `refused: the query contains a ${writing} operation`,
      kinds: [...kinds, writing]
    })
  }
  const refused = findFunction(statements[0], false)
  if (refused !== undefined) {
    return new UnsafeSql({
      reason: "NotReadOnly",
      message: `refused: the query calls ${refused}, which may change state or read outside the space's tables`,
      kinds: [...kinds, "function"]
    })
  }
  return undefined
}

/**
 * Why `sql` may not run, or `undefined` when it is exactly one read-only statement.
 *
 * **Details**
 * Parsed as Databricks SQL with `@polyglot-sql/sdk`, so comments and string literals cannot smuggle a second
 * statement (`SELECT 1 -- ; DROP TABLE t` is one query). SQL that does not parse is refused: what cannot be
 * analysed is not run.
 *
 * @category constructors
 */
export const check = (sql: string): UnsafeSql | undefined => {
  // The same SQL is checked by the scorer, then by the executor, and again on every run of a benchmark file.
  if (checked.has(sql)) return checked.get(sql)
  const problem = checkUncached(sql)
  if (checked.size >= cacheSize) checked.delete(checked.keys().next().value as string)
  checked.set(sql, problem)
  return problem
}

const cacheSize = 2_000
const checked = new Map<string, UnsafeSql | undefined>()

const checkUncached = (sql: string): UnsafeSql | undefined => {
  const parsed = parse(sql, Dialect.Databricks)
  if (!parsed.success) {
    return new UnsafeSql({
      reason: "Unparseable",
      message: `refused: the SQL does not parse (${String(parsed.error)})`,
      kinds: []
    })
  }
  return checkParsed(parsed.ast)
}

/**
 * Succeeds with `sql` when it is one read-only statement; fails with `UnsafeSql` otherwise.
 *
 * @category constructors
 */
export const ensureReadOnly = Effect.fn("SqlGuard.ensureReadOnly")(function* (sql: string) {
  const problem = check(sql)
  if (problem !== undefined) return yield* problem
  return sql
})
