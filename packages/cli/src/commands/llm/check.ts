import { Composition, ProfileLoader, Stages } from "@genie-enhancer/core"
import { Flags } from "@oclif/core"
import { Effect, Schema } from "effect"
import { BaseCommand } from "../../BaseCommand.js"
import { registry } from "../../Plugins.js"

/** What `llm check` reports. */
export interface LlmCheckResult {
  readonly provider: string
  readonly model: string
  readonly baseUrl?: string
  readonly latencyMs: number
  readonly usage: Stages.Usage
  readonly reply: { readonly ok: boolean }
}

const Reply = Schema.Struct({ ok: Schema.Boolean })

export default class LlmCheck extends BaseCommand<LlmCheckResult> {
  static override summary =
    "Send one tiny structured request to the configured language model; print latency and usage."
  static override description =
    "Verifies the key and the endpoint of the profile's `llm` settings; --provider, --model and --base-url override " +
    "them. Keys come from OPENAI_API_KEY or ANTHROPIC_API_KEY; OPENAI_BASE_URL sets the base URL of openai and " +
    "openai-compatible when neither --base-url nor llm.baseUrl does. databricks calls the workspace's serving " +
    "endpoints with its own credentials (DATABRICKS_HOST and DATABRICKS_TOKEN or DATABRICKS_CLIENT_ID/_SECRET, or a " +
    "~/.databrickscfg profile). The request always goes to the provider: cassettes are not used."
  static override examples = [
    "<%= config.bin %> <%= command.id %> --provider openai --model gpt-4.1-mini",
    "<%= config.bin %> <%= command.id %> --provider openai-compatible --base-url http://localhost:11434/v1 --model llama3.1",
    "<%= config.bin %> <%= command.id %> --profile ./team.yaml --json"
  ]
  static override flags = {
    provider: Flags.string({
      summary:
        "LLM provider (overrides llm.provider): databricks, openai, anthropic, openai-compatible, or an llm-provider plugin."
    }),
    model: Flags.string({ summary: "Model, or serving endpoint name for databricks (overrides llm.model)." }),
    "base-url": Flags.string({ summary: "API base URL (overrides llm.baseUrl), e.g. http://localhost:11434/v1." })
  }

  async run(): Promise<LlmCheckResult> {
    const { flags } = await this.parse(LlmCheck)
    const overrides: Array<ProfileLoader.Override> = [
      ...(flags.provider === undefined
        ? []
        : [{ path: ["llm", "provider"], value: flags.provider, source: "--provider" }]),
      ...(flags.model === undefined ? [] : [{ path: ["llm", "model"], value: flags.model, source: "--model" }]),
      ...(flags["base-url"] === undefined
        ? []
        : [{ path: ["llm", "baseUrl"], value: flags["base-url"], source: "--base-url" }])
    ]
    const configDir = this.configDir(flags)
    const result = await this.runEffect(
      Effect.gen(function* () {
        const resolved = yield* ProfileLoader.resolve({
          ...(flags.profile === undefined ? {} : { profile: flags.profile }),
          configDir,
          env: process.env,
          // A check reaches the provider itself, never a cassette.
          flags: [...overrides, { path: ["llm", "cassette", "mode"], value: "off", source: "llm check" }]
        })
        const settings = resolved.profile.llm
        const completion = yield* Effect.flatMap(Stages.LanguageModel, (llm) =>
          llm.completeJson(
            {
              system: "You are a connectivity check. Answer with the JSON requested, nothing else.",
              messages: [{ role: "user", content: 'Reply with {"ok": true}.' }],
              stage: "check"
            },
            { name: "check", description: "Whether the request arrived.", schema: Reply }
          )
        ).pipe(
          // Serving endpoints use the configured workspace's credentials (DATABRICKS_* or ~/.databrickscfg).
          Effect.provide(Composition.languageModelLayer({ resolved, registry, env: process.env, cwd: process.cwd() }))
        )
        return {
          provider: settings.provider,
          model: settings.model,
          ...(settings.baseUrl === undefined ? {} : { baseUrl: settings.baseUrl }),
          latencyMs: completion.usage.latencyMs,
          usage: completion.usage,
          reply: completion.value
        }
      })
    )
    const { usage } = result
    const cost =
      usage.costUsd === undefined ? `no price for ${result.model} in llm.prices` : `$${usage.costUsd.toFixed(6)}`
    this.log(
      `✓ ${result.provider} ${result.model}${result.baseUrl === undefined ? "" : ` at ${result.baseUrl}`} answered`
    )
    this.log(
      `  latency ${result.latencyMs} ms · ${usage.inputTokens} input / ${usage.outputTokens} output tokens · ${cost}`
    )
    return result
  }
}
