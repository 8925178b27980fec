/**
 * The warehouse as the learner, the fixer and plan validation see it: table columns and types (`SELECT * … LIMIT 0`,
 * which every warehouse answers without reading data) and read-only profiling queries (row and distinct counts,
 * distinct values). Everything goes through the `Executor` with `trusted: false`, so the read-only guard checks it.
 */
import { Effect } from "effect"
import type { Executor } from "../execute/Executor.js"

/** A column of a warehouse table with its Databricks type name (`STRING`, `LONG`, `DATE`, …). @category models */
export interface CatalogColumn {
  readonly name: string
  readonly typeName: string
}

/** A table of the warehouse. @category models */
export interface CatalogTable {
  /** As the space or the SQL names it (`catalog.schema.table`). */
  readonly identifier: string
  readonly columns: ReadonlyArray<CatalogColumn>
}

/** Tables by lower-case identifier. @category models */
export type Catalog = ReadonlyMap<string, CatalogTable>

type ExecutorService = Executor["Type"]

const quote = (name: string) => `\`${name.replace(/`/g, "``")}\``
/** `catalog.schema.table` with each part quoted. @category constructors */
export const quoteIdentifier = (identifier: string): string => identifier.split(".").map(quote).join(".")

/**
 * Reads the columns of each table (one `SELECT * FROM t LIMIT 0` per table). Tables the warehouse cannot read are
 * left out of the catalog.
 *
 * @category constructors
 */
export const describe = (executor: ExecutorService, identifiers: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const unique = [...new Map(identifiers.map((i) => [i.toLowerCase(), i])).values()]
    const found = yield* Effect.forEach(
      unique,
      (identifier) =>
        executor.execute(`SELECT * FROM ${quoteIdentifier(identifier)} LIMIT 0`, { rowLimit: 1 }).pipe(
          Effect.map((result): CatalogTable | undefined => ({
            identifier,
            columns: result.columns.map((c) => ({ name: c.name, typeName: c.typeName.toUpperCase() }))
          })),
          Effect.orElseSucceed(() => undefined)
        ),
      { concurrency: 4 }
    )
    const catalog = new Map<string, CatalogTable>()
    for (const table of found) if (table !== undefined) catalog.set(table.identifier.toLowerCase(), table)
    return catalog
  })

/** The column of a table, matched case-insensitively. @category constructors */
export const column = (catalog: Catalog, table: string, name: string): CatalogColumn | undefined =>
  catalog.get(table.toLowerCase())?.columns.find((c) => c.name.toLowerCase() === name.toLowerCase())

/** True for a string column. @category constructors */
export const isString = (c: CatalogColumn | undefined): boolean =>
  c !== undefined && /^(STRING|VARCHAR|CHAR)/.test(c.typeName)

/** True for a date or timestamp column. @category constructors */
export const isTemporal = (c: CatalogColumn | undefined): boolean =>
  c !== undefined && /^(DATE|TIMESTAMP)/.test(c.typeName)

/** Row count and distinct counts of some columns of one table. @category models */
export interface Profile {
  readonly rows: number
  readonly distinct: ReadonlyMap<string, number>
}

/**
 * Counts rows and distinct values of the given columns (one query). `undefined` when the query fails.
 *
 * @category constructors
 */
export const profile = (executor: ExecutorService, table: string, columns: ReadonlyArray<string>) => {
  const unique = [...new Set(columns.map((c) => c.toLowerCase()))]
  const parts = ["COUNT(*) AS `__rows`", ...unique.map((c, i) => `COUNT(DISTINCT ${quote(c)}) AS \`d${i}\``)]
  return executor.execute(`SELECT ${parts.join(", ")} FROM ${quoteIdentifier(table)}`, { rowLimit: 1 }).pipe(
    Effect.map((result): Profile | undefined => {
      const row = result.rows[0]
      if (row === undefined) return undefined
      return {
        rows: Number(row[0] ?? 0),
        distinct: new Map(unique.map((c, i) => [c, Number(row[i + 1] ?? 0)]))
      }
    }),
    Effect.orElseSucceed(() => undefined)
  )
}

/**
 * The most frequent distinct values of a column (at most `limit`), most frequent first. Empty when the query fails.
 *
 * @category constructors
 */
export const distinctValues = (executor: ExecutorService, table: string, column: string, limit: number) =>
  executor
    .execute(
      `SELECT ${quote(column)} AS v, COUNT(*) AS n FROM ${quoteIdentifier(table)} WHERE ${quote(column)} IS NOT NULL ` +
        `GROUP BY ${quote(column)} ORDER BY n DESC, v LIMIT ${limit}`,
      { rowLimit: limit }
    )
    .pipe(
      Effect.map((result) => result.rows.flatMap((r) => (r[0] === null ? [] : [r[0]]))),
      Effect.orElseSucceed((): ReadonlyArray<string> => [])
    )

/**
 * A key of each table: its first column (in catalog order) with as many distinct values as the table has rows,
 * measured on the data. Tables without one (or whose profile fails) are left out.
 *
 * @category constructors
 */
export const keys = (
  executor: ExecutorService,
  catalog: Catalog,
  tables: ReadonlyArray<string>
): Effect.Effect<ReadonlyMap<string, string>> =>
  Effect.gen(function* () {
    const out = new Map<string, string>()
    for (const table of tables) {
      const columns = (catalog.get(table)?.columns ?? []).map((c) => c.name.toLowerCase())
      if (columns.length === 0) continue
      const measured = yield* profile(executor, table, columns)
      const key = columns.find(
        (c) => measured !== undefined && measured.rows > 0 && measured.distinct.get(c) === measured.rows
      )
      if (key !== undefined) out.set(table, key)
    }
    return out
  })
