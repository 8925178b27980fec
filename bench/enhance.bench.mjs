// Acceptance under noise and what candidates cost: over N emulator seeds with the Genie simulator's noiseRate, one
// loop iteration with a scripted plan:
//   null     a plan that changes nothing useful (a text instruction the simulator does not read)
//   good     the curated example's items the baseline lacks
//   harmful  removes the table most train benchmarks query (breaks what the baseline answers from it)
//   mixed    the good plan plus the harmful fix: rejected whole, then bisected
// Target: null accepted in ≤ 1 of 20 seeds, good in ≥ 19. Also reported: Genie questions per rejected candidate
// against a full train rescore, per accepted fix, per run, and wall time.
//
//   pnpm build && node bench/enhance.bench.mjs [--seeds 20] [--noise 0.1] [--plans null,good,harmful,mixed]
import { mkdtempSync } from "node:fs"
import { readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import {
  Benchmark,
  BenchmarkSplit,
  Composition,
  Enhance,
  HistoryStore,
  Space,
  SpaceDiff,
  Stages,
  Workspace
} from "../packages/core/dist/index.js"
import { Effect, Layer, NodeContext } from "./lib/effect.mjs"
import * as BenchTarget from "./lib/target.mjs"

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
      const kept = (node[last] ?? []).filter((i) => keyOf(f.change.section, i) !== f.change.key)
      node[last] = f.change.value === null ? kept : [...kept, f.change.value]
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
// The harmful fix removes the space's table that most train benchmarks' expected SQL name (chosen from the data,
// not by hand).
const file = await Effect.runPromise(
  Benchmark.load(join(retail, "benchmarks.yaml")).pipe(Effect.provide(NodeContext.layer))
)
const benchmarks = BenchmarkSplit.assign(file.benchmarks)
const trainCount = benchmarks.filter((b) => b.split !== "holdout").length
const baseline = JSON.parse(readFileSync(join(retail, "space.baseline.json"), "utf8"))
const mostUsedTable = baseline.data_sources.tables
  .map((t) => ({
    identifier: t.identifier,
    uses: benchmarks.filter(
      (b) => b.split !== "holdout" && new RegExp(`\\b${t.identifier.split(".").pop()}\\b`, "i").test(b.expected_sql)
    ).length
  }))
  .sort((a, b) => b.uses - a.uses)[0].identifier
const harmfulFix = () =>
  new Stages.Fix({
    id: `data_sources.tables[${mostUsedTable}]#remove`,
    category: "metadata-delete",
    target: `data_sources.tables[${mostUsedTable}]`,
    change: { section: "data_sources.tables", key: mostUsedTable, value: null },
    rationale: "bench",
    sourceBenchmarkIds: []
  })
const plans = {
  null: nullPlan,
  good: goodPlan,
  harmful: () => [harmfulFix()],
  mixed: (space) => [...goodPlan(space).filter((f) => f.change.key !== mostUsedTable), harmfulFix()]
}

// One run: every service from core's composition root for the default profile (batch scorer, deterministic
// evaluator, policies with Genie concurrency 8), against an emulator of the retail example started for the run by
// the bench's workspace target (not spacing questions, as the CLI's local target); the plan is scripted.
const once = (seed, propose) =>
  Effect.scoped(
    Effect.gen(function* () {
      const services = BenchTarget.layer({
        emulator: { workspace: retail, seed, simulator: { noiseRate } },
        limitsQuestions: false,
        overrides: {
          "runs.dir": mkdtempSync(join(tmpdir(), "enhance-bench-")),
          "safety.genie.concurrency": 8,
          "safety.genie.pollIntervalSeconds": 0.1,
          "safety.genie.maxPollIntervalSeconds": 0.1
        }
      })
      const stages = Layer.mergeAll(
        Layer.succeed(Stages.PatternLearner, { learn: () => Effect.succeed(new Stages.PatternBook({ patterns: [] })) }),
        Layer.succeed(Stages.Fixer, {
          propose: (input) => Effect.succeed(new Stages.Plan({ fixes: propose(input.space) }))
        }),
        Layer.succeed(Stages.PlanValidator, { validate: (plan) => Effect.succeed(plan) }),
        HistoryStore.layerMemory
      )
      const outcome = yield* Effect.gen(function* () {
        const info = yield* Workspace.Target
        const { profile } = (yield* Composition.Loaded).context
        return yield* Effect.scoped(
          Enhance.run({
            productionSpaceId: info.spaceIds[0],
            benchmarks,
            benchmarksFile: "benchmarks.yaml",
            loop: { ...profile.loop, maxIterations: 1, indexingWaitSeconds: 10 },
            profile: "default",
            scorer: profile.scorer.plugin,
            target: "local",
            warehouseId: info.warehouseId,
            apply
          })
        )
      }).pipe(Effect.provide(Layer.provideMerge(stages, services)), Effect.provide(NodeContext.layer))
      const first = outcome.candidates[0]
      return {
        accepted: first?.accepted === true,
        questions: first?.genieQuestions ?? 0,
        stoppedEarly: first?.stoppedEarly === true,
        reason: first?.reason ?? "no candidate",
        candidates: outcome.candidates.map((c) => ({
          candidate: c.candidate,
          accepted: c.accepted,
          questions: c.genieQuestions,
          fixes: c.fixIds.length,
          reason: c.reason
        })),
        acceptedFixes: outcome.fixes.filter((f) => f.status === "accepted").length,
        iterationQuestions: outcome.genieQuestions.iterations.reduce((a, b) => a + b, 0),
        total: outcome.genieQuestions.total,
        wallMs: outcome.wallMs,
        stageTimes: outcome.stageTimes
      }
    })
  )

const chosen = (
  process.argv.includes("--plans") ? process.argv[process.argv.indexOf("--plans") + 1] : "null,good,harmful,mixed"
).split(",")
const results = Object.fromEntries(chosen.map((name) => [name, []]))
for (let seed = 1; seed <= seeds; seed++) {
  for (const name of chosen) {
    const r = await Effect.runPromise(once(seed, plans[name]))
    results[name].push(r)
    console.error(
      `seed ${seed} ${name}: ${r.accepted ? "accepted" : "rejected"} (${r.questions} questions; ${r.candidates.length} candidates, ${r.total} in all, ${r.wallMs} ms) ${r.reason}`
    )
  }
}
const mean = (xs) => (xs.length === 0 ? null : Number((xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1)))
const summary = Object.fromEntries(
  Object.entries(results).map(([name, rs]) => {
    const candidates = rs.flatMap((r) => r.candidates)
    const fixes = rs.reduce((a, r) => a + r.acceptedFixes, 0)
    return [
      name,
      {
        accepted: rs.filter((r) => r.accepted).length,
        runs: rs.length,
        meanCandidateQuestions: mean(rs.map((r) => r.questions)),
        stoppedEarly: rs.filter((r) => r.stoppedEarly).length,
        candidatesPerRun: mean(rs.map((r) => r.candidates.length)),
        questionsPerRejectedCandidate: mean(candidates.filter((c) => !c.accepted).map((c) => c.questions)),
        questionsPerAcceptedCandidate: mean(candidates.filter((c) => c.accepted).map((c) => c.questions)),
        questionsPerAcceptedFix:
          fixes === 0 ? null : Number((rs.reduce((a, r) => a + r.iterationQuestions, 0) / fixes).toFixed(1)),
        totalQuestionsPerRun: mean(rs.map((r) => r.total)),
        wallMsPerRun: mean(rs.map((r) => r.wallMs)),
        rescoreMsPerRun: mean(rs.map((r) => r.stageTimes.find((t) => t.stage === "rescore")?.ms ?? 0))
      }
    ]
  })
)
const rejected = Object.values(results).flatMap((rs) => rs.flatMap((r) => r.candidates.filter((c) => !c.accepted)))
console.log(
  JSON.stringify(
    {
      noiseRate,
      seeds,
      fullRescore: trainCount,
      questionsPerRejectedCandidate: mean(rejected.map((c) => c.questions)),
      rejectedCandidates: rejected.length,
      summary
    },
    null,
    2
  )
)
