// Accuracy of the Genie simulator on an example's benchmarks, for the baseline and the curated space.
// Build first, then run from the repository root:
//   npx tsc -b packages/workspace-emulator && node examples/measure-accuracy.mjs <retail|gamekpi> [--verbose]
// Every question is answered by the simulator; its SQL and the expected SQL run on the example's warehouse and the
// core comparator decides. packages/workspace-emulator/test/<Example>Accuracy.test.ts asserts the same numbers.
import { readFileSync } from "node:fs"
import { basename } from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { Emulator, GenieSimulator } from "../packages/workspace-emulator/dist/index.js"

const example = process.argv.slice(2).find((a) => !a.startsWith("--")) ?? "retail"
const dir = fileURLToPath(new URL(`./${example}/`, import.meta.url))
const name = basename(dir)
const verbose = process.argv.includes("--verbose")
// The train/holdout split of each benchmark, read from the canonical file's `- id:` and `split:` lines.
const benchmarkSplit = new Map()
let current
for (const line of readFileSync(`${dir}benchmarks.yaml`, "utf8").split("\n")) {
  const id = /^ {2}- id: (\S+)/.exec(line)
  if (id !== null) current = id[1]
  const split = /^ {4}split: (\S+)/.exec(line)
  if (split !== null && current !== undefined) benchmarkSplit.set(current, split[1])
}

const started = performance.now()
const emulator = await Emulator.startPromise({ workspace: dir })
const startMs = performance.now() - started
try {
  const reports = await GenieSimulator.measureAccuracyPromise({
    warehouse: emulator.warehouse,
    spaces: { baseline: `${dir}space.baseline.json`, curated: `${dir}space.curated.json` },
    benchmarks: `${dir}benchmarks.yaml`,
    engine: GenieSimulator.make()
  })
  console.log(`${name} workspace started in ${Math.round(startMs)} ms`)
  for (const report of reports) {
    const percent = ((100 * report.passed) / report.total).toFixed(1)
    const bySplit = ["train", "holdout"].map((split) => {
      const results = report.results.filter((r) => benchmarkSplit.get(r.id) === split)
      return `${split} ${results.filter((r) => r.outcome === "pass").length}/${results.length}`
    })
    console.log(
      `${report.name.padEnd(9)} ${report.passed}/${report.total} passed (${percent} %; ${bySplit.join(", ")})`
    )
    if (!verbose) continue
    for (const r of report.results) {
      const split = benchmarkSplit.get(r.id) ?? ""
      console.log(`  ${r.outcome.padEnd(12)} ${split.padEnd(8)} ${r.id.padEnd(40)} ${r.detail.slice(0, 70)}`)
    }
  }
} finally {
  await emulator.stop()
}
