/**
 * @genie-enhancer/history — the run history in a DuckDB database (core's `HistoryStore`).
 */
export * as HistoryDb from "./HistoryDb.js"
