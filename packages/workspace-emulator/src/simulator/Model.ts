/**
 * What the Genie simulator knows about a space: its tables with the columns the warehouse reports (minus excluded
 * ones) and their column configs, SQL snippets, join specs and example SQL — nothing else (no benchmarks, no text
 * instructions, no descriptions).
 */
import type { Space } from "@genie-enhancer/core"
import * as SqlTokens from "../internal/SqlTokens.js"
import type { CatalogTable } from "../Warehouse.js"

/** How the simulator can use a column. */
export type ColumnKind = "number" | "date" | "string" | "other"

export interface Column {
  /** Alias of its table in generated SQL. */
  readonly table: string
  readonly name: string
  readonly kind: ColumnKind
  readonly synonyms: ReadonlyArray<string>
  /** `enable_entity_matching` (v1 `build_value_dictionary`): its values are recognised in questions. */
  readonly entityMatching: boolean
}

export interface Table {
  /** `catalog.schema.table` as the space names it. */
  readonly identifier: string
  /** The table's name (last segment), used as its alias in generated SQL. */
  readonly alias: string
  readonly columns: ReadonlyArray<Column>
}

export interface Snippet {
  readonly kind: "measure" | "filter" | "expression"
  readonly id: string
  /** The snippet's SQL with table references rewritten to the simulator's aliases. */
  readonly sql: string
  /** A column alias for its value in generated SQL. */
  readonly alias: string
  /** What a question may call it: display name, alias and synonyms. */
  readonly names: ReadonlyArray<string>
  /** Aliases of the tables it reads, in order of appearance. */
  readonly tables: ReadonlyArray<string>
}

/** A configured join between two tables, as a condition over the simulator's aliases. */
export interface Join {
  readonly left: string
  readonly right: string
  readonly on: string
}

export interface Example {
  readonly id: string
  readonly question: string
  readonly sql: string
  readonly parameters: ReadonlyArray<Space.Parameter>
}

export interface Model {
  readonly tables: ReadonlyArray<Table>
  readonly table: (alias: string) => Table | undefined
  readonly snippets: ReadonlyArray<Snippet>
  readonly joins: ReadonlyArray<Join>
  readonly examples: ReadonlyArray<Example>
}

const text = (t: Space.Text | undefined): string => (t ?? []).join("")

const kindOf = (typeName: string): ColumnKind => {
  const t = typeName.toUpperCase()
  if (["BYTE", "SHORT", "INT", "LONG", "FLOAT", "DOUBLE", "DECIMAL"].includes(t)) return "number"
  if (t === "DATE" || t === "TIMESTAMP") return "date"
  if (t === "STRING") return "string"
  return "other"
}

const lastSegment = (identifier: string): string => identifier.split(".").at(-1) ?? identifier

/**
 * Rewrites the table references of a SQL fragment (`orders.status`, `` `orders`.`status` ``,
 * `main.retail.orders.status`) to the simulator's aliases, using `names` (lower-case reference → alias), and lists the
 * aliases it read. References the names do not know are left alone.
 */
export const qualify = (
  sql: string,
  names: ReadonlyMap<string, string>,
  identifiers: ReadonlyMap<string, string> = new Map()
): { readonly sql: string; readonly tables: ReadonlyArray<string> } => {
  const tokens = SqlTokens.tokenize(sql)
  const out: Array<string> = []
  const tables: Array<string> = []
  const use = (alias: string) => {
    if (!tables.includes(alias)) tables.push(alias)
    out.push(alias)
  }
  for (let i = 0; i < tokens.length; i++) {
    const first = SqlTokens.identifier(tokens[i])
    if (first === undefined || tokens[i - 1]?.text === ".") {
      out.push(tokens[i].text)
      continue
    }
    const parts = [first]
    for (let j = i; tokens[j + 1]?.text === "." && SqlTokens.identifier(tokens[j + 2]) !== undefined; j += 2) {
      parts.push(SqlTokens.identifier(tokens[j + 2])!)
    }
    const qualified = parts.length >= 4 ? identifiers.get(parts.slice(0, 3).join(".").toLowerCase()) : undefined
    const alias = qualified ?? (parts.length >= 2 ? names.get(first.toLowerCase()) : undefined)
    if (alias === undefined) {
      out.push(tokens[i].text)
      continue
    }
    use(alias)
    if (qualified !== undefined) i += 4 // catalog . schema . table became the alias
  }
  return { sql: out.join(""), tables }
}

const snippetsOf = (space: Space.SerializedSpace, refer: (sql: string) => ReturnType<typeof qualify>) => {
  const snippets = space.instructions?.sql_snippets
  const make = (kind: Snippet["kind"], s: Space.SqlSnippetFilter & { readonly alias?: string }, i: number): Snippet => {
    const { sql, tables } = refer(text(s.sql).trim())
    const alias = s.alias ?? (s.display_name ?? `${kind}_${i + 1}`).toLowerCase().replace(/\W+/g, "_")
    const names = [s.display_name, s.alias?.replace(/_/g, " "), ...(s.synonyms ?? [])].filter(
      (n): n is string => n !== undefined && n.trim() !== ""
    )
    return { kind, id: s.id, sql, alias, names, tables }
  }
  return [
    ...(snippets?.measures ?? []).map((s, i) => make("measure", s, i)),
    ...(snippets?.filters ?? []).map((s, i) => make("filter", s, i)),
    ...(snippets?.expressions ?? []).map((s, i) => make("expression", s, i))
  ].filter((s) => s.sql !== "")
}

/** Builds the simulator's view of a space over the warehouse catalog. Tables the warehouse lacks are left out. */
export const make = (space: Space.SerializedSpace, catalog: ReadonlyArray<CatalogTable>): Model => {
  const byIdentifier = new Map(catalog.map((t) => [t.identifier.toLowerCase(), t]))
  const tables: Array<Table> = []
  const aliases = new Map<string, string>() // lower-case identifier → alias
  for (const configured of [...(space.data_sources?.tables ?? []), ...(space.data_sources?.metric_views ?? [])]) {
    const found = byIdentifier.get(configured.identifier.toLowerCase())
    if (found === undefined || aliases.has(configured.identifier.toLowerCase())) continue
    let alias = lastSegment(configured.identifier)
    for (let n = 2; tables.some((t) => t.alias.toLowerCase() === alias.toLowerCase()); n++) {
      alias = `${lastSegment(configured.identifier)}_${n}`
    }
    aliases.set(configured.identifier.toLowerCase(), alias)
    const configs = new Map((configured.column_configs ?? []).map((c) => [c.column_name.toLowerCase(), c]))
    const columns = found.columns.flatMap((c): Array<Column> => {
      const config = configs.get(c.name.toLowerCase())
      if (config?.exclude === true) return []
      return [
        {
          table: alias,
          name: c.name,
          kind: kindOf(c.typeName),
          synonyms: config?.synonyms ?? [],
          entityMatching: config?.enable_entity_matching === true || config?.build_value_dictionary === true
        }
      ]
    })
    tables.push({ identifier: configured.identifier, alias, columns })
  }
  const names = new Map(tables.map((t) => [t.alias.toLowerCase(), t.alias]))
  const refer = (sql: string) => qualify(sql, names, aliases)

  const joins = (space.instructions?.join_specs ?? []).flatMap((spec): Array<Join> => {
    const left = aliases.get(spec.left.identifier.toLowerCase())
    const right = aliases.get(spec.right.identifier.toLowerCase())
    if (left === undefined || right === undefined || left === right) return []
    // The spec's own aliases name its two sides; the relationship marker is a comment and is dropped.
    const sides = new Map([
      [spec.left.alias.toLowerCase(), left],
      [spec.right.alias.toLowerCase(), right]
    ])
    const conditions = spec.sql.map((s) => s.trim()).filter((s) => s !== "" && !s.startsWith("--"))
    if (conditions.length === 0) return []
    return [{ left, right, on: qualify(conditions.join(" AND "), sides, aliases).sql }]
  })

  const examples = (space.instructions?.example_question_sqls ?? []).map((e) => ({
    id: e.id,
    question: text(e.question),
    sql: text(e.sql).trim(),
    parameters: e.parameters ?? []
  }))

  const byAlias = new Map(tables.map((t) => [t.alias, t]))
  return { tables, table: (alias) => byAlias.get(alias), snippets: snippetsOf(space, refer), joins, examples }
}

/** The column a question means when it names a table as a whole ("top 5 customers"): its name column, else its key. */
export const labelColumn = (table: Table): Column | undefined =>
  table.columns.find((c) => c.kind === "string" && /(^|_)name$/i.test(c.name)) ?? keyColumn(table)

/** The table's own key: `<singular table name>_id` (or `id`), if it has one. */
export const keyColumn = (table: Table): Column | undefined => {
  const singular = table.alias.toLowerCase().replace(/ies$/, "y").replace(/s$/, "")
  return table.columns.find((c) => c.name.toLowerCase() === `${singular}_id` || c.name.toLowerCase() === "id")
}
