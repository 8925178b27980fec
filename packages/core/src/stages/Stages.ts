/**
 * Stage contracts, gathered: one `Context.Tag` per pipeline stage and per supporting service, with the serializable
 * IO types they exchange. Each lives next to its implementations (`stages/<stage>/`, `workspace/`, `llm/`); this
 * module re-exports them as the stable `Stages` namespace.
 */
export * from "../model/Results.js"
export * from "./StageFailed.js"
export * from "./ask/Asker.js"
export * from "./execute/Executor.js"
export * from "./evaluate/EvaluateStage.js"
export * from "./learn-patterns/PatternLearner.js"
export * from "./fix/Fixer.js"
export * from "./apply/PlanValidator.js"
export * from "./promote/Promoter.js"
export * from "./score/Scorer.js"
export * from "../workspace/SpaceStore.js"
export * from "../llm/LanguageModel.js"
