/**
 * @genie-enhancer/databricks — the real workspace adapter: auth, Genie asker, spaces store and SQL executors that
 * provide the core `Asker`, `SpaceStore` and `Executor` services. `DatabricksWorkspace.layer` composes them all.
 */
export * as ConfigFile from "./ConfigFile.js"
export * as DatabricksAuth from "./DatabricksAuth.js"
export * as DatabricksConfig from "./DatabricksConfig.js"
export * as DatabricksWorkspace from "./DatabricksWorkspace.js"
export * as DriverExecutor from "./DriverExecutor.js"
export * as DriverMapping from "./DriverMapping.js"
export * as GenieAsker from "./GenieAsker.js"
export * as GenieSpaceStore from "./GenieSpaceStore.js"
export * as RestClient from "./RestClient.js"
export * as SqlErrors from "./SqlErrors.js"
export * as StatementExecutor from "./StatementExecutor.js"
export * as StatementResponse from "./StatementResponse.js"
export * as DatabricksTarget from "./DatabricksTarget.js"
