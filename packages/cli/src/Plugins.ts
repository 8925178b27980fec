import { PluginRegistry } from "@genie-enhancer/core"

/**
 * The built-in plugins the CLI ships, by id. Scorers (`batch`, `sequential`) and LLM providers register here as
 * their packages land; profiles name anything else by module specifier.
 */
export const registry: PluginRegistry.Registry = PluginRegistry.make([])
