/**
 * @genie-enhancer/core — the domain model, stage contracts, profiles and plugin registry.
 * Consumers import modules as namespaces: `import { Space } from "@genie-enhancer/core"`.
 */
export * as Benchmark from "./Benchmark.js"
export * as BenchmarkImport from "./BenchmarkImport.js"
export * as BenchmarkSplit from "./BenchmarkSplit.js"
export * as Errors from "./Errors.js"
export * as Issue from "./Issue.js"
export * as Plugin from "./Plugin.js"
export * as PluginRegistry from "./PluginRegistry.js"
export * as Profile from "./Profile.js"
export * as ProfileLoader from "./ProfileLoader.js"
export * as Secrets from "./Secrets.js"
export * as SqlGuard from "./SqlGuard.js"
export * as Space from "./Space.js"
export * as SpaceDiff from "./SpaceDiff.js"
export * as SpaceId from "./SpaceId.js"
export * as SpaceValidation from "./SpaceValidation.js"
export * as Stages from "./Stages.js"
export * as Workspace from "./Workspace.js"
