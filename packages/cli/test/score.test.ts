import { describe, expect, it } from "@effect/vitest"
import { readFileSync, readdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { repoRoot, runCli, runCliJson, tempDir } from "./cli.js"

/** Fast polls (0.1 s instead of 1 s) so the retail example scores in a few seconds of real time. */
const fast = (runsDir: string, extra: Record<string, string> = {}) => ({
  env: {
    GENIE_ENHANCER_SAFETY__GENIE__POLL_INTERVAL_SECONDS: "0.1",
    GENIE_ENHANCER_SAFETY__GENIE__MAX_POLL_INTERVAL_SECONDS: "0.2",
    GENIE_ENHANCER_RUNS__DIR: runsDir,
    ...extra
  }
})

const curatedSpace = "fd08746cb89568ef54295f16d7a9ab51"
const verdicts = (result: any): Record<string, string> =>
  Object.fromEntries(
    readFileSync(join(result.runDir, "journal.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line))
      // `{"accepted": …}` lines record questions in flight, not results.
      .filter((r) => !("accepted" in r))
      .map((r) => [r.benchmarkId, r.verdict.outcome])
  )

describe("score", () => {
  it("scores the bundled example with no workspace configured, says so, and records the run", async () => {
    const runs = tempDir()
    const { exitCode, json, stderr } = await runCliJson(["score"], fast(runs))
    expect(exitCode).toBe(0)
    const result = json.result
    expect(result.target.note).toContain('Using the bundled example "retail"')
    expect(result.benchmarksFile).toBe(join(repoRoot, "examples/retail/benchmarks.yaml"))
    // The baseline space: the simulator's accuracy recorded in examples/retail/README.md.
    expect(result.summary.overall).toMatchObject({ passed: 9, scored: 55 })
    expect(result.summary.overall.low).toBeLessThan(0.164)
    expect(result.summary.overall.high).toBeGreaterThan(0.164)
    expect(Object.keys(result.summary.byCategory)).toContain("revenue")
    expect(result.summary.failureCategories.NO_SQL).toBeGreaterThan(0)
    expect(readdirSync(result.runDir).sort()).toEqual([
      "journal.jsonl",
      "report.html",
      "report.md",
      "results.json",
      "run.json"
    ])
    expect(Object.keys(verdicts(result))).toHaveLength(55)
    expect(JSON.parse(readFileSync(join(result.runDir, "results.json"), "utf8")).overall.passed).toBe(9)
    // --json prints nothing but the envelope; the LLM judge note goes nowhere either.
    // stderr says which workspace was used (the bundled example, since none is configured) and where the report is.
    const notes = stderr.trim().split("\n")
    expect(notes[0]).toContain("no Databricks workspace is configured")
    expect(notes.at(-1)).toMatch(/^Report: /)
    expect(notes).toHaveLength(2)
  })

  it("batch and sequential scorers give identical verdicts on the curated space", async () => {
    const runs = tempDir()
    const [batch, sequential] = await Promise.all([
      runCliJson(["score", "--space", curatedSpace], fast(runs)),
      runCliJson(["score", "--space", curatedSpace, "--no-batch"], fast(runs))
    ])
    expect(batch.exitCode).toBe(0)
    expect(sequential.exitCode).toBe(0)
    expect(batch.json.result.scorer).toBe("batch")
    expect(sequential.json.result.scorer).toBe("sequential")
    expect(batch.json.result.summary.overall.passed).toBe(47)
    expect(verdicts(batch.json.result)).toEqual(verdicts(sequential.json.result))
  })

  it("prints progress lines and a readable summary without --json; resume continues a run", async () => {
    const runs = tempDir()
    const dir = tempDir({
      "b.yaml": [
        "apiVersion: 1",
        "benchmarks:",
        "  - id: orders_2025",
        "    question: How many orders were placed in 2025?",
        "    expected_sql: SELECT COUNT(*) AS orders FROM main.retail.orders WHERE year(order_date) = 2025",
        "    category: volume",
        "    difficulty: easy",
        ""
      ].join("\n")
    })
    writeFileSync(
      join(dir, "b.yaml"),
      readFileSync(join(dir, "b.yaml"), "utf8") +
        [
          "  - id: customers_total",
          "    question: How many customers do we have?",
          "    expected_sql: SELECT COUNT(*) AS customers FROM main.retail.customers",
          "    category: customers",
          "    difficulty: easy",
          ""
        ].join("\n")
    )
    const first = await runCli(["score", "--benchmarks", join(dir, "b.yaml")], fast(runs))
    expect(first.exitCode).toBe(0)
    expect(first.stderr).toContain('Using the bundled example "retail"')
    expect(first.stderr).toMatch(/\[1\/2\] (orders_2025|customers_total): (pass|fail)/)
    expect(first.stdout).toMatch(/^Score \d+\.\d% \(\d\/2 scored benchmarks passed; 95% CI/m)
    const runId = /runs\/(\S+)/.exec(first.stdout)?.[1]
    expect(runId).toBeDefined()
    // As if interrupted after the first result: resume asks only the other one; the summary covers both.
    const journalFile = join(runs, "runs", runId!, "journal.jsonl")
    const lines = readFileSync(journalFile, "utf8").trim().split("\n")
    const keptResult = lines.find((l) => l.startsWith('{"benchmarkId"'))!
    writeFileSync(journalFile, `${keptResult}\n`)
    const resumed = await runCliJson(["score", "--resume", runId!], fast(runs))
    expect(resumed.exitCode).toBe(0)
    expect(resumed.json.result.runId).toBe(runId)
    expect(resumed.json.result.summary).toMatchObject({ resumed: 1, finished: 2, benchmarks: 2 })
    // Resuming with another benchmark file is refused.
    writeFileSync(join(dir, "other.yaml"), readFileSync(join(dir, "b.yaml"), "utf8"))
    const other = await runCliJson(["score", "--resume", runId!, "--benchmarks", join(dir, "other.yaml")], fast(runs))
    expect(other.exitCode).toBe(2)
    expect(
      readFileSync(join(resumed.json.result.runDir, "journal.jsonl"), "utf8")
        .trim()
        .split("\n")
        .filter((l) => l.startsWith('{"benchmarkId"'))
    ).toHaveLength(2)
  })

  it("exits 4 and keeps going when Genie is down, recording each benchmark as an error", async () => {
    const runs = tempDir()
    const dir = tempDir({
      "b.yaml": [
        "apiVersion: 1",
        "benchmarks:",
        ...["customers", "stores"].flatMap((table) => [
          `  - id: count_${table}`,
          `    question: How many ${table} are there?`,
          `    expected_sql: SELECT COUNT(*) AS n FROM main.retail.${table}`,
          "    category: c",
          "    difficulty: easy"
        ]),
        ""
      ].join("\n"),
      "faults.yaml": "genie:\n  errorRate: 1\n  errorStatus: 503\n"
    })
    const workspace = tempDir()
    // The retail example with every Genie request failing.
    writeFileSync(
      join(workspace, "workspace.yaml"),
      readFileSync(join(repoRoot, "examples/retail/workspace.yaml"), "utf8")
        .replaceAll("data/", join(repoRoot, "examples/retail/data/"))
        .replaceAll("space.", join(repoRoot, "examples/retail/space."))
        .concat(`\nfaults: ${join(dir, "faults.yaml")}\n`)
    )
    const { exitCode, json } = await runCliJson(
      ["score", "--benchmarks", join(dir, "b.yaml"), "--example", workspace],
      fast(runs, { GENIE_ENHANCER_SAFETY__GENIE__ATTEMPTS: "1" })
    )
    expect(exitCode).toBe(4)
    expect(json.status).toBe(4)
    expect(json.result.summary.verdicts).toEqual({ error: 2 })
    expect(json.warnings.join("\n")).toMatch(/2 benchmarks could not be scored.*not in the score.*--resume/)
    expect(json.result.summary.overall).toMatchObject({ scored: 0, errors: 2, score: null })
  })

  it("a malformed benchmark file is a located error with exit 2", async () => {
    const dir = tempDir({ "bad.yaml": "apiVersion: 1\nbenchmarks:\n  - id: x\n    question: q\n" })
    const { exitCode, json } = await runCliJson(["score", "--benchmarks", join(dir, "bad.yaml")], fast(tempDir()))
    expect(exitCode).toBe(2)
    expect(json.error._tag).toBe("ConfigInvalid")
    expect(json.error.data.issues[0].path).toMatch(/^\$\.benchmarks\[0\]/)
    const unknownRun = await runCliJson(["score", "--resume", "20990101-000000-abcd"], fast(tempDir()))
    expect(unknownRun.exitCode).toBe(2)
    expect(unknownRun.json.error.message).toContain("no run 20990101-000000-abcd")
  })
})
