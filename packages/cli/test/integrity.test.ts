/**
 * Run integrity (issue 12): resume after a kill or Ctrl+C asks nothing twice, a run keeps its identity, a wrong space
 * or token fails before anything is asked, untrusted expected SQL never runs, no secret is echoed, and `--json` is
 * one JSON document on stdout under faults. The emulator runs in this process, so it outlives the killed CLI.
 */
import { describe, expect, it } from "@effect/vitest"
import { Emulator } from "@genie-enhancer/workspace-emulator"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs"
import type { IncomingMessage, ServerResponse } from "node:http"
import { createServer, request as httpRequest } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { repoRoot, runCli, runCliJson, tempDir } from "./cli.js"

const bin = join(repoRoot, "packages/cli/bin/run.js")
const retail = join(repoRoot, "examples/retail")
const baseline = "ce86877f1287b94460c35a25f2d65bca"

const benchmarksFile = (n: number) =>
  [
    "apiVersion: 1",
    "benchmarks:",
    ...["customers", "stores", "products", "orders", "order_items"]
      .slice(0, n)
      .flatMap((table) => [
        `  - question: How many ${table} are there?`,
        `    expected_sql: SELECT COUNT(*) AS n FROM main.retail.${table}`
      ]),
    ""
  ].join("\n")

/** Env of a `--target databricks` run against `host`: fast polls, its own runs directory. */
const databricksEnv = (host: string, token: string, runs: string, extra: Record<string, string> = {}) => ({
  DATABRICKS_HOST: host,
  DATABRICKS_TOKEN: token,
  DATABRICKS_CONFIG_FILE: join(runs, "no-databrickscfg"),
  GENIE_ENHANCER_RUNS__DIR: runs,
  GENIE_ENHANCER_SAFETY__GENIE__POLL_INTERVAL_SECONDS: "0.1",
  GENIE_ENHANCER_SAFETY__GENIE__MAX_POLL_INTERVAL_SECONDS: "0.2",
  GENIE_ENHANCER_SAFETY__GENIE__QUESTIONS_PER_MINUTE: "600",
  ...extra
})

const journalOf = (runs: string): { readonly runId: string; readonly lines: Array<Record<string, any>> } => {
  const [runId] = existsSync(join(runs, "runs")) ? readdirSync(join(runs, "runs")) : []
  if (runId === undefined) return { runId: "", lines: [] }
  const file = join(runs, "runs", runId, "journal.jsonl")
  const text = existsSync(file) ? readFileSync(file, "utf8") : ""
  return {
    runId,
    lines: text
      .split("\n")
      .filter((l) => l.trim() !== "")
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, any>]
        } catch {
          return []
        }
      })
  }
}

/**
 * Starts `score`, waits until this process has journaled a question that Genie accepted and has not answered, then
 * sends `signal`.
 */
const scoreAndInterrupt = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  runs: string,
  signal: NodeJS.Signals
): Promise<{ readonly code: number | null; readonly stderr: string; readonly stdout: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "score", ...args], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: "1", ...env }
    })
    let stderr = ""
    let stdout = ""
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    const before = journalOf(runs).lines.length
    const timer = setInterval(() => {
      const { lines } = journalOf(runs)
      const answered = new Set(lines.filter((l) => "benchmarkId" in l).map((l) => l.benchmarkId))
      if (lines.slice(before).some((l) => "accepted" in l && !answered.has(l.accepted.benchmarkId))) {
        clearInterval(timer)
        child.kill(signal)
      }
    }, 20)
    child.on("exit", (code, killed) => {
      clearInterval(timer)
      resolve({ code: code ?? (killed === "SIGKILL" ? 137 : null), stderr, stdout })
    })
    child.on("error", reject)
  })

const askedTwice = async (emulator: Emulator.RunningEmulator): Promise<Array<string>> => {
  const questions = (await Effect.runPromise(emulator.questions)).map((q) => q.question)
  return questions.filter((q, i) => questions.indexOf(q) !== i)
}

describe("run integrity", () => {
  it("a run killed (SIGKILL) or interrupted (Ctrl+C) while Genie answers resumes without asking anything twice", async () => {
    // Genie spends 3 × 400 ms in its non-terminal statuses: every interruption lands while an answer is pending.
    const emulator = await Emulator.startPromise({ workspace: retail, faults: { genie: { stepMs: 400 } } })
    try {
      const dir = tempDir({ "b.yaml": benchmarksFile(5) })
      const runs = tempDir()
      const env = databricksEnv(emulator.host, emulator.token, runs)
      const args = ["--target", "databricks", "--space", baseline, "--benchmarks", join(dir, "b.yaml"), "--no-batch"]

      const killed = await scoreAndInterrupt(args, env, runs, "SIGKILL")
      expect(killed.code).not.toBe(0)
      const { runId } = journalOf(runs)
      const interrupted = await scoreAndInterrupt(["--resume", runId], env, runs, "SIGINT")
      // Ctrl+C says which run to resume.
      expect(interrupted.code).toBe(130)
      expect(interrupted.stderr).toContain(`--resume ${runId}`)

      // Resumed with nothing but the run id: the recorded target, host, space and benchmarks are used.
      const resumed = await runCliJson(["score", "--resume", runId], { env })
      expect(resumed.exitCode).toBe(0)
      expect(resumed.json.result.target.target).toBe("databricks")
      expect(resumed.json.result.summary.finished).toBe(5)
      expect(resumed.json.result.summary.repolled).toBeGreaterThan(0)
      expect(await askedTwice(emulator)).toEqual([])

      // A contradicting flag is refused, naming it.
      const contradiction = await runCliJson(["score", "--resume", runId, "--target", "local"], { env })
      expect(contradiction.exitCode).toBe(2)
      expect(contradiction.json.error.message + JSON.stringify(contradiction.json.error.data)).toMatch(
        /--target local \(the run used databricks\)/
      )
    } finally {
      await emulator.stop()
    }
  }, 240_000)

  it("checks space, warehouse and credentials once before asking; falls back to the space's warehouse", async () => {
    const emulator = await Emulator.startPromise({ workspace: retail })
    try {
      const dir = tempDir({ "b.yaml": benchmarksFile(1) })
      const runs = tempDir()
      const args = ["score", "--target", "databricks", "--benchmarks", join(dir, "b.yaml")]
      const [missing, invalid, badToken, ok] = await Promise.all([
        runCliJson([...args, "--space", "0".repeat(32)], { env: databricksEnv(emulator.host, emulator.token, runs) }),
        runCliJson([...args, "--space", "xyz"], { env: databricksEnv(emulator.host, emulator.token, runs) }),
        runCliJson([...args, "--space", baseline], { env: databricksEnv(emulator.host, "dapi-wrong-token-000", runs) }),
        // No warehouse id anywhere: the space's own warehouse is used.
        runCliJson([...args, "--space", baseline], { env: databricksEnv(emulator.host, emulator.token, runs) })
      ])
      expect([missing.exitCode, missing.json.error._tag]).toEqual([2, "PreflightFailed"])
      expect(missing.json.error.message).toContain("no Genie space 00000000000000000000000000000000")
      expect([invalid.exitCode, invalid.json.error.data.reason]).toEqual([2, "Invalid"])
      expect([badToken.exitCode, badToken.json.error.data.reason]).toEqual([3, "Auth"])
      expect(ok.exitCode).toBe(0)
      expect(ok.json.result.summary.verdicts.excluded).toBeUndefined()
      expect(await Effect.runPromise(emulator.questions)).toHaveLength(1)
    } finally {
      await emulator.stop()
    }
  }, 120_000)

  it("keeps no secret a server echoes back: not on stdout, stderr, the journal or results.json", async () => {
    const emulator = await Emulator.startPromise({ workspace: retail })
    // A proxy to the emulator whose Genie answers 503 with the request's headers in the body.
    const proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (req.url?.includes("/start-conversation") === true) {
        res.writeHead(503, { "content-type": "application/json" })
        res.end(
          JSON.stringify({ error_code: "TEMPORARILY_UNAVAILABLE", message: `echo: ${JSON.stringify(req.headers)}` })
        )
        return
      }
      const upstream = new URL(emulator.host)
      const forward = httpRequest(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
        }
      )
      req.pipe(forward)
    })
    await new Promise<void>((done) => proxy.listen(0, "127.0.0.1", done))
    try {
      const host = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
      const dir = tempDir({ "b.yaml": benchmarksFile(2) })
      const runs = tempDir()
      const env = databricksEnv(host, emulator.token, runs, { GENIE_ENHANCER_SAFETY__GENIE__ATTEMPTS: "1" })
      const args = ["score", "--target", "databricks", "--space", baseline, "--benchmarks", join(dir, "b.yaml")]
      const [json, text] = await Promise.all([runCliJson(args, { env }), runCli([...args, "--no-batch"], { env })])
      expect(json.exitCode).toBe(4)
      expect(json.json.result.summary.overall.errors).toBe(2)
      const { runId } = journalOf(runs)
      const files = readdirSync(join(runs, "runs")).flatMap((id) =>
        ["journal.jsonl", "results.json"].map((f) => readFileSync(join(runs, "runs", id, f), "utf8"))
      )
      // The echo did reach the record (so the check is not vacuous), without the token.
      expect(files.join("\n")).toContain("echo:")
      for (const output of [json.stdout, json.stderr, text.stdout, text.stderr, ...files]) {
        expect(output).not.toContain(emulator.token)
      }
      expect(runId).toBeDefined()
    } finally {
      proxy.close()
      await emulator.stop()
    }
  }, 120_000)

  it("--json is exactly one JSON document on stdout for every command, with Genie failing and the breaker open", async () => {
    const dir = tempDir({ "b.yaml": benchmarksFile(5), "faults.yaml": "genie:\n  errorRate: 1\n  errorStatus: 503\n" })
    const workspace = tempDir()
    writeFileSync(
      join(workspace, "workspace.yaml"),
      readFileSync(join(retail, "workspace.yaml"), "utf8")
        .replaceAll("data/", join(retail, "data/"))
        .replaceAll("space.", join(retail, "space."))
        .concat(`\nfaults: ${join(dir, "faults.yaml")}\n`)
    )
    const env = {
      GENIE_ENHANCER_RUNS__DIR: tempDir(),
      GENIE_ENHANCER_SAFETY__GENIE__ATTEMPTS: "1",
      GENIE_ENHANCER_SAFETY__GENIE__CIRCUIT__THRESHOLD: "2",
      GENIE_ENHANCER_SAFETY__GENIE__CIRCUIT__COOLDOWN_SECONDS: "1",
      GENIE_ENHANCER_SAFETY__GENIE__POLL_INTERVAL_SECONDS: "0.1",
      // Genie is down for every call: a short question deadline keeps retries of one request from taking 15 s.
      GENIE_ENHANCER_SAFETY__GENIE__TIMEOUT_SECONDS: "3"
    }
    const local = ["--example", workspace]
    const commands: ReadonlyArray<ReadonlyArray<string>> = [
      ["score", "--benchmarks", join(dir, "b.yaml"), "--no-batch", ...local],
      ["ask", "How many customers are there?", ...local],
      ["spaces", "list", ...local],
      ["spaces", "export", baseline, ...local],
      ["validate", "--example", "retail"],
      ["benchmarks", "validate", join(dir, "b.yaml")],
      ["profiles", "list"],
      ["profiles", "show", "default"],
      ["no-such-command"]
    ]
    const runs = await Promise.all(commands.map((args) => runCli([...args, "--json"], { env })))
    for (const [i, run] of runs.entries()) {
      let parsed: unknown
      expect(() => (parsed = JSON.parse(run.stdout)), `${commands[i].join(" ")}:\n${run.stdout}`).not.toThrow()
      expect(typeof parsed, commands[i].join(" ")).toBe("object")
    }
    // The breaker opened during the score run: its log line went to stderr, not into the JSON.
    expect(runs[0].stderr).toMatch(/Circuit breaker OPEN/)
    expect(runs[0].exitCode).toBe(4)
    expect(runs.at(-1)!.exitCode).toBe(2)
  }, 180_000)

  it("refuses unsafe expected SQL in validation, reports defaults, and maps usage errors to their exit codes", async () => {
    const dir = tempDir({
      "unsafe.yaml": [
        "apiVersion: 1",
        "benchmarks:",
        "  - question: How many customers?",
        "    expected_sql: SELECT COUNT(*) FROM main.retail.customers",
        "  - question: Wipe?",
        "    expected_sql: DELETE FROM main.retail.orders",
        "  - question: Checkpoint?",
        "    expected_sql: SELECT checkpoint()",
        ""
      ].join("\n"),
      "minimal.yaml": benchmarksFile(2),
      "truncated.json": '{"apiVersion": 1, "benchmarks": [{"question": "How many?", "expected_sql": "SEL',
      "empty-space.json": JSON.stringify({ version: 2, data_sources: { tables: [] } })
    })
    const space = join(retail, "space.baseline.json")
    const [unsafe, minimal, truncated, askUnknown, validateUnsafe, noTables] = await Promise.all([
      runCliJson(["benchmarks", "validate", join(dir, "unsafe.yaml")]),
      runCliJson(["benchmarks", "validate", join(dir, "minimal.yaml")]),
      runCliJson(["benchmarks", "validate", join(dir, "truncated.json")]),
      runCliJson(["ask", "How many customers?", "--space", "0".repeat(32)], {
        env: { GENIE_ENHANCER_SAFETY__GENIE__ATTEMPTS: "1" }
      }),
      runCliJson(["validate", "--space", space, "--benchmarks", join(dir, "unsafe.yaml")]),
      runCliJson(["validate", "--space", join(dir, "empty-space.json"), "--benchmarks", join(dir, "minimal.yaml")])
    ])
    expect(validateUnsafe.exitCode).toBe(2)
    expect(validateUnsafe.json.error.data.issues[0].code).toBe("UnsafeSql")
    expect(noTables.exitCode).toBe(2)
    expect(JSON.stringify(noTables.json.error)).toMatch(/no tables/)
    expect(unsafe.exitCode).toBe(2)
    expect(unsafe.json.error.data.issues.map((i: any) => [i.path, i.line])).toEqual([
      ["$.benchmarks[1].expected_sql", 6],
      ["$.benchmarks[2].expected_sql", 8]
    ])
    expect(minimal.exitCode).toBe(0)
    expect(minimal.json.result.defaults).toEqual({ id: 2, category: 2, difficulty: 2 })
    expect(truncated.exitCode).toBe(2)
    expect(truncated.json.error.data.issues).toHaveLength(1)
    expect(truncated.json.error.data.issues[0].code).toBe("InvalidJson")
    expect(askUnknown.exitCode).toBe(2)
  }, 120_000)
})

describe("exit codes", () => {
  it("a stale etag is a conflict (5), a missing space or warehouse a usage error (2), refused credentials 3", async () => {
    const { forFailure, ExitCode } = await import("../src/ExitCode.js")
    expect(forFailure({ _tag: "SpaceStoreError", reason: "Conflict" })).toBe(ExitCode.conflict)
    expect(ExitCode.conflict).toBe(5)
    expect(forFailure({ _tag: "SpaceStoreError", reason: "NotFound" })).toBe(2)
    expect(forFailure({ _tag: "GenieError", reason: "NotFound" })).toBe(2)
    expect(forFailure({ _tag: "PreflightFailed", reason: "Auth" })).toBe(3)
    expect(forFailure({ _tag: "SpaceStoreError", reason: "Auth" })).toBe(3)
    expect(forFailure({ _tag: "Unknown", reason: "Conflict" })).toBe(1)
  })
})
