/**
 * @genie-enhancer/core/testing — test doubles and helpers for core services, for this repository's tests and for
 * plugin authors.
 */
export * as ScriptedLanguageModel from "./ScriptedLanguageModel.js"
export * as FakeWorkspace from "./FakeWorkspace.js"
export * as ScorerContract from "./ScorerContract.js"
export * as TestClockDriver from "./TestClockDriver.js"
export * as PatternLearnerContract from "./PatternLearnerContract.js"
export * as FixerContract from "./FixerContract.js"
export * as AskerContract from "./AskerContract.js"
export * as ExecutorContract from "./ExecutorContract.js"
export * as EvaluatorContract from "./EvaluatorContract.js"
export * as LanguageModelContract from "./LanguageModelContract.js"
export * as ReportFormatContract from "./ReportFormatContract.js"
export * as StageDecoratorContract from "./StageDecoratorContract.js"
