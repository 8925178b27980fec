import { Benchmark, BenchmarkSplit, Errors, Issue, Safety, ScoreRun } from "@genie-enhancer/core"
import type { ProfileLoader } from "@genie-enhancer/core"
import { Flags } from "@oclif/core"
import { Effect, Stream } from "effect"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { BaseCommand } from "../BaseCommand.js"
import { Progress } from "../Progress.js"
import * as Scoring from "../Scoring.js"
import * as WorkspaceTarget from "../WorkspaceTarget.js"

/** What `score` reports. */
export interface ScoreResult {
  readonly target: WorkspaceTarget.TargetInfo
  readonly runId: string
  readonly runDir: string
  readonly spaceId: string
  readonly benchmarksFile: string
  readonly scorer: string
  readonly summary: ScoreRun.Summary
}

const percent = (x: number | null): string => (x === null ? "n/a" : `${(x * 100).toFixed(1)}%`)

export default class Score extends BaseCommand<ScoreResult> {
  static override summary = "Score a Genie space: ask every benchmark question, compare with the expected SQL."
  static override description =
    "Asks Genie each benchmark question and runs its expected SQL on the warehouse, concurrently and within the " +
    "profile's safety limits (concurrency, retries, rate limit, circuit breaker, timeouts), then compares the " +
    "result sets. Every finished benchmark is appended to .genie-enhancer/runs/<run-id>/journal.jsonl at once; " +
    "--resume <run-id> continues an interrupted run without asking any question twice. The summary " +
    "(results.json) has the score with its 95% Wilson interval, per-category scores and failure categories. With " +
    "no workspace configured it scores the bundled example in a local emulator, and says so. Exits 4 when some " +
    "benchmarks could not be scored (errors), 0 otherwise."
  static override examples = [
    "<%= config.bin %> <%= command.id %>",
    "<%= config.bin %> <%= command.id %> --space 01f0f5c840c118b9824acd167525a768 --benchmarks benchmarks.yaml --target databricks",
    "<%= config.bin %> <%= command.id %> --no-batch --json",
    "<%= config.bin %> <%= command.id %> --resume 20261125-233447-3f9a"
  ]
  static override flags = {
    space: Flags.string({
      char: "s",
      summary: "The Genie space to score (32 hex id). Default with the local target: the example's first space."
    }),
    benchmarks: Flags.string({
      char: "b",
      summary: "Benchmark file (canonical YAML/JSON). Default with the local target: the example's benchmarks.yaml."
    }),
    split: Flags.option({
      options: ["all", "train", "holdout"] as const,
      default: "all" as const,
      summary: "Score only one split (explicit splits, else the seeded 80/20 split)."
    })(),
    "no-batch": Flags.boolean({ summary: "Use the sequential scorer (one benchmark at a time)." }),
    "genie-concurrent": Flags.integer({ summary: "Genie questions at once (safety.genie.concurrency).", min: 1 }),
    "sql-concurrent": Flags.integer({ summary: "SQL statements at once (safety.sql.concurrency).", min: 1 }),
    resume: Flags.string({ summary: "Continue this earlier run: finished benchmarks are not asked again." }),
    "no-cache": Flags.boolean({ summary: "Run every expected SQL even when an earlier run cached its result." }),
    ...WorkspaceTarget.flags
  }

  async run(): Promise<ScoreResult> {
    const { flags } = await this.parse(Score)
    const overrides: Array<ProfileLoader.Override> = [
      ...(flags["no-batch"] ? [{ path: ["scorer", "plugin"], value: "sequential", source: "--no-batch" }] : []),
      ...(flags["genie-concurrent"] === undefined
        ? []
        : [
            { path: ["safety", "genie", "concurrency"], value: flags["genie-concurrent"], source: "--genie-concurrent" }
          ]),
      ...(flags["sql-concurrent"] === undefined
        ? []
        : [{ path: ["safety", "sql", "concurrency"], value: flags["sql-concurrent"], source: "--sql-concurrent" }])
    ]
    const json = this.jsonEnabled()
    const note = (message: string) => {
      if (!json) this.logToStderr(message)
    }
    const { target, value } = await this.runEffect(
      WorkspaceTarget.run(
        {
          flags,
          configDir: this.configDir(flags),
          env: process.env,
          announce: WorkspaceTarget.noteTo(this),
          overrides
        },
        (info, resolved) =>
          Effect.gen(function* () {
            const profile = resolved.profile
            const benchmarksFile = flags.benchmarks ?? defaultBenchmarks(info)
            if (benchmarksFile === undefined) {
              return yield* usage("--benchmarks", "a benchmark file is required with the databricks target")
            }
            const spaceId = flags.space ?? info.spaceIds?.[0]
            if (spaceId === undefined)
              return yield* usage("--space", "a space id is required with the databricks target")
            const file = yield* Benchmark.load(benchmarksFile)
            const benchmarks =
              flags.split === "all"
                ? file.benchmarks
                : BenchmarkSplit.assign(file.benchmarks).filter((b) => b.split === flags.split)
            const judge = Scoring.judgePlan(profile, info.target)
            if (judge.note !== undefined) note(judge.note)

            const progress = new Progress({
              total: benchmarks.length,
              genieSlots: profile.safety.genie.concurrency,
              json,
              tty: process.stderr.isTTY,
              write: (text) => process.stderr.write(text)
            })
            const safety = yield* Safety.Safety
            yield* Effect.forkScoped(
              Stream.runForEach(safety.genie.breaker.events, (event) => Effect.sync(() => progress.onCircuit(event.to)))
            )
            const outcome = yield* ScoreRun.run({
              benchmarks,
              spaceId,
              benchmarksFile,
              profile: resolved.name,
              scorer: profile.scorer.plugin,
              target: info.target === "local" ? "local" : info.host,
              ...(flags["no-cache"] || info.warehouseId === undefined ? {} : { cacheWarehouseId: info.warehouseId }),
              ...(flags.resume === undefined ? {} : { resume: flags.resume }),
              onProgress: (event) => Effect.sync(() => progress.onEvent(event))
            })
            progress.finish()
            return { outcome, spaceId, benchmarksFile, scorer: profile.scorer.plugin }
          }).pipe(Effect.provide(Scoring.layer({ profile: resolved.profile, source: resolved.name, target: info })))
      )
    )
    const { summary } = value.outcome
    this.report(summary, value.outcome.dir)
    const errors = summary.verdicts["error"] ?? 0
    if (errors > 0) {
      this.partial(
        `${errors} benchmark${errors === 1 ? "" : "s"} could not be scored (Genie timed out or was unavailable); ` +
          `run again with --resume ${value.outcome.runId} after fixing the cause, or see ${value.outcome.dir}`
      )
    }
    return {
      target,
      runId: value.outcome.runId,
      runDir: value.outcome.dir,
      spaceId: value.spaceId,
      benchmarksFile: value.benchmarksFile,
      scorer: value.scorer,
      summary
    }
  }

  private report(summary: ScoreRun.Summary, dir: string): void {
    const o = summary.overall
    this.log(
      `Score ${percent(o.score)} (${o.passed}/${o.scored} passed; 95% CI ${percent(o.low)}–${percent(o.high)})` +
        `${summary.verdicts["excluded"] === undefined ? "" : `, ${summary.verdicts["excluded"]} excluded (expected SQL failed)`}`
    )
    for (const [category, s] of Object.entries(summary.byCategory)) {
      this.log(`  ${category.padEnd(16)} ${percent(s.score).padStart(6)}  ${s.passed}/${s.scored}`)
    }
    const verdicts = Object.entries(summary.verdicts)
      .map(([v, n]) => `${v} ${n}`)
      .join(", ")
    this.log(`Verdicts: ${verdicts}${summary.resumed > 0 ? ` (${summary.resumed} from the earlier attempt)` : ""}`)
    const failures = Object.entries(summary.failureCategories)
    if (failures.length > 0) this.log(`Failure categories: ${failures.map(([c, n]) => `${c} ${n}`).join(", ")}`)
    if (summary.evaluation.neededJudge > 0) {
      this.log(
        `Inconclusive for the comparator: ${summary.evaluation.neededJudge} (judge decided ${summary.evaluation.judgeDecided})`
      )
    }
    const absorbed = summary.safety?.rateLimitedAbsorbed ?? 0
    this.log(
      `Wall time ${(summary.wallMs / 1000).toFixed(1)}s · Genie attempts ${summary.attempts.total}` +
        `${absorbed > 0 ? ` · ${absorbed} rate-limit refusals absorbed` : ""}` +
        `${(summary.safety?.circuitEvents.length ?? 0) > 0 ? ` · ${summary.safety?.circuitEvents.length} circuit events` : ""}`
    )
    this.log(`Run recorded in ${dir}`)
  }
}

/** The example's benchmarks file, with the local target. */
const defaultBenchmarks = (info: WorkspaceTarget.TargetInfo): string | undefined => {
  if (info.exampleDir === undefined) return undefined
  const file = join(info.exampleDir, "benchmarks.yaml")
  return existsSync(file) ? file : undefined
}

const usage = (flag: string, message: string) =>
  new Errors.ConfigInvalid({ source: flag, issues: [Issue.error("Required", "$", message)] })
