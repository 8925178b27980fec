/**
 * The shape of a query the simulator composes, and its Databricks SQL.
 */

export interface Output {
  readonly sql: string
  readonly alias: string
}

export interface JoinClause {
  /** `catalog.schema.table`. */
  readonly identifier: string
  readonly alias: string
  readonly on: string
}

export interface OrderKey {
  readonly sql: string
  readonly descending: boolean
}

export interface Query {
  /** Grouping outputs (dimensions), in order; the query groups by them when it has measures. */
  readonly dimensions: ReadonlyArray<Output>
  readonly measures: ReadonlyArray<Output>
  readonly from: { readonly identifier: string; readonly alias: string }
  readonly joins: ReadonlyArray<JoinClause>
  readonly where: ReadonlyArray<string>
  readonly orderBy: ReadonlyArray<OrderKey>
  readonly limit?: number
}

/** An output alias as SQL: backticks unless it is a plain identifier. */
export const quoteAlias = (alias: string): string =>
  /^[A-Za-z_]\w*$/.test(alias) ? alias : `\`${alias.replace(/`/g, "``")}\``

/** Renders a query as Databricks SQL, one clause per line. */
export const render = (q: Query): string => {
  const outputs = [...q.dimensions, ...q.measures].map((o) => `${o.sql} AS ${quoteAlias(o.alias)}`)
  const lines = [
    `SELECT ${outputs.join(", ")}`,
    `FROM ${q.from.identifier} AS ${q.from.alias}`,
    ...q.joins.map((j) => `JOIN ${j.identifier} AS ${j.alias} ON ${j.on}`)
  ]
  if (q.where.length > 0) lines.push(`WHERE ${q.where.map((w) => (q.where.length > 1 ? `(${w})` : w)).join(" AND ")}`)
  if (q.measures.length > 0 && q.dimensions.length > 0)
    lines.push(`GROUP BY ${q.dimensions.map((d) => d.sql).join(", ")}`)
  if (q.orderBy.length > 0) {
    lines.push(`ORDER BY ${q.orderBy.map((o) => `${o.sql}${o.descending ? " DESC" : ""}`).join(", ")}`)
  }
  if (q.limit !== undefined) lines.push(`LIMIT ${q.limit}`)
  return lines.join("\n")
}
