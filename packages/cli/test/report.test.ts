import { beforeAll, describe, expect, it } from "@effect/vitest"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { runCli, runCliJson, tempDir } from "./cli.js"

/** Fast polls, runs in a temporary directory, and secrets in the environment that no report may show. */
const secrets = {
  DATABRICKS_TOKEN: "dapi99999999999999999999999999999999",
  OPENAI_API_KEY: "sk-proj-cliTESTsecret0123456789abcdef"
}
const env = (runsDir: string, extra: Record<string, string> = {}) => ({
  env: {
    GENIE_ENHANCER_SAFETY__GENIE__POLL_INTERVAL_SECONDS: "0.1",
    GENIE_ENHANCER_SAFETY__GENIE__MAX_POLL_INTERVAL_SECONDS: "0.2",
    GENIE_ENHANCER_RUNS__DIR: runsDir,
    ...secrets,
    ...extra
  }
})

describe("report", () => {
  // One score run of the bundled example (~20 s on a busy machine), reused by every test below.
  const runs = tempDir()
  let runId = ""
  let runDir = ""
  let scoreStderr = ""
  beforeAll(async () => {
    const score = await runCliJson(["score"], env(runs))
    expect(score.exitCode).toBe(0)
    runId = score.json.result.runId
    runDir = score.json.result.runDir
    scoreStderr = score.stderr
  }, 180_000)

  it("score writes report.html and report.md into the run directory and prints the path (stderr under --json)", () => {
    // stderr also says which workspace was used; the report line is the last one.
    expect(scoreStderr.trim().split("\n").at(-1)).toBe(
      `Report: ${join(runDir, "report.html")} (summary for a pull request: ${join(runDir, "report.md")})`
    )
    const html = readFileSync(join(runDir, "report.html"), "utf8")
    expect(html).toMatch(/^<!doctype html>/)
    expect(html).toContain("Chart.js v4")
    expect(html).toContain('<div class="value" id="accuracy">16.4%</div>')
    expect((html.match(/<tbody class="bench"/g) ?? []).length).toBe(55)
    const md = readFileSync(join(runDir, "report.md"), "utf8")
    expect(md).toContain("**Accuracy 16.4% (9/55; 95% CI 8.9%–28.3%)**")
    for (const secret of Object.values(secrets)) {
      expect(html).not.toContain(secret)
      expect(md).not.toContain(secret)
    }
  })

  it("renders each format to stdout or --out; --json returns the report data", async () => {
    const md = await runCli(["report", runId, "--format", "md"], env(runs))
    expect(md.exitCode).toBe(0)
    expect(md.stdout).toContain(`### Genie Enhancer score report · run \`${runId}\``)
    const junit = await runCli(["report", runId, "--format", "junit"], env(runs))
    expect(junit.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites [^>]*tests="55" failures="46"/)
    expect((junit.stdout.match(/<testcase /g) ?? []).length).toBe(55)
    const out = join(tempDir(), "report.html")
    const html = await runCli(["report", runId, "--out", out], env(runs))
    expect(html.exitCode).toBe(0)
    expect(html.stderr).toContain(`Report written to ${out}`)
    expect(readFileSync(out, "utf8")).toContain('<canvas id="chart-category"')
    const json = await runCliJson(["report", runId, "--format", "json"], env(runs))
    expect(json.exitCode).toBe(0)
    expect(json.json.result).toMatchObject({ runId, runDir, format: "json" })
    expect(json.json.result.data.score.overall).toMatchObject({ passed: 9, scored: 55 })
    expect(json.json.result.data.privacy.sendRows).toBe(true)
    expect(json.stdout).not.toContain(secrets.DATABRICKS_TOKEN)
  })

  it("--against compares two runs in every format", async () => {
    const md = await runCli(["report", runId, "--format", "md", "--against", runDir], env(runs))
    expect(md.exitCode).toBe(0)
    expect(md.stdout).toContain(`**Change against \`${runId}\`: ±0.0 pp**`)
    expect(md.stdout).toContain("No benchmark changed outcome.")
    const json = await runCliJson(["report", runId, "--against", runId], env(runs))
    expect(json.json.result.data.comparison).toMatchObject({ delta: 0, fixed: [], broke: [], unchangedPass: 9 })
    const html = await runCli(["report", runId, "--against", runId], env(runs))
    expect(html.stdout).toContain(`<section id="comparison"><h2>Compared with run ${runId}</h2>`)
  })

  it("with sendRows: false no result value appears, not even Genie's text", async () => {
    const journal = readFileSync(join(runDir, "journal.jsonl"), "utf8")
    // A value only the warehouse returned: a number with decimals (a revenue), never in a question or the SQL.
    const cells = journal
      .split("\n")
      .filter((line) => line.startsWith('{"benchmarkId"'))
      .flatMap((line) => (JSON.parse(line).expected?.rows ?? []) as Array<Array<string | null>>)
      .flat()
    const value = cells.find((cell): cell is string => cell !== null && /^\d{3,}\.\d+$/.test(cell))!
    expect(value).toBeDefined()
    const shown = await runCli(["report", runId, "--format", "html"], env(runs))
    expect(shown.stdout).toContain(value)
    for (const format of ["html", "md", "junit", "json"]) {
      const hidden = await runCli(
        ["report", runId, "--format", format],
        env(runs, { GENIE_ENHANCER_EVALUATE__SEND_ROWS: "false" })
      )
      expect(hidden.exitCode).toBe(0)
      expect(hidden.stdout, format).not.toContain(value)
    }
  })

  it("an unknown run exits 2 with the run store's error", async () => {
    const run = await runCliJson(["report", "20990101-000000-dead"], env(runs))
    expect(run.exitCode).toBe(2)
    expect(run.json.error._tag).toBe("RunStoreError")
    expect(run.json.error.message).toContain("no run in")
    expect(existsSync(join(runs, "runs", "20990101-000000-dead"))).toBe(false)
  })
})
