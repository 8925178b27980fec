/**
 * @genie-enhancer/llm-providers — OpenAI, Anthropic, Databricks serving and OpenAI-compatible providers for the core `LanguageModel` service.
 *
 * The implementation lands with issue #8; until then the package holds only its public identity.
 */

/** The package name, for diagnostics and plugin manifests. */
export const packageName = "@genie-enhancer/llm-providers"
