import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Redacted, Schema, Stream } from "effect"
import { fileURLToPath } from "node:url"
import * as Composition from "../src/composition/Composition.js"
import * as Profile from "../src/config/Profile.js"
import type * as ProfileLoader from "../src/config/ProfileLoader.js"
import type * as Benchmark from "../src/model/Benchmark.js"
import * as BenchmarkSplit from "../src/model/BenchmarkSplit.js"
import { ProviderError } from "../src/model/Errors.js"
import * as Decorator from "../src/plugins/Decorator.js"
import * as Plugin from "../src/plugins/Plugin.js"
import * as PluginRegistry from "../src/plugins/PluginRegistry.js"
import * as ScoreBenchmark from "../src/stages/score/ScoreBenchmark.js"
import * as Stages from "../src/stages/Stages.js"
import * as FakeWorkspace from "../src/testing/FakeWorkspace.js"
import * as Workspace from "../src/workspace/Workspace.js"

const configDir = fileURLToPath(new URL("../../../configs", import.meta.url))
const promptsDir = fileURLToPath(new URL("../../../prompts", import.meta.url))

const table: FakeWorkspace.Table = { columns: [["n", "BIGINT"]], rows: [["1"]] }
const sql = "SELECT 1 AS n"

/** A workspace target over the fake Genie and warehouse, describing itself as `id`. */
const target = (id: string, detect?: () => Promise<boolean>) =>
  Plugin.definePlugin({
    id,
    version: "1.0.0",
    kind: "workspace-target",
    description: `Fake workspace ${id}.`,
    optionsSchema: Plugin.noOptions,
    layer: () =>
      Layer.mergeAll(
        FakeWorkspace.layer({
          genie: () => ({ _tag: "Answer", sql, table }),
          warehouse: { [sql]: table }
        }),
        Layer.succeed(Workspace.Target, { target: id, host: `http://${id}.test`, note: `opened ${id}` }),
        Layer.succeed(Workspace.WorkspaceAuth, {
          host: `http://${id}.test`,
          authorization: Effect.succeed(Redacted.make("Bearer t"))
        }),
        Layer.succeed(Stages.SpaceStore, {} as Stages.SpaceStore["Type"])
      ),
    ...(detect === undefined ? {} : { detect })
  })

const scorer = Plugin.definePlugin({
  id: "one-by-one",
  version: "1.0.0",
  kind: "scorer",
  description: "Scores in order.",
  optionsSchema: Plugin.noOptions,
  layer: () =>
    Layer.effect(
      Stages.Scorer,
      Effect.map(ScoreBenchmark.services, (services) => ({
        score: (benchmarks: ReadonlyArray<Benchmark.Benchmark>, options: Stages.ScoreOptions) =>
          Stream.fromIterable(benchmarks).pipe(
            Stream.mapEffect((b) => ScoreBenchmark.scoreBenchmark(services, b, options))
          )
      }))
    )
})

const failingProvider = Plugin.definePlugin({
  id: "databricks",
  version: "1.0.0",
  kind: "llm-provider",
  description: "Cannot be set up.",
  optionsSchema: Plugin.noOptions,
  layer: () =>
    Layer.fail(new ProviderError({ provider: "no-key", reason: "Auth", retryable: false, message: "no API key" }))
})

/** A decorator that tags every verdict's reason with its name, so the order of wrapping shows. */
const tagger = (name: string) =>
  Plugin.definePlugin({
    id: name,
    version: "1.0.0",
    kind: "stage-decorator",
    decorates: "evaluate",
    description: `Tags verdicts with ${name}.`,
    optionsSchema: Plugin.noOptions,
    layer: () =>
      Layer.effect(
        Stages.Evaluator,
        Effect.map(Stages.Evaluator, (inner) => ({
          ...inner,
          evaluate: (b: Benchmark.Benchmark, e: Stages.ResultSet | Stages.StageFailed, a: Stages.GenieAnswer) =>
            Effect.map(
              inner.evaluate(b, e, a),
              (v) => new Stages.Verdict({ ...v, decidedBy: `${v.decidedBy} ${name}` })
            )
        }))
      )
  })

const benchmark: Benchmark.Benchmark = {
  id: "b1",
  question: "How many?",
  expected_sql: sql,
  category: "count",
  difficulty: "easy"
}

const resolvedProfile = (
  patch: Partial<Profile.Profile>,
  origins: Record<string, string> = {}
): ProfileLoader.ResolvedProfile => ({
  name: "team",
  profile: { ...Profile.defaults, evaluate: { ...Profile.defaults.evaluate, judge: { enabled: false } }, ...patch },
  files: ["/projects/team/team.yaml"],
  origins: { "workspace.target": `${configDir}/default.yaml`, ...origins }
})

const options = (
  resolved: ProfileLoader.ResolvedProfile,
  builtins: ReadonlyArray<Plugin.AnyPlugin | Plugin.Lazy>,
  notes: Array<string> = []
): Composition.Options => ({
  resolved,
  registry: PluginRegistry.make(builtins),
  env: {},
  cwd: "/projects/team",
  configDir,
  promptsDir,
  announce: (note) => notes.push(note)
})

const scoreOne = Effect.gen(function* () {
  const s = yield* Stages.Scorer
  const results = yield* Stream.runCollect(s.score([benchmark], { spaceId: "s" }))
  return [...results][0]
})

describe("Composition", () => {
  it.scoped("builds every service from the profile: target, scorer and decorators in profile order", () =>
    Effect.gen(function* () {
      const notes: Array<string> = []
      const resolved = resolvedProfile({
        workspace: { ...Profile.defaults.workspace, target: "fake" },
        scorer: { plugin: "one-by-one", options: {} },
        plugins: [{ module: "first" }, { module: "second" }]
      })
      const services = Composition.layer(
        options(resolved, [target("fake"), scorer, tagger("first"), tagger("second"), failingProvider], notes)
      )
      const { info, result, loaded } = yield* Effect.gen(function* () {
        return {
          info: yield* Workspace.Target,
          result: yield* scoreOne,
          loaded: yield* Composition.Loaded
        }
      }).pipe(Effect.provide(services))
      assert.strictEqual(info.target, "fake")
      assert.deepStrictEqual(notes, ["opened fake"])
      assert.strictEqual(result.verdict.outcome, "pass")
      // The first decorator wraps the evaluator, the second wraps the first.
      assert.match(result.verdict.decidedBy, / first second$/)
      assert.deepStrictEqual(
        loaded.plugins.map((p) => p.plugin.id),
        ["first", "second"]
      )
      assert.strictEqual(loaded.scorer.plugin.id, "one-by-one")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("a target left at the built-in default gives way to a configured one, and says so", () =>
    Effect.gen(function* () {
      const notes: Array<string> = []
      const profileWithScorer = { scorer: { plugin: "one-by-one", options: {} } }
      const chosen = yield* Effect.provide(
        Workspace.Target,
        Composition.layer(
          options(
            resolvedProfile({ ...profileWithScorer, workspace: { ...Profile.defaults.workspace, target: "local" } }),
            [target("local"), target("remote", () => Promise.resolve(true)), scorer, failingProvider],
            notes
          )
        )
      )
      assert.strictEqual(chosen.target, "remote")
      assert.match(notes[0] ?? "", /Using the configured remote workspace/)

      // A profile that names its target keeps it, configured workspace or not.
      const explicit = yield* Effect.provide(
        Workspace.Target,
        Composition.layer(
          options(
            resolvedProfile(
              { ...profileWithScorer, workspace: { ...Profile.defaults.workspace, target: "local" } },
              { "workspace.target": "/projects/team/team.yaml" }
            ),
            [target("local"), target("remote", () => Promise.resolve(true)), scorer, failingProvider]
          )
        )
      )
      assert.strictEqual(explicit.target, "local")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("a provider that cannot be set up fails only the call that needs it", () =>
    Effect.gen(function* () {
      const resolved = resolvedProfile({
        workspace: { ...Profile.defaults.workspace, target: "fake" },
        scorer: { plugin: "one-by-one", options: {} }
      })
      const program = Effect.gen(function* () {
        const scored = yield* scoreOne
        const llm = yield* Stages.LanguageModel
        const call = yield* Effect.exit(
          llm.completeJson(
            { messages: [{ role: "user", content: "hi" }] },
            { name: "x", schema: Schema.Struct({ ok: Schema.Boolean }) }
          )
        )
        return { scored, call }
      })
      const { scored, call } = yield* Effect.provide(
        program,
        Composition.layer(options(resolved, [target("fake"), scorer, failingProvider]))
      )
      assert.strictEqual(scored.verdict.outcome, "pass")
      assert.isTrue(Exit.isFailure(call))
      if (Exit.isFailure(call) && call.cause._tag === "Fail") {
        assert.strictEqual(call.cause.error.reason, "Auth")
        assert.include(call.cause.error.message, "no API key")
      }
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("an unknown plugin fails before anything is opened, naming the key and the file that set it", () =>
    Effect.gen(function* () {
      const notes: Array<string> = []
      const resolved = resolvedProfile(
        { workspace: { ...Profile.defaults.workspace, target: "fake" }, scorer: { plugin: "nope", options: {} } },
        { "scorer.plugin": "/projects/team/team.yaml" }
      )
      const exit = yield* Effect.exit(
        Effect.provide(
          Workspace.Target,
          Composition.layer(options(resolved, [target("fake"), scorer, failingProvider], notes))
        )
      )
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit) && exit.cause._tag === "Fail") {
        const error = exit.cause.error as { _tag: string; path?: string; source?: string; available?: Array<string> }
        assert.strictEqual(error._tag, "PluginNotFound")
        assert.strictEqual(error.path, "$.scorer.plugin")
        assert.strictEqual(error.source, "/projects/team/team.yaml")
        assert.deepStrictEqual(error.available, ["one-by-one"])
      }
      assert.deepStrictEqual(notes, [])
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("a fixer from the plugins list gets its options there; a fix decorator is skipped in a score run", () =>
    Effect.gen(function* () {
      const seen: Array<unknown> = []
      const fixer = Plugin.definePlugin({
        id: "team-fixer",
        version: "1.0.0",
        kind: "fixer",
        description: "Records its options.",
        optionsSchema: { type: "object", properties: { glossary: { type: "string" } } },
        layer: (options: unknown) => {
          seen.push(options)
          return Layer.succeed(Stages.Fixer, { propose: () => Effect.succeed(new Stages.Plan({ fixes: [] })) })
        }
      })
      const fixDecorator = Plugin.definePlugin({
        id: "fix-audit",
        version: "1.0.0",
        kind: "stage-decorator",
        decorates: "fix",
        description: "Needs a Fixer.",
        optionsSchema: Plugin.noOptions,
        layer: () => Layer.effect(Stages.Fixer, Stages.Fixer)
      })
      const learner = Plugin.definePlugin({
        id: "sql-grounded",
        version: "1.0.0",
        kind: "pattern-learner",
        description: "Learns nothing.",
        optionsSchema: { type: "object" },
        layer: () =>
          Layer.succeed(Stages.PatternLearner, {
            learn: () => Effect.succeed(new Stages.PatternBook({ patterns: [] }))
          })
      })
      const resolved = resolvedProfile({
        workspace: { ...Profile.defaults.workspace, target: "fake" },
        scorer: { plugin: "one-by-one", options: {} },
        fix: { ...Profile.defaults.fix, fixers: ["team-fixer"] },
        plugins: [{ module: "team-fixer", options: { glossary: "terms.csv" } }, { module: "fix-audit" }]
      })
      const builtins = [target("fake"), scorer, failingProvider, fixer, fixDecorator, learner]
      // score: no Fixer is built, so the fix decorator is not applied (it would fail for want of a Fixer).
      const scored = yield* Effect.provide(scoreOne, Composition.layer(options(resolved, builtins)))
      assert.strictEqual(scored.verdict.outcome, "pass")
      // plan / enhance: the fixer gets the options its list entry gave.
      yield* Effect.provide(Stages.Fixer, Composition.layerWithStages(options(resolved, builtins)))
      assert.deepStrictEqual(seen, [{ glossary: "terms.csv" }])
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("learn-patterns and fix decorators wrap the profile's learner and fixers in profile order", () =>
    Effect.gen(function* () {
      const learner = Plugin.definePlugin({
        id: "sql-grounded",
        version: "1.0.0",
        kind: "pattern-learner",
        description: "Learns one pattern.",
        optionsSchema: { type: "object" },
        layer: () =>
          Layer.succeed(Stages.PatternLearner, {
            learn: () =>
              Effect.succeed(
                new Stages.PatternBook({
                  learner: "sql-grounded",
                  patterns: [
                    new Stages.Pattern({ id: "learned", kind: "join", description: "d", supportingBenchmarkIds: [] })
                  ]
                })
              )
          })
      })
      /** Adds a pattern named `name` to what the learner it wraps found. */
      const learnDecorator = (name: string) =>
        Plugin.definePlugin({
          id: name,
          version: "1.0.0",
          kind: "stage-decorator",
          decorates: "learn-patterns",
          description: `Adds pattern ${name}.`,
          optionsSchema: Plugin.noOptions,
          layer: () =>
            Decorator.wrap(Stages.PatternLearner, (inner) => ({
              learn: (input) =>
                Effect.map(
                  inner.learn(input),
                  (book) =>
                    new Stages.PatternBook({
                      ...book,
                      patterns: [
                        ...book.patterns,
                        new Stages.Pattern({
                          id: name,
                          kind: "vocabulary",
                          description: name,
                          supportingBenchmarkIds: []
                        })
                      ]
                    })
                )
            }))
        })
      const fixer = Plugin.definePlugin({
        id: "rules",
        version: "1.0.0",
        kind: "fixer",
        description: "Proposes nothing.",
        optionsSchema: { type: "object" },
        layer: () => Layer.succeed(Stages.Fixer, { propose: () => Effect.succeed(new Stages.Plan({ fixes: [] })) })
      })
      // A fix decorator turning every pattern it is given into a fix: what the learn decorators added reaches it.
      const fixDecorator = Plugin.definePlugin({
        id: "per-pattern",
        version: "1.0.0",
        kind: "stage-decorator",
        decorates: "fix",
        description: "One fix per pattern.",
        optionsSchema: Plugin.noOptions,
        layer: () =>
          Decorator.wrap(Stages.Fixer, (inner) => ({
            propose: (input) =>
              Effect.map(
                inner.propose(input),
                (plan) =>
                  new Stages.Plan({
                    rejected: plan.rejected,
                    fixes: [
                      ...plan.fixes,
                      ...input.patterns.patterns.map(
                        (p) =>
                          new Stages.Fix({
                            id: `per-pattern:${p.id}`,
                            category: "instruction-fix",
                            target: "text instruction",
                            change: { _tag: "TextInstruction", append: [p.description] },
                            rationale: p.id,
                            sourceBenchmarkIds: [],
                            risk: "low",
                            origin: "per-pattern"
                          })
                      )
                    ]
                  })
              )
          }))
      })
      const resolved = resolvedProfile({
        workspace: { ...Profile.defaults.workspace, target: "fake" },
        scorer: { plugin: "one-by-one", options: {} },
        plugins: [{ module: "team-a" }, { module: "per-pattern" }, { module: "team-b" }]
      })
      const builtins = [
        target("fake"),
        scorer,
        failingProvider,
        learner,
        fixer,
        learnDecorator("team-a"),
        learnDecorator("team-b"),
        fixDecorator
      ]
      const { book, plan } = yield* Effect.gen(function* () {
        const input = { train: BenchmarkSplit.trainSet([]), space: { version: 2 as const } }
        const book = yield* Effect.flatMap(Stages.PatternLearner, (l) => l.learn(input))
        const plan = yield* Effect.flatMap(Stages.Fixer, (f) => f.propose({ ...input, failures: [], patterns: book }))
        return { book, plan }
      }).pipe(Effect.provide(Composition.layerWithStages(options(resolved, builtins))))
      assert.deepStrictEqual(
        book.patterns.map((p) => p.id),
        ["learned", "team-a", "team-b"]
      )
      assert.deepStrictEqual(
        plan.fixes.map((f) => f.id),
        ["per-pattern:learned", "per-pattern:team-a", "per-pattern:team-b"]
      )
      // score builds neither stage: the decorators have nothing to wrap, and the run does not fail for it.
      const scored = yield* Effect.provide(scoreOne, Composition.layer(options(resolved, builtins)))
      assert.strictEqual(scored.verdict.outcome, "pass")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it("judgePlan: the local example has no model behind its serving endpoint", () => {
    assert.isFalse(Composition.judgePlan(Profile.defaults, "local").enabled)
    assert.isTrue(Composition.judgePlan(Profile.defaults, "databricks").enabled)
    assert.isFalse(
      Composition.judgePlan(
        { ...Profile.defaults, evaluate: { ...Profile.defaults.evaluate, judge: { enabled: false } } },
        "databricks"
      ).enabled
    )
  })
})
