// Acceptance under noise: over N emulator seeds with the Genie simulator's noiseRate, how often the loop accepts
// (a) a plan that changes nothing useful (a text instruction the simulator does not read) and (b) a good plan (the
// curated example's items the baseline lacks). Target: (a) ≤ 1 of 20, (b) ≥ 19 of 20.
//
//   pnpm build && node bench/enhance.bench.mjs [--seeds 20] [--noise 0.1]
import { mkdtempSync } from "node:fs"
import { readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import {
  Benchmark,
  BenchmarkSplit,
  Enhance,
  Evaluator,
  HistoryStore,
  Profile,
  RunStore,
  Safety,
  Space,
  SpaceDiff,
  Stages
} from "../packages/core/dist/index.js"
import { DatabricksWorkspace } from "../packages/databricks/dist/index.js"
import { BatchScorer } from "../packages/scorer-batch/dist/index.js"
import { Emulator } from "../packages/workspace-emulator/dist/index.js"
import { Effect, FetchHttpClient, Layer, NodeContext, Redacted } from "./lib/effect.mjs"

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`)
  return i < 0 ? fallback : Number(process.argv[i + 1])
}
const seeds = arg("seeds", 20)
const noiseRate = arg("noise", 0.1)
const retail = fileURLToPath(new URL("../examples/retail", import.meta.url))
const curated = JSON.parse(readFileSync(join(retail, "space.curated.json"), "utf8"))

const keyOf = (section, item) =>
  section.endsWith("tables")
    ? item.identifier
    : section.endsWith("sql_functions")
      ? `${item.id} ${item.identifier}`
      : item.id
const fix = (change, category) =>
  new Stages.Fix({
    id: `${change.section}[${change.key}]`,
    category,
    target: `${change.section}[${change.key}]`,
    change,
    rationale: "bench",
    sourceBenchmarkIds: []
  })
const apply = (space, plan) =>
  Effect.sync(() => {
    const out = JSON.parse(JSON.stringify(space))
    for (const f of plan.fixes) {
      const path = f.change.section.split(".")
      let node = out
      for (const p of path.slice(0, -1)) node = node[p] ??= {}
      const last = path[path.length - 1]
      node[last] = [...(node[last] ?? []).filter((i) => keyOf(f.change.section, i) !== f.change.key), f.change.value]
    }
    return Space.canonicalize(out)
  })
const goodPlan = (space) =>
  SpaceDiff.diff(space, curated).sections.flatMap((s) =>
    s.section === "version" || s.section === "other"
      ? []
      : [
          ...s.added.map((e) => fix({ section: s.section, key: e.key, value: e.value }, "metadata-add")),
          ...s.changed.map((c) => fix({ section: s.section, key: c.key, value: c.after }, "metadata-add"))
        ]
  )
const id = "0123456789abcdef0123456789abcdef"
const nullPlan = () => [
  fix(
    { section: "instructions.text_instructions", key: id, value: { id, content: ["Answer politely.\n"] } },
    "instruction-fix"
  )
]

const once = (seed, propose) =>
  Effect.scoped(
    Effect.gen(function* () {
      const emulator = yield* Emulator.start({ workspace: retail, seed, simulator: { noiseRate } })
      const profile = Profile.defaults
      const workspace = DatabricksWorkspace.layer({
        config: {
          host: emulator.host,
          credentials: { type: "pat", token: Redacted.make(emulator.token) },
          warehouseId: emulator.warehouseId
        },
        settings: {
          workspace: { ...profile.workspace, sqlExecutor: "statements" },
          safety: {
            ...profile.safety,
            genie: { ...profile.safety.genie, pollIntervalSeconds: 0.05, maxPollIntervalSeconds: 0.1 }
          }
        }
      }).pipe(Layer.provide(FetchHttpClient.layer))
      const stages = Layer.mergeAll(
        Layer.succeed(Stages.PatternLearner, { learn: () => Effect.succeed(new Stages.PatternBook({ patterns: [] })) }),
        Layer.succeed(Stages.Fixer, {
          propose: (input) => Effect.succeed(new Stages.Plan({ fixes: propose(input.space) }))
        }),
        Layer.succeed(Stages.PlanValidator, { validate: (plan) => Effect.succeed(plan) })
      )
      const safetySettings = Safety.settingsFromProfile(
        { ...profile.safety, genie: { ...profile.safety.genie, concurrency: 8 } },
        { limitQuestions: false }
      )
      const layer = Layer.mergeAll(BatchScorer.layer(), stages).pipe(
        Layer.provideMerge(
          Layer.mergeAll(
            Safety.layer(safetySettings),
            Evaluator.layerDeterministic(),
            RunStore.layer(mkdtempSync(join(tmpdir(), "enhance-bench-"))),
            HistoryStore.layerMemory
          )
        ),
        Layer.provideMerge(workspace),
        Layer.provideMerge(NodeContext.layer)
      )
      const file = yield* Benchmark.load(join(retail, "benchmarks.yaml")).pipe(Effect.provide(NodeContext.layer))
      const outcome = yield* Effect.scoped(
        Enhance.run({
          productionSpaceId: emulator.spaceIds[0],
          benchmarks: BenchmarkSplit.assign(file.benchmarks),
          benchmarksFile: "benchmarks.yaml",
          loop: { ...profile.loop, maxIterations: 1, indexingWaitSeconds: 10 },
          profile: "default",
          scorer: "batch",
          target: "local",
          warehouseId: emulator.warehouseId,
          apply
        })
      ).pipe(Effect.provide(layer))
      const first = outcome.candidates[0]
      return {
        accepted: first?.accepted === true,
        questions: first?.genieQuestions ?? 0,
        stoppedEarly: first?.stoppedEarly === true,
        reason: first?.reason ?? "no candidate"
      }
    })
  )

const results = { null: [], good: [] }
for (let seed = 1; seed <= seeds; seed++) {
  for (const [name, propose] of [
    ["null", nullPlan],
    ["good", goodPlan]
  ]) {
    const r = await Effect.runPromise(once(seed, propose))
    results[name].push(r)
    console.error(
      `seed ${seed} ${name}: ${r.accepted ? "accepted" : "rejected"} (${r.questions} questions) ${r.reason}`
    )
  }
}
const summary = Object.fromEntries(
  Object.entries(results).map(([name, rs]) => [
    name,
    {
      accepted: rs.filter((r) => r.accepted).length,
      runs: rs.length,
      meanCandidateQuestions: rs.reduce((a, r) => a + r.questions, 0) / rs.length,
      stoppedEarly: rs.filter((r) => r.stoppedEarly).length
    }
  ])
)
console.log(JSON.stringify({ noiseRate, seeds, summary }, null, 2))
