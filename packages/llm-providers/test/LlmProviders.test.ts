import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Errors, Stages, UsageLedger, Workspace } from "@genie-enhancer/core"
import type { Profile } from "@genie-enhancer/core"
import { ConfigProvider, Effect, Layer, Redacted, Schema } from "effect"
import { mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Cassette from "../src/Cassette.js"
import * as LlmProviders from "../src/LlmProviders.js"
import { chatCompletion, stubServer } from "./stubServer.js"
import { failureOf, providerError } from "./exits.js"

const key = "sk-secret-abcdef"
const env = ConfigProvider.fromJson({ OPENAI_API_KEY: key })
const Verdict = Schema.Struct({ verdict: Schema.Literal("pass", "fail") })
const ask = (content: string, stage?: string): Stages.CompletionRequest => ({
  messages: [{ role: "user", content }],
  ...(stage === undefined ? {} : { stage })
})

const settings = (overrides: Partial<Profile.LlmSettings>): Profile.LlmSettings => ({
  provider: "openai-compatible",
  model: "llama3",
  cassette: { mode: "off", dir: mkdtempSync(join(tmpdir(), "cassettes-")) },
  ...overrides
})

/** A workspace that is never called: providers other than `databricks` do not use it. */
const noWorkspace = Layer.succeed(Workspace.WorkspaceAuth, {
  host: "http://127.0.0.1:9",
  authorization: Effect.die("the workspace is not used by this provider")
})

/** Runs `program` against the layer built from `llm`, with the Node file system and the test environment. */
const run = <A, E>(
  llm: Profile.LlmSettings,
  program: Effect.Effect<A, E, Stages.LanguageModel | UsageLedger.UsageLedger>,
  options?: LlmProviders.LayerOptions,
  auth: Layer.Layer<Workspace.WorkspaceAuth> = noWorkspace
) =>
  program.pipe(
    Effect.provide(LlmProviders.layerFromSettings(llm, options).pipe(Layer.provide(auth))),
    Effect.provide(NodeContext.layer),
    Effect.withConfigProvider(env)
  )

describe("cassettes", () => {
  it.effect("records against a live server, then replays with the server gone and no key", () =>
    Effect.gen(function* () {
      const recordSettings = settings({ cassette: { mode: "record", dir: mkdtempSync(join(tmpdir(), "cassettes-")) } })
      const exchange = Effect.gen(function* () {
        const llm = yield* Stages.LanguageModel
        const text = yield* llm.complete(ask("Say hi", "learn"))
        const json = yield* llm.completeJson(ask("Judge this", "judge"), { name: "verdict", schema: Verdict })
        return { text: text.text, value: json.value, cached: json.usage.cached }
      })

      const recorded = yield* Effect.scoped(
        Effect.gen(function* () {
          const stub = yield* stubServer((request) =>
            request.body.response_format === undefined
              ? { json: chatCompletion("hi") }
              : { json: chatCompletion('{"verdict":"pass"}') }
          )
          return yield* run({ ...recordSettings, baseUrl: stub.url }, exchange)
        })
      )
      assert.deepStrictEqual(recorded, { text: "hi", value: { verdict: "pass" }, cached: undefined })
      const files = readdirSync(recordSettings.cassette.dir)
      assert.strictEqual(files.length, 2)
      for (const file of files) assert.notInclude(readFileSync(join(recordSettings.cassette.dir, file), "utf8"), key)

      // The stub is closed; replay builds no provider, so it needs neither the network nor a key.
      const replaySettings = { ...recordSettings, cassette: { ...recordSettings.cassette, mode: "replay" as const } }
      const replayed = yield* exchange.pipe(
        Effect.provide(LlmProviders.layerFromSettings(replaySettings).pipe(Layer.provide(noWorkspace))),
        Effect.provide(NodeContext.layer),
        Effect.withConfigProvider(ConfigProvider.fromJson({}))
      )
      assert.deepStrictEqual(replayed, { text: "hi", value: { verdict: "pass" }, cached: true })
    })
  )

  it.effect("a replay miss fails loudly, naming the hash and the file it looked for", () =>
    Effect.gen(function* () {
      const llm = settings({ cassette: { mode: "replay", dir: mkdtempSync(join(tmpdir(), "cassettes-")) } })
      const request = ask("Never recorded")
      const exit = yield* Effect.exit(
        run(
          llm,
          Effect.flatMap(Stages.LanguageModel, (m) => m.complete(request))
        )
      )
      const error = providerError(exit)
      const hash = Cassette.hashOf({ dir: llm.cassette.dir, provider: llm.provider, model: llm.model }, request)
      assert.include(error.message, hash)
      assert.include(error.message, join(llm.cassette.dir, `${hash}.json`))
      assert.isFalse(error.retryable)
    })
  )

  it("the hash depends on the request, the model and the output schema, not on the stage", () => {
    const options = { dir: "x", provider: "openai", model: "gpt" }
    const base = Cassette.hashOf(options, ask("q", "judge"))
    assert.strictEqual(Cassette.hashOf(options, ask("q", "fix")), base)
    assert.notStrictEqual(Cassette.hashOf(options, ask("q2")), base)
    assert.notStrictEqual(Cassette.hashOf({ ...options, model: "gpt-2" }, ask("q")), base)
    const output = { name: "v", schema: Verdict }
    assert.notStrictEqual(Cassette.hashOf(options, ask("q"), output), base)
    assert.match(base, /^[0-9a-f]{32}$/)
  })
})

describe("usage totals", () => {
  it.scoped("are kept per stage, with cost from the price table", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(() => ({ json: chatCompletion("ok", { prompt: 1000, completion: 500 }) }))
      const llm = settings({
        baseUrl: stub.url,
        prices: { llama3: { inputPerMillion: 2, outputPerMillion: 8 } }
      })
      const report = yield* run(
        llm,
        Effect.gen(function* () {
          const model = yield* Stages.LanguageModel
          yield* model.complete(ask("a", "judge"))
          yield* model.complete(ask("b", "judge"))
          yield* model.complete(ask("c", "fix"))
          yield* model.complete(ask("d"))
          return yield* Effect.flatMap(UsageLedger.UsageLedger, (ledger) => ledger.report)
        })
      )
      assert.deepStrictEqual(Object.keys(report.byStage).sort(), ["fix", "judge", "unstaged"])
      assert.strictEqual(report.byStage["judge"]?.calls, 2)
      assert.strictEqual(report.byStage["judge"]?.inputTokens, 2000)
      assert.strictEqual(report.byStage["judge"]?.outputTokens, 1000)
      assert.closeTo(report.byStage["judge"].costUsd, 0.012, 1e-12)
      assert.strictEqual(report.total.calls, 4)
      assert.closeTo(report.total.costUsd, 0.024, 1e-12)
      assert.strictEqual(report.total.unpricedCalls, 0)
    })
  )

  it("count unpriced calls so a report can say its cost is a lower bound, and cached calls apart", () => {
    const usage: Stages.Usage = { inputTokens: 10, outputTokens: 5, latencyMs: 3, provider: "p", model: "m" }
    const totals = [usage, { ...usage, costUsd: 0.5 }, { ...usage, cached: true }].reduce(
      UsageLedger.add,
      UsageLedger.empty
    )
    assert.deepStrictEqual(totals, {
      calls: 3,
      cachedCalls: 1,
      inputTokens: 30,
      outputTokens: 15,
      latencyMs: 9,
      costUsd: 0.5,
      unpricedCalls: 1
    })
  })
})

describe("layerFromSettings", () => {
  const complete = Effect.flatMap(Stages.LanguageModel, (m) => m.complete(ask("hi")))

  it.effect("scripted takes its replies from the options", () =>
    Effect.gen(function* () {
      const completion = yield* run(settings({ provider: "scripted", model: "fake" }), complete, { script: ["hello"] })
      assert.strictEqual(completion.text, "hello")
      assert.strictEqual(completion.usage.model, "fake")
    })
  )

  it.effect("scripted without a script is a ConfigInvalid pointing at llm.provider", () =>
    Effect.gen(function* () {
      const error = failureOf(yield* Effect.exit(run(settings({ provider: "scripted" }), complete)))
      assert.instanceOf(error, Errors.ConfigInvalid)
      assert.strictEqual(error.issues[0]?.path, "$.llm.provider")
    })
  )

  it("a LanguageModel layer cannot be built without a workspace's WorkspaceAuth: the types require it", () => {
    const layer = LlmProviders.layerFromSettings(settings({ provider: "databricks", model: "endpoint" }))
    // @ts-expect-error WorkspaceAuth is a requirement of the layer, not an optional service found at run time
    const complete: Layer.Layer<Stages.LanguageModel, unknown, NodeContext.NodeContext> = layer
    assert.isDefined(complete)
  })

  it.scoped("databricks uses the WorkspaceAuth of the context it is built in", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer(() => ({ json: chatCompletion("served") }))
      const auth = Layer.succeed(Workspace.WorkspaceAuth, {
        host: stub.url,
        authorization: Effect.succeed(Redacted.make("Bearer dapi-xyz"))
      })
      const completion = yield* run(settings({ provider: "databricks", model: "my-endpoint" }), complete, {}, auth)
      assert.strictEqual(completion.text, "served")
      assert.strictEqual(stub.requests[0]?.path, "/serving-endpoints/chat/completions")
      assert.strictEqual(stub.requests[0]?.headers.authorization, "Bearer dapi-xyz")
    })
  )
})
