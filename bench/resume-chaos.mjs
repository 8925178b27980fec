// Run-integrity scenarios on the emulator (issue 12), with the real CLI in child processes and the emulator in this
// process (so it outlives every killed run, like a real workspace):
//
//   node bench/resume-chaos.mjs chaos  [--kills 20] [--scale 0.1] [--seed 7]
//     A 55-benchmark run of the default profile on the retail example, Genie answers taking 3 × 2.5 s (`genie.stepMs`,
//     scaled by `timeScale`), killed at `--kills` random points (SIGKILL and SIGINT alternating at random, between and
//     during questions) and resumed each time; then resumed to the end. Reports questions asked twice and whether
//     the final verdicts equal a fault-free, uninterrupted run's.
//
//   node bench/resume-chaos.mjs faults [--scale 0.1]
//     The same 55 benchmarks with 10 % 5xx and 5 % hangs on Genie and on SQL statements and a Genie limit of
//     5 questions/min, against the fault-free run: benchmarks lost (errors) and verdicts that differ, questions
//     asked twice and the requests the emulator left hanging. The limit is a real minute (the emulator does not
//     scale it), so this takes about 12 minutes.
//
// Needs a build (`pnpm build`). Prints one JSON line of figures at the end; bench/README.md records them.
import { spawn } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { clearTimeout, setTimeout } from "node:timers"
import { fileURLToPath } from "node:url"
import { Effect } from "./lib/effect.mjs"
import { Emulator } from "../packages/workspace-emulator/dist/index.js"

const root = fileURLToPath(new URL("..", import.meta.url))
const bin = join(root, "packages/cli/bin/run.js")
const retail = join(root, "examples/retail")
const space = "ce86877f1287b94460c35a25f2d65bca"

const args = process.argv.slice(2)
const mode = args[0] ?? "chaos"
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(args[i + 1])
}
const kills = option("kills", 20)
const scale = option("scale", 0.1)
let seed = option("seed", 7)
// mulberry32: the same seed, the same kill points.
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const envFor = (emulator, runs) => ({
  ...process.env,
  NO_COLOR: "1",
  DATABRICKS_HOST: emulator.host,
  DATABRICKS_TOKEN: emulator.token,
  DATABRICKS_CONFIG_FILE: join(runs, "none"),
  GENIE_ENHANCER_RUNS__DIR: runs,
  GENIE_ENHANCER_SAFETY__GENIE__POLL_INTERVAL_SECONDS: String(Math.max(0.05, 1 * scale)),
  GENIE_ENHANCER_SAFETY__GENIE__MAX_POLL_INTERVAL_SECONDS: String(Math.max(0.1, 5 * scale))
})

/** Runs `score` until it exits, or kills it with `signal` after `afterMs`. */
const score = (extra, env, kill) =>
  new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(process.execPath, [bin, "score", ...extra, "--json"], { cwd: root, env })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (c) => (stdout += c))
    child.stderr.on("data", (c) => (stderr += c))
    const timer = kill === undefined ? undefined : setTimeout(() => child.kill(kill.signal), kill.afterMs)
    child.on("exit", (code, signal) => {
      if (timer !== undefined) clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started })
    })
  })

const args0 = ["--target", "databricks", "--space", space, "--benchmarks", join(retail, "benchmarks.yaml")]

const verdictsOf = (runs) => {
  const [runId] = readdirSync(join(runs, "runs"))
  const byId = {}
  for (const line of readFileSync(join(runs, "runs", runId, "journal.jsonl"), "utf8").split("\n")) {
    if (line.trim() === "") continue
    let entry
    try {
      entry = JSON.parse(line)
    } catch {
      continue
    }
    if (entry.benchmarkId !== undefined) byId[entry.benchmarkId] = entry.verdict.outcome
  }
  return { runId, byId }
}

const asked = async (emulator) => (await Effect.runPromise(emulator.questions)).map((q) => q.question)
const duplicates = (questions) => questions.filter((q, i) => questions.indexOf(q) !== i).length

const reference = async (faults) => {
  const emulator = await Emulator.startPromise({ workspace: retail, faults })
  try {
    const runs = mkdtempSync(join(tmpdir(), "chaos-ref-"))
    const run = await score(args0, envFor(emulator, runs))
    if (run.code !== 0 && run.code !== 4) throw new Error(`reference run exited ${run.code}: ${run.stderr}`)
    return { ...verdictsOf(runs), ms: run.ms, summary: JSON.parse(run.stdout).result.summary }
  } finally {
    await emulator.stop()
  }
}

const compare = (a, b) => Object.keys(a).filter((id) => a[id] !== b[id])

if (mode === "chaos") {
  const timing = { timeScale: scale, genie: { stepMs: 2500 } }
  const ref = await reference(timing)
  const emulator = await Emulator.startPromise({ workspace: retail, faults: timing })
  try {
    const runs = mkdtempSync(join(tmpdir(), "chaos-"))
    const env = envFor(emulator, runs)
    const signals = { SIGKILL: 0, SIGINT: 0 }
    const interruptions = []
    let runId
    for (let i = 0; i < kills; i++) {
      const signal = random() < 0.5 ? "SIGKILL" : "SIGINT"
      // Somewhere in the run: start-up takes ~1–3 s, a question (3 steps) ~7.5 s × scale.
      const afterMs = Math.round(1500 + random() * (ref.ms / 8))
      const run = await score(runId === undefined ? args0 : ["--resume", runId], env, { signal, afterMs })
      signals[signal]++
      if (runId === undefined && existsSync(join(runs, "runs"))) runId = readdirSync(join(runs, "runs"))[0]
      const journal = runId === undefined ? { byId: {} } : verdictsOf(runs)
      interruptions.push({ signal, afterMs, exit: run.code ?? run.signal, finished: Object.keys(journal.byId).length })
      if (run.code === 0 || run.code === 4) break
    }
    const last = await score(runId === undefined ? args0 : ["--resume", runId], env)
    const final = verdictsOf(runs)
    const questions = await asked(emulator)
    const figures = {
      scenario: "chaos",
      benchmarks: Object.keys(ref.byId).length,
      interruptions: interruptions.length,
      signals,
      finalExit: last.code,
      questionsAsked: questions.length,
      askedTwice: duplicates(questions),
      verdictsDiffering: compare(ref.byId, final.byId),
      referenceScore: ref.summary.overall,
      finalScore: JSON.parse(last.stdout).result.summary.overall,
      timeScale: scale
    }
    console.error(
      interruptions.map((r) => `${r.signal} after ${r.afterMs} ms → ${r.exit}, ${r.finished} done`).join("\n")
    )
    console.log(JSON.stringify(figures))
  } finally {
    await emulator.stop()
  }
} else if (mode === "faults") {
  const ref = await reference({ timeScale: scale })
  const faults = {
    seed: 11,
    timeScale: scale,
    genie: { errorRate: 0.1, errorStatus: 503, hangRate: 0.05, questionsPerMinute: 5 },
    statements: { errorRate: 0.1, errorStatus: 503, hangRate: 0.05 }
  }
  // Requests the emulator left hanging, by endpoint (its 503s are not reported).
  const hung = {}
  const onRequestHung = (request) => {
    const endpoint = `${request.method} ${request.path.replace(/\/[0-9a-f-]{16,}/g, "/:id")}`
    hung[endpoint] = (hung[endpoint] ?? 0) + 1
  }
  const emulator = await Emulator.startPromise({ workspace: retail, faults, onRequestHung })
  try {
    const runs = mkdtempSync(join(tmpdir(), "faults-"))
    const run = await score(args0, envFor(emulator, runs))
    const faulted = verdictsOf(runs)
    const summary = JSON.parse(run.stdout).result.summary
    const questions = await asked(emulator)
    console.log(
      JSON.stringify({
        scenario: "faults",
        benchmarks: Object.keys(ref.byId).length,
        exit: run.code,
        wallS: Math.round(run.ms / 1000),
        lost: Object.values(faulted.byId).filter((v) => v === "error").length,
        verdictsDiffering: compare(ref.byId, faulted.byId),
        askedTwice: duplicates(questions),
        requestsHung: hung,
        circuitEvents: summary.safety?.circuitEvents.length ?? 0,
        rateLimitedAbsorbed: summary.safety?.rateLimitedAbsorbed ?? 0,
        genieAttempts: summary.attempts.total,
        score: summary.overall,
        referenceScore: ref.summary.overall
      })
    )
  } finally {
    await emulator.stop()
  }
} else {
  console.error(`unknown scenario ${mode}: chaos or faults`)
  process.exit(2)
}
