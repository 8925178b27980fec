/**
 * The Markdown report: a short summary fit for a pull-request comment — headline numbers, what changed (against
 * another run, or across an enhance run's iterations), top regressions, accuracy per category and the most common
 * failure reasons.
 */
import { endpoints, enhanceChanges, iterationName, matrixOf, questionsByStage, scoreCI } from "./internal/derive.js"
import { code, duration, mark, md, percent, points, scoreText, usd } from "./internal/format.js"
import type * as ReportData from "./ReportData.js"

/** How many benchmarks each list shows before "and N more". */
const listMax = 10

const changeList = (heading: string, changes: ReadonlyArray<ReportData.Change>): Array<string> => {
  if (changes.length === 0) return []
  const lines = changes
    .slice(0, listMax)
    .map(
      (c) =>
        `- ${mark(c.after)} ${code(c.id, 80)} ${c.before} → **${c.after}**` +
        `${c.question === undefined ? "" : ` — ${md(c.question, 100)}`}` +
        `${c.after === "pass" || c.reasons.length === 0 ? "" : ` (${md(c.reasons.join(", "))})`}`
    )
  const more = changes.length > listMax ? [`- … and ${changes.length - listMax} more`] : []
  return [`**${heading} (${changes.length})**`, "", ...lines, ...more, ""]
}

/** An enhance run's iterations, benchmark × iteration matrix and fixes (the last two collapsed). */
const enhanceTables = (e: ReportData.EnhanceSection): Array<string> => {
  const { iterations, rows } = matrixOf(e)
  const out = [
    "| Iteration | Train | Holdout | Candidate | Genie questions |",
    "|---|---:|---:|---|---:|",
    ...iterations.map(
      (i) =>
        `| ${md(iterationName(i))} | ${scoreCI(i.train)} | ${i.holdout === undefined ? "" : scoreCI(i.holdout)} | ` +
        `${i.accepted === undefined ? "—" : i.accepted ? "accepted" : "rejected"} | ${i.genieQuestions ?? ""} |`
    ),
    ""
  ]
  if (rows.length > 0) {
    const changed = rows.filter((r) => r.changed).length
    out.push(
      `<details><summary>Benchmark × iteration (${changed} of ${rows.length} changed)</summary>`,
      "",
      `| Benchmark | ${iterations.map((i) => md(iterationName(i))).join(" | ")} |`,
      `|---|${iterations.map(() => ":-:|").join("")}`,
      ...rows.map(
        (r) => `| ${code(r.id, 80)} | ${r.outcomes.map((o) => (o === undefined ? "" : mark(o))).join(" | ")} |`
      ),
      "",
      "</details>",
      ""
    )
  }
  if (e.fixes.length > 0) {
    const accepted = e.fixes.filter((f) => f.decision === "accepted").length
    out.push(
      `<details><summary>Fixes (${accepted} accepted, ${e.fixes.length - accepted} rejected)</summary>`,
      "",
      "| It. | Fix | Target | Decision | Why |",
      "|---:|---|---|---|---|",
      ...e.fixes.map(
        (f) =>
          `| ${f.iteration} | ${code(f.category)} | ${code(f.target, 80)} | ${f.decision === "accepted" ? "✅ accepted" : "❌ rejected"} | ${md(f.why, 200)} |`
      ),
      "",
      "</details>",
      ""
    )
  }
  return out
}

/**
 * Renders the Markdown summary.
 *
 * @category renderers
 */
export const render = (data: ReportData.ReportData): string => {
  const { run, score } = data
  const out: Array<string> = []
  out.push(`### Genie Enhancer ${run.kind} report · run ${code(run.runId)}`, "")
  const facts = [
    `space ${code(run.spaceId)}`,
    `profile ${code(run.profile)}`,
    `${run.finished}/${run.benchmarks} benchmarks`,
    ...(run.wallMs === undefined ? [] : [duration(run.wallMs)]),
    ...(run.complete ? [] : ["**run incomplete**"])
  ]
  out.push(`**Accuracy ${scoreText(score.overall)}** · ${facts.join(" · ")}`, "")

  const c = data.comparison
  if (c !== undefined) {
    out.push(
      `**Change against ${code(c.baseline.runId)}: ${points(c.delta)}** ` +
        `(${percent(c.baseline.overall.score)} → ${percent(score.overall.score)}; ${c.fixed.length} fixed, ` +
        `${c.broke.length} broke, ${c.changed.length} other changes)`,
      ""
    )
  }
  const e = data.enhance
  if (e !== undefined) {
    const { first, last } = endpoints(e)
    const accepted = e.fixes.filter((f) => f.decision === "accepted").length
    const cis = (a: ReportData.Score | undefined, b: ReportData.Score | undefined) =>
      a?.low === null || a?.low === undefined || b?.low === null || b?.low === undefined
        ? ""
        : ` (95% CI ${percent(a.low)}–${percent(a.high)} → ${percent(b.low)}–${percent(b.high)}; n=${b.scored})`
    const stages = questionsByStage(e)
    const lines = [
      `- Train: ${percent(first?.train?.score)} → **${percent(last?.train?.score)}** over ${Math.max(0, e.iterations.length - 1)} iterations${cis(first?.train, last?.train)}`,
      ...(e.holdout === undefined
        ? []
        : [
            `- Holdout: ${percent(e.holdout.baseline?.score)} → **${percent(e.holdout.final?.score)}**${cis(e.holdout.baseline, e.holdout.final)}`
          ]),
      ...(e.stopReason === undefined ? [] : [`- Stopped on ${code(e.stopReason)}`]),
      `- Fixes: ${accepted} accepted, ${e.fixes.length - accepted} rejected; ` +
        `${e.spaceDiff.reduce((n, s) => n + s.changes.length, 0)} changes in ${e.spaceDiff.length} sections of the space`,
      `- Genie questions: ${e.genieQuestions.total}` +
        (stages.length === 0 ? "" : ` (${stages.map((s) => `${md(s.name)} ${s.count}`).join(", ")})`) +
        (e.llm === undefined
          ? ""
          : ` · LLM: ${e.llm.total.calls} calls, ${e.llm.total.inputTokens + e.llm.total.outputTokens} tokens, ${usd(e.llm.total.costUsd)}`),
      ...(e.promotion === undefined
        ? []
        : [`- Promotion: ${e.promotion.promoted ? "promoted" : "not promoted"} — ${md(e.promotion.reason)}`])
    ]
    out.push(...lines, "", ...enhanceTables(e))
  }

  if (c !== undefined || e !== undefined) {
    out.push("#### What changed", "")
    if (e !== undefined) {
      const accepted = e.fixes.filter((f) => f.decision === "accepted")
      for (const f of accepted.slice(0, listMax)) {
        out.push(`- ${code(f.category)} on ${code(f.target, 80)}: ${md(f.rationale)}`)
      }
      if (accepted.length > listMax) out.push(`- … and ${accepted.length - listMax} more fixes`)
      if (accepted.length > 0) out.push("")
    }
    const changes = c ?? enhanceChanges(data)
    const fixedBroke = [...changeList("Fixed", changes.fixed), ...changeList("Top regressions", changes.broke)]
    out.push(...(fixedBroke.length === 0 ? ["No benchmark changed outcome.", ""] : fixedBroke))
  }

  if (score.byCategory.length > 0) {
    const before = new Map((c?.byCategory ?? []).map((g) => [g.name, g.before]))
    out.push(
      c === undefined ? "| Category | Accuracy | Passed |" : "| Category | Accuracy | Passed | Before |",
      c === undefined ? "|---|---:|---:|" : "|---|---:|---:|---:|"
    )
    for (const g of score.byCategory) {
      const cells = [md(g.name), percent(g.score), `${g.passed}/${g.scored}`]
      if (c !== undefined) cells.push(percent(before.get(g.name)))
      out.push(`| ${cells.join(" | ")} |`)
    }
    out.push("")
  }

  const failing = data.benchmarks.filter((r) => r.outcome !== "pass" && r.outcome !== "excluded")
  if (score.failureCategories.length > 0 || score.reasons.length > 0) {
    const top = (counts: ReadonlyArray<ReportData.Count>) =>
      counts
        .slice(0, 6)
        .map((x) => `${md(x.name)} ${x.count}`)
        .join(", ")
    if (score.failureCategories.length > 0) out.push(`Failure categories: ${top(score.failureCategories)}  `)
    if (score.reasons.length > 0) out.push(`Verdict reasons: ${top(score.reasons)}`)
    out.push("")
  }
  if (c === undefined && e === undefined && failing.length > 0) {
    out.push(`<details><summary>Failing benchmarks (${failing.length})</summary>`, "")
    for (const r of failing.slice(0, 25)) {
      out.push(
        `- ${mark(r.outcome)} ${code(r.id, 80)}${r.question === undefined ? "" : ` — ${md(r.question, 100)}`} (${md(r.reasons.join(", ") || r.decidedBy)})`
      )
    }
    if (failing.length > 25) out.push(`- … and ${failing.length - 25} more`)
    out.push("", "</details>", "")
  }
  const notes = [
    ...(data.privacy.sendRows ? [] : ["result values hidden (the run had `sendRows: false`)"]),
    ...(data.privacy.redactions > 0 ? [`${data.privacy.redactions} secrets redacted`] : []),
    ...data.warnings.map((w) => md(w, 300))
  ]
  if (notes.length > 0) out.push(`_${notes.join("; ")}_`, "")
  return `${out.join("\n").trimEnd()}\n`
}
