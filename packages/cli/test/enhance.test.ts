/**
 * `enhance`, `history`, `promote`, `rollback` and `spaces cleanup` through the built binary, on a tiny retail
 * workspace (test/fixtures/tiny-retail: four tables, a bare space, ten benchmarks) so a whole run takes seconds.
 * On the local target every command starts its own emulator from the workspace files, so a promotion does not
 * outlive its command; promotion, rollback and cleanup are therefore checked against one emulator that runs beside
 * the tests (`emulator start`), with the databricks target. The groups run at the same time, and so do the
 * emulator's two tests (separate directories; each looks only at its own run's spaces); the local target's tests
 * run in order, each using the run the first one made.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { RunningEmulator } from "./cli.js"
import { repoRoot, runCli, runCliJson, startEmulator, tempDir } from "./cli.js"

const timeout = 240_000
const workspace = fileURLToPath(new URL("./fixtures/tiny-retail", import.meta.url))
const benchmarks = join(workspace, "benchmarks.yaml")
const spaceId = "7a1e00000000400080000000000000b1"
const warehouseId = "7a1e5c0ffee0d00d"

/** Genie polls start at 0.1 s, and the question rate limit (20 a minute) does not stretch a run to minutes. */
const fast = {
  GENIE_ENHANCER_SAFETY__GENIE__POLL_INTERVAL_SECONDS: "0.1",
  GENIE_ENHANCER_SAFETY__GENIE__QUESTIONS_PER_MINUTE: "1000"
}

/** The local target serving the tiny workspace; runs and history under `cwd`. */
const local = (cwd: string) => ({ cwd, env: { ...fast, HOME: tempDir() } })
const onLocal = ["--target", "local", "--example", workspace]

interface Outcome {
  readonly runId: string
  readonly dir: string
  readonly candidates: ReadonlyArray<{
    readonly candidate: string
    readonly accepted: boolean
    readonly fixIds: ReadonlyArray<string>
    readonly reason: string
  }>
  readonly fixes: ReadonlyArray<{ readonly id: string; readonly status: string; readonly reason: string }>
  readonly [key: string]: any
}

describe.concurrent("enhance on the local target", () => {
  const cwd = tempDir()
  let outcome: Outcome

  it.sequential(
    "improves the tiny workspace on dev spaces and reports baseline vs best, questions, fixes and the stop reason",
    async () => {
      const run = await runCliJson(["enhance", ...onLocal], local(cwd))
      expect(run.exitCode, run.stderr).toBe(0)
      expect(run.json.status).toBe(0)
      expect(run.json.result.target).toMatchObject({ target: "local", warehouseId, exampleDir: workspace })
      outcome = run.json.result.outcome
      const o = outcome
      expect(o.runId).toMatch(/^\d{8}-\d{6}-[0-9a-f]{4}$/)
      expect(o.productionSpaceId).toBe(spaceId)
      // The bare space answers 1 of 7 train and 1 of 3 holdout questions right (the simulator is deterministic).
      expect(o.baseline.train).toMatchObject({ score: 1 / 7, n: 7 })
      expect(o.baseline.holdout).toMatchObject({ score: 1 / 3, n: 3 })
      for (const s of [o.baseline.train, o.baseline.holdout, o.best.train, o.best.holdout]) {
        expect(s.low).toBeLessThanOrEqual(s.score)
        expect(s.high).toBeGreaterThanOrEqual(s.score)
      }
      expect(o.best.train.n).toBe(7)
      expect(o.best.holdout.n).toBe(3)
      expect(o.best.train.score).toBeGreaterThanOrEqual(o.baseline.train.score + 3 / 7)
      expect(o.best.holdout.score).toBeGreaterThanOrEqual(o.baseline.holdout.score)
      expect(o.holdoutDropped).toBe(false)
      expect(o.promotable).toEqual({ allowed: true, reason: expect.any(String) })
      expect(o.excluded).toEqual([])
      // Expected SQL ran once per benchmark (preflight); every later pass read the cache.
      expect(o.expectedSqlExecutions).toBe(10)

      // Genie questions: every benchmark once at baseline, the holdout once at the end, and the iterations.
      const q = o.genieQuestions
      expect(q.baseline).toBe(10)
      expect(q.final).toBe(3)
      expect(q.iterations).toHaveLength(o.iterations)
      expect(q.total).toBe(q.baseline + q.final + q.iterations.reduce((a: number, b: number) => a + b, 0))

      // Fixes: some accepted on paired evidence; every decision has a reason; accepted ones belong to an accepted
      // candidate.
      const accepted = o.fixes.filter((f) => f.status === "accepted")
      expect(accepted.length).toBeGreaterThan(0)
      // Per accepted fix: the questions the iterations cost.
      expect(q.perAcceptedFix).toBeCloseTo(q.iterations.reduce((a: number, b: number) => a + b, 0) / accepted.length)
      for (const f of o.fixes) {
        expect(["accepted", "rejected", "invalid"]).toContain(f.status)
        expect(f.reason).toMatch(/\S/)
      }
      const acceptedIds = new Set(o.candidates.filter((c) => c.accepted).flatMap((c) => c.fixIds))
      for (const f of accepted) expect(acceptedIds.has(f.id)).toBe(true)
      expect(o.candidates[0]).toMatchObject({ iteration: 1, accepted: true, losses: [] })
      expect(o.candidates[0].reason).toMatch(/mcnemar p = /)

      // Iteration 1 fixes what the rules can; the next two find nothing new, so the loop stops on a plateau.
      expect(o.stopReason).toBe("plateau")
      expect(o.iterations).toBe(3)
      // Dev spaces were created, and trashed at the end (no --keep).
      expect(o.devSpaces).toMatchObject({ kept: false })
      expect(o.devSpaces.working).toMatch(/^[0-9a-f]{32}$/)
      expect(o.devSpaces.best).toMatch(/^[0-9a-f]{32}$/)

      // The run directory holds the outcome (the same document), the journal and the reports, whose path is said on
      // stderr.
      const dir = join(cwd, o.dir)
      expect(readdirSync(dir).sort()).toEqual([
        "enhance.json",
        "enhance.jsonl",
        "journal.jsonl",
        "report.html",
        "report.md",
        "run.json"
      ])
      expect(run.stderr).toContain(`Report: ${join(o.dir, "report.html")} (summary for a pull request: `)
      const md = readFileSync(join(dir, "report.md"), "utf8")
      expect(md).toContain(`### Genie Enhancer enhance report · run \`${o.runId}\``)
      expect(md).toContain("- Train: 14.3% → **")
      expect(md).not.toContain("run incomplete")
      const html = readFileSync(join(dir, "report.html"), "utf8")
      for (const part of [
        '<section id="enhance">',
        '<table id="iterations">',
        '<table class="matrix">',
        '<table id="fixes">'
      ])
        expect(html).toContain(part)
      expect(JSON.parse(readFileSync(join(dir, "enhance.json"), "utf8"))).toMatchObject({
        runId: o.runId,
        stopReason: o.stopReason,
        baseline: o.baseline,
        best: o.best
      })
      expect(existsSync(join(cwd, ".genie-enhancer", "history.duckdb"))).toBe(true)
    },
    timeout
  )

  it.sequential(
    "`report <run-id>` renders the enhance run: baseline → best with CIs, iterations, the matrix, fixes, questions",
    async () => {
      expect(outcome, "the enhance test ran first").toBeDefined()
      const o = outcome
      const pct = (x: number) => `${(x * 100).toFixed(1)}%`
      const [md, json] = await Promise.all([
        runCli(["report", o.runId, "--format", "md"], local(cwd)),
        runCliJson(["report", o.runId, "--format", "json"], local(cwd))
      ])
      expect(md.exitCode, md.stderr).toBe(0)
      const text = md.stdout
      expect(text).toContain(`### Genie Enhancer enhance report · run \`${o.runId}\``)
      expect(text).not.toContain("Accuracy n/a")
      expect(text).not.toContain("run incomplete")
      expect(text).not.toContain("not an enhance section")
      const { train, holdout } = {
        train: [o.baseline.train, o.best.train],
        holdout: [o.baseline.holdout, o.best.holdout]
      }
      expect(text).toContain(
        `- Train: ${pct(train[0].score)} → **${pct(train[1].score)}** over ${o.iterations} iterations ` +
          `(95% CI ${pct(train[0].low)}–${pct(train[0].high)} → ${pct(train[1].low)}–${pct(train[1].high)}; n=7)`
      )
      expect(text).toContain(
        `- Holdout: ${pct(holdout[0].score)} → **${pct(holdout[1].score)}** ` +
          `(95% CI ${pct(holdout[0].low)}–${pct(holdout[0].high)} → ${pct(holdout[1].low)}–${pct(holdout[1].high)}; n=3)`
      )
      expect(text).toContain(`- Stopped on \`${o.stopReason}\``)
      expect(text).toContain(`- Genie questions: ${o.genieQuestions.total} (baseline train 7, baseline holdout 3,`)
      expect(text).toContain(`| baseline | ${pct(train[0].score)} [${pct(train[0].low)}–${pct(train[0].high)}] (n=7) |`)
      expect(text).toContain(`| \\#1 | `)
      expect(text).toContain("<details><summary>Benchmark × iteration (")
      const accepted = o.fixes.filter((f) => f.status === "accepted").length
      expect(text).toContain(`<details><summary>Fixes (${accepted} accepted, ${o.fixes.length - accepted} rejected)`)

      expect(json.exitCode, json.stderr).toBe(0)
      const data = json.json.result.data
      expect(data.run).toMatchObject({ runId: o.runId, kind: "enhance", complete: true, benchmarks: 10, finished: 10 })
      expect(data.warnings).toEqual([])
      expect(data.score.bySplit.map((g: { name: string }) => g.name)).toEqual(["train", "holdout"])
      const e = data.enhance
      expect(e.stopReason).toBe(o.stopReason)
      expect(e.iterations.map((i: { index: number }) => i.index)).toEqual([0, 1, 2, 3])
      expect(e.iterations[0].train).toMatchObject({ score: train[0].score, low: train[0].low, high: train[0].high })
      expect(e.iterations[0].holdout).toMatchObject({ score: holdout[0].score, low: holdout[0].low })
      expect(e.iterations[3].train).toMatchObject({ score: train[1].score, high: train[1].high })
      expect(e.holdout.final).toMatchObject({ score: holdout[1].score, low: holdout[1].low, high: holdout[1].high })
      expect(e.iterations.map((i: { genieQuestions: number }) => i.genieQuestions)).toEqual([
        o.genieQuestions.baseline,
        ...o.genieQuestions.iterations
      ])
      // The matrix: every benchmark at the baseline; the train benchmarks in every iteration.
      expect(e.iterations[0].results).toHaveLength(10)
      for (const i of e.iterations.slice(1)) expect(i.results.length).toBeGreaterThanOrEqual(7)
      const cell = (id: string) =>
        e.iterations.map((i: any) => i.results.find((r: any) => r.benchmarkId === id)?.outcome)
      expect(cell("revenue_total_2024")).toEqual(["fail", "pass", "pass", "pass"])
      // Fixes: every decision of the run, with its why and the plan's rationale.
      expect(e.fixes.map((f: { id: string; decision: string }) => `${f.id} ${f.decision}`)).toEqual(
        o.fixes.map((f) => `${f.id} ${f.status === "accepted" ? "accepted" : "rejected"}`)
      )
      for (const f of e.fixes) {
        expect(f.why).toMatch(/\S/)
        expect(f.rationale).toMatch(/\S/)
      }
      expect(e.genieQuestions.total).toBe(o.genieQuestions.total)
      expect(e.genieQuestions.questions[0]).toMatchObject({ iteration: 0, question: expect.stringMatching(/\?|\.$/) })
      expect(e.spaceDiff.map((d: { section: string }) => d.section)).toEqual(
        expect.arrayContaining(["instructions.join_specs", "instructions.sql_snippets.measures"])
      )
      expect(e.stageTimes.map((t: { stage: string }) => t.stage)).toEqual(
        expect.arrayContaining(["preflight", "baseline", "learn", "plan", "rescore", "final holdout"])
      )
    },
    timeout
  )

  it.sequential(
    "the run is in `history list` and `history show`",
    async () => {
      expect(outcome, "the enhance test ran first").toBeDefined()
      const o = outcome
      // One after the other: each command opens the history database for writing.
      const list = await runCliJson(["history", "list"], local(cwd))
      expect(list.exitCode, list.stderr).toBe(0)
      const accepted = o.fixes.filter((f) => f.status === "accepted").length
      expect(list.json.result).toEqual([
        expect.objectContaining({
          runId: o.runId,
          kind: "enhance",
          spaceId,
          status: "finished",
          stopReason: "plateau",
          target: "local",
          benchmarksFile: benchmarks,
          baselineTrain: o.baseline.train.score,
          baselineHoldout: o.baseline.holdout.score,
          bestTrain: o.best.train.score,
          finalHoldout: o.best.holdout.score,
          genieQuestions: o.genieQuestions.total,
          fixesAccepted: accepted,
          fixesRejected: o.fixes.length - accepted,
          workingSpaceId: o.devSpaces.working,
          bestSpaceId: o.devSpaces.best,
          baseSnapshotId: o.baseSnapshotId
        })
      ])

      const show = await runCliJson(["history", "show", o.runId], local(cwd))
      expect(show.exitCode, show.stderr).toBe(0)
      const shown = show.json.result
      expect(shown.run).toMatchObject({ runId: o.runId, status: "finished" })
      expect(shown.iterations.map((i: { candidate: string; accepted: boolean }) => [i.candidate, i.accepted])).toEqual(
        o.candidates.map((c) => [c.candidate, c.accepted])
      )
      expect(shown.fixes.map((f: { fixId: string; status: string }) => `${f.fixId} ${f.status}`).sort()).toEqual(
        o.fixes.map((f) => `${f.id} ${f.status}`).sort()
      )
      // The production space's configuration at the start is snapshotted (the merge base of a later promote).
      expect(shown.snapshots).toContainEqual(
        expect.objectContaining({ snapshotId: o.baseSnapshotId, spaceId, runId: o.runId })
      )

      // What the run changed: its best configuration against production at the start.
      const diff = await runCliJson(["history", "diff", o.baseSnapshotId, o.runId], local(cwd))
      expect(diff.exitCode, diff.stderr).toBe(0)
      expect(diff.json.result.identical).toBe(false)
      const sections = diff.json.result.sections.map((d: { section: string }) => d.section)
      expect(sections).toEqual(
        expect.arrayContaining(["instructions.join_specs", "instructions.sql_snippets.measures"])
      )
    },
    timeout
  )

  it.sequential(
    "promote on the local target succeeds but warns that the change ends with the command",
    async () => {
      expect(outcome, "the enhance test ran first").toBeDefined()
      const promoted = await runCliJson(["promote", "--run", outcome.runId, ...onLocal], local(cwd))
      expect(promoted.exitCode, promoted.stderr).toBe(0)
      expect(promoted.json.result).toMatchObject({ promoted: true, targetSpaceId: spaceId, reason: "promoted" })
      expect(promoted.json.warnings).toEqual([expect.stringContaining("the space's change is not kept")])
    },
    timeout
  )
})

/** A validate decorator that turns every fix down (resolves core and effect from the CLI package). */
const vetoAll = fileURLToPath(new URL("./fixtures/veto-all.mjs", import.meta.url))

describe.concurrent("plugins in enhance", () => {
  it(
    "a validate decorator from the profile judges the plan enhance applies",
    async () => {
      const cwd = tempDir({ "team.yaml": `apiVersion: 1\nextends: default\nplugins:\n  - module: ${vetoAll}\n` })
      const run = await runCliJson(["enhance", ...onLocal, "--profile", "team.yaml"], local(cwd))
      expect(run.exitCode, run.stderr).toBe(0)
      const o: Outcome = run.json.result.outcome
      expect(o.fixes.length).toBeGreaterThan(0)
      for (const fix of o.fixes) expect(fix, JSON.stringify(fix)).toMatchObject({ status: "invalid" })
      expect(o.fixes.some((f) => f.reason.includes("vetoed by the team"))).toBe(true)
      expect(o.best.train.score).toBe(o.baseline.train.score)
    },
    timeout
  )
})

describe.concurrent("bad input", () => {
  it(
    "an unknown space or run is bad input (exit 2), with a message that names it",
    async () => {
      // Separate directories: each command opens its own history database.
      const [unknownSpace, unknownRun, unknownShow, unknownDiff] = await Promise.all([
        runCliJson(["enhance", ...onLocal, "--space", "0".repeat(32)], local(tempDir())),
        runCliJson(["promote", "--run", "nope", ...onLocal], local(tempDir())),
        runCliJson(["history", "show", "nope"], local(tempDir())),
        runCliJson(["history", "diff", "nope", "nope2"], local(tempDir()))
      ])
      expect(unknownSpace.exitCode).toBe(2)
      expect(unknownSpace.json.error).toMatchObject({
        _tag: "SpaceStoreError",
        data: { reason: "NotFound", spaceId: "0".repeat(32) }
      })
      expect(unknownSpace.json.error.message).toContain(`Genie space ${"0".repeat(32)} does not exist`)

      expect(unknownRun.exitCode).toBe(2)
      expect(unknownRun.json.error).toMatchObject({ _tag: "RunStoreError" })
      expect(unknownRun.json.error.message).toContain("no finished enhancement run nope")
      expect(unknownShow.exitCode).toBe(2)
      expect(unknownShow.json.error).toMatchObject({ _tag: "RunStoreError" })
      expect(unknownShow.json.error.message).toContain("no run nope in the history")
      expect(unknownDiff.exitCode).toBe(2)
      expect(unknownDiff.json.error.message).toContain("no snapshot or run nope in the history")
    },
    timeout
  )
})

describe.concurrent("promote, rollback and cleanup against a running emulator", () => {
  let emulator: RunningEmulator
  beforeAll(async () => {
    emulator = await startEmulator(workspace)
  }, timeout)
  afterAll(() => {
    emulator?.child.kill("SIGTERM")
  })

  /** The databricks target on the emulator; runs and history under `cwd`. */
  const databricks = (cwd: string, env: Record<string, string> = fast) => ({
    cwd,
    env: {
      GENIE_ENHANCER_WORKSPACE__TARGET: "databricks",
      HOME: tempDir(),
      DATABRICKS_HOST: emulator.host,
      DATABRICKS_TOKEN: emulator.token,
      ...env
    }
  })

  /** A space's configuration, through `spaces export`. */
  const exported = async (id: string, cwd: string) => {
    const out = join(tempDir(), "space.json")
    const run = await runCliJson(["spaces", "export", id, "--out", out], databricks(cwd))
    expect(run.exitCode, run.stderr).toBe(0)
    return JSON.parse(readFileSync(out, "utf8")).serialized_space as Record<string, unknown>
  }

  /** The ids of the emulator's spaces. */
  const spaceIds = async (): Promise<Array<string>> => {
    const body = (await fetch(`${emulator.host}/api/2.0/genie/spaces`, {
      headers: { authorization: `Bearer ${emulator.token}` }
    }).then((r) => r.json())) as { spaces?: Array<{ space_id: string }> }
    return (body.spaces ?? []).map((s) => s.space_id)
  }

  it(
    "promote writes the run's best configuration to production; rollback restores it; kept dev spaces stay",
    async () => {
      const cwd = tempDir()
      // Production's configuration at the start: the workspace's file.
      const before = JSON.parse(readFileSync(join(workspace, "space.json"), "utf8")) as Record<string, unknown>
      // No --warehouse-id (nor DATABRICKS_WAREHOUSE_ID): the space's own warehouse runs the expected SQL.
      const run = await runCliJson(
        ["enhance", "--space", spaceId, "--benchmarks", benchmarks, "--keep"],
        databricks(cwd)
      )
      expect(run.exitCode, run.stderr).toBe(0)
      expect(run.json.result.target).toMatchObject({ target: "databricks", host: emulator.host })
      expect(run.json.result.target.warehouseId).toBe(warehouseId)
      const o: Outcome = run.json.result.outcome
      expect(o.excluded).toEqual([])
      expect(o.expectedSqlExecutions).toBe(10)
      expect(existsSync(join(cwd, o.dir, "report.html"))).toBe(true)
      expect(o.promotable.allowed).toBe(true)
      expect(o.devSpaces.kept).toBe(true)
      expect(await spaceIds()).toEqual(expect.arrayContaining([spaceId, o.devSpaces.working, o.devSpaces.best]))
      // Production is untouched by the run itself.
      const [untouched, best] = await Promise.all([exported(spaceId, cwd), exported(o.devSpaces.best, cwd)])
      expect(untouched).toEqual(before)
      expect(best).not.toEqual(before)

      const promoted = await runCliJson(["promote", "--run", o.runId], databricks(cwd))
      expect(promoted.exitCode, promoted.stderr).toBe(0)
      expect(promoted.json.warnings).toEqual([])
      const p = promoted.json.result
      expect(p).toMatchObject({ promoted: true, targetSpaceId: spaceId, merged: false, theirsChanged: [] })
      expect(p.snapshotId).toMatch(/\S/)
      expect(p.promotedSnapshotId).toMatch(/\S/)
      // Production now serves the best configuration, and the history knows the promotion.
      const [promotedSpace, shown] = await Promise.all([
        exported(spaceId, cwd),
        runCliJson(["history", "show", o.runId], databricks(cwd))
      ])
      expect(promotedSpace).toEqual(best)
      expect(shown.json.result.run.promotedSnapshotId).toBe(p.promotedSnapshotId)

      const rolledBack = await runCliJson(["rollback", "--space", spaceId], databricks(cwd))
      expect(rolledBack.exitCode, rolledBack.stderr).toBe(0)
      expect(rolledBack.json.warnings).toEqual([])
      expect(rolledBack.json.result).toMatchObject({ spaceId, restoredSnapshotId: p.snapshotId })
      expect(rolledBack.json.result.beforeSnapshotId).toMatch(/\S/)
      // Kept dev spaces are what the user asked for, not leftovers: cleanup leaves them.
      const [restored, cleanup] = await Promise.all([
        exported(spaceId, cwd),
        runCliJson(["spaces", "cleanup"], databricks(cwd))
      ])
      expect(restored).toEqual(before)
      expect(cleanup.exitCode, cleanup.stderr).toBe(0)
      expect(cleanup.json.result).toEqual([])
      expect(await spaceIds()).toEqual(expect.arrayContaining([o.devSpaces.working, o.devSpaces.best]))
    },
    timeout
  )

  it(
    "spaces cleanup trashes the dev spaces of a run killed mid-way, by their recorded ids",
    async () => {
      const cwd = tempDir()
      // Genie's default rate (20 questions a minute) keeps the run busy long enough to be killed.
      const env = databricks(cwd, { GENIE_ENHANCER_SAFETY__GENIE__POLL_INTERVAL_SECONDS: "0.1" }).env
      const child = spawn(
        process.execPath,
        [
          join(repoRoot, "packages/cli/bin/run.js"),
          "enhance",
          "--space",
          spaceId,
          "--benchmarks",
          benchmarks,
          "--warehouse-id",
          warehouseId,
          "--json"
        ],
        { cwd, env: { ...process.env, GENIE_ENHANCER_PROFILE: "default", ...env }, stdio: "ignore" }
      )
      const exited = new Promise<unknown>((resolve) => child.on("exit", (_code, signal) => resolve(signal)))
      // Wait until the journal records both dev spaces, then kill the run: no finalizer runs.
      const runs = join(cwd, ".genie-enhancer", "runs")
      const devSpaces = async (): Promise<{ runId: string; working: string; best: string } | undefined> => {
        for (let i = 0; i < 1200; i++) {
          for (const runId of existsSync(runs) ? readdirSync(runs) : []) {
            const journal = join(runs, runId, "enhance.jsonl")
            if (!existsSync(journal)) continue
            for (const line of readFileSync(journal, "utf8").split("\n")) {
              // A line still being written does not mention both ids yet.
              if (!line.includes('"devSpaces"') || !line.endsWith("}}")) continue
              const entry = JSON.parse(line) as { _tag: string; value: { working: string; best: string } }
              if (entry._tag === "Note" && entry.value.working !== "" && entry.value.best !== "") {
                return { runId, ...entry.value }
              }
            }
          }
          if (child.exitCode !== null) return undefined
          await new Promise((r) => setTimeout(r, 100))
        }
        return undefined
      }
      const left = await devSpaces().finally(() => child.kill("SIGKILL"))
      expect(left, "the run recorded its dev spaces before it ended").toBeDefined()
      expect(await exited).toBe("SIGKILL")
      const { runId, working, best } = left!
      expect(await spaceIds()).toEqual(expect.arrayContaining([working, best]))

      const dryRun = await runCliJson(["spaces", "cleanup", "--dry-run"], databricks(cwd))
      expect(dryRun.exitCode, dryRun.stderr).toBe(0)
      expect(dryRun.json.result).toEqual([
        { runId, spaceId: working, status: "would trash" },
        { runId, spaceId: best, status: "would trash" }
      ])
      expect(await spaceIds()).toEqual(expect.arrayContaining([working, best]))

      const cleanup = await runCliJson(["spaces", "cleanup"], databricks(cwd))
      expect(cleanup.exitCode, cleanup.stderr).toBe(0)
      expect(cleanup.json.result).toEqual([
        { runId, spaceId: working, status: "trashed" },
        { runId, spaceId: best, status: "trashed" }
      ])
      const remaining = await spaceIds()
      expect(remaining).toContain(spaceId)
      expect(remaining).not.toContain(working)
      expect(remaining).not.toContain(best)

      // Recorded as trashed: a second cleanup has nothing to do.
      const again = await runCliJson(["spaces", "cleanup"], databricks(cwd))
      expect(again.json.result).toEqual([])
    },
    timeout
  )
})
