/**
 * @genie-enhancer/report — reports of a run: a self-contained HTML page with charts, a Markdown summary for pull
 * requests, JUnit XML for CI and the report data as JSON, with a comparison of two runs and redaction of secrets
 * and (with `sendRows: false`) result values.
 */
export * as Comparison from "./Comparison.js"
export * as EnhanceReader from "./EnhanceReader.js"
export * as Html from "./Html.js"
export * as Junit from "./Junit.js"
export * as Markdown from "./Markdown.js"
export * as Redaction from "./Redaction.js"
export * as ReportData from "./ReportData.js"
export * as Reports from "./Reports.js"
export * as RunReader from "./RunReader.js"
