/**
 * @genie-enhancer/databricks — the real workspace adapter: auth, Genie asker, spaces store and SQL executors that
 * provide the core `Asker`, `SpaceStore` and `Executor` services.
 */
export * as ConfigFile from "./ConfigFile.js"
export * as DatabricksAuth from "./DatabricksAuth.js"
export * as DatabricksConfig from "./DatabricksConfig.js"
export * as RestClient from "./RestClient.js"
