import type { FileSystem } from "@effect/platform"
import type { Composition, ProfileLoader } from "@genie-enhancer/core"
import type { Scope } from "effect"
import { ScoreRun, Stages, UsageLedger } from "@genie-enhancer/core"
import { Flags } from "@oclif/core"
import { Effect, Schema } from "effect"
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { BaseCommand } from "../BaseCommand.js"
import * as WorkspaceTarget from "../WorkspaceTarget.js"
import type { Failure, LearnFlags } from "./learn.js"
import { learnFlags, learnFrom } from "./learn.js"

/** What `plan` reports. */
export interface PlanResult {
  readonly target: WorkspaceTarget.TargetInfo
  readonly planFile: string
  readonly runId?: string
  readonly plan: Stages.Plan
  /** LLM calls, tokens and cost per stage (`judge`, `fix`, …) of this command. */
  readonly usage?: UsageLedger.Report
}

export default class PlanCommand extends BaseCommand<PlanResult> {
  static override summary = "Learn from the train benchmarks and propose a validated plan of configuration changes."
  static override description =
    "Learns the pattern book (as `learn`), runs the profile's fixers (fix.fixers, default rules) on it with the " +
    "failures of a score run (--run <id>, else the train split is scored first) and validates the plan: every SQL " +
    "fragment parses, is read-only and runs, references exist, nothing duplicates or leaks a benchmark. Writes the " +
    "plan file (JSON: fixes and rejected fixes with their reasons) for review; `apply` applies it."
  static override examples = [
    "<%= config.bin %> <%= command.id %> --out plan.json",
    "<%= config.bin %> <%= command.id %> --run 20261125-233447-3f9a --out plan.json --json",
    "<%= config.bin %> <%= command.id %> --fixer rules,llm"
  ]
  static override flags = {
    ...learnFlags,
    out: Flags.string({ char: "o", summary: "Plan file to write (default .genie-enhancer/plans/plan-<time>.json)." }),
    fixer: Flags.string({
      summary: "Fixers in order, comma-separated (overrides fix.fixers): rules, llm or rules,llm."
    })
  }

  async run(): Promise<PlanResult> {
    const { flags } = await this.parse(PlanCommand)
    const out = resolve(
      flags.out ?? `.genie-enhancer/plans/plan-${new Date().toISOString().replace(/[:.]/g, "-")}.json`
    )
    const { target, value } = await this.runEffect(
      WorkspaceTarget.runWithStages(
        {
          flags,
          configDir: this.configDir(flags),
          env: process.env,
          overrides:
            flags.fixer === undefined
              ? []
              : [{ path: ["fix", "fixers"], value: flags.fixer.split(",").map((f) => f.trim()), source: "--fixer" }]
        },
        (info, resolved) => planFrom(flags, info, resolved)
      )
    )
    mkdirSync(dirname(out), { recursive: true })
    writeFileSync(out, `${JSON.stringify(Schema.encodeSync(Stages.Plan)(value.plan), null, 2)}\n`)
    for (const fix of value.plan.fixes) this.log(`+ ${fix.category.padEnd(20)} ${fix.target}  [${fix.risk}]`)
    for (const r of value.plan.rejected)
      this.log(`✗ ${r.fix.category.padEnd(20)} ${r.fix.target}  ${r.code}: ${r.reason}`)
    for (const [stage, t] of Object.entries(value.usage?.byStage ?? {}))
      this.log(
        `LLM ${stage}: ${t.calls} call(s), ${t.inputTokens + t.outputTokens} tokens, $${t.costUsd.toFixed(4)}${t.unpricedCalls > 0 ? " (some calls unpriced)" : ""}`
      )
    this.log(`${value.plan.fixes.length} fixes, ${value.plan.rejected.length} rejected; plan written to ${out}`)
    return {
      target,
      planFile: out,
      ...(value.runId === undefined ? {} : { runId: value.runId }),
      plan: value.plan,
      ...(value.usage === undefined ? {} : { usage: value.usage })
    }
  }
}

/**
 * `plan`'s wiring: learn, score the train split when no run is given, propose with the profile's fixers (in order)
 * and validate.
 */
export const planFrom = (
  flags: LearnFlags,
  info: WorkspaceTarget.TargetInfo,
  resolved: ProfileLoader.ResolvedProfile
): Effect.Effect<
  { readonly plan: Stages.Plan; readonly runId?: string; readonly usage?: UsageLedger.Report },
  Failure,
  Composition.EnhanceServices | FileSystem.FileSystem | Scope.Scope
> =>
  Effect.gen(function* () {
    const profile = resolved.profile
    let runId = flags.run
    let failures: ReadonlyArray<Stages.BenchmarkResult> = []
    const learnt = yield* learnFrom(flags, info)
    if (runId !== undefined) failures = learnt.results
    else if (learnt.spaceId !== undefined) {
      const outcome = yield* ScoreRun.run({
        benchmarks: learnt.train,
        spaceId: learnt.spaceId,
        benchmarksFile: resolve(learnt.benchmarksFile),
        profile: resolved.name,
        scorer: profile.scorer.plugin,
        target: info.target === "local" ? "local" : info.host
      })
      runId = outcome.runId
      failures = outcome.results
    }
    const fixer = yield* Stages.Fixer
    const proposed = yield* fixer.propose({ failures, patterns: learnt.book, space: learnt.space, train: learnt.train })
    const validator = yield* Stages.PlanValidator
    const plan = yield* validator.validate(proposed, { space: learnt.space, benchmarks: learnt.benchmarks })
    const usage = yield* Effect.flatMap(UsageLedger.UsageLedger, (ledger) => ledger.report)
    return { plan, usage, ...(runId === undefined ? {} : { runId }) }
  })
