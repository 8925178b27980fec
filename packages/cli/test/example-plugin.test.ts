import { execFileSync } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, symlinkSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, resolve } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { repoRoot, runCli, runCliJson, tempDir } from "./cli.js"

// The example plugin package as a user gets it: packed with `npm pack`, unpacked into a temporary project's
// node_modules beside its peer dependencies (`effect`, `@genie-enhancer/core`), and named in a profile by package.
// Its three plugins (a learn-patterns decorator, a fix decorator, a report format) are then checked where users meet
// them: `profiles show`, `score`, `report`, `plan` and an `enhance` run.
const example = join(repoRoot, "examples/plugins/team-rules")
const requireFromCore = createRequire(join(repoRoot, "packages/core/package.json"))
const effectDir = dirname(realpathSync(requireFromCore.resolve("effect/package.json")))

const profile = `apiVersion: 1
extends: default
plugins:
  - module: "@example/genie-team-rules/learn"
    options:
      vocabulary:
        - { phrase: signed up, table: main.retail.customers, column: signup_date }
  - module: "@example/genie-team-rules"
    options:
      glossary:
        - { table: main.retail.orders, column: payment_method, synonyms: [tender, pay type] }
  - module: "@example/genie-team-rules/csv"
    options: { separator: ";" }
`

let dir = ""

beforeAll(() => {
  dir = tempDir({ "team.yaml": profile })
  const packed = join(dir, "packed")
  mkdirSync(packed)
  execFileSync("npm", ["pack", "--silent", "--pack-destination", packed], { cwd: example, stdio: "pipe" })
  const tarball = readdirSync(packed).find((f) => f.endsWith(".tgz"))
  if (tarball === undefined) throw new Error("npm pack wrote no tarball")
  const modules = join(dir, "node_modules")
  const pkg = join(modules, "@example/genie-team-rules")
  mkdirSync(pkg, { recursive: true })
  execFileSync("tar", ["-xzf", join(packed, tarball), "-C", pkg, "--strip-components=1"])
  mkdirSync(join(modules, "@genie-enhancer"), { recursive: true })
  symlinkSync(effectDir, join(modules, "effect"), "dir")
  symlinkSync(join(repoRoot, "packages/core"), join(modules, "@genie-enhancer/core"), "dir")
  copyFileSync(join(example, "test/contracts.test.js"), join(dir, "contracts.test.js"))
}, 60_000)

describe("the example plugin package, installed from its tarball", () => {
  it("ships only its files, and passes the contract kits where it is installed", () => {
    const pkg = join(dir, "node_modules/@example/genie-team-rules")
    expect(readdirSync(pkg).sort()).toEqual(["README.md", "csv.js", "index.js", "learn.js", "package.json"])
    const out = execFileSync(process.execPath, ["--test", "contracts.test.js"], { cwd: dir, encoding: "utf8" })
    expect(out).toMatch(/# pass [1-9]/)
    expect(out).toContain("# fail 0")
  }, 60_000)

  it("profiles show lists the three plugins in profile order with what they contribute", async () => {
    const show = await runCliJson(["profiles", "show", "team.yaml"], { cwd: dir })
    expect(show.exitCode, show.stderr).toBe(0)
    const listed = (show.json.result.plugins as Array<Record<string, string>>).filter((p) =>
      p.at.startsWith("$.plugins")
    )
    expect(listed).toEqual([
      expect.objectContaining({
        at: "$.plugins[0]",
        kind: "stage-decorator",
        decorates: "learn-patterns",
        id: "team-vocabulary",
        version: "1.0.0",
        source: "@example/genie-team-rules/learn"
      }),
      expect.objectContaining({
        at: "$.plugins[1]",
        kind: "stage-decorator",
        decorates: "fix",
        id: "team-rules",
        version: "1.0.0",
        source: "@example/genie-team-rules"
      }),
      expect.objectContaining({
        at: "$.plugins[2]",
        kind: "report-format",
        id: "team-csv",
        source: "@example/genie-team-rules/csv"
      })
    ])
    const human = await runCli(["profiles", "show", "team.yaml"], { cwd: dir })
    expect(human.stdout).toMatch(
      /\$\.plugins\[0\]\s+stage-decorator \(learn-patterns\)\s+team-vocabulary@1\.0\.0\s+@example\/genie-team-rules\/learn/
    )
    expect(human.stdout).toMatch(
      /\$\.plugins\[1\]\s+stage-decorator \(fix\)\s+team-rules@1\.0\.0\s+@example\/genie-team-rules\s/
    )
  }, 60_000)

  it("score writes the plugin's report.csv next to report.html, and report renders it by id", async () => {
    const run = await runCliJson(["score", "--profile", "team.yaml", "--split", "holdout"], { cwd: dir })
    expect(run.exitCode, run.stderr).toBe(0)
    // The run directory is relative to the project (the profile's runs.dir).
    const runDir = resolve(dir, run.json.result.runDir as string)
    expect(existsSync(join(runDir, "report.html"))).toBe(true)
    const csv = readFileSync(join(runDir, "report.csv"), "utf8").trim().split("\n")
    expect(csv[0]).toBe("run;benchmark;category;outcome;decided_by;reasons")
    expect(csv).toHaveLength(
      1 + (run.json.result.summary.overall.scored as number) + (run.json.result.summary.verdicts.excluded ?? 0)
    )
    expect(run.stderr).toContain(`team-csv: ${join(run.json.result.runDir as string, "report.csv")}`)

    const report = await runCli(
      ["report", run.json.result.runId as string, "--profile", "team.yaml", "--format", "team-csv"],
      {
        cwd: dir
      }
    )
    expect(report.exitCode, report.stderr).toBe(0)
    expect(report.stdout).toBe(readFileSync(join(runDir, "report.csv"), "utf8"))

    const unknown = await runCli(
      ["report", run.json.result.runId as string, "--profile", "team.yaml", "--format", "xlsx"],
      {
        cwd: dir
      }
    )
    expect(unknown.exitCode).toBe(2)
    expect(unknown.stderr).toContain("team-csv")
  }, 120_000)

  it("plan: the installed fix decorator adds the team glossary's synonyms to what the rules fixer proposes", async () => {
    const baseline = join(repoRoot, "examples/retail/space.baseline.json")
    const planned = await runCliJson(
      ["plan", "--profile", "team.yaml", "--space-file", baseline, "--out", "plan.json"],
      { cwd: dir }
    )
    expect(planned.exitCode, planned.stderr).toBe(0)
    const fixes = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")).fixes as Array<{ change: unknown }>
    const team = fixes.filter((f) => JSON.stringify(f.change).includes("tender"))
    expect(team).toHaveLength(1)
    expect(JSON.stringify(team[0]?.change)).toContain("pay type")
    // The rules fixer's own fixes are still there.
    expect(fixes.length).toBeGreaterThan(10)
  }, 240_000)

  it("enhance: the installed learn and fix decorators take part in the loop, and the run gets the plugin's report", async () => {
    // The bundled retail example on the embedded emulator, one iteration; Genie polls fast and is not rate limited.
    const run = await runCliJson(["enhance", "--profile", "team.yaml", "--max-iterations", "1"], {
      cwd: dir,
      env: {
        GENIE_ENHANCER_SAFETY__GENIE__POLL_INTERVAL_SECONDS: "0.1",
        GENIE_ENHANCER_SAFETY__GENIE__QUESTIONS_PER_MINUTE: "1000",
        HOME: tempDir()
      }
    })
    expect(run.exitCode, run.stderr).toBe(0)
    const outcome = run.json.result.outcome as {
      readonly runId: string
      readonly dir: string
      readonly iterations: number
      readonly baseline: { readonly train: { readonly n: number }; readonly holdout: { readonly n: number } }
      readonly excluded: ReadonlyArray<unknown>
      readonly fixes: ReadonlyArray<{ readonly id: string; readonly status: string; readonly reason: string }>
    }
    expect(outcome.iterations).toBe(1)
    const runDir = resolve(dir, outcome.dir)
    // The run's journal: every step's value, as the loop recorded it.
    const steps = new Map(
      readFileSync(join(runDir, "enhance.jsonl"), "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as { readonly _tag: string; readonly key?: string; readonly value?: any })
        .filter((entry) => entry._tag === "Step")
        .map((entry) => [entry.key, entry.value] as const)
    )
    const decision = (id: string) => outcome.fixes.find((f) => f.id === id)

    // learn: the learn decorator added the team's phrase to what the sql-grounded learner mined, with the train
    // question that uses it as evidence.
    const book = steps.get("it1/learn") as {
      readonly learner: string
      readonly patterns: ReadonlyArray<{
        readonly id: string
        readonly kind: string
        readonly supportingBenchmarkIds: ReadonlyArray<string>
      }>
    }
    expect(book.learner).toBe("sql-grounded")
    const team = book.patterns.filter((p) => p.id.startsWith("team-vocabulary:"))
    expect(team).toEqual([
      expect.objectContaining({ kind: "vocabulary", supportingBenchmarkIds: [expect.any(String)] })
    ])
    expect(book.patterns.length).toBeGreaterThan(team.length)

    // fix: the rules fixer turned the team's pattern into a synonym, the fix decorator added the glossary's, and
    // the loop decided on both with a reason.
    const fixes = (steps.get("it1/plan") as { readonly fixes: ReadonlyArray<Record<string, any>> }).fixes
    const learned = fixes.filter((f) => f.target === "main.retail.customers.signup_date")
    expect(learned).toEqual([
      expect.objectContaining({
        origin: "rules",
        change: expect.objectContaining({ _tag: "ColumnSynonyms", synonyms: expect.arrayContaining(["signed up"]) }),
        sourceBenchmarkIds: expect.arrayContaining([...(team[0]?.supportingBenchmarkIds ?? [])])
      })
    ])
    const glossary = fixes.filter((f) => f.origin === "team-rules")
    expect(glossary).toEqual([
      expect.objectContaining({
        target: "main.retail.orders.payment_method",
        change: expect.objectContaining({ _tag: "ColumnSynonyms", synonyms: ["tender", "pay type"] })
      })
    ])
    for (const fix of [...learned, ...glossary]) {
      expect(decision(fix.id as string)).toEqual(
        expect.objectContaining({
          status: expect.stringMatching(/^(accepted|rejected|invalid)$/),
          reason: expect.stringMatching(/\S/)
        })
      )
    }

    // report: the plugin's format is written for the enhance run too, one line per benchmark.
    expect(run.stderr).toContain(`team-csv: ${join(outcome.dir, "report.csv")}`)
    const csv = readFileSync(join(runDir, "report.csv"), "utf8").trim().split("\n")
    expect(csv[0]).toBe("run;benchmark;category;outcome;decided_by;reasons")
    expect(csv).toHaveLength(1 + outcome.baseline.train.n + outcome.baseline.holdout.n + outcome.excluded.length)
    for (const line of csv.slice(1)) expect(line.startsWith(`${outcome.runId};`)).toBe(true)
  }, 300_000)
})
