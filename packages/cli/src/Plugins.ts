import { Plugin, PluginRegistry } from "@genie-enhancer/core"

// Built-ins are imported on first use, so `--help`, `--version` and commands that never open a workspace load
// neither the emulator, DuckDB, the SQL parser's WebAssembly nor an SDK.
const llm = (id: "databricks" | "openai" | "anthropic" | "openai-compatible" | "scripted") =>
  Plugin.lazy(id, "llm-provider", async () => (await import("@genie-enhancer/llm-providers")).LlmProviders.plugin(id))

/**
 * The built-in plugins the CLI ships, by id: workspace targets `local` and `databricks`, LLM providers, the scorers
 * `batch` (default) and `sequential`, the
 * pattern learner `sql-grounded` and the fixer `rules`. Profiles name anything else by package name or path.
 */
export const registry: PluginRegistry.Registry = PluginRegistry.make([
  Plugin.lazy("local", "workspace-target", async () => (await import("./targets/LocalTarget.js")).plugin),
  Plugin.lazy(
    "databricks",
    "workspace-target",
    async () => (await import("@genie-enhancer/databricks")).DatabricksTarget.plugin
  ),
  llm("databricks"),
  llm("openai"),
  llm("anthropic"),
  llm("openai-compatible"),
  llm("scripted"),
  Plugin.lazy("batch", "scorer", async () => (await import("@genie-enhancer/scorer-batch")).BatchScorer.plugin),
  Plugin.lazy(
    "sequential",
    "scorer",
    async () => (await import("@genie-enhancer/scorer-sequential")).SequentialScorer.plugin
  ),
  Plugin.lazy(
    "sql-grounded",
    "pattern-learner",
    async () => (await import("@genie-enhancer/core")).SqlGroundedLearner.plugin
  ),
  Plugin.lazy("rules", "fixer", async () => (await import("@genie-enhancer/core")).RulesFixer.plugin),
  Plugin.lazy("llm", "fixer", async () => (await import("@genie-enhancer/core")).LlmFixer.plugin)
])
