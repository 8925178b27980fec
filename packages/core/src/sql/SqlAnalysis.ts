/**
 * Structural facts about one Databricks SQL query, read with `@polyglot-sql/sdk`: tables, joins, filters,
 * aggregates, grouping, output columns, the outermost ORDER BY and LIMIT. The comparator uses the ordering facts;
 * `SqlDiagnosis` compares two queries' facts to say why a benchmark failed.
 *
 * Column references are resolved to `table.column` (short table name, lower case) through aliases and CTEs, so
 * `o.status` and `orders.status` compare equal.
 */
import { analyzeQuery, Dialect, generate, parse } from "./Polyglot.js"

/** One item of the outermost ORDER BY. @category models */
export interface OrderItem {
  /** The expression as normalised SQL (`orders.amount`, `SUM(orders.amount)`, `2`). */
  readonly sql: string
  readonly descending: boolean
  /** `ORDER BY 2` → 2. */
  readonly ordinal?: number
  /** `ORDER BY total` / `ORDER BY o.total` → `total`. */
  readonly name?: string
}

/** A join between tables: explicit (`JOIN … ON`) or implicit (`FROM a, b WHERE a.x = b.y`). @category models */
export interface JoinFact {
  /** Short table names taking part, sorted. */
  readonly tables: ReadonlyArray<string>
  /** `INNER`, `LEFT`, `RIGHT`, `FULL`, `CROSS`, … */
  readonly kind: string
  /** Normalised condition: conjuncts sorted, equality sides sorted. Empty for CROSS joins. */
  readonly condition: string
}

/** A literal a predicate compares with: its type as the parser names it (`string`, `number`, `date`, …). @category models */
export interface LiteralFact {
  readonly type: string
  readonly value: string
}

/** One conjunct of a WHERE or HAVING clause. @category models */
export interface PredicateFact {
  readonly clause: "where" | "having"
  readonly sql: string
  /** Resolved `table.column` references. */
  readonly columns: ReadonlyArray<string>
  /** The comparison's operator kind (`eq`, `in`, `gte`, `like`, …), when the conjunct is one. */
  readonly operator?: string
  /** Literals on the right-hand side of the comparison (`'x'`, `2024`, `DATE'2024-01-01'`, the items of `IN`). */
  readonly literals?: ReadonlyArray<LiteralFact>
  /** Normalised SQL of the left-hand side (`orders.status`, `YEAR(orders.order_date)`). */
  readonly subject?: string
}

/** A window function call (`SUM(x) OVER (…)`, `LAG(x) OVER (ORDER BY m)`, `ROW_NUMBER() OVER (PARTITION BY …)`). @category models */
export interface WindowFact {
  /** Lower-case function name: `sum`, `lag`, `row_number`, … */
  readonly name: string
  readonly partitionBy: ReadonlyArray<string>
  readonly orderBy: ReadonlyArray<string>
  /** True when the windowed argument is itself an aggregate (`SUM(SUM(x)) OVER ()`). */
  readonly overAggregate: boolean
}

/** One output column of the outermost query (the left-most branch of a set operation). @category models */
export interface OutputFact {
  readonly name: string | undefined
  readonly sql: string
  readonly columns: ReadonlyArray<string>
  readonly aggregate: boolean
  readonly star: boolean
  /** True when the expression holds a window function. */
  readonly window?: boolean
}

/** Everything {@link analyze} reads from a query. @category models */
export interface SqlFacts {
  /** Base tables (CTEs and subqueries resolved away), full names in lower case. */
  readonly tables: ReadonlyArray<string>
  readonly joins: ReadonlyArray<JoinFact>
  readonly filters: ReadonlyArray<PredicateFact>
  /** Aggregate calls as normalised SQL: `SUM(orders.amount)`, `COUNT(DISTINCT orders.id)`. */
  readonly aggregates: ReadonlyArray<string>
  readonly groupBy: ReadonlyArray<string>
  readonly outputs: ReadonlyArray<OutputFact>
  readonly orderBy: ReadonlyArray<OrderItem>
  readonly limit: number | undefined
  /** Per join (same index as `joins`): its column = column conjuncts, as resolved `table.column` pairs. */
  readonly joinEqualities?: ReadonlyArray<ReadonlyArray<readonly [string, string]>>
  /** Window function calls anywhere in the query. */
  readonly windows?: ReadonlyArray<WindowFact>
  /** SELECTs nested in the query (subqueries and CTE bodies), not counting the outermost. */
  readonly nestedSelects?: number
  /** Full table names (lower case) by the short name and alias the query gives them. */
  readonly tableNames?: Readonly<Record<string, string>>
}

/** The result of {@link analyze}. @category models */
export type Analysis =
  { readonly _tag: "Analyzed"; readonly facts: SqlFacts } | { readonly _tag: "Unparseable"; readonly message: string }

type Node = Readonly<Record<string, unknown>>

const isNode = (u: unknown): u is Node => typeof u === "object" && u !== null && !Array.isArray(u)
const kindOf = (node: unknown): string | undefined => {
  if (!isNode(node)) return undefined
  const keys = Object.keys(node)
  return keys.length === 1 ? keys[0] : undefined
}
const bodyOf = (node: unknown, kind: string): Node | undefined => {
  const body = isNode(node) ? node[kind] : undefined
  return isNode(body) ? body : undefined
}
const arrayOf = (u: unknown): ReadonlyArray<unknown> => (Array.isArray(u) ? u : [])
const identifier = (u: unknown): string | undefined => {
  const name = isNode(u) ? u["name"] : undefined
  return typeof name === "string" ? name : undefined
}

/** `main.sales.Orders` / `` `orders` `` → `orders`. @category constructors */
export const shortName = (table: string): string => (table.split(".").pop() ?? table).replace(/`/g, "").toLowerCase()

const aggregateNames: ReadonlySet<string> = new Set([
  "sum",
  "count",
  "avg",
  "min",
  "max",
  "median",
  "mode",
  "stddev",
  "stddev_samp",
  "stddev_pop",
  "variance",
  "var_samp",
  "var_pop",
  "approx_count_distinct",
  "approx_distinct",
  "count_if",
  "percentile",
  "percentile_approx",
  "percentile_cont",
  "percentile_disc",
  "approx_percentile",
  "collect_list",
  "collect_set",
  "array_agg",
  "string_agg",
  "listagg",
  "group_concat",
  "first",
  "last",
  "any_value",
  "bool_and",
  "bool_or",
  "every",
  "max_by",
  "min_by",
  "corr",
  "covar_pop",
  "covar_samp",
  "kurtosis",
  "skewness"
])

const isAggregate = (node: unknown): boolean => {
  const kind = kindOf(node)
  if (kind === undefined) return false
  if (kind === "function") return aggregateNames.has((identifier(bodyOf(node, kind)) ?? "").toLowerCase())
  return aggregateNames.has(kind)
}

/**
 * Every node (depth first) for which `visit` returns true. The children of a match are searched only with
 * `nested` (a SELECT holds SELECTs; an aggregate call holds no aggregate worth listing).
 */
const collect = (node: unknown, visit: (n: Node) => boolean, nested = false, out: Array<Node> = []): Array<Node> => {
  if (Array.isArray(node)) for (const item of node) collect(item, visit, nested, out)
  else if (isNode(node)) {
    const match = visit(node)
    if (match) out.push(node)
    if (!match || nested)
      for (const value of Object.values(node)) if (typeof value === "object") collect(value, visit, nested, out)
  }
  return out
}

const literalNumber = (node: unknown): number | undefined => {
  const literal = bodyOf(node, "literal")
  return literal?.["literal_type"] === "number" ? Number(literal["value"]) : undefined
}

const render = (node: unknown): string => {
  const result = generate([node], Dialect.Databricks)
  return result.success ? (result.sql?.[0] ?? "?") : "?"
}

/** Comparison operators and their mirror images (`a < b` ≡ `b > a`). */
const mirrored: ReadonlyMap<string, string> = new Map([
  ["eq", "eq"],
  ["neq", "neq"],
  ["gt", "lt"],
  ["lt", "gt"],
  ["gte", "lte"],
  ["lte", "gte"]
])

/** Resolves column references and renders expressions as normalised SQL. */
interface Resolver {
  /** `table.column` of a column node body, or the bare column when its table is unknown. */
  readonly column: (body: Node) => string
  readonly columnsIn: (node: unknown) => Array<string>
  readonly sql: (node: unknown) => string
}

const makeResolver = (
  bySpan: ReadonlyMap<number, string>,
  byAlias: ReadonlyMap<string, string>,
  onlyTable: string | undefined,
  /** `cte.column` → the base `table.column` a CTE passes through unchanged. */
  cteColumns: Map<string, string>
): Resolver => {
  const column = (body: Node): string => {
    const name = (identifier(body["name"]) ?? "?").toLowerCase()
    const span = body["span"]
    const fromSpan = isNode(span) && typeof span["start"] === "number" ? bySpan.get(span["start"]) : undefined
    if (fromSpan !== undefined) return fromSpan
    const qualifier = identifier(body["table"])?.toLowerCase()
    const table = qualifier === undefined ? onlyTable : (byAlias.get(qualifier) ?? qualifier)
    const resolved = table === undefined ? name : `${table}.${name}`
    return cteColumns.get(resolved) ?? resolved
  }

  const columnsIn = (node: unknown): Array<string> =>
    [...new Set(collect(node, (n) => kindOf(n) === "column").map((n) => column(bodyOf(n, "column")!)))].sort()

  /** A copy of the expression with resolved, lower-case column references, in a canonical form. */
  const normalise = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(normalise)
    if (!isNode(node)) return node
    const kind = kindOf(node)
    if (kind === "column") {
      const [table, name] = splitColumn(column(bodyOf(node, "column")!))
      return {
        column: { name: { name, quoted: false }, table: table === undefined ? null : { name: table, quoted: false } }
      }
    }
    if (kind === "paren") return normalise(bodyOf(node, "paren")?.["this"])
    if (kind === "in") {
      const body = bodyOf(node, "in")!
      const items = arrayOf(body["expressions"])
      if (items.length === 1 && body["not"] !== true && body["query"] == null)
        return normalise({ eq: { left: body["this"], right: items[0] } })
    }
    const flipped = kind === undefined ? undefined : mirrored.get(kind)
    if (kind !== undefined && flipped !== undefined) {
      const body = bodyOf(node, kind)!
      const left = normalise(body["left"])
      const right = normalise(body["right"])
      // `'x' = a` ≡ `a = 'x'`, `1 < a` ≡ `a > 1`; `b.y = a.x` ≡ `a.x = b.y`.
      const swap =
        (kindOf(left) === "literal" && kindOf(right) !== "literal") ||
        (kindOf(left) === kindOf(right) && render(left) > render(right))
      return swap ? { [flipped]: { left: right, right: left } } : { [kind]: { left, right } }
    }
    const copy: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(node)) if (key !== "span") copy[key] = normalise(value)
    return copy
  }

  return { column, columnsIn, sql: (node) => render(normalise(node)) }
}

const splitColumn = (resolved: string): [string | undefined, string] => {
  const dot = resolved.lastIndexOf(".")
  return dot < 0 ? [undefined, resolved] : [resolved.slice(0, dot), resolved.slice(dot + 1)]
}

/** The AND-ed parts of a condition, parentheses removed. */
const conjuncts = (node: unknown): Array<unknown> => {
  const kind = kindOf(node)
  if (kind === "and") {
    const body = bodyOf(node, "and")!
    return [...conjuncts(body["left"]), ...conjuncts(body["right"])]
  }
  if (kind === "paren") return conjuncts(bodyOf(node, "paren")?.["this"])
  return node === null || node === undefined ? [] : [node]
}

const tablesOfColumns = (columns: ReadonlyArray<string>): Array<string> =>
  [...new Set(columns.map((c) => splitColumn(c)[0]).filter((t): t is string => t !== undefined))].sort()

/** `a.x = b.y` as a resolved column pair, or nothing. */
const equality = (resolver: Resolver, node: unknown): Array<readonly [string, string]> => {
  const eq = bodyOf(node, "eq")
  const left = bodyOf(eq?.["left"], "column")
  const right = bodyOf(eq?.["right"], "column")
  return left === undefined || right === undefined ? [] : [[resolver.column(left), resolver.column(right)] as const]
}

/** A column equated with a column of another table: a join written in the WHERE clause. */
const implicitJoin = (resolver: Resolver, node: unknown): JoinFact | undefined => {
  const eq = bodyOf(node, "eq")
  if (eq === undefined || kindOf(eq["left"]) !== "column" || kindOf(eq["right"]) !== "column") return undefined
  const tables = tablesOfColumns(resolver.columnsIn(node))
  return tables.length === 2 ? { tables, kind: "INNER", condition: resolver.sql(node) } : undefined
}

const comparisonKinds: ReadonlySet<string> = new Set(["eq", "neq", "gt", "lt", "gte", "lte", "in", "like", "ilike"])

const literalOf = (node: unknown): LiteralFact | undefined => {
  const literal = bodyOf(node, "literal")
  if (literal !== undefined) return { type: String(literal["literal_type"]), value: String(literal["value"]) }
  const kind = kindOf(node)
  if (kind === "neg") {
    const inner = literalOf(bodyOf(node, kind)?.["this"])
    return inner === undefined ? undefined : { ...inner, value: `-${inner.value}` }
  }
  if (kind === "boolean") return { type: "boolean", value: String(bodyOf(node, kind)?.["value"]) }
  return undefined
}

/** The operator, subject and literals of a comparison conjunct (`a = 'x'`, `year(d) IN (2024, 2025)`). */
const comparison = (
  resolver: Resolver,
  node: unknown
): { operator?: string; subject?: string; literals?: ReadonlyArray<LiteralFact> } => {
  const kind = kindOf(node)
  if (kind === undefined || !comparisonKinds.has(kind)) return {}
  const body = bodyOf(node, kind)!
  if (kind === "in") {
    const items = arrayOf(body["expressions"]).map(literalOf)
    if (body["query"] != null || items.some((i) => i === undefined)) return { operator: kind }
    return { operator: kind, subject: resolver.sql(body["this"]), literals: items as ReadonlyArray<LiteralFact> }
  }
  let left = body["left"]
  let right = body["right"]
  if (literalOf(left) !== undefined && literalOf(right) === undefined) [left, right] = [right, left]
  const literal = literalOf(right)
  return { operator: kind, subject: resolver.sql(left), ...(literal === undefined ? {} : { literals: [literal] }) }
}

const queryKinds: ReadonlySet<string> = new Set(["select", "union", "intersect", "except", "subquery"])

/** The left-most SELECT of a query (the one whose projections name the output columns). */
const firstSelect = (node: unknown): Node | undefined => {
  const kind = kindOf(node)
  if (kind === "select") return bodyOf(node, kind)
  if (kind === "union" || kind === "intersect" || kind === "except") return firstSelect(bodyOf(node, kind)?.["left"])
  if (kind === "subquery") return firstSelect(bodyOf(node, kind)?.["this"])
  return undefined
}

/**
 * Reads the structural facts of one query. Anything but exactly one SELECT (or set operation) is `Unparseable`,
 * with the parser's message.
 *
 * @category constructors
 */
export const analyze = (sql: string): Analysis => {
  try {
    return analyzeParsed(sql)
  } catch (cause) {
    // The parser is WASM: an internal error must not turn an evaluation into a defect.
    return {
      _tag: "Unparseable",
      message: `analysis failed: ${cause instanceof Error ? cause.message : String(cause)}`
    }
  }
}

const analyzeParsed = (sql: string): Analysis => {
  const parsed = parse(sql, Dialect.Databricks)
  if (!parsed.success) return { _tag: "Unparseable", message: String(parsed.error) }
  const statements = arrayOf(parsed.ast).filter((s) => isNode(s) && Object.keys(s).length > 0)
  if (statements.length !== 1) {
    return { _tag: "Unparseable", message: `expected one statement, found ${statements.length}` }
  }
  const root = statements[0]
  const rootKind = kindOf(root) ?? "unknown"
  if (!queryKinds.has(rootKind)) return { _tag: "Unparseable", message: `not a query (${rootKind})` }
  const analysis = analyzeQuery(sql, Dialect.Databricks)
  if (!analysis.success || analysis.analysis === undefined) {
    return { _tag: "Unparseable", message: String(analysis.error) }
  }
  const facts = analysis.analysis

  const bySpan = new Map<number, string>()
  for (const use of facts.columnUses ?? []) {
    for (const ref of use.references) {
      if (ref.span !== undefined && ref.table !== undefined && ref.table !== null && ref.sourceKind === "table") {
        bySpan.set(ref.span.start, `${shortName(ref.table)}.${ref.column.toLowerCase()}`)
      }
    }
  }
  const byAlias = new Map<string, string>()
  for (const table of collect(root, (n) => isNode(n["table"]) && isNode(n["table"]["name"]))) {
    const body = table["table"] as Node
    const name = shortName(identifier(body["name"]) ?? "?")
    byAlias.set(name, name)
    const alias = identifier(body["alias"])
    if (alias !== undefined) byAlias.set(alias.toLowerCase(), name)
  }
  const tables = [...new Set(facts.baseTables.map((t) => t.name.replace(/`/g, "").toLowerCase()))].sort()
  const cteColumns = new Map<string, string>()
  const resolver = makeResolver(bySpan, byAlias, tables.length === 1 ? shortName(tables[0]) : undefined, cteColumns)
  for (const cte of collect(root, (n) => isNode(n["with"]), true).flatMap((n) =>
    arrayOf(bodyOf(n, "with")?.["ctes"])
  )) {
    const name = identifier(isNode(cte) ? cte["alias"] : undefined)?.toLowerCase()
    if (name === undefined || !isNode(cte)) continue
    for (const item of arrayOf(firstSelect(cte["this"])?.["expressions"])) {
      const aliased = bodyOf(item, "alias")
      const column = bodyOf(aliased === undefined ? item : aliased["this"], "column")
      const output = identifier(aliased?.["alias"]) ?? (column === undefined ? undefined : identifier(column["name"]))
      if (column !== undefined && output !== undefined)
        cteColumns.set(`${name}.${output.toLowerCase()}`, resolver.column(column))
    }
  }

  const joins: Array<JoinFact> = []
  const joinEqualities: Array<ReadonlyArray<readonly [string, string]>> = []
  const filters: Array<PredicateFact> = []
  const groupBy: Array<string> = []
  for (const select of collect(root, (n) => kindOf(n) === "select", true).map((n) => bodyOf(n, "select")!)) {
    const projections = arrayOf(select["expressions"])
    for (const join of arrayOf(select["joins"])) {
      if (!isNode(join)) continue
      const joinedTable = bodyOf(join["this"], "table")
      const parts = conjuncts(join["on"])
      const condition = parts.map((p) => resolver.sql(p)).sort()
      const using = arrayOf(join["using"]).map((u) => identifier(u) ?? "?")
      const names = new Set(tablesOfColumns(parts.flatMap((p) => resolver.columnsIn(p))))
      if (joinedTable !== undefined) names.add(shortName(identifier(joinedTable["name"]) ?? "?"))
      joins.push({
        tables: [...names].sort(),
        kind: (typeof join["kind"] === "string" ? join["kind"] : "Inner").toUpperCase(),
        condition: using.length > 0 ? `USING (${using.join(", ")})` : condition.join(" AND ")
      })
      joinEqualities.push(parts.flatMap((p) => equality(resolver, p)))
    }
    for (const [clause, node] of [
      ["where", bodyOf(select, "where_clause")?.["this"]],
      ["having", bodyOf(select, "having")?.["this"]]
    ] as const) {
      for (const part of conjuncts(node)) {
        const join = clause === "where" ? implicitJoin(resolver, part) : undefined
        if (join !== undefined) {
          joins.push(join)
          joinEqualities.push(equality(resolver, part))
        } else
          filters.push({
            clause,
            sql: resolver.sql(part),
            columns: resolver.columnsIn(part),
            ...comparison(resolver, part)
          })
      }
    }
    for (const item of arrayOf(bodyOf(select, "group_by")?.["expressions"])) {
      const ordinal = literalNumber(item)
      const target = ordinal === undefined ? item : projections[ordinal - 1]
      const expression = kindOf(target) === "alias" ? bodyOf(target, "alias")!["this"] : target
      groupBy.push(resolver.sql(expression))
    }
  }

  const aggregates = collect(root, isAggregate)
    .map((n) => resolver.sql(n))
    .sort()
  const windows: Array<WindowFact> = collect(root, (n) => kindOf(n) === "window_function", true).map((n) => {
    const body = bodyOf(n, "window_function")!
    const fn = body["this"]
    const fnKind = kindOf(fn) ?? "unknown"
    const name = fnKind === "function" ? (identifier(bodyOf(fn, fnKind)) ?? "unknown") : fnKind
    const over = isNode(body["over"]) ? body["over"] : {}
    return {
      name: name.toLowerCase(),
      partitionBy: arrayOf(over["partition_by"]).map((p) => resolver.sql(p)),
      orderBy: arrayOf(over["order_by"]).map((o) => resolver.sql(isNode(o) ? o["this"] : o)),
      overAggregate:
        collect(fn, isAggregate).length > 1 || (isAggregate(fn) && collect(bodyOf(fn, fnKind), isAggregate).length > 0)
    }
  })
  const nestedSelects = collect(root, (n) => kindOf(n) === "select", true).length - 1
  const tableNames: Record<string, string> = {}
  for (const full of tables) tableNames[shortName(full)] = full
  for (const [alias, short] of byAlias) {
    const full = tables.find((t) => shortName(t) === short)
    if (full !== undefined) tableNames[alias] = full
  }

  const outermost = firstSelect(root)
  const outputs: Array<OutputFact> = arrayOf(outermost?.["expressions"]).map((item) => {
    const aliased = bodyOf(item, "alias")
    const expression = aliased === undefined ? item : aliased["this"]
    const column = bodyOf(expression, "column")
    const star = kindOf(expression) === "star" || (column !== undefined && identifier(column["name"]) === "*")
    return {
      name: (
        identifier(aliased?.["alias"]) ?? (column === undefined ? undefined : identifier(column["name"]))
      )?.toLowerCase(),
      sql: star ? "*" : resolver.sql(expression),
      columns: resolver.columnsIn(expression),
      aggregate: collect(expression, isAggregate).length > 0,
      star,
      window: collect(expression, (n) => kindOf(n) === "window_function").length > 0
    }
  })

  const rootBody = bodyOf(root, rootKind)
  const orderBy: Array<OrderItem> = arrayOf(bodyOf(rootBody, "order_by")?.["expressions"]).flatMap((item) => {
    if (!isNode(item)) return []
    const expression = item["this"]
    const ordinal = literalNumber(expression)
    const column = bodyOf(expression, "column")
    const name = column === undefined ? undefined : identifier(column["name"])?.toLowerCase()
    // `ORDER BY total` and `ORDER BY 2` sort by an output: describe them by that output's expression.
    const output =
      ordinal !== undefined
        ? outputs.some((o) => o.star)
          ? undefined
          : outputs[ordinal - 1]
        : name === undefined || column?.["table"] != null
          ? undefined
          : outputs.find((o) => o.name === name)
    return [
      {
        sql: output?.sql ?? resolver.sql(expression),
        descending: item["desc"] === true,
        ...(ordinal === undefined ? {} : { ordinal }),
        ...(name === undefined ? {} : { name })
      }
    ]
  })
  // A SELECT wraps its LIMIT value (`{this: …}`); a set operation holds it directly.
  const limitNode = rootBody?.["limit"]
  const limit = literalNumber(limitNode) ?? literalNumber(isNode(limitNode) ? limitNode["this"] : undefined)

  return {
    _tag: "Analyzed",
    facts: {
      tables,
      joins,
      filters,
      aggregates,
      groupBy,
      outputs,
      orderBy,
      limit,
      joinEqualities,
      windows,
      nestedSelects,
      tableNames
    }
  }
}

/**
 * The index of the result column an ORDER BY item sorts by, or `undefined` when the sort key is not in the output
 * (`ORDER BY revenue` with `revenue` not selected).
 *
 * **Details**
 * An ordinal names the column directly; otherwise the item matches an output expression (`ORDER BY SUM(x)` with
 * `SUM(x) AS total` selected) or, by name, a result column (`ORDER BY total`, also through `SELECT *`).
 *
 * @category constructors
 */
export const outputIndex = (
  facts: SqlFacts,
  item: OrderItem,
  columnNames: ReadonlyArray<string>
): number | undefined => {
  if (item.ordinal !== undefined)
    return item.ordinal >= 1 && item.ordinal <= columnNames.length ? item.ordinal - 1 : undefined
  const lower = columnNames.map((n) => n.toLowerCase())
  if (item.name !== undefined) {
    const byName = lower.indexOf(item.name)
    if (byName >= 0) return byName
  }
  if (!facts.outputs.some((o) => o.star)) {
    const bySql = facts.outputs.findIndex((o) => o.sql === item.sql)
    if (bySql >= 0 && bySql < columnNames.length) return bySql
  }
  return undefined
}

// --- AST rewriting helpers (learners and fixers) -----------------------------------------------------------------

const parseStatement = (sql: string): Node | undefined => {
  try {
    const parsed = parse(sql, Dialect.Databricks)
    if (!parsed.success) return undefined
    const statements = arrayOf(parsed.ast).filter((s) => isNode(s) && Object.keys(s).length > 0)
    return statements.length === 1 && isNode(statements[0]) ? statements[0] : undefined
  } catch {
    return undefined
  }
}

const renderStatement = (node: unknown): string | undefined => {
  try {
    const result = generate([node], Dialect.Databricks)
    return result.success ? result.sql?.[0] : undefined
  } catch {
    return undefined
  }
}

/** The single projected expression of `SELECT <expr>`, parsed. */
const parseExpression = (expression: string): unknown => {
  const select = bodyOf(parseStatement(`SELECT ${expression}`), "select")
  const items = arrayOf(select?.["expressions"])
  return items.length === 1 ? items[0] : undefined
}

/** Deep copy with `edit` applied to every node it returns a replacement for (children of a replacement are kept). */
const rewrite = (node: unknown, edit: (n: Node) => unknown): unknown => {
  if (Array.isArray(node)) return node.map((item) => rewrite(item, edit))
  if (!isNode(node)) return node
  const replaced = edit(node)
  if (replaced !== undefined) return replaced
  const copy: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) copy[key] = rewrite(value, edit)
  return copy
}

/**
 * Adds `FILTER (WHERE <filter>)` to every aggregate call of an expression (`SUM(x)` with `t.s = 'a'` →
 * `SUM(x) FILTER (WHERE t.s = 'a')`), AND-ing an existing filter. `undefined` when either part does not parse or an
 * aggregate cannot carry a filter.
 *
 * @category constructors
 */
export const withAggregateFilter = (expression: string, filter: string): string | undefined => {
  const parsed = parseExpression(expression)
  const condition = bodyOf(parseStatement(`SELECT 1 WHERE ${filter}`), "select")?.["where_clause"]
  const predicate = isNode(condition) ? condition["this"] : undefined
  if (parsed === undefined || predicate === undefined) return undefined
  let unsupported = false
  const out = rewrite(parsed, (n) => {
    if (!isAggregate(n)) return undefined
    const kind = kindOf(n)!
    const body = bodyOf(n, kind)!
    if (!("filter" in body)) {
      unsupported = true
      return n
    }
    const existing = body["filter"]
    const combined = existing == null ? predicate : { and: { left: existing, right: predicate } }
    return { [kind]: { ...body, filter: combined } }
  })
  if (unsupported) return undefined
  const rendered = renderStatement({ select: { ...bodyOf(parseStatement("SELECT 1"), "select"), expressions: [out] } })
  return rendered?.replace(/^SELECT\s+/i, "")
}

/**
 * The SQL of every query block of a statement (the statement itself, each subquery and CTE body), rendered in one
 * canonical spelling: what the leakage guard compares.
 *
 * @category constructors
 */
export const queryBlocks = (sql: string): ReadonlyArray<string> => {
  const root = parseStatement(sql)
  if (root === undefined) return []
  const blocks = [root, ...collect(root, (n) => n !== root && queryKinds.has(kindOf(n) ?? ""), true)]
  const rendered = blocks.flatMap((b) => {
    const kind = kindOf(b)
    const node = kind === "subquery" ? bodyOf(b, kind)?.["this"] : b
    const sql = node === undefined ? undefined : renderStatement(node)
    return sql === undefined ? [] : [sql]
  })
  return [...new Set(rendered)]
}

/** The `:name` parameters of a statement, in order of first use. @category constructors */
export const parameterNames = (sql: string): ReadonlyArray<string> => {
  const root = parseStatement(sql)
  if (root === undefined) return []
  const names = collect(root, (n) => kindOf(n) === "parameter").map((n) => identifier(bodyOf(n, "parameter")))
  return [...new Set(names.filter((n): n is string => n !== undefined))]
}

/**
 * Replaces literals of a statement by `:name` parameters: `name(literal)` returns the parameter name for a literal
 * to replace, or `undefined` to keep it. `undefined` when the SQL does not parse.
 *
 * @category constructors
 */
export const parameterize = (sql: string, name: (literal: LiteralFact) => string | undefined): string | undefined => {
  const root = parseStatement(sql)
  if (root === undefined) return undefined
  const out = rewrite(root, (n) => {
    const literal = kindOf(n) === "literal" ? literalOf(n) : undefined
    const parameter = literal === undefined ? undefined : name(literal)
    if (parameter === undefined) return undefined
    return {
      parameter: { name: parameter, index: null, style: "Colon", quoted: false, string_quoted: false, expression: null }
    }
  })
  return renderStatement(out)
}

/**
 * Replaces `:name` parameters by SQL literals (`value(name)` returns the literal's SQL, e.g. `'x'`, `2024`,
 * `DATE'2024-01-01'`, `NULL`), so that a parameterised query can run. `undefined` when something does not parse.
 *
 * @category constructors
 */
export const bindParameters = (sql: string, value: (name: string) => string): string | undefined => {
  const root = parseStatement(sql)
  if (root === undefined) return undefined
  let failed = false
  const out = rewrite(root, (n) => {
    if (kindOf(n) !== "parameter") return undefined
    const literal = parseExpression(value(identifier(bodyOf(n, "parameter")) ?? ""))
    if (literal === undefined) failed = true
    return literal ?? n
  })
  return failed ? undefined : renderStatement(out)
}

/** The statement's SQL in the parser's canonical spelling, or `undefined` when it is not one statement. @category constructors */
export const canonicalSql = (sql: string): string | undefined => {
  const root = parseStatement(sql)
  return root === undefined ? undefined : renderStatement(root)
}

/** The outermost operation of an expression, as {@link expressionHead} reads it. @category models */
export interface ExpressionHead {
  /** Node kind or lower-case function name: `column`, `year`, `date_trunc`, `day_of_week`, `try_divide`, `case`, … */
  readonly head: string
  /** Literal arguments of that operation (`'MONTH'` of `date_trunc`). */
  readonly literals: ReadonlyArray<LiteralFact>
  /** True when it reads the clock (`current_date()`, `now()`) anywhere. */
  readonly relative: boolean
  /** True when it holds an `INTERVAL`. */
  readonly interval: boolean
  /** The interval's quantity and unit (`30`, `day`), when it holds one. */
  readonly intervalValue?: { readonly value: string; readonly unit: string }
}

const clockFunctions: ReadonlySet<string> = new Set([
  "current_date",
  "current_timestamp",
  "now",
  "getdate",
  "curdate",
  "localtimestamp"
])

/**
 * Reads what an expression is at its top: its node kind or function name and literal arguments, and whether it uses
 * the clock or an interval. `undefined` when it does not parse.
 *
 * @category constructors
 */
export const expressionHead = (expression: string): ExpressionHead | undefined => {
  const node = parseExpression(expression)
  const kind = kindOf(node)
  if (kind === undefined) return undefined
  const body = bodyOf(node, kind)
  const head = kind === "function" ? (identifier(body) ?? "function").toLowerCase() : kind
  const args = kind === "function" ? arrayOf(body?.["args"]) : Object.values(body ?? {})
  const literals = args.map(literalOf).filter((l): l is LiteralFact => l !== undefined)
  const clock = collect(
    node,
    (n) =>
      clockFunctions.has(kindOf(n) ?? "") ||
      (kindOf(n) === "function" && clockFunctions.has((identifier(bodyOf(n, "function")) ?? "").toLowerCase()))
  )
  const intervals = collect(node, (n) => kindOf(n) === "interval")
  const first = bodyOf(intervals[0], "interval")
  const unit = isNode(first?.["unit"]) ? first["unit"]["unit"] : undefined
  const value = literalOf(first?.["this"])
  return {
    head,
    literals,
    relative: clock.length > 0,
    interval: intervals.length > 0,
    ...(value === undefined || typeof unit !== "string"
      ? {}
      : { intervalValue: { value: value.value, unit: unit.toLowerCase() } })
  }
}
