// Accuracy of the Genie simulator on the retail benchmarks, for the baseline and the curated space.
// Build first, then run from the repository root:
//   npx tsc -b packages/workspace-emulator && node examples/retail/measure-accuracy.mjs [--verbose]
// Every question is answered by the simulator; its SQL and the expected SQL run on the example's warehouse and the
// core comparator decides. packages/workspace-emulator/test/RetailAccuracy.test.ts asserts the same numbers.
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { Emulator, GenieSimulator } from "../../packages/workspace-emulator/dist/index.js"

const dir = fileURLToPath(new URL(".", import.meta.url))
const verbose = process.argv.includes("--verbose")

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
  console.log(`retail workspace started in ${Math.round(startMs)} ms`)
  for (const report of reports) {
    const percent = ((100 * report.passed) / report.total).toFixed(1)
    console.log(`${report.name.padEnd(9)} ${report.passed}/${report.total} passed (${percent} %)`)
    if (!verbose) continue
    for (const r of report.results) console.log(`  ${r.outcome.padEnd(12)} ${r.id.padEnd(36)} ${r.detail.slice(0, 70)}`)
  }
} finally {
  await emulator.stop()
}
