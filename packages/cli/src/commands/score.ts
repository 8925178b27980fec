import {
  Benchmark,
  BenchmarkSplit,
  Composition,
  Errors,
  Issue,
  Preflight,
  ProfileLoader,
  RunStore,
  Safety,
  ScoreRun,
  SummaryText
} from "@genie-enhancer/core"
import { Reports } from "@genie-enhancer/report"
import { Flags } from "@oclif/core"
import { Effect, Stream } from "effect"
import { resolve } from "node:path"
import { BaseCommand, TaggedFailure } from "../BaseCommand.js"
import { ExitCode } from "../ExitCode.js"
import { Progress } from "../Progress.js"
import { exampleBenchmarks } from "../Locations.js"
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

export default class Score extends BaseCommand<ScoreResult> {
  static override summary = "Score a Genie space: ask every benchmark question, compare with the expected SQL."
  static override description =
    "Asks Genie each benchmark question and runs its expected SQL on the warehouse, concurrently and within the " +
    "profile's safety limits (concurrency, retries, rate limit, circuit breaker, timeouts), then compares the " +
    "result sets. Every finished benchmark is appended to .genie-enhancer/runs/<run-id>/journal.jsonl at once; " +
    "--resume <run-id> continues an interrupted run without asking any question twice. The summary " +
    "(results.json) has the score over the scored benchmarks with its 95% Wilson interval, per-category scores " +
    "and failure categories; benchmarks that could not be scored (errors) are counted apart. Before asking " +
    "anything it checks the space, the warehouse (the space's own when none is configured) and the credentials. " +
    "A resumed run keeps its recorded target, host, space, benchmark file and profile; a contradicting flag is " +
    "refused. Expected SQL that is not one read-only query is never run: such a benchmark is excluded. With no " +
    "workspace configured it scores the bundled example in a local emulator, and says so. Exits 4 when some " +
    "benchmarks could not be scored (errors), 130 on Ctrl+C (printing the run id to resume), 0 otherwise."
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
      options: BenchmarkSplit.selections,
      default: "all" as const,
      summary: "Score only one split (explicit splits, else the seeded 80/20 split)."
    })(),
    "no-batch": Flags.boolean({ summary: "Use the sequential scorer (one benchmark at a time)." }),
    "genie-concurrent": Flags.integer({ summary: "Genie questions at once (safety.genie.concurrency).", min: 1 }),
    "sql-concurrent": Flags.integer({ summary: "SQL statements at once (safety.sql.concurrency).", min: 1 }),
    resume: Flags.string({
      summary:
        "Continue this earlier run with its recorded target, space, benchmarks and profile: finished benchmarks are not asked again, questions in flight are polled, errors are scored again."
    }),
    "no-cache": Flags.boolean({ summary: "Run every expected SQL even when an earlier run cached its result." }),
    ...WorkspaceTarget.flags
  }

  async run(): Promise<ScoreResult> {
    const { flags: given } = await this.parse(Score)
    const recorded =
      given.resume === undefined
        ? undefined
        : await this.runEffect(recordedRun(given.resume, given, this.configDir(given)))
    const flags = recorded === undefined ? given : withRecorded(given, recorded)
    // The run id is known already: Ctrl+C from now on says how to resume it.
    if (given.resume !== undefined) interruptible(given.resume, this.jsonEnabled())
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
          overrides
        },
        (info, resolved) =>
          Effect.gen(function* () {
            const profile = resolved.profile
            const benchmarksFile = flags.benchmarks ?? exampleBenchmarks(info)
            if (benchmarksFile === undefined) {
              return yield* Composition.required(
                "--benchmarks",
                "a benchmark file is required with the databricks target"
              )
            }
            const spaceId = flags.space ?? info.spaceIds?.[0]
            if (spaceId === undefined)
              return yield* Composition.required("--space", "a space id is required with the databricks target")
            const { file, defaults, contentHash } = yield* Benchmark.loadDetailed(benchmarksFile)
            const defaulted = Object.entries(defaults).filter(([, n]) => n > 0)
            if (defaulted.length > 0) {
              note(`Benchmark defaults applied: ${defaulted.map(([field, n]) => `${field} ${n}`).join(", ")}`)
            }
            const benchmarks = BenchmarkSplit.select(file.benchmarks, flags.split)
            const judge = Composition.judgePlan(profile, info.target)
            if (judge.note !== undefined) note(judge.note)

            const progress = new Progress({
              total: benchmarks.length,
              genieSlots: profile.safety.genie.concurrency,
              json,
              tty: process.stderr.isTTY,
              write: (text) => process.stderr.write(text)
            })
            const safety = yield* Safety.Safety
            // Once, before any question: a wrong space, warehouse or token is one clear error, not 55 retried ones.
            const checked = yield* Preflight.check({ spaceId, warehouseId: info.warehouseId })
            if (checked.warehouseFromSpace) note(`Using the space's own SQL warehouse ${checked.warehouseId}.`)
            yield* Effect.forkScoped(
              Stream.runForEach(safety.genie.breaker.events, (event) => Effect.sync(() => progress.onCircuit(event.to)))
            )
            const outcome = yield* ScoreRun.run({
              benchmarks,
              spaceId,
              benchmarksFile: resolve(benchmarksFile),
              benchmarksHash: contentHash,
              profile: profileId(flags.profile, resolved.name),
              scorer: profile.scorer.plugin,
              target: info.target === "local" ? "local" : info.host,
              host: info.host,
              ...(info.exampleDir === undefined ? {} : { example: info.exampleDir }),
              warehouseId: checked.warehouseId,
              ...(flags["no-cache"] ? {} : { cacheWarehouseId: checked.warehouseId }),
              ...(flags.resume === undefined ? {} : { resume: flags.resume }),
              onStart: (runId, _dir, control) => Effect.sync(() => interruptible(runId, json, control)),
              onProgress: (event) => Effect.sync(() => progress.onEvent(event))
            })
            progress.finish()
            const reportNote = yield* Reports.writeRunReportsNote(outcome.dir, { sendRows: profile.evaluate.sendRows })
            return { outcome, spaceId, benchmarksFile, scorer: profile.scorer.plugin, reportNote }
          })
      )
    )
    process.off("SIGINT", onInterrupt)
    const { summary } = value.outcome
    this.report(summary, value.outcome.dir)
    if (summary.tornLine !== undefined) {
      this.addWarning(`${summary.tornLine} was cut short by a crash and ignored; that benchmark was scored again`)
    }
    if (json) process.stderr.write(`${value.reportNote}\n`)
    else this.log(value.reportNote)
    const errors = summary.verdicts["error"] ?? 0
    if (errors > 0) {
      this.partial(
        `${errors} benchmark${errors === 1 ? "" : "s"} could not be scored (Genie timed out or was unavailable) ` +
          `and ${errors === 1 ? "is" : "are"} not in the score; run again with --resume ${value.outcome.runId} ` +
          `to score ${errors === 1 ? "it" : "them"}, or see ${value.outcome.dir}`
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
    for (const line of SummaryText.lines(summary, dir)) this.log(line)
  }
}

/** Ctrl+C during a run: say which run to resume (its journal holds everything finished and every question asked). */
let onInterrupt: () => void = () => undefined
const interruptible = (runId: string, json: boolean, control?: ScoreRun.Control) => {
  process.off("SIGINT", onInterrupt)
  const exit = () => {
    const message = `Interrupted. Resume with: genie-enhancer score --resume ${runId}`
    if (json) {
      process.stdout.write(
        `${JSON.stringify({
          status: ExitCode.interrupted,
          error: { _tag: "Interrupted", message, code: "Interrupted", data: { runId }, suggestions: [] },
          warnings: []
        })}\n`
      )
    }
    process.stderr.write(`\n${message}\n`)
    process.exit(ExitCode.interrupted)
  }
  onInterrupt = () => {
    if (control === undefined) return exit()
    // No new question; wait (at most 15 s) until every question already sent is journaled, so resume asks none twice.
    control.stop()
    const deadline = Date.now() + 15_000
    const wait = setInterval(() => {
      if (control.unaccepted() > 0 && Date.now() < deadline) return
      clearInterval(wait)
      exit()
    }, 20)
    // A second Ctrl+C exits at once.
    process.once("SIGINT", exit)
  }
  process.once("SIGINT", onInterrupt)
}

/** What the run to resume recorded, read with the runs directory of the selected profile. */
const recordedRun = (runId: string, flags: { readonly profile?: string | undefined }, configDir: string) =>
  Effect.gen(function* () {
    const resolved = yield* ProfileLoader.resolve({
      ...(flags.profile === undefined ? {} : { profile: flags.profile }),
      configDir,
      env: process.env,
      flags: []
    })
    const store = yield* Effect.provide(RunStore.RunStore, RunStore.layer(resolved.profile.runs.dir))
    return (yield* store.read(runId)).meta
  })

/** How a run records its profile: a built-in name, or the absolute path of a profile file. */
const profileId = (flag: string | undefined, name: string): string =>
  flag !== undefined && (/[\\/]/.test(flag) || /\.ya?ml$/i.test(flag)) ? resolve(flag) : name

/** The flags a run records. */
interface RecordedFlags {
  readonly profile?: string | undefined
  readonly target?: string | undefined
  readonly space?: string | undefined
  readonly benchmarks?: string | undefined
  readonly host?: string | undefined
  readonly example?: string | undefined
  readonly "warehouse-id"?: string | undefined
}

/**
 * The flags of a resumed run: what it recorded fills in every flag not given; a given flag that contradicts the
 * record is refused (resuming a `databricks` run against the example, or another space, would mix two runs).
 */
const withRecorded = <F extends RecordedFlags>(flags: F, meta: RunStore.RunMeta): F => {
  const recordedTarget = meta.target === "local" ? "local" : "databricks"
  const contradictions = [
    flags.target !== undefined && flags.target !== recordedTarget
      ? `--target ${flags.target} (the run used ${recordedTarget})`
      : undefined,
    flags.space !== undefined && flags.space !== meta.spaceId
      ? `--space ${flags.space} (the run scored ${meta.spaceId})`
      : undefined,
    flags.benchmarks !== undefined && resolve(flags.benchmarks) !== resolve(meta.benchmarksFile)
      ? `--benchmarks ${flags.benchmarks} (the run scored ${meta.benchmarksFile})`
      : undefined,
    flags.profile !== undefined && profileId(flags.profile, flags.profile) !== meta.profile
      ? `--profile ${flags.profile} (the run used ${meta.profile})`
      : undefined,
    recordedTarget === "databricks" &&
    flags.host !== undefined &&
    normalizeHost(flags.host) !== normalizeHost(meta.target)
      ? `--host ${flags.host} (the run used ${meta.target})`
      : undefined,
    flags.example !== undefined &&
    meta.example !== undefined &&
    resolve(flags.example) !== meta.example &&
    !meta.example.endsWith(`/${flags.example}`)
      ? `--example ${flags.example} (the run used ${meta.example})`
      : undefined,
    flags["warehouse-id"] !== undefined && meta.warehouseId !== undefined && flags["warehouse-id"] !== meta.warehouseId
      ? `--warehouse-id ${flags["warehouse-id"]} (the run used ${meta.warehouseId})`
      : undefined
  ].filter((c): c is string => c !== undefined)
  if (contradictions.length > 0) {
    throw new TaggedFailure(
      new Errors.ConfigInvalid({
        source: "--resume",
        issues: contradictions.map((c) =>
          Issue.error(
            "ResumeMismatch",
            "$",
            `run ${meta.runId} cannot be resumed with ${c}; drop the flag or start a new run`
          )
        )
      })
    )
  }
  return {
    ...flags,
    target: recordedTarget,
    space: meta.spaceId,
    benchmarks: meta.benchmarksFile,
    profile: meta.profile,
    ...(recordedTarget === "databricks" ? { host: meta.target } : {}),
    ...(recordedTarget === "local" && meta.example !== undefined ? { example: meta.example } : {}),
    ...(meta.warehouseId === undefined || flags["warehouse-id"] !== undefined || recordedTarget === "local"
      ? {}
      : { "warehouse-id": meta.warehouseId })
  }
}

const normalizeHost = (host: string): string =>
  host
    .replace(/\/+$/, "")
    .replace(/^(?!https?:\/\/)/, "https://")
    .toLowerCase()
