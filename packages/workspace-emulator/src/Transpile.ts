/**
 * Databricks SQL → DuckDB SQL, with the emulator's read-only guard.
 *
 * **Details**
 * A query is parsed with `@polyglot-sql/sdk` (Databricks dialect) and checked: exactly one read-only statement.
 * It is then transpiled to DuckDB and adjusted at the token level:
 * - Unity Catalog names that DuckDB reserves (`main`, `system`, `temp`, `memory`) get a suffix (`main__uc`);
 * - `CURRENT_DATE`, `CURRENT_TIMESTAMP`, `now()` … become literals of the emulator's clock, so results follow
 *   Effect's `Clock` (and `TestClock` in tests) instead of the machine's wall time;
 * - named parameter markers (`:name`) become typed literals, as the Statement Execution API binds them.
 * Setup scripts of the emulator's own loader skip the guard (and the parse, which is slow for large INSERTs).
 */
import { Polyglot, SqlGuard } from "@genie-enhancer/core"
import { Effect } from "effect"
import * as DatabricksTypes from "./DatabricksTypes.js"
import * as SqlTokens from "./internal/SqlTokens.js"
import { SqlFailure } from "./SqlFailure.js"

/**
 * A named parameter of a statement (`{name, value, type}` of the Statement Execution API). A missing or null value
 * binds SQL NULL; the type defaults to `STRING`.
 *
 * @category models
 */
export interface Parameter {
  readonly name: string
  readonly value?: string | null | undefined
  readonly type?: string | undefined
}

/** @category configuration */
export interface Options {
  /** `query`: exactly one read-only statement (Genie and statements endpoints); `load`: any script (loader). */
  readonly mode: "query" | "load"
  /** Dialect of the input; the loader also accepts scripts written for DuckDB. Default `databricks`. */
  readonly dialect?: "databricks" | "duckdb"
  readonly parameters?: ReadonlyArray<Parameter>
  /** The instant `CURRENT_DATE`, `CURRENT_TIMESTAMP` and `now()` stand for. */
  readonly now: Date
}

/** A catalog and schema (and table) a statement names, in Databricks spelling. @category models */
export interface TableName {
  readonly catalog: string
  readonly schema: string
  readonly table?: string
}

/** One statement ready for DuckDB. @category models */
export interface Statement {
  /** DuckDB SQL; empty for `CREATE CATALOG`, which the loader performs itself. */
  readonly sql: string
  /** Catalogs and schemas the statement names (the loader creates them before running it). */
  readonly names: ReadonlyArray<TableName>
  /** For `CREATE CATALOG x`: the catalog to create. */
  readonly createCatalog?: string
}

const reserved = new Set(["main", "system", "temp", "memory"])
const suffix = "__uc"

/**
 * The DuckDB catalog that holds a Unity Catalog catalog: the same name, except DuckDB's reserved names get a
 * suffix (`main` → `main__uc`).
 *
 * @category constructors
 */
export const duckDbCatalog = (catalog: string): string =>
  reserved.has(catalog.toLowerCase()) ? `${catalog}${suffix}` : catalog

/** The Unity Catalog name of a DuckDB catalog (inverse of `duckDbCatalog`). @category constructors */
export const databricksCatalog = (catalog: string): string =>
  catalog.endsWith(suffix) && reserved.has(catalog.slice(0, -suffix.length).toLowerCase())
    ? catalog.slice(0, -suffix.length)
    : catalog

/** Replaces renamed catalogs in a DuckDB message with their Databricks names. @category constructors */
export const restoreCatalogNames = (text: string): string =>
  text.replace(/\b(main|system|temp|memory)__uc\b/gi, (_, name: string) => name)

const fail = (errorClass: string, sqlState: string, detail: string) => new SqlFailure({ errorClass, sqlState, detail })

const cannotRun = (reason: string) =>
  fail("UNSUPPORTED_FEATURE", "0A000", `The workspace emulator cannot run this statement on DuckDB: ${reason}.`)

// --- guard ---------------------------------------------------------------------------------------------------------

type Node = Record<string, unknown>
const isNode = (u: unknown): u is Node => typeof u === "object" && u !== null && !Array.isArray(u)

/** The core read-only guard, answered like a Databricks warehouse. */
const guard = (ast: ReadonlyArray<unknown>): SqlFailure | undefined => {
  const refused = SqlGuard.checkParsed(ast)
  if (refused === undefined) return undefined
  switch (refused.reason) {
    case "Empty":
      return fail("PARSE_EMPTY_STATEMENT", "42617", "Syntax error, unexpected empty statement.")
    case "MultipleStatements":
      return fail(
        "PARSE_SYNTAX_ERROR",
        "42601",
        `Syntax error at or near ';': only one statement can run at a time (found ${refused.kinds.length}).`
      )
    default: {
      const what = (refused.kinds.at(-1) ?? "unknown").toUpperCase().replace(/_/g, " ")
      return fail(
        "INSUFFICIENT_PERMISSIONS",
        "42501",
        `Insufficient privileges: this warehouse runs read-only queries only (found a ${what} statement).`
      )
    }
  }
}

/** Names of the `:name` markers of a parsed query; fails on positional `?` markers. */
const markers = (node: unknown, found: Set<string>): SqlFailure | undefined => {
  if (Array.isArray(node)) {
    for (const item of node) {
      const error = markers(item, found)
      if (error !== undefined) return error
    }
    return undefined
  }
  if (!isNode(node)) return undefined
  if (isNode(node.placeholder)) {
    return fail(
      "UNBOUND_SQL_PARAMETER",
      "42P02",
      "Positional parameter markers (?) are not supported; use named markers (:name)."
    )
  }
  if (isNode(node.parameter) && typeof node.parameter.name === "string") found.add(node.parameter.name)
  for (const value of Object.values(node)) {
    const error = markers(value, found)
    if (error !== undefined) return error
  }
  return undefined
}

// --- token-level rewrite -------------------------------------------------------------------------------------------

const quote = (value: string): string => `'${value.replace(/'/g, "''")}'`
const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`

/** Clock functions: whether they may appear without parentheses, and the literal type they become. */
const clockFunctions: Readonly<Record<string, { readonly bare: boolean; readonly type: "date" | "tz" | "ntz" }>> = {
  current_date: { bare: true, type: "date" },
  curdate: { bare: false, type: "date" },
  today: { bare: false, type: "date" },
  current_timestamp: { bare: true, type: "tz" },
  now: { bare: false, type: "tz" },
  getdate: { bare: false, type: "tz" },
  get_current_timestamp: { bare: false, type: "tz" },
  transaction_timestamp: { bare: false, type: "tz" },
  localtimestamp: { bare: true, type: "ntz" },
  current_localtimestamp: { bare: false, type: "ntz" }
}

/** DuckDB functions polyglot emits whose semantics differ from the Databricks original (see Warehouse macros). */
const renamedFunctions: Readonly<Record<string, string>> = {
  isodow: "databricks_dayofweek",
  weekday: "databricks_weekday"
}

const clockLiteral = (type: "date" | "tz" | "ntz", now: Date): string => {
  const iso = now.toISOString()
  if (type === "date") return `DATE ${quote(iso.slice(0, 10))}`
  const time = iso.slice(0, 23).replace("T", " ")
  return type === "tz" ? `TIMESTAMPTZ ${quote(`${time}+00`)}` : `TIMESTAMP ${quote(time)}`
}

const parameterLiteral = (parameter: Parameter): string | SqlFailure => {
  const type = parameter.type ?? "STRING"
  const duckType = DatabricksTypes.toDuckDb(type)
  if (duckType === undefined) {
    return fail(
      "INVALID_PARAMETER_MARKER_VALUE",
      "22023",
      `Parameter ${parameter.name} has the unsupported type ${JSON.stringify(type)}.`
    )
  }
  const value = parameter.value
  return `CAST(${value === null || value === undefined ? "NULL" : quote(value)} AS ${duckType})`
}

const significant = (t: SqlTokens.Token): boolean => t.kind !== "space" && t.kind !== "comment"

/** Rewrites one DuckDB statement; see the module description. */
const rewrite = (sql: string, options: Options): Statement | SqlFailure => {
  const tokens = SqlTokens.tokenize(sql)
  const out: Array<string> = []
  const names: Array<TableName> = []
  const words: Array<string> = [] // the last significant words, upper-cased (to recognise CREATE SCHEMA)
  const word = (w: string) => {
    words.push(w.toUpperCase())
    if (words.length > 6) words.shift()
  }
  let i = 0
  const previous = (): SqlTokens.Token | undefined => {
    for (let k = i - 1; k >= 0; k--) if (significant(tokens[k])) return tokens[k]
    return undefined
  }
  while (i < tokens.length) {
    const token = tokens[i]
    const name = SqlTokens.identifier(token)
    const afterDot = previous()?.text === "."
    if (name !== undefined && !afterDot) {
      // A dotted name: collect its parts.
      const parts: Array<string> = [name]
      let j = i + 1
      while (tokens[j]?.text === "." && SqlTokens.identifier(tokens[j + 1]) !== undefined) {
        parts.push(SqlTokens.identifier(tokens[j + 1])!)
        j += 2
      }
      const createSchema =
        parts.length === 2 && /CREATE (OR REPLACE )?SCHEMA (IF NOT EXISTS )?$/.test(words.join(" ") + " ")
      if (parts.length >= 3 || createSchema) {
        const [catalog, schema, table] = parts
        names.push({ catalog, schema, ...(table === undefined ? {} : { table }) })
        const renamed = duckDbCatalog(catalog)
        out.push(renamed === catalog ? token.text : quoteIdent(renamed))
        for (let k = i + 1; k < j; k++) out.push(tokens[k].text)
        word(name)
        i = j
        continue
      }
      const clock = token.kind === "word" && parts.length === 1 ? clockFunctions[name.toLowerCase()] : undefined
      if (clock !== undefined) {
        let k = i + 1
        while (tokens[k]?.kind === "space") k++
        const open = tokens[k]?.text === "("
        let close = k + 1
        while (tokens[close]?.kind === "space") close++
        const called = open && tokens[close]?.text === ")"
        if (called || (clock.bare && !open)) {
          out.push(clockLiteral(clock.type, options.now))
          i = called ? close + 1 : i + 1
          continue
        }
      }
      // Only SQL that polyglot produced from Databricks SQL; DuckDB-dialect scripts mean DuckDB's functions.
      const renamed =
        token.kind === "word" && options.dialect !== "duckdb" ? renamedFunctions[name.toLowerCase()] : undefined
      if (renamed !== undefined && tokens[i + 1]?.text === "(") {
        out.push(renamed)
        i++
        continue
      }
      if (token.kind === "word") word(name)
    }
    if (
      token.kind === "punct" &&
      token.text === ":" &&
      tokens[i + 1]?.kind === "word" &&
      options.parameters !== undefined
    ) {
      const parameter = options.parameters.find((p) => p.name === tokens[i + 1].text)
      if (parameter !== undefined) {
        const literal = parameterLiteral(parameter)
        if (literal instanceof SqlFailure) return literal
        out.push(literal)
        i += 2
        continue
      }
    }
    out.push(token.text)
    i++
  }
  return { sql: out.join(""), names }
}

const createCatalog = /^\s*CREATE\s+CATALOG\s+(?:IF\s+NOT\s+EXISTS\s+)?[`"]?([A-Za-z_]\w*)[`"]?\s*$/i

const loadStatement = (sql: string, options: Options): Statement | SqlFailure => {
  const catalog = createCatalog.exec(sql)?.[1]
  return catalog === undefined ? rewrite(sql, options) : { sql: "", names: [], createCatalog: catalog }
}

const transpiled = (sql: string): ReadonlyArray<string> | SqlFailure => {
  const result = Polyglot.transpile(sql, Polyglot.Dialect.Databricks, Polyglot.Dialect.DuckDB)
  if (!result.success || result.sql === undefined) {
    const at = result.errorLine === undefined ? "" : ` (line ${result.errorLine}, column ${result.errorColumn ?? 1})`
    return fail("PARSE_SYNTAX_ERROR", "42601", `Syntax error${at}: ${result.error ?? "cannot parse"}.`)
  }
  return result.sql
}

const all = (statements: ReadonlyArray<Statement | SqlFailure>) => {
  const failed = statements.find((s): s is SqlFailure => s instanceof SqlFailure)
  return failed === undefined ? Effect.succeed(statements as ReadonlyArray<Statement>) : Effect.fail(failed)
}

/**
 * Translates Databricks SQL (or, for the loader, DuckDB SQL) into DuckDB statements.
 *
 * **Details**
 * In `query` mode the input must be exactly one read-only query (SELECT, set operation, VALUES); anything else fails
 * like a warehouse would: `PARSE_EMPTY_STATEMENT`, `PARSE_SYNTAX_ERROR` for several statements, and
 * `INSUFFICIENT_PERMISSIONS` (SQLSTATE 42501) for DDL, DML or commands. Markers without a bound parameter fail
 * with `UNBOUND_SQL_PARAMETER`.
 *
 * @category constructors
 */
export const toDuckDb = Effect.fn("Transpile.toDuckDb")(function* (sql: string, options: Options) {
  if (options.mode === "load") {
    if (options.dialect === "duckdb") return yield* all(SqlTokens.statements(sql).map((s) => loadStatement(s, options)))
    const statements = transpiled(sql)
    if (statements instanceof SqlFailure) return yield* statements
    return yield* all(statements.map((s) => loadStatement(s, options)))
  }
  const parsed = Polyglot.parse(sql, Polyglot.Dialect.Databricks)
  if (!parsed.success) {
    return yield* fail("PARSE_SYNTAX_ERROR", "42601", `Syntax error: ${parsed.error ?? "cannot parse"}.`)
  }
  const ast = parsed.ast as ReadonlyArray<unknown>
  const refused = guard(ast)
  if (refused !== undefined) return yield* refused
  const used = new Set<string>()
  const markerError = markers(ast, used)
  if (markerError !== undefined) return yield* markerError
  const unbound = [...used].find((name) => options.parameters?.some((p) => p.name === name) !== true)
  if (unbound !== undefined)
    return yield* fail("UNBOUND_SQL_PARAMETER", "42P02", `Found the unbound parameter: ${unbound}.`)
  const statements = transpiled(sql)
  if (statements instanceof SqlFailure) return yield* statements
  if (statements.length !== 1) return yield* cannotRun("the query did not translate to exactly one statement")
  return yield* all([rewrite(statements[0], options)])
})
