/**
 * The few functions of `@polyglot-sql/sdk` that Genie Enhancer uses, loaded on first call.
 *
 * **Details**
 * The sdk's parser is a 22 MB WebAssembly module. Its ESM build instantiates it with a top-level `await` as soon as
 * it is imported, so a static import made every command pay for it (~110 MB of memory), SQL or not. Its CJS build
 * defers that to `await init()`, but our callers (`SqlGuard.check`, `SqlAnalysis.analyze`, Schema filters …) are
 * synchronous. So the first call here evaluates the CJS build with its one awaited `WebAssembly.instantiate` made
 * synchronous (compile and instantiate in place), then calls `init()`, which then completes before it returns.
 * Should a new sdk version change that shape, the load fails with a message naming this module (`Polyglot.test.ts`
 * checks the shape on every run).
 */
import type * as Sdk from "@polyglot-sql/sdk"
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname } from "node:path"
import { compileFunction } from "node:vm"

/** A dialect name as the sdk spells it. @category models */
export type Dialect = Sdk.Dialect

/**
 * The dialects used here, as values that need no sdk (the sdk's `Dialect` is a runtime enum).
 *
 * @category constants
 */
export const Dialect = {
  Databricks: "databricks" as Sdk.Dialect.Databricks,
  DuckDB: "duckdb" as Sdk.Dialect.DuckDB
} as const

type Api = Pick<typeof Sdk, "analyzeQuery" | "generate" | "init" | "isInitialized" | "parse" | "transpile">

let sdk: Api | undefined

/** The single `await WebAssembly.instantiate(bytes, imports)` of the CJS build's wasm initialiser. */
const awaitedInstantiate = /await WebAssembly\.instantiate\((\w+), (\w+)\)/g

const load = (): Api => {
  const file = createRequire(import.meta.url).resolve("@polyglot-sql/sdk")
  const source = readFileSync(file, "utf8")
  const found = source.match(awaitedInstantiate)?.length ?? 0
  const fail = (why: string) =>
    new Error(`@polyglot-sql/sdk (${file}) cannot be loaded synchronously: ${why}; see core's sql/Polyglot.ts`)
  if (!file.endsWith(".cjs") || found !== 1) throw fail(`expected one awaited instantiation, found ${found}`)
  const synchronous = source.replace(
    awaitedInstantiate,
    "{ instance: new WebAssembly.Instance(new WebAssembly.Module($1), $2) }"
  )
  // Evaluated as Node evaluates a CJS file: in this realm, with the file's own `require`.
  const evaluate = compileFunction(synchronous, ["exports", "require", "module", "__filename", "__dirname"], {
    filename: file
  }) as (...args: ReadonlyArray<unknown>) => void
  const module = { exports: {} as Api }
  evaluate(module.exports, createRequire(file), module, file, dirname(file))
  const loaded = module.exports
  // Without an `await` left, the initialiser runs to completion before `init()` returns its promise.
  loaded.init().catch(() => undefined)
  if (!loaded.isInitialized()) throw fail("init() did not complete synchronously")
  return loaded
}

const polyglot = (): Api => (sdk ??= load())

/**
 * Whether the sdk (and its WebAssembly) has been loaded in this process.
 *
 * @category getters
 */
export const isLoaded = (): boolean => sdk !== undefined

/**
 * Parses SQL into the sdk's AST (one entry per statement).
 *
 * @category parsing
 */
export const parse = (sql: string, dialect: Dialect): Sdk.ParseResult => polyglot().parse(sql, dialect)

/**
 * Generates SQL from AST nodes.
 *
 * @category parsing
 */
export const generate = (ast: unknown, dialect: Dialect): Sdk.TranspileResult => polyglot().generate(ast, dialect)

/**
 * The sdk's structural analysis of one query (columns, tables, aggregates …).
 *
 * @category parsing
 */
export const analyzeQuery = (sql: string, dialect: Dialect): Sdk.QueryAnalysisResult =>
  polyglot().analyzeQuery(sql, dialect)

/**
 * Translates SQL from one dialect to another.
 *
 * @category parsing
 */
export const transpile = (sql: string, read: Dialect, write: Dialect): Sdk.TranspileResult =>
  polyglot().transpile(sql, read, write)
