import { PluginRegistry } from "@genie-enhancer/core"
import { BatchScorer } from "@genie-enhancer/scorer-batch"
import { SequentialScorer } from "@genie-enhancer/scorer-sequential"

/**
 * The built-in plugins the CLI ships, by id: the scorers `batch` (default) and `sequential`. Profiles name anything
 * else by module specifier.
 */
export const registry: PluginRegistry.Registry = PluginRegistry.make([BatchScorer.plugin, SequentialScorer.plugin])
