import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Junit, Markdown, Redaction, ReportData, Reports, RunReader } from "../src/index.js"
import { enhanceFixture, makeRun, rowValues, secretEnv, tempRoot, xss } from "./fixtures.js"
import { checkXml } from "./xml.js"

const read = (dir: string, options: Reports.ReadOptions = {}) =>
  Effect.runPromise(Reports.read(dir, { env: secretEnv, ...options }).pipe(Effect.provide(NodeContext.layer)))

const chartJs = Effect.runPromise(Reports.chartJs().pipe(Effect.provide(NodeContext.layer)))

const secrets = Object.values(secretEnv)
const everyFormat = async (data: ReportData.ReportData) => {
  const js = await chartJs
  return Reports.formats.map((f) => ({ format: f, text: Reports.render(data, f, { chartJs: js }) }))
}

describe("RunReader", () => {
  it("reads a run: rows in benchmark-file order with questions, SQL, samples and the summary's numbers", async () => {
    const data = await read(makeRun(tempRoot(), "r1"), { sendRows: true })
    expect(data.run).toMatchObject({ runId: "r1", kind: "score", complete: true, benchmarks: 6, finished: 6 })
    expect(data.benchmarks.map((b) => b.id)).toEqual([
      "rev_total",
      "rev_region",
      "top_customer",
      "broken_expected",
      "genie_down",
      "unsure"
    ])
    const region = data.benchmarks[1]
    expect(region).toMatchObject({ category: "revenue", difficulty: "medium", decidedBy: "bag-equality" })
    expect(region.expected?.rows).toEqual([
      [rowValues[2], "10.00"],
      ["East", "20.00"]
    ])
    expect(data.score.overall).toMatchObject({ passed: 1, scored: 5 })
    expect(data.score.byDifficulty.map((g) => g.name)).toEqual(["easy", "medium", "hard"])
    expect(data.score.verdicts).toContainEqual({ name: "error", count: 1 })
    expect(data.score.reasons).toContainEqual({ name: "NO_SQL", count: 1 })
    expect(data.privacy.sendRows).toBe(true)
    expect(data.warnings).toEqual([])
  })

  it("without results.json (a run cut short) recomputes the summary from the journal and says so", async () => {
    const data = await read(makeRun(tempRoot(), "r2", { summary: false }), { sendRows: true })
    expect(data.run.complete).toBe(false)
    expect(data.score.overall).toMatchObject({ passed: 1, scored: 5, score: 0.2 })
    expect(data.score.overall.low).toBeGreaterThan(0)
    expect(Markdown.render(data)).toContain("**run incomplete**")
  })

  it("a missing run fails with ReportError naming run.json; a moved benchmark file is a warning", async () => {
    const root = tempRoot()
    const error = await Effect.runPromise(
      Effect.flip(RunReader.read(join(root, "runs", "nope"))).pipe(Effect.provide(NodeContext.layer))
    )
    expect(error).toMatchObject({ _tag: "ReportError", path: join(root, "runs", "nope", "run.json") })
    const dir = makeRun(root, "r3")
    writeFileSync(join(root, "benchmarks.yaml"), "not: [valid")
    const data = await read(dir, { sendRows: true })
    expect(data.warnings[0]).toContain("could not be read")
    expect(data.benchmarks[0]).toMatchObject({ id: "rev_total", category: "uncategorized" })
    expect(data.benchmarks[0]?.question).toBeUndefined()
  })

  it("with no sendRows given and none recorded, values are hidden (never more than it knows it may)", async () => {
    const data = await read(makeRun(tempRoot(), "r4"))
    expect(data.privacy.sendRows).toBe(false)
    expect(data.benchmarks[1]?.expected).toMatchObject({ hidden: true, rowCount: 2 })
    expect(data.benchmarks[1]?.expected?.rows).toBeUndefined()
  })

  it("picks up enhance.json as the enhance sections", async () => {
    const dir = makeRun(tempRoot(), "r5")
    writeFileSync(join(dir, "enhance.json"), JSON.stringify(enhanceFixture))
    const data = await read(dir, { sendRows: true })
    expect(data.run.kind).toBe("enhance")
    expect(data.enhance?.fixes).toHaveLength(2)
  })
})

describe("redaction", () => {
  it("no secret reaches any format; the count of redactions is reported", async () => {
    const data = await read(makeRun(tempRoot(), "s1"), { sendRows: true })
    expect(data.privacy.redactions).toBeGreaterThanOrEqual(4)
    for (const { format, text } of await everyFormat(data)) {
      for (const secret of secrets) expect(text, `${format} leaks ${secret}`).not.toContain(secret)
      // Markdown quotes no SQL or Genie text, so it has nothing to redact; the others show where secrets were.
      if (format !== "md") expect(text, format).toContain(Redaction.placeholder)
    }
  })

  it("token shapes are redacted even when the environment does not hold them", () => {
    const scrub = Redaction.scrubber([])
    const text = scrub(
      "a dapi00112233445566778899aabbccddeeff, sk-ant-api03-abcdefghijkl, sk-proj-abcdefghijklmnopqrstuvwx, Bearer abc.def.ghi123 and OPENAI_API_KEY=whatever1"
    )
    expect(text.text).not.toMatch(/dapi0011|abcdefghijkl|abc\.def|whatever1/)
    expect(text.count).toBe(5)
    expect(
      Redaction.secretsFromEnv({ MY_SERVICE_TOKEN: "long-enough-value", PATH: "/usr/bin:/bin", SHORT_TOKEN: "x" })
    ).toEqual(["long-enough-value"])
  })

  it("with sendRows: false no result value appears in any format (rows, cells, samples, Genie's text)", async () => {
    const data = await read(makeRun(tempRoot(), "s2"), { sendRows: false })
    for (const { format, text } of await everyFormat(data)) {
      for (const value of rowValues) expect(text, `${format} shows ${value}`).not.toContain(value)
    }
    const html = Reports.render(data, "html")
    expect(html).toContain("Rows hidden: the run had sendRows: false.")
    expect(html).toContain("Result values are hidden")
    // Shapes and SQL stay: they are not result values.
    expect(data.benchmarks[1]?.evidence).toMatchObject({ expectedRows: 2, missingRows: 2 })
    expect(data.benchmarks[1]?.evidence?.differences).toEqual([
      { row: 1, column: "revenue", expected: null, actual: null }
    ])
    expect(data.benchmarks[1]?.genie?.sql).toContain("GROUP BY region")
  })

  it("render re-applies the rules to hand-built data", async () => {
    const data = await read(makeRun(tempRoot(), "s3"), { sendRows: true, env: {} })
    const leaky: ReportData.ReportData = { ...data, privacy: { ...data.privacy, sendRows: false } }
    const md = Reports.render(leaky, "json", { secrets })
    for (const value of rowValues) expect(md).not.toContain(value)
    for (const secret of secrets) expect(md).not.toContain(secret)
  })
})

describe("HTML", () => {
  it("is one self-contained file: inline styles, Chart.js, data; a CSP with no network; no external reference", async () => {
    const data = await read(makeRun(tempRoot(), "h1"), { sendRows: true })
    const html = Reports.render(data, "html", { chartJs: await chartJs })
    expect(html).toMatch(/^<!doctype html>/)
    expect(html).toContain("Content-Security-Policy")
    expect(html).toContain("default-src 'none'")
    expect(html).toContain("Chart.js v4")
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i)
    expect(html).not.toMatch(/sourceMappingURL/)
    expect(html).toContain('<canvas id="chart-category"')
    expect(html).toContain('<input id="search"')
    expect((html.match(/<tbody class="bench"/g) ?? []).length).toBe(6)
    expect(html).toContain('<div class="value" id="accuracy">20.0%</div>')
  })

  it("escapes everything: the XSS question and Genie text never appear raw, the data JSON has no '<'", async () => {
    const data = await read(makeRun(tempRoot(), "h2"), { sendRows: true })
    const html = Reports.render(data, "html")
    expect(html).not.toContain(xss)
    expect(html).not.toContain("<img src=x")
    expect(html).toContain("&lt;/script&gt;&lt;script&gt;window.__pwned = 1&lt;/script&gt;")
    const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? ""
    expect(json).not.toContain("<")
    expect(JSON.parse(json).benchmarks[0].question).toContain(xss)
    // Only our own three script elements exist (data, the report script; Chart.js when given).
    expect((html.match(/<script/g) ?? []).length).toBe(2)
  })

  it("shows SQL side by side, result samples with sendRows, the deciding rule, evidence and the judge", async () => {
    const data = await read(makeRun(tempRoot(), "h3"), { sendRows: true })
    const html = Reports.render(data, "html")
    expect(html).toContain('<div class="sides">')
    expect(html).toContain("Expected SQL")
    expect(html).toContain("GROUP BY region")
    expect(html).toContain(`<td>${rowValues[2]}</td>`)
    expect(html).toContain("Decided by <code>bag-equality</code>")
    expect(html).toContain("Genie filtered region &lt;&gt; &#39;x&#39;")
    expect(html).toContain("LLM judge (judge/result-equivalence@1, claude)")
    expect(html).not.toContain('id="enhance"')
    expect(html).not.toContain('id="comparison"')
  })

  it("an enhance run adds iterations, the benchmark × iteration matrix, fixes, diff, questions, usage and time", async () => {
    const data = await read(makeRun(tempRoot(), "h4"), { sendRows: true, enhance: enhanceFixture })
    const html = Reports.render(data, "html")
    for (const id of ["chart-iterations", "chart-tokens", "chart-stages"]) expect(html).toContain(`<canvas id="${id}"`)
    expect(html).toContain('<table class="matrix">')
    expect((html.match(/<td class="cell /g) ?? []).length).toBe(12)
    expect(html).toContain("Revenue is SUM(amount) over completed orders &lt;b&gt;always&lt;/b&gt;")
    expect(html).toContain('<span class="badge rejected">rejected</span>')
    expect(html).toContain("broke unsure (regression on a passing benchmark)")
    expect(html).toContain("<code>instructions.sql_snippets.measures</code> — 1 change")
    expect(html).toContain("12 questions asked (2 listed)")
    expect(html).toContain("$0.0950")
    expect(html).toContain("Not promoted: dry run")
  })
})

describe("Markdown", () => {
  it("a score run: headline with CI, categories, failure reasons, failing benchmarks; escaped", async () => {
    const data = await read(makeRun(tempRoot(), "m1"), { sendRows: true })
    const md = Markdown.render(data)
    expect(md).toContain("**Accuracy 20.0% (1/5; 95% CI 1.0%–90.0%)**")
    expect(md).toContain("| revenue | 50.0% | 1/2 |")
    expect(md).toContain("Failure categories: NO\\_SQL 1, WRONG\\_FILTER 1")
    expect(md).toContain("<details><summary>Failing benchmarks (4)</summary>")
    expect(md).toContain("`rev_region`")
    expect(md).not.toContain("<script>")
    expect(md).not.toContain("<img")
    expect(md.split("\n").length).toBeLessThan(60)
  })

  it("an enhance run: train and holdout, fixes accepted, what changed, top regressions", async () => {
    const data = await read(makeRun(tempRoot(), "m2"), { sendRows: true, enhance: enhanceFixture })
    const md = Markdown.render(data)
    expect(md).toContain("- Train: 25.0% → **50.0%** over 2 iterations")
    expect(md).toContain("- Holdout: 0.0% → **100.0%**")
    expect(md).toContain("- Fixes: 1 accepted, 1 rejected; 2 changes in 2 sections of the space")
    expect(md).toContain("LLM: 5 calls, 17700 tokens, $0.0950")
    expect(md).toContain("#### What changed")
    expect(md).toContain("`sql-snippet-add` on `instructions.sql_snippets.measures`")
    expect(md).toContain("**Fixed (2)**")
    expect(md).toContain("**Top regressions (1)**")
    expect(md).toContain("`unsure` pass → **inconclusive**")
  })
})

describe("JUnit", () => {
  it("is well-formed XML with one test case per benchmark and consistent counts", async () => {
    const data = await read(makeRun(tempRoot(), "j1"), { sendRows: true })
    const xml = Junit.render(data)
    checkXml(xml)
    expect((xml.match(/<testcase /g) ?? []).length).toBe(6)
    expect(xml).toMatch(/<testsuites name="[^"]+" tests="6" failures="3" errors="1" skipped="1"/)
    expect((xml.match(/<failure /g) ?? []).length).toBe(3)
    expect((xml.match(/<error /g) ?? []).length).toBe(1)
    expect((xml.match(/<skipped /g) ?? []).length).toBe(1)
    expect(xml).toContain(
      '<failure message="RESULT_MISSING_ROWS; decided by bag-equality; failure category WRONG_FILTER" type="WRONG_FILTER">'
    )
    expect(xml).toContain('type="inconclusive"')
    expect(xml).toContain(
      '<testsuite name="genie-enhancer score j1 / revenue" tests="2" failures="1" errors="0" skipped="0"'
    )
    expect(xml).not.toContain(xss)
  })

  it("marks regressions against a baseline in the failure message", async () => {
    const root = tempRoot()
    const base = makeRun(root, "base", { outcomes: { rev_region: "pass" } })
    const data = await read(makeRun(root, "now"), { sendRows: true, against: base })
    const xml = Junit.render(data)
    checkXml(xml)
    expect(xml).toContain('<failure message="regression (was pass): RESULT_MISSING_ROWS')
    expect(xml).toContain('<property name="baseline" value="base"/>')
  })
})

describe("comparison (--against)", () => {
  it("finds fixed, broke and the delta, and every format shows it", async () => {
    const root = tempRoot()
    const base = makeRun(root, "base", { outcomes: { rev_region: "pass", rev_total: "fail", genie_down: "fail" } })
    const data = await read(makeRun(root, "now"), { sendRows: true, against: base })
    const c = data.comparison!
    expect(c.fixed.map((x) => x.id)).toEqual(["rev_total"])
    expect(c.broke.map((x) => x.id)).toEqual(["rev_region"])
    expect(c.changed.map((x) => [x.id, x.before, x.after])).toEqual([["genie_down", "fail", "error"]])
    expect(c.delta).toBeCloseTo(0.2 - 0.2)
    const md = Reports.render(data, "md")
    expect(md).toContain("**Change against `base`: ±0.0 pp**")
    expect(md).toContain("**Fixed (1)**")
    expect(md).toContain("**Top regressions (1)**")
    const html = Reports.render(data, "html")
    expect(html).toContain('<section id="comparison"><h2>Compared with run base</h2>')
    expect(html).toContain('<canvas id="chart-comparison"')
    expect(JSON.parse(Reports.render(data, "json")).comparison.broke[0].id).toBe("rev_region")
  })
})

describe("JSON and writeRunReports", () => {
  it("the JSON report decodes as ReportData", async () => {
    const data = await read(makeRun(tempRoot(), "x1"), { sendRows: true, enhance: enhanceFixture })
    const decoded = await Effect.runPromise(ReportData.decode(JSON.parse(Reports.render(data, "json"))))
    expect(decoded.run.runId).toBe("x1")
    expect(decoded.enhance?.iterations).toHaveLength(3)
  })

  it("writeRunReports leaves report.html and report.md in the run directory", async () => {
    const dir = makeRun(tempRoot(), "w1")
    const written = await Effect.runPromise(
      Reports.writeRunReports(dir, { sendRows: false, env: secretEnv }).pipe(Effect.provide(NodeContext.layer))
    )
    expect(written).toEqual({ html: join(dir, "report.html"), markdown: join(dir, "report.md") })
    for (const file of [written.html, written.markdown]) {
      expect(existsSync(file)).toBe(true)
      const text = readFileSync(file, "utf8")
      for (const s of [...secrets, ...rowValues]) expect(text).not.toContain(s)
    }
    const note = await Effect.runPromise(
      Reports.writeRunReportsNote(join(dir, "missing")).pipe(Effect.provide(NodeContext.layer))
    )
    expect(note).toMatch(/^No report written: no run in /)
  })
})
