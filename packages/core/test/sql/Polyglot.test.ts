import { assert, describe, it } from "@effect/vitest"
import { Dialect as SdkDialect } from "@polyglot-sql/sdk"
import { execFileSync, spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as Polyglot from "../../src/sql/Polyglot.js"

const root = fileURLToPath(new URL("../../../..", import.meta.url))

/**
 * Run in a fresh process: counts every WebAssembly compilation, imports core's build, then checks two queries.
 * The counters are the signal (not time or memory): the sdk's parser is the only WebAssembly core uses.
 */
const child = `
const calls = []
for (const name of ["compile", "compileStreaming", "instantiate", "instantiateStreaming"]) {
  const original = WebAssembly[name]
  WebAssembly[name] = function (...args) { calls.push(name); return original.apply(this, args) }
}
WebAssembly.Module = new Proxy(WebAssembly.Module, {
  construct: (target, args, newTarget) => { calls.push("Module"); return Reflect.construct(target, args, newTarget) }
})
const core = await import(process.argv[1])
const atImport = [...calls]
const loadedAtImport = core.Polyglot.isLoaded()
const allowed = core.SqlGuard.check("select 1")
const refused = core.SqlGuard.check("select 1; drop table t")
console.log(JSON.stringify({
  atImport, loadedAtImport, afterCheck: calls, loaded: core.Polyglot.isLoaded(),
  allowed: allowed === undefined, refused: refused?.reason
}))
`

describe("Polyglot", () => {
  it("importing core loads no WebAssembly; the first SQL call loads the parser, synchronously", () => {
    // The child imports core's build: bring it up to date (incremental; a no-op after `pnpm build`). Type errors
    // are the build's to report, and it still emits, so only the child's result counts here.
    spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, "-b", "packages/core"], { cwd: root })
    const out = execFileSync(
      process.execPath,
      ["--input-type=module", "-e", child, `${root}packages/core/dist/index.js`],
      { encoding: "utf8" }
    )
    const result = JSON.parse(out.trim().split("\n").pop()!) as Record<string, unknown>
    assert.deepStrictEqual(result, {
      atImport: [],
      loadedAtImport: false,
      afterCheck: ["Module"],
      loaded: true,
      allowed: true,
      refused: "MultipleStatements"
    })
  }, 180_000)

  it("uses the sdk's dialect names", () => {
    assert.strictEqual(Polyglot.Dialect.Databricks, SdkDialect.Databricks)
    assert.strictEqual(Polyglot.Dialect.DuckDB, SdkDialect.DuckDB)
  })

  it("parses, generates, analyses and transpiles through the lazily loaded sdk", () => {
    const parsed = Polyglot.parse("SELECT a FROM t -- ; DROP TABLE t", Polyglot.Dialect.Databricks)
    assert.isTrue(parsed.success)
    assert.isTrue(Polyglot.isLoaded())
    if (!parsed.success) return
    assert.strictEqual(parsed.ast.length, 1)
    const generated = Polyglot.generate(parsed.ast, Polyglot.Dialect.Databricks)
    assert.deepStrictEqual(generated.sql, ["SELECT a FROM t /* ; DROP TABLE t */"])
    assert.isTrue(Polyglot.analyzeQuery("SELECT o.id FROM main.s.orders o", Polyglot.Dialect.Databricks).success)
    const transpiled = Polyglot.transpile(
      "SELECT date_add(d, 1) FROM t",
      Polyglot.Dialect.Databricks,
      Polyglot.Dialect.DuckDB
    )
    assert.deepStrictEqual(transpiled.sql, ["SELECT d + INTERVAL 1 DAY FROM t"])
    assert.isFalse(Polyglot.parse("SELEC FROM", Polyglot.Dialect.Databricks).success)
  })
})
