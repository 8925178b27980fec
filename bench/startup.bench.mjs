// Start-up of the `genie-enhancer` binary: wall time, CPU time and peak memory of commands that should cost little
// (--version, --help) and of commands that load what they use (profiles list loads core but not the SQL parser's
// WebAssembly, which loads on the first SQL call; a score's --help does not load the emulator; profiles show still
// loads every target and provider). Run after `pnpm build` (which writes the oclif manifest):
// `node bench/startup.bench.mjs`.
//
// CPU time (user + system) is printed next to wall time: on a busy machine wall time grows with the load, CPU
// time much less, so the CPU figure is the one to compare across machines.
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync, statSync } from "node:fs"
import { cpus, loadavg } from "node:os"
import { performance } from "node:perf_hooks"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const bin = join(root, "packages/cli/bin/run.js")
const manifest = join(root, "packages/cli/oclif.manifest.json")
const runs = Number(process.env.STARTUP_RUNS ?? 7)
const timeBin = "/usr/bin/time"

if (!existsSync(manifest)) {
  console.error("✗ no oclif.manifest.json: run `pnpm build` first")
  process.exit(1)
}

/** One run: wall ms, CPU ms and peak RSS in MB (from GNU time when the machine has it). */
const measure = (args) => {
  if (existsSync(timeBin)) {
    const started = performance.now()
    const r = spawnSync(timeBin, ["-f", "%U %S %M", process.execPath, bin, ...args], { encoding: "utf8" })
    const wall = performance.now() - started
    const [user, sys, rssKb] = r.stderr.trim().split("\n").pop().split(" ").map(Number)
    return { wall, cpu: (user + sys) * 1000, rss: rssKb / 1024, status: r.status }
  }
  const started = performance.now()
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" })
  return { wall: performance.now() - started, cpu: NaN, rss: NaN, status: r.status }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

const scenarios = [
  { name: "--version", args: ["--version"], target: { wallMs: 300, rssMb: 100 } },
  { name: "--help", args: ["--help"], target: { wallMs: 300, rssMb: 100 } },
  { name: "score --help", args: ["score", "--help"], target: { wallMs: 300, rssMb: 100 } },
  { name: "profiles list", args: ["profiles", "list"] },
  { name: "profiles show", args: ["profiles", "show"] }
]

console.log(
  `start-up of genie-enhancer (${runs} runs each, median; ${cpus().length} cores, load ${loadavg()[0].toFixed(1)})`
)
console.log(
  `manifest written ${new Date(statSync(manifest).mtimeMs).toISOString()}, ${Object.keys(JSON.parse(readFileSync(manifest, "utf8")).commands).length} commands`
)
console.log("scenario".padEnd(16), "wall ms".padStart(8), "cpu ms".padStart(8), "rss MB".padStart(8), " target")
for (const s of scenarios) {
  measure(s.args) // warm the file-system cache
  const samples = Array.from({ length: runs }, () => measure(s.args))
  if (samples.some((x) => x.status !== 0)) throw new Error(`${s.name} failed`)
  const wall = median(samples.map((x) => x.wall))
  const cpu = median(samples.map((x) => x.cpu))
  const rss = median(samples.map((x) => x.rss))
  const target =
    s.target === undefined
      ? ""
      : ` ${wall <= s.target.wallMs && rss <= s.target.rssMb ? "✓" : "✗"} ≤ ${s.target.wallMs} ms and ≤ ${s.target.rssMb} MB`
  console.log(
    s.name.padEnd(16),
    wall.toFixed(0).padStart(8),
    cpu.toFixed(0).padStart(8),
    rss.toFixed(0).padStart(8),
    target
  )
}
