import { mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { repoRoot, runCli, runCliJson, tempDir } from "./cli.js"

// Plugins as users install them: packages in their own project's node_modules, with `effect` and
// `@genie-enhancer/core` beside them (their peer dependencies), named in a profile by package name or path.
const requireFromCore = createRequire(join(repoRoot, "packages/core/package.json"))
const effectDir = dirname(realpathSync(requireFromCore.resolve("effect/package.json")))

const scorer = `import { Plugin, ScoreBenchmark, Stages } from "@genie-enhancer/core"
import { Effect, Layer, Stream } from "effect"
export default Plugin.definePlugin({
  id: "acme-scorer", version: "1.0.0", kind: "scorer", description: "One at a time, newest first.",
  optionsSchema: { type: "object", additionalProperties: false, properties: { reverse: { type: "boolean" } } },
  layer: (options) => Layer.effect(Stages.Scorer, Effect.map(ScoreBenchmark.services, (services) => ({
    score: (benchmarks, scoreOptions) => Stream.fromIterable(options.reverse ? [...benchmarks].reverse() : benchmarks).pipe(
      Stream.mapEffect((b) => ScoreBenchmark.scoreBenchmark(services, b, scoreOptions)))
  })))
})
`

const audit = `import { Plugin, Stages } from "@genie-enhancer/core"
import { Effect, Layer } from "effect"
import { appendFileSync } from "node:fs"
export default Plugin.definePlugin({
  id: "acme-audit", version: "1.0.0", kind: "stage-decorator", decorates: "evaluate", description: "Logs every verdict.",
  optionsSchema: { type: "object", required: ["file"], additionalProperties: false, properties: { file: { type: "string" } } },
  layer: (options) => Layer.effect(Stages.Evaluator, Effect.map(Stages.Evaluator, (inner) => ({
    ...inner,
    evaluate: (benchmark, expected, answer) => inner.evaluate(benchmark, expected, answer).pipe(
      Effect.tap((verdict) => Effect.sync(() => appendFileSync(options.file, benchmark.id + " " + verdict.outcome + "\\n"))))
  })))
})
`

const llm = `import { Plugin, Stages } from "@genie-enhancer/core"
import { Effect, Layer, Schema } from "effect"
const usage = { inputTokens: 3, outputTokens: 2, latencyMs: 1, provider: "acme", model: "echo" }
export default Plugin.definePlugin({
  id: "acme-llm", version: "1.0.0", kind: "llm-provider", description: "Always agrees.",
  optionsSchema: Plugin.noOptions,
  layer: () => Layer.succeed(Stages.LanguageModel, {
    complete: () => Effect.succeed({ text: "ok", usage }),
    completeJson: (_request, output) => Effect.map(Schema.decodeUnknown(output.schema)({ ok: true }), (value) =>
      ({ value, text: '{"ok":true}', usage })).pipe(Effect.orDie)
  })
})
`

/** A project directory whose node_modules holds the given packages and the plugins' peer dependencies. */
const project = (packages: Record<string, string>, files: Record<string, string>): string => {
  const dir = tempDir(files)
  const modules = join(dir, "node_modules")
  mkdirSync(join(modules, "@genie-enhancer"), { recursive: true })
  symlinkSync(effectDir, join(modules, "effect"), "dir")
  symlinkSync(join(repoRoot, "packages/core"), join(modules, "@genie-enhancer/core"), "dir")
  for (const [name, source] of Object.entries(packages)) {
    const pkg = join(modules, name)
    mkdirSync(pkg, { recursive: true })
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ name, type: "module", exports: "./index.mjs" }))
    writeFileSync(join(pkg, "index.mjs"), source)
  }
  return dir
}

describe("third-party plugins", () => {
  it("a scorer and a decorator installed in the user's project, named by package, run in score", async () => {
    const dir = project(
      { "@acme/genie-scorer": scorer, "@acme/genie-audit": audit },
      {
        "team.yaml":
          "apiVersion: 1\nextends: default\nscorer:\n  plugin: '@acme/genie-scorer'\n  options: { reverse: true }\n" +
          "plugins:\n  - module: '@acme/genie-audit'\n    options: { file: audit.log }\n"
      }
    )
    // profiles validate says it works, and score agrees.
    expect((await runCliJson(["profiles", "validate", "team.yaml"], { cwd: dir })).exitCode).toBe(0)
    const run = await runCliJson(["score", "--profile", "team.yaml", "--split", "holdout"], { cwd: dir })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.json.result.scorer).toBe("@acme/genie-scorer")
    const scored = run.json.result.summary.overall.scored as number
    expect(scored).toBeGreaterThan(0)
    const lines = readFileSync(join(dir, "audit.log"), "utf8").trim().split("\n")
    expect(lines, lines.join("\n")).toHaveLength(scored)
    const journal = readFileSync(resolve(dir, run.json.result.runDir, "journal.jsonl"), "utf8")
    // The scorer's option reached it: benchmarks were scored in reverse file order.
    const order = [...new Set([...journal.matchAll(/"benchmarkId":"([^"]+)"/g)].map((m) => m[1]))]
    const fileOrder = [
      ...readFileSync(join(repoRoot, "examples/retail/benchmarks.yaml"), "utf8").matchAll(/^\s*-?\s*id: (\S+)$/gm)
    ]
      .map((m) => m[1])
      .filter((id) => order.includes(id))
    expect(order.length).toBeGreaterThan(1)
    expect(order).toEqual([...fileOrder].reverse())
  }, 120_000)

  it("a scorer named by a path relative to the profile's folder runs from another working directory", async () => {
    const dir = project({}, {})
    mkdirSync(join(dir, "team"))
    writeFileSync(join(dir, "team", "my-scorer.mjs"), scorer)
    writeFileSync(join(dir, "team", "ci.yaml"), "apiVersion: 1\nextends: default\nscorer:\n  plugin: ./my-scorer.mjs\n")
    expect((await runCliJson(["profiles", "validate", "team/ci.yaml"], { cwd: dir })).exitCode).toBe(0)
    const run = await runCliJson(["score", "--profile", join(dir, "team/ci.yaml"), "--split", "holdout"], {
      cwd: repoRoot
    })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.json.result.scorer).toBe("./my-scorer.mjs")
  }, 120_000)

  it("an LLM provider named by package answers llm check", async () => {
    const dir = project({ "@acme/genie-llm": llm }, {})
    const run = await runCliJson(["llm", "check", "--provider", "@acme/genie-llm", "--model", "echo"], { cwd: dir })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.json.result.reply).toEqual({ ok: true })
  }, 60_000)

  it("a package that is not installed is a located error naming where it was looked for", async () => {
    const dir = project({}, { "team.yaml": "apiVersion: 1\nextends: default\nscorer:\n  plugin: '@acme/absent'\n" })
    const validate = await runCliJson(["profiles", "validate", "team.yaml"], { cwd: dir })
    expect(validate.exitCode).toBe(2)
    expect(validate.json.error.data.issues[0]).toMatchObject({ path: "$.scorer.plugin" })
    expect(validate.json.error.data.issues[0].message).toContain(realpathSync(dir))
    const score = await runCli(["score", "--profile", "team.yaml"], { cwd: dir })
    expect(score.exitCode).toBe(2)
    expect(score.stderr).toContain("$.scorer.plugin")
    expect(score.stderr).toContain("team.yaml")
  }, 60_000)
})
