/**
 * The HTML report: one self-contained file (styles, Chart.js, the report's script and its data inline; a
 * Content-Security-Policy forbids every network request), so it opens from a mail attachment or a CI artifact.
 *
 * **Details**
 * Every text from the run is escaped where it is written; the data the charts read is embedded as JSON in a
 * `<script type="application/json">` with `<`, `>` and `&` escaped, so no benchmark, SQL or Genie answer can close
 * the script or inject markup.
 */
import { client } from "./internal/client.js"
import {
  endpoints,
  enhanceChanges,
  iterationName,
  matrixOf,
  questionsByStage,
  scoreCI,
  title
} from "./internal/derive.js"
import { duration, html, percent, points, scoreText, scriptJson, usd } from "./internal/format.js"
import type * as ReportData from "./ReportData.js"

/** Options of the HTML renderer. @category models */
export interface Options {
  /** Chart.js's UMD build (`Assets.chartJs`); without it the page shows tables only. */
  readonly chartJs?: string
}

const csp =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:; " +
  "connect-src 'none'; form-action 'none'; base-uri 'none'"

const styles = `
:root { --fg: #111827; --muted: #6b7280; --line: #e5e7eb; --bg: #f9fafb; --card: #fff; --accent: #2563eb;
  --pass: #16a34a; --fail: #dc2626; --error: #d97706; --excluded: #6b7280; --inconclusive: #7c3aed; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { background: #111827; color: #fff; padding: 20px 32px; }
header h1 { margin: 0 0 6px; font-size: 20px; }
header .facts { color: #d1d5db; font-size: 13px; }
header .facts span { margin-right: 14px; white-space: nowrap; }
main { padding: 20px 32px 48px; max-width: 1500px; margin: 0 auto; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin: 16px 0; }
h2 { font-size: 16px; margin: 0 0 12px; }
h3 { font-size: 14px; margin: 16px 0 8px; }
h4 { font-size: 13px; margin: 8px 0 4px; color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.card .value { font-size: 22px; font-weight: 600; }
.card .label { color: var(--muted); font-size: 12px; }
.card.big .value { font-size: 34px; color: var(--accent); }
.ci { position: relative; height: 8px; background: var(--line); border-radius: 4px; margin-top: 8px; }
.ci .range { position: absolute; top: 0; bottom: 0; background: rgba(37, 99, 235, .35); border-radius: 4px; }
.ci .point { position: absolute; top: -3px; width: 3px; height: 14px; background: var(--accent); }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
.chart { position: relative; height: 280px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); } .badge.error { background: var(--error); }
.badge.excluded { background: var(--excluded); } .badge.inconclusive { background: var(--inconclusive); }
.badge.accepted { background: var(--pass); } .badge.rejected { background: var(--fail); }
.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 10px; }
.filters input { flex: 1 1 280px; padding: 6px 10px; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
.filters select, .filters button { padding: 6px; border: 1px solid var(--line); border-radius: 6px; font: inherit; background: #fff; }
#shown-count { color: var(--muted); }
tr.summary { cursor: pointer; } tr.summary:hover { background: #f3f4f6; }
tr.detail > td { background: #fafafa; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
pre { margin: 0; padding: 8px; background: #f3f4f6; border-radius: 6px; white-space: pre-wrap; word-break: break-word; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
table.sample { font-size: 12px; margin-top: 6px; } table.sample td, table.sample th { padding: 2px 6px; }
.muted { color: var(--muted); }
.note { background: #fef3c7; border: 1px solid #fcd34d; border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
.matrix td.cell { text-align: center; width: 34px; color: #fff; font-weight: 600; }
.matrix td.cell.pass { background: var(--pass); } .matrix td.cell.fail { background: var(--fail); }
.matrix td.cell.error { background: var(--error); } .matrix td.cell.excluded { background: var(--excluded); }
.matrix td.cell.inconclusive { background: var(--inconclusive); } .matrix td.cell.none { background: var(--line); }
.delta-up { color: var(--pass); font-weight: 600; } .delta-down { color: var(--fail); font-weight: 600; }
details > summary { cursor: pointer; }
@media (max-width: 900px) { .sides { grid-template-columns: 1fr; } main, header { padding-left: 12px; padding-right: 12px; } }
`

const badge = (outcome: string) => `<span class="badge ${html(outcome)}">${html(outcome)}</span>`

const card = (value: string, label: string, extra = "") =>
  `<div class="card${extra}"><div class="value">${value}</div><div class="label">${label}</div></div>`

const chart = (id: string, heading: string) =>
  `<div><h3>${html(heading)}</h3><div class="chart"><canvas id="${id}" role="img" aria-label="${html(heading)}"></canvas></div></div>`

const ciBar = (s: ReportData.Score) =>
  s.score === null || s.low === null || s.high === null
    ? ""
    : `<div class="ci" title="95% Wilson interval"><div class="range" style="left:${(s.low * 100).toFixed(2)}%;width:${((s.high - s.low) * 100).toFixed(2)}%"></div><div class="point" style="left:${(s.score * 100).toFixed(2)}%"></div></div>`

const scoreTable = (groups: ReadonlyArray<ReportData.Group>, heading: string) =>
  groups.length === 0
    ? ""
    : `<table><thead><tr><th>${html(heading)}</th><th class="num">Accuracy</th><th class="num">Passed</th><th class="num">95% CI</th></tr></thead><tbody>${groups
        .map(
          (g) =>
            `<tr><td>${html(g.name)}</td><td class="num">${percent(g.score)}</td><td class="num">${g.passed}/${g.scored}</td><td class="num">${g.low === null ? "n/a" : `${percent(g.low)}–${percent(g.high)}`}</td></tr>`
        )
        .join("")}</tbody></table>`

const sampleTable = (sample: ReportData.ResultSample | undefined, heading: string): string => {
  if (sample === undefined) return `<h4>${html(heading)}</h4><p class="muted">No result.</p>`
  const shape = `${sample.rowCount} row${sample.rowCount === 1 ? "" : "s"}${sample.truncated ? " (truncated)" : ""}, ${sample.columns.length} column${sample.columns.length === 1 ? "" : "s"}`
  const head = `<tr>${sample.columns.map((c) => `<th>${html(c.name)} <span class="muted">${html(c.type)}</span></th>`).join("")}</tr>`
  const body =
    sample.rows === undefined
      ? `<tr><td colspan="${Math.max(1, sample.columns.length)}" class="muted">${sample.hidden === true ? "Rows hidden: the run had sendRows: false." : "No rows kept."}</td></tr>`
      : sample.rows
          .slice(0, 10)
          .map(
            (r) =>
              `<tr>${r.map((v) => (v === null ? '<td class="muted">NULL</td>' : `<td>${html(v)}</td>`)).join("")}</tr>`
          )
          .join("")
  return `<h4>${html(heading)} <span class="muted">${shape}</span></h4><table class="sample"><thead>${head}</thead><tbody>${body}</tbody></table>`
}

const evidenceList = (row: ReportData.BenchmarkRow): string => {
  const e = row.evidence
  const items: Array<string> = [
    `<li>Decided by <code>${html(row.decidedBy)}</code>${row.reasons.length === 0 ? "" : `: ${row.reasons.map((r) => `<code>${html(r)}</code>`).join(", ")}`}</li>`
  ]
  if (row.failureCategory !== undefined)
    items.push(`<li>Failure category <code>${html(row.failureCategory)}</code></li>`)
  if (e?.message !== undefined) items.push(`<li>${html(e.message)}</li>`)
  if (e?.expectedRows !== undefined || e?.actualRows !== undefined) {
    items.push(
      `<li>Rows: expected ${html(e.expectedRows ?? "?")}, Genie ${html(e.actualRows ?? "?")}${e.missingRows === undefined ? "" : ` (${html(e.missingRows)} missing, ${html(e.extraRows ?? 0)} extra)`}</li>`
    )
  }
  if (e?.columnMapping !== undefined) {
    items.push(
      `<li>Columns: ${e.columnMapping.map((m) => `${html(m.expected)} → ${m.actual === null ? "<em>missing</em>" : html(m.actual)}${m.typeDifference === true ? " (type differs)" : ""}`).join(", ")}</li>`
    )
  }
  if (e?.orderKeys !== undefined) items.push(`<li>Ordered by: ${e.orderKeys.map(html).join(", ")}</li>`)
  if (e?.differences !== undefined && e.differences.length > 0) {
    items.push(
      `<li>Differing cells:<table class="sample"><thead><tr><th>Row</th><th>Column</th><th>Expected</th><th>Genie</th></tr></thead><tbody>${e.differences
        .map(
          (d) =>
            `<tr><td>${d.row}</td><td>${html(d.column)}</td><td>${d.expected === null ? '<span class="muted">—</span>' : html(d.expected)}</td><td>${d.actual === null ? '<span class="muted">—</span>' : html(d.actual)}</td></tr>`
        )
        .join("")}</tbody></table></li>`
    )
  }
  for (const f of row.diagnosis?.findings ?? []) {
    items.push(`<li><code>${html(f.category)}</code> ${html(f.message)}</li>`)
  }
  if (row.judge !== undefined) {
    const j = row.judge
    items.push(
      `<li>LLM judge (${html(j.prompt)}${j.model === undefined ? "" : `, ${html(j.model)}`}${j.cached ? ", cached" : ""}): <strong>${html(j.verdict)}</strong> at ${percent(j.confidence)} — ${html(j.explanation)}${j.reasons.length === 0 ? "" : ` (${j.reasons.map(html).join(", ")})`}</li>`
    )
  }
  return `<h4>Why</h4><ul>${items.join("")}</ul>`
}

const genieSide = (row: ReportData.BenchmarkRow): string => {
  const g = row.genie
  if (g === undefined) return `<h4>Genie</h4><p class="muted">Genie was not asked.</p>`
  const meta = `<span class="muted">${html(g.status)} · ${g.attempts} attempt${g.attempts === 1 ? "" : "s"} · ${duration(g.elapsedMs)}</span>`
  return [
    `<h4>Genie SQL ${meta}</h4>`,
    g.sql === undefined ? '<p class="muted">No SQL.</p>' : `<pre>${html(g.sql)}</pre>`,
    g.text === undefined ? "" : `<h4>Genie's text</h4><pre>${html(g.text)}</pre>`,
    g.error === undefined ? "" : `<h4>Genie error</h4><pre>${html(g.error.type)}: ${html(g.error.message)}</pre>`,
    sampleTable(row.actual, "Genie's result")
  ].join("")
}

const benchmarkBody = (row: ReportData.BenchmarkRow): string => {
  const summary = `<tr class="summary" aria-expanded="false"><td><code>${html(row.id)}</code></td><td>${html(row.question ?? "")}</td><td>${html(row.category)}</td><td>${html(row.difficulty ?? "")}</td><td>${badge(row.outcome)}</td><td><code>${html(row.decidedBy)}</code></td><td>${row.reasons.map(html).join(", ")}</td></tr>`
  const detail = `<tr class="detail" hidden><td colspan="7"><div class="sides"><div><h4>Expected SQL</h4>${row.expectedSql === undefined ? '<p class="muted">Not in the benchmark file.</p>' : `<pre>${html(row.expectedSql)}</pre>`}${sampleTable(row.expected, "Expected result")}</div><div>${genieSide(row)}</div></div>${evidenceList(row)}</td></tr>`
  return `<tbody class="bench" data-outcome="${html(row.outcome)}" data-category="${html(row.category)}" data-difficulty="${html(row.difficulty ?? "")}">${summary}${detail}</tbody>`
}

const options = (values: ReadonlyArray<string>) =>
  [...new Set(values)]
    .filter((v) => v !== "")
    .sort()
    .map((v) => `<option value="${html(v)}">${html(v)}</option>`)
    .join("")

const benchmarksSection = (data: ReportData.ReportData): string => {
  const rows = data.benchmarks
  return `<section id="benchmarks"><h2>Benchmarks</h2>
<div class="filters">
<input id="search" type="search" placeholder="Search question, id, SQL, reason…" aria-label="Search benchmarks">
<select data-filter="outcome" aria-label="Outcome"><option value="">All outcomes</option>${options(rows.map((r) => r.outcome))}</select>
<select data-filter="category" aria-label="Category"><option value="">All categories</option>${options(rows.map((r) => r.category))}</select>
<select data-filter="difficulty" aria-label="Difficulty"><option value="">All difficulties</option>${options(rows.map((r) => r.difficulty ?? ""))}</select>
<button id="expand-all" type="button">Expand all</button>
<span id="shown-count">${rows.length} of ${rows.length} benchmarks</span>
</div>
<p class="muted">Click a row for expected vs Genie SQL side by side, result samples, the rule that decided and its evidence.</p>
<table id="benchmark-table"><thead><tr><th>Id</th><th>Question</th><th>Category</th><th>Difficulty</th><th>Outcome</th><th>Rule</th><th>Reasons</th></tr></thead>
${rows.map(benchmarkBody).join("\n")}
</table></section>`
}

const changeTable = (heading: string, changes: ReadonlyArray<ReportData.Change>) =>
  `<h3>${html(heading)} (${changes.length})</h3>${
    changes.length === 0
      ? '<p class="muted">None.</p>'
      : `<table><thead><tr><th>Id</th><th>Question</th><th>Category</th><th>Before</th><th>Now</th><th>Reasons now</th></tr></thead><tbody>${changes
          .map(
            (c) =>
              `<tr><td><code>${html(c.id)}</code></td><td>${html(c.question ?? "")}</td><td>${html(c.category)}</td><td>${badge(c.before)}</td><td>${badge(c.after)}</td><td>${c.reasons.map(html).join(", ")}</td></tr>`
          )
          .join("")}</tbody></table>`
  }`

const deltaClass = (x: number | null) => (x === null || x === 0 ? "" : x > 0 ? "delta-up" : "delta-down")

const comparisonSection = (data: ReportData.ReportData): string => {
  const c = data.comparison
  if (c === undefined) return ""
  return `<section id="comparison"><h2>Compared with run ${html(c.baseline.runId)}</h2>
<div class="cards">${card(`<span class="${deltaClass(c.delta)}">${points(c.delta)}</span>`, `score change (${percent(c.baseline.overall.score)} → ${percent(data.score.overall.score)})`)}${card(String(c.fixed.length), "fixed")}${card(String(c.broke.length), "broke")}${card(String(c.changed.length), "other changes")}${card(String(c.unchangedPass), "still passing")}${card(String(c.unchangedOther), "still not passing")}</div>
${c.onlyHere.length + c.onlyInBaseline.length === 0 ? "" : `<p class="muted">${c.onlyHere.length} benchmarks only in this run, ${c.onlyInBaseline.length} only in the baseline.</p>`}
<div class="grid">${chart("chart-comparison", "Accuracy per category: baseline vs this run")}</div>
${changeTable("Broke", c.broke)}${changeTable("Fixed", c.fixed)}${c.changed.length === 0 ? "" : changeTable("Other changes", c.changed)}
</section>`
}

const matrix = (data: ReportData.ReportData, enhance: ReportData.EnhanceSection): string => {
  const { iterations, rows } = matrixOf(enhance)
  const questions = new Map(data.benchmarks.map((r) => [r.id, r.question]))
  const symbol: Record<string, string> = { pass: "✓", fail: "✗", error: "!", excluded: "–", inconclusive: "?" }
  const head = `<tr><th>Benchmark</th>${iterations.map((i) => `<th class="num">${html(iterationName(i))}</th>`).join("")}</tr>`
  const body = rows
    .map(
      (row) =>
        `<tr><td title="${html(questions.get(row.id) ?? "")}"><code>${html(row.id)}</code></td>${row.outcomes
          .map(
            (o) =>
              `<td class="cell ${html(o ?? "none")}" title="${html(o ?? "not asked")}">${o === undefined ? "" : (symbol[o] ?? "")}</td>`
          )
          .join("")}</tr>`
    )
    .join("")
  return `<table class="matrix"><thead>${head}</thead><tbody>${body}</tbody></table>`
}

const diffSection = (diff: ReadonlyArray<ReportData.SectionDiff>) =>
  diff.length === 0
    ? '<p class="muted">The space did not change.</p>'
    : diff
        .map(
          (s) =>
            `<details open><summary><code>${html(s.section)}</code> — ${s.changes.length} change${s.changes.length === 1 ? "" : "s"}</summary><table><thead><tr><th>Change</th><th>Item</th><th>Before</th><th>After</th></tr></thead><tbody>${s.changes
              .map(
                (c) =>
                  `<tr><td>${html(c.kind)}</td><td><code>${html(c.key)}</code>${c.fields === undefined || c.fields.length === 0 ? "" : `<br><span class="muted">${c.fields.map(html).join(", ")}</span>`}</td><td>${c.before === undefined ? "" : `<pre>${html(c.before)}</pre>`}</td><td>${c.after === undefined ? "" : `<pre>${html(c.after)}</pre>`}</td></tr>`
              )
              .join("")}</tbody></table></details>`
        )
        .join("")

/** `2.6%–51.3%`, or `n/a`. */
const ciRange = (s: ReportData.Score | undefined) =>
  s === undefined || s.low === null ? "n/a" : `${percent(s.low)}–${percent(s.high)}`

const enhanceSection = (data: ReportData.ReportData): string => {
  const e = data.enhance
  if (e === undefined) return ""
  const { first, last } = endpoints(e)
  const accepted = e.fixes.filter((f) => f.decision === "accepted").length
  const changes = enhanceChanges(data)
  const fixes =
    e.fixes.length === 0
      ? '<p class="muted">No fix was proposed.</p>'
      : `<table id="fixes"><thead><tr><th>It.</th><th>Fix</th><th>Target</th><th>Rationale</th><th>For</th><th>Decision</th><th>Why</th><th class="num">Δ train</th></tr></thead><tbody>${e.fixes
          .map(
            (f) =>
              `<tr><td class="num">${f.iteration}</td><td><code>${html(f.category)}</code></td><td><code>${html(f.target)}</code>${f.value === undefined ? "" : `<pre>${html(f.value)}</pre>`}</td><td>${html(f.rationale)}</td><td>${f.sourceBenchmarkIds.map((id) => `<code>${html(id)}</code>`).join(" ")}</td><td>${badge(f.decision)}</td><td>${html(f.why)}</td><td class="num ${f.scoreDelta === undefined ? "" : deltaClass(f.scoreDelta)}">${f.scoreDelta === undefined ? "" : points(f.scoreDelta)}</td></tr>`
          )
          .join("")}</tbody></table>`
  const llm =
    e.llm === undefined
      ? '<p class="muted">No language-model usage recorded.</p>'
      : `<table><thead><tr><th>Stage / model</th><th class="num">Calls</th><th class="num">Input tokens</th><th class="num">Output tokens</th><th class="num">Cost</th></tr></thead><tbody>${[
          ...e.llm.byStage,
          ...e.llm.byModel,
          e.llm.total
        ]
          .map(
            (u) =>
              `<tr><td>${html(u.name)}</td><td class="num">${u.calls}</td><td class="num">${u.inputTokens}</td><td class="num">${u.outputTokens}</td><td class="num">${usd(u.costUsd)}</td></tr>`
          )
          .join("")}</tbody></table>`
  const questions = `<details><summary>${e.genieQuestions.total} questions asked${e.genieQuestions.questions.length < e.genieQuestions.total ? ` (${e.genieQuestions.questions.length} listed)` : ""}</summary><table><thead><tr><th>It.</th><th>Stage</th><th>Benchmark</th><th>Question</th></tr></thead><tbody>${e.genieQuestions.questions
    .map(
      (q) =>
        `<tr><td>${html(q.iteration ?? "")}</td><td>${html(q.stage ?? "")}</td><td>${q.benchmarkId === undefined ? "" : `<code>${html(q.benchmarkId)}</code>`}</td><td>${html(q.question)}</td></tr>`
    )
    .join("")}</tbody></table></details>`
  const iterations = `<table id="iterations"><thead><tr><th>Iteration</th><th class="num">Train (95% CI)</th><th class="num">Holdout (95% CI)</th><th>Candidate</th><th class="num">Genie questions</th></tr></thead><tbody>${[
    ...e.iterations
  ]
    .sort((a, b) => a.index - b.index)
    .map(
      (i) =>
        `<tr><td>${html(iterationName(i))}</td><td class="num">${html(scoreCI(i.train))}</td><td class="num">${i.holdout === undefined ? "" : html(scoreCI(i.holdout))}</td><td>${i.accepted === undefined ? '<span class="muted">no candidate</span>' : badge(i.accepted ? "accepted" : "rejected")}</td><td class="num">${html(i.genieQuestions ?? "")}</td></tr>`
    )
    .join("")}</tbody></table>`
  const stages = questionsByStage(e)
  const times = `<table><thead><tr><th>Stage</th><th class="num">Time</th></tr></thead><tbody>${e.stageTimes
    .map((s) => `<tr><td>${html(s.stage)}</td><td class="num">${duration(s.ms)}</td></tr>`)
    .join("")}</tbody></table>`
  return `<section id="enhance"><h2>Enhancement</h2>
<div class="cards">${card(`${percent(first?.train?.score)} → ${percent(last?.train?.score)}`, `train accuracy, baseline → final (95% CI ${ciRange(first?.train)} → ${ciRange(last?.train)})`)}${e.holdout === undefined ? "" : card(`${percent(e.holdout.baseline?.score)} → ${percent(e.holdout.final?.score)}`, `holdout accuracy, baseline → final (95% CI ${ciRange(e.holdout.baseline)} → ${ciRange(e.holdout.final)})`)}${card(`${accepted} / ${e.fixes.length}`, "fixes accepted")}${card(String(changes.fixed.length), "benchmarks fixed")}${card(String(changes.broke.length), "benchmarks broken")}${card(String(e.genieQuestions.total), "Genie questions")}${e.llm === undefined ? "" : card(usd(e.llm.total.costUsd), `LLM cost (${e.llm.total.inputTokens + e.llm.total.outputTokens} tokens)`)}</div>
${e.stopReason === undefined ? "" : `<p>Stopped on <strong>${html(e.stopReason)}</strong> after ${Math.max(0, e.iterations.length - 1)} iteration(s).</p>`}
${e.promotion === undefined ? "" : `<p class="note">${e.promotion.promoted ? "Promoted" : "Not promoted"}: ${html(e.promotion.reason)}</p>`}
<div class="grid">${chart("chart-iterations", "Accuracy per iteration (train; holdout at baseline and final)")}<div>${iterations}</div></div>
<h3>Benchmark × iteration</h3>${matrix(data, e)}
<h3>Fixes</h3>${fixes}
<h3>Space diff</h3>${diffSection(e.spaceDiff)}
<h3>Genie questions</h3>${stages.length === 0 ? "" : `<p>${stages.map((s) => `${html(s.name)}: <strong>${s.count}</strong>`).join(" · ")}</p>`}${questions}
<h3>Language model usage</h3><div class="grid"><div>${llm}</div>${chart("chart-tokens", "Tokens per stage")}</div>
<h3>Time per stage</h3><div class="grid"><div>${times}</div>${chart("chart-stages", "Seconds per stage")}</div>
</section>`
}

/**
 * Renders the HTML report.
 *
 * @category renderers
 */
export const render = (data: ReportData.ReportData, options: Options = {}): string => {
  const { run, score } = data
  const o = score.overall
  const count = (name: string) => score.verdicts.find((v) => v.name === name)?.count ?? 0
  const facts = [
    ["Space", run.spaceId],
    ["Profile", run.profile],
    ["Scorer", run.scorer],
    ["Target", run.target],
    ["Started", run.startedAt],
    ["Wall time", duration(run.wallMs)],
    ["Benchmarks", `${run.finished}/${run.benchmarks}`]
  ]
  const notes = [
    ...(run.complete ? [] : ["This run did not finish: the summary is recomputed from its journal."]),
    ...(data.privacy.sendRows
      ? []
      : ["Result values are hidden: the run had sendRows: false (no rows, cell values or Genie text answers)."]),
    ...(data.privacy.redactions > 0 ? [`${data.privacy.redactions} secret strings were redacted.`] : []),
    ...(options.chartJs === undefined ? ["Charts are off: Chart.js was not available when this report was made."] : []),
    ...data.warnings
  ]
  const timings = score.timings
  const body = `<header><h1>${html(title(data))}</h1><div class="facts">${facts.map(([k, v]) => `<span>${html(k)}: <strong>${html(v)}</strong></span>`).join("")}</div></header>
<main>
${notes.map((n) => `<p class="note">${html(n)}</p>`).join("\n")}
<section id="summary"><h2>Accuracy</h2>
<div class="cards">
<div class="card big"><div class="value" id="accuracy">${percent(o.score)}</div><div class="label">${html(scoreText(o))}</div>${ciBar(o)}</div>
${card(String(count("pass")), "passed")}${card(String(count("fail")), "failed")}${card(String(count("inconclusive")), "inconclusive")}${card(String(count("error")), "errors (Genie not reached)")}${card(String(count("excluded")), "excluded (expected SQL failed)")}${card(String(score.judged), "decided by the LLM judge")}${timings === undefined ? "" : card(`${duration(timings.genie.p50)} / ${duration(timings.genie.p95)}`, "Genie answer time p50 / p95")}
</div></section>
${comparisonSection(data)}
<section id="breakdown"><h2>Breakdown</h2>
<div class="grid">${chart("chart-category", "Accuracy per category (point) with 95% CI (bar)")}${chart("chart-difficulty", "Accuracy per difficulty with 95% CI")}</div>
<div class="grid"><div>${scoreTable(score.byCategory, "Category")}</div><div>${scoreTable(score.byDifficulty, "Difficulty")}${scoreTable(score.bySplit, "Split")}</div></div>
<div class="grid">${chart("chart-verdicts", "Verdicts")}${chart("chart-failures", "Failure categories")}${chart("chart-reasons", "Verdict reasons (not passing)")}</div>
</section>
${enhanceSection(data)}
${benchmarksSection(data)}
<p class="muted">Generated ${html(data.generatedAt)} by genie-enhancer · report data schema ${data.schemaVersion}</p>
</main>`
  const chartJs =
    options.chartJs === undefined
      ? ""
      : `<script>${options.chartJs.replace(/\/\/# sourceMappingURL=.*$/gm, "").replace(/<\/(script)/gi, "<\\/$1")}</script>`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<title>${html(title(data))}</title>
<style>${styles}</style>
</head>
<body>
${body}
<script type="application/json" id="report-data">${scriptJson(data)}</script>
${chartJs}
<script>(${client.toString()})()</script>
</body>
</html>
`
}
