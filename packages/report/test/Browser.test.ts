import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { chromium } from "playwright-core"
import { Reports } from "../src/index.js"
import { enhanceFixture, makeRun, secretEnv, tempRoot } from "./fixtures.js"

const executablePath = "/usr/bin/chromium"
const hasChromium = existsSync(executablePath)
if (!hasChromium) {
  // Only where no Chromium could be installed (.ci/run installs Debian's `chromium`); never silently.
  console.warn(`browser check skipped: no Chromium at ${executablePath}`)
}
const artifacts = fileURLToPath(new URL("../test-artifacts/", import.meta.url))

const launch = () =>
  chromium.launch({
    executablePath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync"
    ]
  })

/** An enhance run compared with a baseline: every section and chart of the HTML report. */
const makeReport = async () => {
  const root = tempRoot()
  const baseline = makeRun(root, "baseline", { outcomes: { rev_region: "pass", rev_total: "fail" } })
  const dir = makeRun(root, "enhanced")
  const program = Effect.gen(function* () {
    const data = yield* Reports.read(dir, {
      sendRows: true,
      env: secretEnv,
      enhance: enhanceFixture,
      against: baseline
    })
    const chartJs = yield* Reports.chartJs()
    return { html: Reports.render(data, "html", { chartJs }), junit: Reports.render(data, "junit") }
  })
  const { html, junit } = await Effect.runPromise(program.pipe(Effect.provide(NodeContext.layer)))
  mkdirSync(artifacts, { recursive: true })
  const file = join(artifacts, "report.html")
  writeFileSync(file, html)
  return { file, junit }
}

describe("the HTML report in a real browser (headless Chromium)", () => {
  it.skipIf(!hasChromium)(
    "loads with no console errors or network requests, draws every chart, filters the table; screenshot saved",
    async () => {
      const { file, junit } = await makeReport()
      const browser = await launch()
      try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
        const problems: Array<string> = []
        page.on("console", (m) => {
          if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`)
        })
        page.on("pageerror", (e) => problems.push(`page error: ${e.message}`))
        page.on("request", (r) => {
          if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) problems.push(`request: ${r.url()}`)
        })
        await page.goto(pathToFileURL(file).href, { waitUntil: "load" })

        // Charts: one Chart instance per canvas, and every canvas has drawn pixels.
        const canvases = await page.$$eval("canvas", (cs) => cs.map((c) => c.id))
        expect(canvases).toEqual([
          "chart-comparison",
          "chart-category",
          "chart-difficulty",
          "chart-verdicts",
          "chart-failures",
          "chart-reasons",
          "chart-iterations",
          "chart-tokens",
          "chart-stages"
        ])
        expect(
          await page.evaluate(() => (window as unknown as { reportCharts: Array<unknown> }).reportCharts.length)
        ).toBe(canvases.length)
        const inked = await page.$$eval("canvas", (cs) =>
          cs.map((c) => {
            const { data } = c.getContext("2d")!.getImageData(0, 0, c.width, c.height)
            let painted = 0
            for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++
            return painted
          })
        )
        for (const painted of inked) expect(painted).toBeGreaterThan(100)

        // The XSS strings in the data stayed text.
        expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
        expect(await page.textContent("tbody.bench:first-of-type td:nth-child(2)")).toContain("</script>")

        // Search and filters change the visible rows.
        const visible = () => page.$$eval("tbody.bench", (bs) => bs.filter((b) => !(b as HTMLElement).hidden).length)
        expect(await visible()).toBe(6)
        await page.fill("#search", "region")
        expect(await visible()).toBe(1)
        expect(await page.textContent("#shown-count")).toBe("1 of 6 benchmarks")
        await page.fill("#search", "")
        await page.selectOption('select[data-filter="outcome"]', "fail")
        expect(await visible()).toBe(2)
        await page.selectOption('select[data-filter="outcome"]', "")
        expect(await visible()).toBe(6)

        // A row opens its details: both SQL texts side by side.
        const detail = page.locator("tbody.bench").nth(1).locator("tr.detail")
        expect(await detail.isHidden()).toBe(true)
        await page.locator("tbody.bench").nth(1).locator("tr.summary").click()
        expect(await detail.isVisible()).toBe(true)
        expect(await detail.locator(".sides pre").count()).toBe(2)

        // The JUnit report parses as XML in the browser too.
        const parsed = await page.evaluate((xml) => {
          const doc = new DOMParser().parseFromString(xml, "application/xml")
          return {
            error: doc.getElementsByTagName("parsererror").length,
            cases: doc.getElementsByTagName("testcase").length
          }
        }, junit)
        expect(parsed).toEqual({ error: 0, cases: 6 })

        await page.evaluate(() => window.scrollTo(0, 0))
        await page.screenshot({ path: join(artifacts, "report.png"), fullPage: true })
        expect(existsSync(join(artifacts, "report.png"))).toBe(true)
        expect(problems).toEqual([])
      } finally {
        await browser.close()
      }
    },
    60_000
  )

  it.skipIf(!hasChromium)(
    "a real enhance run's report (test/fixtures/enhance-run) loads cleanly and draws its iteration charts",
    async () => {
      const dir = join(tempRoot(), "enhance-run")
      cpSync(fileURLToPath(new URL("./fixtures/enhance-run", import.meta.url)), dir, { recursive: true })
      const meta = JSON.parse(readFileSync(join(dir, "run.json"), "utf8")) as Record<string, unknown>
      writeFileSync(join(dir, "run.json"), JSON.stringify({ ...meta, benchmarksFile: join(dir, "benchmarks.yaml") }))
      const written = await Effect.runPromise(
        Reports.writeRunReports(dir, { sendRows: false, env: secretEnv }).pipe(Effect.provide(NodeContext.layer))
      )
      const browser = await launch()
      try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
        const problems: Array<string> = []
        page.on("console", (m) => {
          if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`)
        })
        page.on("pageerror", (e) => problems.push(`page error: ${e.message}`))
        await page.goto(pathToFileURL(written.html).href, { waitUntil: "load" })
        const canvases = await page.$$eval("canvas", (cs) => cs.map((c) => c.id))
        expect(canvases).toEqual(expect.arrayContaining(["chart-iterations", "chart-stages"]))
        expect(
          await page.evaluate(() => (window as unknown as { reportCharts: Array<unknown> }).reportCharts.length)
        ).toBe(canvases.length)
        expect(await page.locator("#iterations tbody tr").count()).toBe(4)
        expect(await page.locator("table.matrix tbody tr").count()).toBe(10)
        expect(await page.locator("#fixes tbody tr").count()).toBe(13)
        mkdirSync(artifacts, { recursive: true })
        await page.screenshot({ path: join(artifacts, "report-enhance.png"), fullPage: true })
        expect(problems).toEqual([])
      } finally {
        await browser.close()
      }
    },
    60_000
  )
})
