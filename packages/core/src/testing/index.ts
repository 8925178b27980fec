/**
 * @genie-enhancer/core/testing — test doubles and helpers for core services, for this repository's tests and for
 * plugin authors.
 */
export * as ScriptedLanguageModel from "./ScriptedLanguageModel.js"
export * as FakeWorkspace from "./FakeWorkspace.js"
export * as ScorerContract from "./ScorerContract.js"
export * as TestClockDriver from "./TestClockDriver.js"
