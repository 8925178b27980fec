/**
 * @genie-enhancer/workspace-emulator — a Databricks-compatible workspace on loopback, backed by DuckDB, for offline
 * runs and tests. Consumers import modules as namespaces: `import { Emulator } from "@genie-enhancer/workspace-emulator"`.
 */
export * as Activity from "./Activity.js"
export * as ApiError from "./ApiError.js"
export * as Auth from "./Auth.js"
export * as Conversations from "./Conversations.js"
export * as DatabricksTypes from "./DatabricksTypes.js"
export * as Emulator from "./Emulator.js"
export * as Faults from "./Faults.js"
export * as GenieEngine from "./GenieEngine.js"
export * as GenieSimulator from "./simulator/GenieSimulator.js"
export * as Http from "./Http.js"
export * as MessageView from "./MessageView.js"
export * as ScriptedEngine from "./ScriptedEngine.js"
export * as Serving from "./Serving.js"
export * as Spaces from "./Spaces.js"
export * as SqlFailure from "./SqlFailure.js"
export * as Statements from "./Statements.js"
export * as Transpile from "./Transpile.js"
export * as Warehouse from "./Warehouse.js"
export * as WorkspaceLoader from "./WorkspaceLoader.js"
