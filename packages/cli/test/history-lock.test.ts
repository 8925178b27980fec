/**
 * The history database is queried while a run writes it: `history list|show` in their own processes during an
 * `enhance` in another (DuckDB's lock is per process), and a clear error when another process keeps the file.
 * The other process holding the file is packages/history/test/fixtures/duckdbProcess.mjs, standing in for a user's
 * `duckdb` CLI.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFile, spawn } from "node:child_process"
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { repoRoot, runCliJson, tempDir } from "./cli.js"

const timeout = 300_000
const workspace = fileURLToPath(new URL("./fixtures/tiny-retail", import.meta.url))
const duckdbProcess = join(repoRoot, "packages/history/test/fixtures/duckdbProcess.mjs")

/** The local target serving the tiny workspace; runs and history under `cwd`. */
const local = (cwd: string, env: Record<string, string> = {}) => ({
  cwd,
  env: { GENIE_ENHANCER_SAFETY__GENIE__POLL_INTERVAL_SECONDS: "0.1", HOME: tempDir(), ...env }
})

/** A one-shot read-only SQL query of the file, as `duckdb -readonly <file> "<sql>"` does. */
const duckdbQuery = (file: string, sql: string): Promise<Array<Record<string, unknown>>> =>
  new Promise((resolve, reject) =>
    execFile(process.execPath, [duckdbProcess, file, "query", "0", sql], (error, stdout, stderr) =>
      error === null ? resolve(JSON.parse(stdout) as Array<Record<string, unknown>>) : reject(new Error(stderr))
    )
  )

describe.concurrent("the history database while another process uses it", () => {
  it(
    "`history list` and `history show` answer while `enhance` writes the history; SQL reads it after",
    async () => {
      const cwd = tempDir()
      // A questions-per-minute limit keeps the run going long enough for several reads while it writes.
      const { env } = local(cwd, { GENIE_ENHANCER_SAFETY__GENIE__QUESTIONS_PER_MINUTE: "150" })
      const enhance = spawn(
        process.execPath,
        [join(repoRoot, "packages/cli/bin/run.js"), "enhance", "--target", "local", "--example", workspace, "--json"],
        { cwd, env: { ...process.env, NO_COLOR: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] }
      )
      let out = ""
      let err = ""
      enhance.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()))
      enhance.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()))
      const exited = new Promise<number | null>((resolve) => enhance.on("exit", (code) => resolve(code)))

      // Read the history again and again until the run ends: every read succeeds, some see the run in progress.
      const seen: Array<string> = []
      let shownWhileRunning = false
      while (enhance.exitCode === null) {
        const list = await runCliJson(["history", "list"], local(cwd))
        expect(list.exitCode, list.stdout + list.stderr).toBe(0)
        const run = list.json.result[0]
        if (run === undefined) continue
        seen.push(run.status)
        if (run.status === "running" && !shownWhileRunning) {
          const show = await runCliJson(["history", "show", run.runId], local(cwd))
          expect(show.exitCode, show.stdout + show.stderr).toBe(0)
          expect(show.json.result.run).toMatchObject({ runId: run.runId })
          shownWhileRunning = true
        }
      }
      expect(await exited, err).toBe(0)
      const outcome = JSON.parse(out).result.outcome
      expect(seen, "history list ran while the run was writing").toContain("running")
      expect(shownWhileRunning).toBe(true)

      // The finished run, through the CLI and through SQL on the file.
      const list = await runCliJson(["history", "list"], local(cwd))
      expect(list.json.result).toEqual([expect.objectContaining({ runId: outcome.runId, status: "finished" })])
      const rows = await duckdbQuery(
        join(cwd, ".genie-enhancer", "history.duckdb"),
        "SELECT run_id, status, genie_questions FROM runs"
      )
      expect(rows).toEqual([
        { run_id: outcome.runId, status: "finished", genie_questions: outcome.genieQuestions.total }
      ])
    },
    timeout
  )

  it(
    "a file another process keeps open: `history list` waits, then fails naming the file and the process",
    async () => {
      const cwd = tempDir()
      const file = join(cwd, ".genie-enhancer", "history.duckdb")
      mkdirSync(join(cwd, ".genie-enhancer"))
      // An open read-write session, as `duckdb .genie-enhancer/history.duckdb` would keep.
      const holder = spawn(process.execPath, [duckdbProcess, file, "hold-write", "0"], {
        stdio: ["ignore", "pipe", "inherit"]
      })
      try {
        await new Promise((resolve, reject) => {
          holder.stdout.once("data", resolve)
          holder.on("exit", (code) => reject(new Error(`the holder exited (${code})`)))
        })
        const locked = await runCliJson(["history", "list"], local(cwd))
        expect(locked.exitCode).toBe(2)
        expect(locked.json.error._tag).toBe("HistoryStoreError")
        expect(locked.json.error.message).toContain(`the history database ${file} is in use by`)
        expect(locked.json.error.message).toContain(`(PID ${holder.pid})`)
        expect(locked.json.error.message).toContain("still locked after 10s")
      } finally {
        holder.kill("SIGKILL")
      }
      await new Promise((resolve) => (holder.exitCode === null ? holder.on("exit", resolve) : resolve(undefined)))
      const free = await runCliJson(["history", "list"], local(cwd))
      expect(free.exitCode, free.stderr).toBe(0)
      expect(free.json.result).toEqual([])
    },
    timeout
  )
})
