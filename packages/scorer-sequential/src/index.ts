/**
 * @genie-enhancer/scorer-sequential — the one-at-a-time scorer (`scorer.plugin: sequential`, `--no-batch`).
 */
export * as SequentialScorer from "./SequentialScorer.js"
