/**
 * Where runs are recorded: `<dir>/runs/<run-id>/` holds `run.json` (what was run), `journal.jsonl` (one finished
 * benchmark result per line, appended and fsync'd as each finishes, so a crash loses nothing) and `results.json`
 * (the summary, written at the end); `<dir>/cache/expected/` holds expected-SQL results reused across runs.
 */
import { FileSystem, Path } from "@effect/platform"
import { Clock, Context, Effect, Layer, Option, Random, Schema } from "effect"
import type { Scope } from "effect"
import { BenchmarkResult, ResultSet } from "../stages/Stages.js"

/**
 * A run store file could not be read or written, or holds something unexpected. Names the file (and line).
 *
 * @category errors
 */
export class RunStoreError extends Schema.TaggedError<RunStoreError>()("RunStoreError", {
  path: Schema.String,
  message: Schema.String
}) {}

/**
 * What a run was started with (`run.json`).
 *
 * @category models
 */
export class RunMeta extends Schema.Class<RunMeta>("RunMeta")({
  runId: Schema.String,
  /** ISO timestamp. */
  startedAt: Schema.String,
  spaceId: Schema.String,
  benchmarksFile: Schema.String,
  profile: Schema.String,
  scorer: Schema.String,
  /** `local` or the workspace host. */
  target: Schema.String
}) {}

/**
 * An open run: append results as they finish.
 *
 * @category models
 */
export interface RunJournal {
  readonly runId: string
  readonly dir: string
  /** Appends one result and fsyncs before succeeding. */
  readonly append: (result: BenchmarkResult) => Effect.Effect<void, RunStoreError>
  /** Writes `results.json` (atomically: a temporary file renamed over the old one). */
  readonly writeSummary: (summary: unknown) => Effect.Effect<void, RunStoreError>
}

/**
 * A run reopened for `--resume`: its metadata and the results already in its journal.
 *
 * @category models
 */
export interface ResumedRun {
  readonly meta: RunMeta
  readonly finished: ReadonlyArray<BenchmarkResult>
}

/**
 * Creates, reopens and lists runs; caches expected-SQL results.
 *
 * @category services
 */
export class RunStore extends Context.Tag("@genie-enhancer/core/RunStore")<
  RunStore,
  {
    readonly dir: string
    /** Creates `runs/<runId>/` with `run.json` and an empty journal (`runId` is generated when absent). */
    readonly start: (
      meta: Omit<RunMeta, "runId" | "startedAt"> & { readonly runId?: string }
    ) => Effect.Effect<RunJournal, RunStoreError, Scope.Scope>
    /** Reads an earlier run's metadata and finished results. */
    readonly read: (runId: string) => Effect.Effect<ResumedRun, RunStoreError>
    /** Reopens an earlier run's journal for appending. */
    readonly reopen: (runId: string) => Effect.Effect<RunJournal, RunStoreError, Scope.Scope>
    /** Run ids, newest first. */
    readonly list: Effect.Effect<ReadonlyArray<string>, RunStoreError>
    /** A cached expected-SQL result for (warehouse, SQL), if any. */
    readonly cachedExpected: (warehouseId: string, sql: string) => Effect.Effect<Option.Option<ResultSet>>
    readonly cacheExpected: (warehouseId: string, sql: string, result: ResultSet) => Effect.Effect<void>
  }
>() {}

const encodeResult = Schema.encodeSync(BenchmarkResult)
const decodeResult = Schema.decodeUnknownEither(BenchmarkResult)
const ResultSetJson = Schema.parseJson(ResultSet)
const RunMetaJson = Schema.parseJson(RunMeta)

/** Sortable, readable, unique enough for one machine: `20261125-233447-3f9a`. */
const newRunId = Effect.gen(function* () {
  const now = new Date(yield* Clock.currentTimeMillis)
  const pad = (n: number) => String(n).padStart(2, "0")
  const stamp = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}-${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`
  const suffix = (yield* Random.nextIntBetween(0, 0x10000)).toString(16).padStart(4, "0")
  return `${stamp}-${suffix}`
})

const sha256 = (text: string) =>
  Effect.promise(async () => {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("")
  })

const validRunId = /^[A-Za-z0-9._-]+$/

const make = (dir: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const runsDir = path.join(dir, "runs")
    const cacheDir = path.join(dir, "cache", "expected")
    const fail = (file: string, what: string) => (cause: { readonly message: string }) =>
      new RunStoreError({ path: file, message: `${what}: ${cause.message}` })

    const runDir = (runId: string) =>
      validRunId.test(runId)
        ? Effect.succeed(path.join(runsDir, runId))
        : Effect.fail(new RunStoreError({ path: runsDir, message: `invalid run id ${JSON.stringify(runId)}` }))

    const openJournal = (runId: string, directory: string) =>
      Effect.gen(function* () {
        const file = path.join(directory, "journal.jsonl")
        const handle = yield* fs.open(file, { flag: "a" }).pipe(Effect.mapError(fail(file, "cannot open the journal")))
        // One writer at a time, so lines never interleave.
        const lock = yield* Effect.makeSemaphore(1)
        const append = (result: BenchmarkResult) =>
          lock
            .withPermits(1)(
              Effect.zipRight(
                handle.writeAll(new TextEncoder().encode(`${JSON.stringify(encodeResult(result))}\n`)),
                handle.sync
              )
            )
            .pipe(Effect.mapError(fail(file, "cannot append to the journal")))
        const writeSummary = (summary: unknown) => {
          const target = path.join(directory, "results.json")
          const temporary = `${target}.tmp`
          return Effect.zipRight(
            fs.writeFileString(temporary, `${JSON.stringify(summary, null, 2)}\n`),
            fs.rename(temporary, target)
          ).pipe(Effect.mapError(fail(target, "cannot write the summary")))
        }
        return { runId, dir: directory, append, writeSummary } satisfies RunJournal
      })

    const start = (meta: Omit<RunMeta, "runId" | "startedAt"> & { readonly runId?: string }) =>
      Effect.gen(function* () {
        const runId = meta.runId ?? (yield* newRunId)
        const directory = yield* runDir(runId)
        if (yield* fs.exists(directory).pipe(Effect.orElseSucceed(() => false))) {
          return yield* new RunStoreError({ path: directory, message: `run ${runId} already exists` })
        }
        yield* fs.makeDirectory(directory, { recursive: true }).pipe(Effect.mapError(fail(directory, "cannot create")))
        const startedAt = new Date(yield* Clock.currentTimeMillis).toISOString()
        const full = new RunMeta({ ...meta, runId, startedAt })
        const metaFile = path.join(directory, "run.json")
        yield* fs
          .writeFileString(metaFile, `${JSON.stringify(full, null, 2)}\n`)
          .pipe(Effect.mapError(fail(metaFile, "cannot write")))
        return yield* openJournal(runId, directory)
      })

    const read = (runId: string) =>
      Effect.gen(function* () {
        const directory = yield* runDir(runId)
        const metaFile = path.join(directory, "run.json")
        const metaText = yield* fs
          .readFileString(metaFile)
          .pipe(Effect.mapError(() => new RunStoreError({ path: metaFile, message: `no run ${runId} in ${runsDir}` })))
        const meta = yield* Schema.decode(RunMetaJson)(metaText).pipe(
          Effect.mapError((e) => new RunStoreError({ path: metaFile, message: `not a run file: ${e.message}` }))
        )
        const journalFile = path.join(directory, "journal.jsonl")
        const text = yield* fs.readFileString(journalFile).pipe(Effect.orElseSucceed(() => ""))
        const lines = text.split("\n")
        const finished: Array<BenchmarkResult> = []
        for (const [i, line] of lines.entries()) {
          if (line.trim() === "") continue
          const parsed = Option.liftThrowable((s: string): unknown => JSON.parse(s))(line)
          const decoded = Option.flatMap(parsed, (value) => Option.getRight(decodeResult(value)))
          if (Option.isSome(decoded)) {
            finished.push(decoded.value)
            continue
          }
          // A crash can tear the last line mid-write; that benchmark simply runs again. Anything else is damage.
          const isLast = lines.slice(i + 1).every((rest) => rest.trim() === "")
          if (!isLast) {
            return yield* new RunStoreError({
              path: `${journalFile}:${i + 1}`,
              message: "line is not a benchmark result; fix or remove it to resume"
            })
          }
        }
        return { meta, finished } satisfies ResumedRun
      })

    const reopen = (runId: string) => Effect.flatMap(runDir(runId), (directory) => openJournal(runId, directory))

    const list = fs.readDirectory(runsDir).pipe(
      Effect.map((names) =>
        names
          .filter((n) => validRunId.test(n))
          .sort()
          .reverse()
      ),
      Effect.catchAll(() => Effect.succeed<ReadonlyArray<string>>([]))
    )

    const cacheFile = (warehouseId: string, sql: string) =>
      Effect.map(sha256(`${warehouseId}\n${sql}`), (hash) => path.join(cacheDir, `${hash}.json`))

    // The cache is an optimisation: a damaged or unwritable entry means "not cached", never a failed run.
    const cachedExpected = (warehouseId: string, sql: string) =>
      cacheFile(warehouseId, sql).pipe(
        Effect.flatMap((file) => fs.readFileString(file)),
        Effect.flatMap(Schema.decode(ResultSetJson)),
        Effect.option
      )

    const cacheExpected = (warehouseId: string, sql: string, result: ResultSet) =>
      cacheFile(warehouseId, sql).pipe(
        Effect.tap(() => fs.makeDirectory(cacheDir, { recursive: true })),
        Effect.flatMap((file) => fs.writeFileString(file, Schema.encodeSync(ResultSetJson)(result))),
        Effect.ignore
      )

    return RunStore.of({ dir, start, read, reopen, list, cachedExpected, cacheExpected })
  })

/**
 * A run store rooted at `dir` (the profile's `runs.dir`, `.genie-enhancer` by default).
 *
 * @category layers
 */
export const layer = (dir: string): Layer.Layer<RunStore, never, FileSystem.FileSystem | Path.Path> =>
  Layer.effect(RunStore, make(dir))
