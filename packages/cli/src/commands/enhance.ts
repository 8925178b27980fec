import type { Enhance as EnhanceNs, ProfileLoader } from "@genie-enhancer/core"
import { Flags } from "@oclif/core"
import { Effect } from "effect"
import { BaseCommand } from "../BaseCommand.js"
import { exampleBenchmarks } from "../Locations.js"
import * as WorkspaceTarget from "../WorkspaceTarget.js"

/** What `enhance` reports. */
export interface EnhanceResult {
  readonly target: WorkspaceTarget.TargetInfo
  readonly outcome: Omit<EnhanceNs.Outcome, "bestSpace" | "baseSpace">
  readonly promotion?: unknown
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`
const ci = (s: EnhanceNs.ScoreCI) => `${pct(s.score)} [${pct(s.low)}–${pct(s.high)}] (n=${s.n})`

export default class EnhanceCommand extends BaseCommand<EnhanceResult> {
  static override summary = "Improve a Genie space on dev copies: score, learn, fix, rescore, accept only what helps."
  static override description =
    "Copies the production space into two dev spaces (working and best), scores the benchmarks (train and holdout), " +
    "then iterates: learn patterns from the train split, plan fixes, validate them, apply them to the working space, " +
    "wait until it serves them, rescore train and accept the candidate only when the paired per-benchmark outcomes " +
    "say it is better (loop.acceptance, loop.gates). The holdout is scored at the start and once at the end, never " +
    "to choose fixes. Production is not touched unless --promote (snapshot, etag, three-way merge). Dev spaces are " +
    "deleted at the end, also on failure and Ctrl+C, unless --keep. The run directory gets report.html and report.md " +
    "(`report <run-id>` renders them again, or as JUnit or JSON). Without --warehouse-id the space's own SQL " +
    "warehouse is used. With no arguments it enhances the bundled retail example offline."
  static override examples = [
    "<%= config.bin %> <%= command.id %>",
    "<%= config.bin %> <%= command.id %> --space 01f0f5c840c118b9824acd167525a768 --benchmarks benchmarks.yaml --target databricks",
    "<%= config.bin %> <%= command.id %> --resume 20261125-233447-3f9a",
    "<%= config.bin %> <%= command.id %> --promote --json"
  ]
  static override flags = {
    space: Flags.string({
      char: "s",
      summary: "The production Genie space (32 hex id). Default: the example's baseline."
    }),
    benchmarks: Flags.string({ char: "b", summary: "Benchmark file. Default with the local target: the example's." }),
    promote: Flags.boolean({ summary: "Promote the best configuration to production when the run allows it." }),
    keep: Flags.boolean({ summary: "Keep the dev spaces when the run ends." }),
    resume: Flags.string({ summary: "Continue this crashed or interrupted run at the step it reached." }),
    "max-iterations": Flags.integer({ summary: "loop.maxIterations", min: 1 }),
    ...WorkspaceTarget.flags
  }

  async run(): Promise<EnhanceResult> {
    const { flags } = await this.parse(EnhanceCommand)
    const json = this.jsonEnabled()
    const say = (message: string) => (json ? undefined : this.logToStderr(message))
    const overrides: Array<ProfileLoader.Override> =
      flags["max-iterations"] === undefined
        ? []
        : [{ path: ["loop", "maxIterations"], value: flags["max-iterations"], source: "--max-iterations" }]
    const wiring = await import("../EnhanceWiring.js")
    const attempt = (more: ReadonlyArray<ProfileLoader.Override>, announce?: (note: string) => void) =>
      this.runEffect(
        WorkspaceTarget.runWithStages(
          {
            flags,
            configDir: this.configDir(flags),
            env: process.env,
            overrides: [...overrides, ...more],
            ...(announce === undefined ? {} : { announce })
          },
          (info, resolved) =>
            wiring.runEnhance({
              info,
              resolved,
              space: flags.space,
              benchmarks: flags.benchmarks ?? exampleBenchmarks(info),
              promote: flags.promote,
              keep: flags.keep,
              resume: flags.resume,
              say: (m) => Effect.sync(() => say(m))
            })
        )
      )
    let ran = await attempt([])
    if (ran.value._tag === "NeedsWarehouse") {
      // No warehouse configured: every stage that runs SQL is built again on the space's own (as `score` does).
      const { spaceId, warehouseId } = ran.value
      say(`Using the space's own SQL warehouse ${warehouseId}.`)
      ran = await attempt([wiring.warehouseOverride(spaceId, warehouseId)], () => undefined)
    }
    const { target, value } = ran
    if (value._tag === "NeedsWarehouse") return this.error("the space's SQL warehouse was not taken", { exit: 1 })
    const o = value.outcome
    this.log(`Run ${o.runId}: stopped on ${o.stopReason} after ${o.iterations} iteration(s)`)
    this.log(`  train    baseline ${ci(o.baseline.train)}  →  best ${ci(o.best.train)}`)
    this.log(`  holdout  baseline ${ci(o.baseline.holdout)}  →  best ${ci(o.best.holdout)}`)
    const accepted = o.fixes.filter((f) => f.status === "accepted").length
    this.log(
      `  fixes    ${accepted} accepted, ${o.fixes.length - accepted} rejected · Genie questions ${o.genieQuestions.total} ` +
        `(baseline ${o.genieQuestions.baseline}, iterations ${o.genieQuestions.iterations.join("+") || 0}, final ${o.genieQuestions.final}` +
        `${o.genieQuestions.perAcceptedFix === null ? "" : `, ${o.genieQuestions.perAcceptedFix.toFixed(1)} per accepted fix`})`
    )
    for (const c of o.candidates) {
      this.log(
        `    ${c.candidate.padEnd(6)} ${c.accepted ? "accepted" : "rejected"}  ${c.fixIds.length} fixes  ${c.genieQuestions} q  ${c.reason}`
      )
    }
    if (o.excluded.length > 0)
      this.log(`  excluded ${o.excluded.map((e) => `${e.benchmarkId} (${e.reason})`).join(", ")}`)
    this.log(`  promotion: ${o.promotable.allowed ? "allowed" : "not allowed"} — ${o.promotable.reason}`)
    if (value.promotion !== undefined) this.log(`  promoted: ${JSON.stringify(value.promotion)}`)
    else if (o.promotable.allowed) this.log(`  promote with: genie-enhancer promote --run ${o.runId}`)
    this.log(`Run recorded in ${o.dir}`)
    // Where the report is (or why there is none), on stderr so --json's stdout stays one document.
    if (json) process.stderr.write(`${value.reportNote}\n`)
    else this.logToStderr(value.reportNote)
    const { bestSpace: _b, baseSpace: _s, ...rest } = o
    return { target, outcome: rest, ...(value.promotion === undefined ? {} : { promotion: value.promotion }) }
  }
}
