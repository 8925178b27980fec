/**
 * @genie-enhancer/scorer-batch — the streaming concurrent scorer, the default (`scorer.plugin: batch`).
 */
export * as BatchScorer from "./BatchScorer.js"
