import type * as ReportData from "../ReportData.js"

/** `0.1636` → `16.4%`; null → `n/a`. */
export const percent = (x: number | null | undefined): string =>
  x === null || x === undefined ? "n/a" : `${(x * 100).toFixed(1)}%`

/** A signed change in percentage points: `+4.2 pp`. */
export const points = (x: number | null): string =>
  x === null ? "n/a" : `${x > 0 ? "+" : x < 0 ? "−" : "±"}${Math.abs(x * 100).toFixed(1)} pp`

/** `16.4% (9/55; 95% CI 8.9%–28.3%)` */
export const scoreText = (s: ReportData.Score): string =>
  `${percent(s.score)} (${s.passed}/${s.scored}${s.low === null ? "" : `; 95% CI ${percent(s.low)}–${percent(s.high)}`})`

/** Milliseconds as `850 ms`, `12.3 s` or `4m 05s`. */
export const duration = (ms: number | null | undefined): string => {
  if (ms === null || ms === undefined) return "n/a"
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const s = Math.round(ms / 1000)
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`
}

/** US dollars: `$0.0123`, `$12.40`. */
export const usd = (x: number | undefined): string =>
  x === undefined ? "n/a" : x < 1 ? `$${x.toFixed(4)}` : `$${x.toFixed(2)}`

/** Escapes text for HTML element content and quoted attribute values. */
export const html = (text: string | number | undefined | null): string =>
  String(text ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;")

/** JSON safe inside `<script type="application/json">`: no `<`, `>`, `&` or line separators left raw. */
export const scriptJson = (value: unknown): string =>
  JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029")

/** Characters XML 1.0 forbids, even escaped. */
// eslint-disable-next-line no-control-regex
const xmlForbidden = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g

/** Escapes text for XML content and double-quoted attributes, dropping characters XML cannot hold. */
export const xml = (text: string | number | undefined | null): string =>
  String(text ?? "")
    .replace(xmlForbidden, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\r/g, "&#13;")

/**
 * Text for a Markdown table cell or line: one line, HTML and Markdown syntax neutralized (GitHub renders inline
 * HTML in comments), pipes escaped.
 */
export const md = (text: string | number | undefined | null, max = 160): string => {
  const oneLine = String(text ?? "")
    .replace(/\s+/g, " ")
    .trim()
  const cut = oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine
  return cut
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_[\]|#~!])/g, "\\$1")
    .replace(/@/g, "@\u200b")
}

/** A Markdown code span: one line, no backtick inside (code spans show backslashes literally, so nothing is escaped). */
export const code = (text: string | undefined, max = 120): string => {
  const oneLine = String(text ?? "")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/`/g, "\u02cb")
  return `\`${oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine}\``
}

/** Outcome → a short mark for text reports. */
export const mark = (outcome: string): string =>
  outcome === "pass"
    ? "✅"
    : outcome === "fail"
      ? "❌"
      : outcome === "error"
        ? "⚠️"
        : outcome === "excluded"
          ? "⏭️"
          : "❔"
