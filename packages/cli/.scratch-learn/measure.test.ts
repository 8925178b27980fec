import { it } from "@effect/vitest"
import { Benchmark, BenchmarkSplit, PlanApply, PlanValidation, RulesFixer, Space, SqlGroundedLearner, Stages } from "@genie-enhancer/core"
import { Emulator, GenieSimulator } from "@genie-enhancer/workspace-emulator"
import { Effect } from "effect"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"

const example = process.env.EX ?? "gamekpi"
const dir = join("/work/main/examples", example)

it.scoped("measure", () =>
  Effect.gen(function* () {
    const emulator = yield* Emulator.start({ workspace: dir })
    const executor = Stages.Executor.of({
      execute: (sql) =>
        emulator.warehouse.query(sql).pipe(
          Effect.map((r) => new Stages.ResultSet({ columns: r.columns.map((c) => new Stages.Column({ name: c.name, typeName: c.typeName })), rows: r.rows, rowCount: r.rows.length, truncated: false, elapsedMs: 0 })),
          Effect.mapError((e) => new Stages.SqlFailed({ message: e.message, retryable: false, rateLimited: false, callerError: true }))
        )
    })
    const file = yield* Benchmark.parse(readFileSync(join(dir, "benchmarks.yaml"), "utf8"), "benchmarks.yaml")
    const all = BenchmarkSplit.assign(file.benchmarks)
    const train = BenchmarkSplit.trainSet(all)
    const baseline = yield* Space.parse(readFileSync(join(dir, "space.baseline.json"), "utf8"))
    const book = yield* SqlGroundedLearner.learn(executor, { train, space: baseline })
    const plan = yield* PlanValidation.make(executor)(RulesFixer.propose({ failures: [], patterns: book, space: baseline, train }), { space: baseline, benchmarks: all })
    const generated = PlanApply.apply(baseline, process.env.RAW ? new Stages.Plan({ fixes: RulesFixer.propose({ failures: [], patterns: book, space: baseline, train }).fixes, rejected: [] }) : plan)
    const reports = yield* GenieSimulator.measureAccuracy({ warehouse: emulator.warehouse, spaces: [{ name: "baseline", space: baseline }, { name: "generated", space: generated }], benchmarks: all, engine: GenieSimulator.make({}) })
    const split = new Map(all.map((b) => [b.id, b.split]))
    const q = new Map(all.map((b) => [b.id, b.question]))
    const lines: string[] = []
    for (const p of book.patterns) lines.push(`PATTERN ${p.kind} ${p.description}`)
    for (const f of plan.fixes) lines.push(`FIX ${f.category} ${f.target} ${JSON.stringify(f.change)}`)
    for (const r of plan.rejected) lines.push(`REJECTED ${r.code} ${r.reason} ${r.fix.target}`)
    for (const r of reports) {
      const passed = (s: string) => r.results.filter((x) => split.get(x.id) === s && x.outcome === "pass").length
      lines.push(`== ${r.name} train ${passed("train")} holdout ${passed("holdout")}`)
      if (r.name === "generated") for (const x of r.results) lines.push(`  ${x.outcome.padEnd(10)} ${split.get(x.id)} ${x.id} | ${q.get(x.id)} | ${x.detail.slice(0, 300)}`)
    }
    writeFileSync(`/tmp/measure-${example}.txt`, lines.join("\n"))
    writeFileSync(`/tmp/space-${example}.json`, JSON.stringify(generated, null, 1))
    console.log(lines.filter((l) => l.startsWith("==")).join("\n"))
  })
)
