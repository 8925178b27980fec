import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import * as Plugin from "../src/plugins/Plugin.js"
import * as PluginRegistry from "../src/plugins/PluginRegistry.js"
import * as ReportFormat from "../src/plugins/ReportFormat.js"
import { ReportFormatContract } from "../src/testing/index.js"

const coreVersion = (
  JSON.parse(readFileSync(fileURLToPath(new URL("../package.json", import.meta.url)), "utf8")) as { version: string }
).version

const manifest = (core: unknown) => ({
  _tag: "GenieEnhancerPlugin",
  apiVersion: 1,
  id: "@acme/old",
  version: "2.3.4",
  kind: "scorer",
  description: "x",
  optionsSchema: Plugin.noOptions,
  layer: () => Layer.empty,
  core
})

describe("Plugin core version range", () => {
  it("core's version is read from its package.json", () => {
    assert.strictEqual(Plugin.coreVersion, coreVersion)
  })

  it("accepts a plugin whose range includes this core, or that declares none", () => {
    assert.isUndefined(Plugin.problemWith(manifest(`>=${coreVersion} <99`)))
    assert.isUndefined(Plugin.problemWith(manifest(undefined)))
    assert.isUndefined(Plugin.incompatibility("p", "1.0.0", ">=0.1 <1", "0.2.0-rc.1"))
  })

  it("refuses a plugin built for another core, naming it and both versions", () => {
    const problem = Plugin.problemWith(manifest(">=2 <3"))
    assert.isDefined(problem)
    assert.include(problem, '"@acme/old" 2.3.4')
    assert.include(problem, "@genie-enhancer/core >=2 <3")
    assert.include(problem, `@genie-enhancer/core ${coreVersion}`)
  })

  it("refuses a range that is not semver", () => {
    assert.include(Plugin.problemWith(manifest("latest-ish")), "not a semver range")
    assert.include(Plugin.problemWith(manifest(3)), "not a semver range")
  })

  it.effect("the registry refuses an installed plugin built for another core, before any layer is built", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "ge-compat-"))
      const file = join(dir, "old.mjs")
      writeFileSync(
        file,
        `export default { _tag: "GenieEnhancerPlugin", apiVersion: 1, id: "@acme/old", version: "2.3.4", kind: "scorer",
  description: "x", core: "^7", optionsSchema: {}, layer: () => { throw new Error("built") } }\n`
      )
      const exit = yield* Effect.exit(
        PluginRegistry.load(PluginRegistry.make([]), pathToFileURL(file).href, { kind: "scorer" })
      )
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) {
        const text = JSON.stringify(exit.cause)
        assert.include(text, "PluginNotFound")
        assert.include(text, "@genie-enhancer/core ^7")
        assert.include(text, `this is @genie-enhancer/core ${coreVersion}`)
      }
    })
  )
})

describe("ReportFormat.define", () => {
  const csv = ReportFormat.define<{ readonly separator?: string }>({
    id: "csv",
    version: "1.0.0",
    description: "One line per benchmark.",
    core: ">=0.1 <1",
    extension: "csv",
    optionsSchema: { type: "object", additionalProperties: false, properties: { separator: { type: "string" } } },
    render: (data, options) =>
      data.benchmarks.map((b) => [b.id, b.outcome].join(options.separator ?? ",")).join("\n") + "\n"
  })

  it("builds a report-format manifest whose renderer gets its options", () => {
    assert.isUndefined(Plugin.problemWith(csv))
    const format = ReportFormat.fromPlugin(csv, { separator: ";" })
    assert.strictEqual(format?.fileName, "report.csv")
    assert.strictEqual(
      format?.render(ReportFormatContract.samples[0].data),
      "revenue_total;pass\nrevenue_region;fail\nbroken;excluded\n"
    )
  })

  for (const c of ReportFormatContract.cases) it.effect(`contract: ${c.name}`, () => c.run(csv, { separator: "|" }))

  it("a report-format manifest without a renderer is refused", () => {
    const { report: _, ...bare } = csv
    assert.include(Plugin.problemWith(bare), "has no report renderer")
  })
})
