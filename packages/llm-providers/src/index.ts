/**
 * @genie-enhancer/llm-providers — layers for the core `LanguageModel` service: OpenAI, Anthropic, Databricks
 * serving endpoints and OpenAI-compatible servers, plus a scripted provider for tests, record/replay cassettes and
 * usage totals. Start with `LlmProviders.layerFromSettings(profile.llm)`.
 */
export * as Anthropic from "./Anthropic.js"
export * as Cassette from "./Cassette.js"
export * as Databricks from "./Databricks.js"
export * as LlmProviders from "./LlmProviders.js"
export * as OpenAi from "./OpenAi.js"
export * as Provider from "./Provider.js"
export * as Scripted from "./Scripted.js"
export { UsageLedger } from "@genie-enhancer/core"
