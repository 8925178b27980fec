/**
 * The emulated SQL warehouse: an in-memory DuckDB database whose attached catalogs and schemas hold tables under
 * their Unity Catalog three-part names.
 */
import type { DuckDBConnection, DuckDBResultReader, DuckDBType } from "@duckdb/node-api"
import { DuckDBInstance, DuckDBTypeId } from "@duckdb/node-api"
import { Data, Effect } from "effect"
import * as DatabricksTypes from "./DatabricksTypes.js"
import * as SqlFailure from "./SqlFailure.js"
import * as Transpile from "./Transpile.js"

/** A result column with its Databricks type. @category models */
export interface ResultColumn extends DatabricksTypes.ColumnType {
  readonly name: string
}

/** Rows as the JSON_ARRAY format carries them: strings or null. @category models */
export interface QueryResult {
  readonly columns: ReadonlyArray<ResultColumn>
  readonly rows: ReadonlyArray<ReadonlyArray<string | null>>
}

/** A column of a warehouse table. @category models */
export interface CatalogColumn extends DatabricksTypes.ColumnType {
  readonly name: string
  readonly nullable: boolean
}

/** A table of the warehouse under its Unity Catalog name. @category models */
export interface CatalogTable {
  /** `catalog.schema.table`. */
  readonly identifier: string
  readonly catalog: string
  readonly schema: string
  readonly name: string
  readonly columns: ReadonlyArray<CatalogColumn>
}

/** Options of a read-only query. @category models */
export interface QueryOptions {
  readonly parameters?: ReadonlyArray<Transpile.Parameter>
  /** Default catalog and schema for unqualified names (`USE CATALOG` / `USE SCHEMA`). */
  readonly catalog?: string
  readonly schema?: string
}

/** A tabular data file loaded as a table. @category models */
export interface FileTable {
  /** Three-part `catalog.schema.table`. */
  readonly table: string
  readonly path: string
  readonly format: "csv" | "parquet"
  /** Databricks types for some or all columns (`BIGINT`, `DECIMAL(10,2)`, `DATE`, …); others are inferred. */
  readonly columns?: Readonly<Record<string, string>>
}

/**
 * A statement of a setup script failed.
 *
 * @category errors
 */
export class ScriptFailure extends Data.TaggedError("ScriptFailure")<{
  /** 1-based position of the statement in the script. */
  readonly statement: number
  readonly failure: SqlFailure.SqlFailure
}> {
  override get message(): string {
    return `statement ${this.statement}: ${this.failure.message}`
  }
}

/**
 * The warehouse of an emulator.
 *
 * @category models
 */
export interface Warehouse {
  /** Runs one read-only Databricks SQL query. */
  readonly query: (sql: string, options?: QueryOptions) => Effect.Effect<QueryResult, SqlFailure.SqlFailure>
  /** Runs a setup script (any statements; catalogs and schemas it names are created first). */
  readonly runScript: (sql: string, dialect: "databricks" | "duckdb") => Effect.Effect<void, ScriptFailure>
  /** Loads a CSV or Parquet file as a table. */
  readonly loadFile: (file: FileTable) => Effect.Effect<void, SqlFailure.SqlFailure>
  /** Ends setup: from now on DuckDB reads no files and attaches nothing (guards untrusted SQL). */
  readonly lock: Effect.Effect<void, SqlFailure.SqlFailure>
  /** Every table with its columns and Databricks types. */
  readonly catalog: Effect.Effect<ReadonlyArray<CatalogTable>, SqlFailure.SqlFailure>
}

/**
 * Databricks functions DuckDB lacks (or that polyglot maps to DuckDB functions with other semantics), defined as
 * macros in DuckDB's default schema. `Transpile` renames `ISODOW`/`WEEKDAY` calls to the `databricks_*` macros.
 */
const compatMacros: ReadonlyArray<string> = [
  // dayofweek: Sunday = 1 … Saturday = 7; weekday: Monday = 0 … Sunday = 6.
  "CREATE MACRO databricks_dayofweek(d) AS dayofweek(d) + 1",
  "CREATE MACRO databricks_weekday(d) AS isodow(d) - 1",
  "CREATE MACRO initcap(s) AS array_to_string(list_transform(string_split(lower(s), ' '), w -> upper(w[1]) || w[2:]), ' ')",
  "CREATE MACRO sha2(s, bits) AS CASE WHEN bits IN (0, 256) THEN sha256(s) END",
  "CREATE MACRO array_join(l, sep) AS array_to_string(l, sep)",
  "CREATE MACRO sequence(a, b) AS range(a, b + 1)",
  "CREATE MACRO bround(x, d := 0) AS round_even(x, d)",
  "CREATE MACRO format_number(x, d) AS printf('%,.' || d || 'f', x)",
  "CREATE MACRO get_json_object(j, p) AS json_extract_string(j, p)"
]

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`
const literal = (value: string): string => `'${value.replace(/'/g, "''")}'`

const isNested = (type: DuckDBType): boolean =>
  type.typeId === DuckDBTypeId.LIST ||
  type.typeId === DuckDBTypeId.ARRAY ||
  type.typeId === DuckDBTypeId.STRUCT ||
  type.typeId === DuckDBTypeId.MAP

const failure = (cause: unknown): SqlFailure.SqlFailure =>
  SqlFailure.fromDuckDb(Transpile.restoreCatalogNames(cause instanceof Error ? cause.message : String(cause)))

const convert = (reader: DuckDBResultReader): QueryResult => {
  const types = reader.columnTypes()
  const json = types.some(isNested) ? reader.getRowsJson() : undefined
  return {
    columns: reader.columnNames().map((name, i) => ({ name, ...DatabricksTypes.fromDuckDb(types[i]) })),
    rows: reader
      .getRows()
      .map((row, r) => row.map((value, i) => DatabricksTypes.formatValue(types[i], value, () => json?.[r]?.[i])))
  }
}

/**
 * Runs one statement. Interrupting the effect (client gone, emulator stopping) interrupts the query inside DuckDB
 * and waits until DuckDB has let go of it, so the connection and the database can be closed safely.
 */
const read = (connection: DuckDBConnection, sql: string) =>
  Effect.async<QueryResult, SqlFailure.SqlFailure>((resume) => {
    const settled = connection.runAndReadAll(sql).then(
      (reader) => resume(Effect.try({ try: () => convert(reader), catch: failure })),
      (cause: unknown) => resume(Effect.fail(failure(cause)))
    )
    return Effect.promise(() => {
      connection.interrupt()
      return settled
    })
  })

/**
 * Creates an empty warehouse; it is closed with the scope.
 *
 * **Details**
 * `now` gives the instant the SQL clock functions (`CURRENT_DATE`, `now()`, …) return for each statement.
 *
 * @category constructors
 */
export const make = Effect.fn("Warehouse.make")(function* (options: { readonly now: Effect.Effect<Date> }) {
  const instance = yield* Effect.acquireRelease(
    // One thread: emulator tables are small, and a thread pool per instance only adds start-up and contention.
    Effect.promise(() => DuckDBInstance.create(":memory:", { threads: "1" })),
    (db) => Effect.sync(() => db.closeSync())
  )
  const withConnection = <A, E>(use: (connection: DuckDBConnection) => Effect.Effect<A, E>) =>
    Effect.acquireUseRelease(
      Effect.promise(() => instance.connect()),
      use,
      (connection) => Effect.sync(() => connection.closeSync())
    )
  yield* withConnection((connection) =>
    Effect.forEach(compatMacros, (sql) => read(connection, sql), { discard: true })
  ).pipe(Effect.orDie)
  const catalogs = new Set<string>()
  const schemas = new Set<string>()
  let locked = false
  let cachedCatalog: ReadonlyArray<CatalogTable> | undefined

  const ensure = (connection: DuckDBConnection, names: ReadonlyArray<Transpile.TableName>) =>
    Effect.forEach(
      names,
      ({ catalog, schema }) =>
        Effect.gen(function* () {
          const duckCatalog = Transpile.duckDbCatalog(catalog)
          if (!catalogs.has(duckCatalog.toLowerCase())) {
            yield* read(connection, `ATTACH ':memory:' AS ${ident(duckCatalog)}`)
            catalogs.add(duckCatalog.toLowerCase())
          }
          const key = `${duckCatalog}.${schema}`.toLowerCase()
          if (!schemas.has(key)) {
            yield* read(connection, `CREATE SCHEMA IF NOT EXISTS ${ident(duckCatalog)}.${ident(schema)}`)
            schemas.add(key)
          }
        }),
      { discard: true }
    )

  const query = (sql: string, queryOptions?: QueryOptions) =>
    Effect.gen(function* () {
      const now = yield* options.now
      const [statement] = yield* Transpile.toDuckDb(sql, {
        mode: "query",
        now,
        ...(queryOptions?.parameters === undefined ? {} : { parameters: queryOptions.parameters })
      })
      return yield* withConnection((connection) =>
        Effect.gen(function* () {
          const catalog = queryOptions?.catalog
          if (catalog !== undefined) {
            const duckCatalog = Transpile.duckDbCatalog(catalog)
            if (!catalogs.has(duckCatalog.toLowerCase())) {
              return yield* new SqlFailure.SqlFailure({
                errorClass: "NO_SUCH_CATALOG_EXCEPTION",
                sqlState: "42704",
                detail: `Catalog '${catalog}' was not found.`
              })
            }
            const schema = queryOptions?.schema
            const target = `${ident(duckCatalog)}.${ident(schema ?? "main")}`
            yield* read(connection, `USE ${schema === undefined ? ident(duckCatalog) : target}`)
            // USE replaces the search path; the compatibility macros in memory.main must stay visible.
            yield* read(connection, `SET search_path = ${literal(`${target},memory.main`)}`)
          }
          return yield* read(connection, statement.sql)
        })
      )
    })

  const runScript = (sql: string, dialect: "databricks" | "duckdb") =>
    Effect.gen(function* () {
      const now = yield* options.now
      const statements = yield* Transpile.toDuckDb(sql, { mode: "load", dialect, now }).pipe(
        Effect.mapError((f) => new ScriptFailure({ statement: 1, failure: f }))
      )
      yield* withConnection((connection) =>
        Effect.forEach(
          statements,
          (statement, i) => {
            const created = statement.createCatalog
            const names = created === undefined ? statement.names : [{ catalog: created, schema: "default" }]
            return ensure(connection, names).pipe(
              Effect.zipRight(statement.sql === "" ? Effect.void : Effect.asVoid(read(connection, statement.sql))),
              Effect.mapError((f) => new ScriptFailure({ statement: i + 1, failure: f }))
            )
          },
          { discard: true }
        )
      )
      cachedCatalog = undefined
    })

  const loadFile = (file: FileTable) =>
    withConnection((connection) =>
      Effect.gen(function* () {
        const parts = file.table.split(".")
        if (parts.length !== 3 || parts.some((p) => p === "")) {
          return yield* new SqlFailure.SqlFailure({
            errorClass: "INVALID_TABLE_IDENTIFIER",
            sqlState: "42602",
            detail: `Expected a three-part name catalog.schema.table, got ${JSON.stringify(file.table)}.`
          })
        }
        const [catalog, schema, table] = parts as [string, string, string]
        yield* ensure(connection, [{ catalog, schema }])
        const types = Object.entries(file.columns ?? {}).map(([column, type]) => {
          const duckType = DatabricksTypes.toDuckDb(type)
          return duckType === undefined
            ? Effect.fail(
                new SqlFailure.SqlFailure({
                  errorClass: "UNSUPPORTED_DATATYPE",
                  sqlState: "0A000",
                  detail: `Column ${column}: unsupported type ${JSON.stringify(type)} (use a scalar Databricks type such as STRING, BIGINT, DECIMAL(10,2), DATE, TIMESTAMP).`
                })
              )
            : Effect.succeed([column, duckType] as const)
        })
        const typed = yield* Effect.all(types)
        const source =
          file.format === "csv"
            ? `read_csv(${literal(file.path)}, header = true, auto_detect = true${
                typed.length === 0
                  ? ""
                  : `, types = {${typed.map(([c, t]) => `${literal(c)}: ${literal(t)}`).join(", ")}}`
              })`
            : `read_parquet(${literal(file.path)})`
        const replace =
          file.format === "parquet" && typed.length > 0
            ? ` REPLACE (${typed.map(([c, t]) => `CAST(${ident(c)} AS ${t}) AS ${ident(c)}`).join(", ")})`
            : ""
        const target = `${ident(Transpile.duckDbCatalog(catalog))}.${ident(schema)}.${ident(table)}`
        yield* read(connection, `CREATE TABLE ${target} AS SELECT *${replace} FROM ${source}`)
        cachedCatalog = undefined
      })
    )

  // Untrusted SQL cannot re-enable external access (DuckDB refuses it while running), and SET never passes the guard.
  const lock = withConnection((connection) =>
    read(connection, "SET enable_external_access = false").pipe(Effect.tap(() => Effect.sync(() => (locked = true))))
  )

  const describe = withConnection((connection) =>
    Effect.gen(function* () {
      const columns = yield* read(
        connection,
        `SELECT table_catalog, table_schema, table_name, column_name, is_nullable
         FROM information_schema.columns
         WHERE table_catalog NOT IN ('memory', 'system', 'temp') AND table_schema NOT IN ('information_schema', 'pg_catalog')
         ORDER BY table_catalog, table_schema, table_name, ordinal_position`
      )
      const tables = new Map<
        string,
        { catalog: string; schema: string; name: string; nullable: Map<string, boolean> }
      >()
      for (const [catalog, schema, name, column, nullable] of columns.rows as ReadonlyArray<ReadonlyArray<string>>) {
        const key = `${catalog}.${schema}.${name}`
        const entry = tables.get(key) ?? { catalog: catalog, schema: schema, name: name, nullable: new Map() }
        entry.nullable.set(column, nullable === "YES")
        tables.set(key, entry)
      }
      return yield* Effect.forEach([...tables.values()], (t) =>
        read(connection, `SELECT * FROM ${ident(t.catalog)}.${ident(t.schema)}.${ident(t.name)} LIMIT 0`).pipe(
          Effect.map((result): CatalogTable => {
            const catalog = Transpile.databricksCatalog(t.catalog)
            return {
              identifier: `${catalog}.${t.schema}.${t.name}`,
              catalog,
              schema: t.schema,
              name: t.name,
              columns: result.columns.map((c) => ({ ...c, nullable: t.nullable.get(c.name) ?? true }))
            }
          })
        )
      )
    })
  )

  const catalog = Effect.suspend(() =>
    cachedCatalog !== undefined
      ? Effect.succeed(cachedCatalog)
      : describe.pipe(Effect.tap((tables) => Effect.sync(() => (cachedCatalog = locked ? tables : undefined))))
  )

  return { query, runScript, loadFile, lock, catalog } satisfies Warehouse
})
