/**
 * A statement the warehouse refused or failed to run, described the way Databricks does: an error class in the
 * message (`[TABLE_OR_VIEW_NOT_FOUND] …`), a `SQLSTATE` and the service error code.
 */
import { Data } from "effect"

/**
 * A failed SQL statement (parse error, read-only violation, missing table, runtime error).
 *
 * @category errors
 */
export class SqlFailure extends Data.TaggedError("SqlFailure")<{
  /** Databricks error class, e.g. `TABLE_OR_VIEW_NOT_FOUND`. */
  readonly errorClass: string
  /** Five-character SQLSTATE, e.g. `42P01`. */
  readonly sqlState: string
  /** Human text without the class prefix. */
  readonly detail: string
}> {
  /** The message as Databricks prints it: `[CLASS] detail SQLSTATE: xxxxx`. */
  override get message(): string {
    return `[${this.errorClass}] ${this.detail} SQLSTATE: ${this.sqlState}`
  }
}

const rules: ReadonlyArray<readonly [RegExp, string, string, (m: RegExpExecArray) => string]> = [
  [
    /Table with name "?([^"!\s]+)"? does not exist|Catalog "?([^"!\s]+)"? does not exist|Catalog with name (\S+) does not exist/,
    "TABLE_OR_VIEW_NOT_FOUND",
    "42P01",
    (m) =>
      `The table or view \`${m[1] ?? m[2] ?? m[3] ?? ""}\` cannot be found. Verify the spelling and correctness of the schema and catalog.`
  ],
  [
    /No catalog \+ schema named "?([^"]+?)"? found|Schema with name "?([^"!\s]+)"? does not exist/,
    "SCHEMA_NOT_FOUND",
    "42704",
    (m) => `The schema \`${m[1] ?? m[2] ?? ""}\` cannot be found.`
  ],
  [
    /Referenced column "([^"]+)" not found/,
    "UNRESOLVED_COLUMN.WITH_SUGGESTION",
    "42703",
    (m) => `A column, variable, or function parameter with name \`${m[1]}\` cannot be resolved.`
  ],
  [
    /(?:Scalar|Aggregate|Table) Function with name (\S+) does not exist/,
    "UNRESOLVED_ROUTINE",
    "42883",
    (m) => `Cannot resolve routine \`${m[1]}\` on search path.`
  ],
  [
    /must appear in the GROUP BY clause/,
    "MISSING_AGGREGATION",
    "42803",
    () => "The non-aggregating expression is not in the GROUP BY clause."
  ],
  [/^Parser Error: (.*)/, "PARSE_SYNTAX_ERROR", "42601", (m) => `Syntax error: ${m[1]}.`],
  [/^Conversion Error: (.*)/, "CAST_INVALID_INPUT", "22018", (m) => `${m[1]}.`],
  [/^Out of Range Error: (.*)/, "ARITHMETIC_OVERFLOW", "22003", (m) => `${m[1]}.`],
  [/^Permission Error: (.*)/, "INSUFFICIENT_PERMISSIONS", "42501", (m) => `${m[1]}.`],
  [
    /No function matches|Cannot compare|Cannot mix/,
    "DATATYPE_MISMATCH",
    "42K09",
    () => "Cannot resolve the expression due to data type mismatch."
  ]
]

/**
 * Classifies a DuckDB error message into the Databricks error class and SQLSTATE that a warehouse would report for
 * the same mistake; the DuckDB text is kept at the end for debugging.
 *
 * @category constructors
 */
export const fromDuckDb = (duckDbMessage: string): SqlFailure => {
  const firstLine = duckDbMessage.split("\n")[0] ?? duckDbMessage
  for (const [pattern, errorClass, sqlState, describe] of rules) {
    const m = pattern.exec(firstLine)
    if (m !== null) return new SqlFailure({ errorClass, sqlState, detail: `${describe(m)} (DuckDB: ${firstLine})` })
  }
  return new SqlFailure({ errorClass: "INTERNAL_ERROR", sqlState: "XX000", detail: `DuckDB: ${firstLine}` })
}
