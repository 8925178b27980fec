/**
 * Where runs are recorded: `<dir>/runs/<run-id>/` holds `run.json` (what was run), `journal.jsonl` and
 * `results.json` (the summary, written at the end); `<dir>/cache/expected/` holds expected-SQL results reused across
 * runs.
 *
 * **Details**
 * The journal has one JSON object per line, appended and fsync'd as it happens, so a crash loses nothing: a
 * finished benchmark result, or `{"accepted": {benchmarkId, spaceId, conversationId, messageId}}` when Genie accepted
 * a benchmark's question (before its answer is in), so a resumed run polls that message instead of asking again.
 * A crash can tear the last line mid-write: reading ignores it (and says so), reopening cuts it off before appending.
 * Every text written is passed through `Redaction.redact` first.
 */
import { FileSystem, Path } from "@effect/platform"
import { Clock, Context, Effect, Layer, Option, Random, Schema } from "effect"
import type { Scope } from "effect"
import * as Redaction from "../config/Redaction.js"
import { BenchmarkResult, PendingMessage, ResultSet } from "../stages/Stages.js"

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
  target: Schema.String,
  /** The workspace URL the run talked to (the emulator's for `local`). Absent in runs of older versions. */
  host: Schema.optionalWith(Schema.String, { exact: true }),
  /** `local` target: the example or workspace directory the emulator served. */
  example: Schema.optionalWith(Schema.String, { exact: true }),
  /** The warehouse the expected SQL ran on. */
  warehouseId: Schema.optionalWith(Schema.String, { exact: true }),
  /** SHA-256 of the benchmark file's content when the run started: resume refuses another file. */
  benchmarksHash: Schema.optionalWith(Schema.String, { exact: true })
}) {}

/**
 * A journal line saying Genie accepted a benchmark's question (its answer not in yet).
 *
 * @category models
 */
export class Accepted extends Schema.Class<Accepted>("Accepted")({
  accepted: Schema.Struct({
    benchmarkId: Schema.String,
    spaceId: Schema.String,
    conversationId: Schema.String,
    messageId: Schema.String
  })
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
  /** Records that Genie accepted a benchmark's question (appended and fsync'd), before its answer is awaited. */
  readonly accept: (benchmarkId: string, pending: PendingMessage) => Effect.Effect<void, RunStoreError>
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
  /** The last result of each benchmark, in journal order. */
  readonly finished: ReadonlyArray<BenchmarkResult>
  /**
   * Messages Genie accepted whose answer the journal does not hold, and those of `error` results that carry a
   * message id (a timed-out question): resume polls them instead of asking again.
   */
  readonly pending: ReadonlyMap<string, PendingMessage>
  /** `journal.jsonl:<line>` of a last line torn by a crash (ignored: that benchmark runs again). */
  readonly torn?: string
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
const decodeAccepted = Schema.decodeUnknownEither(Accepted)

type JournalLine =
  | { readonly _tag: "Result"; readonly result: BenchmarkResult }
  | { readonly _tag: "Accepted"; readonly accepted: Accepted }

const parseLine = (line: string): Option.Option<JournalLine> =>
  Option.flatMap(
    Option.liftThrowable((s: string): unknown => JSON.parse(s))(line),
    (value): Option.Option<JournalLine> =>
      typeof value === "object" && value !== null && "accepted" in value
        ? Option.map(Option.getRight(decodeAccepted(value)), (accepted) => ({ _tag: "Accepted" as const, accepted }))
        : Option.map(Option.getRight(decodeResult(value)), (result) => ({ _tag: "Result" as const, result }))
  )
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
        // A last line torn by a crash is cut off, so the next line does not continue it.
        const existing = yield* fs.readFileString(file).pipe(Effect.orElseSucceed(() => ""))
        if (existing !== "" && !existing.endsWith("\n")) {
          const complete = existing.slice(0, existing.lastIndexOf("\n") + 1)
          yield* fs
            .truncate(file, new TextEncoder().encode(complete).length)
            .pipe(Effect.mapError(fail(file, "cannot cut off the torn last line of the journal")))
        }
        const handle = yield* fs.open(file, { flag: "a" }).pipe(Effect.mapError(fail(file, "cannot open the journal")))
        // One writer at a time, so lines never interleave.
        const lock = yield* Effect.makeSemaphore(1)
        const write = (value: unknown) =>
          lock
            .withPermits(1)(
              Effect.zipRight(
                handle.writeAll(new TextEncoder().encode(`${Redaction.redact(JSON.stringify(value))}\n`)),
                handle.sync
              )
            )
            .pipe(Effect.mapError(fail(file, "cannot append to the journal")))
        const append = (result: BenchmarkResult) => write(encodeResult(result))
        const accept = (benchmarkId: string, pending: PendingMessage) =>
          write({
            accepted: {
              benchmarkId,
              spaceId: pending.spaceId,
              conversationId: pending.conversationId,
              messageId: pending.messageId
            }
          })
        const writeSummary = (summary: unknown) => {
          const target = path.join(directory, "results.json")
          const temporary = `${target}.tmp`
          return Effect.zipRight(
            fs.writeFileString(temporary, `${Redaction.redact(JSON.stringify(summary, null, 2))}\n`),
            fs.rename(temporary, target)
          ).pipe(Effect.mapError(fail(target, "cannot write the summary")))
        }
        return { runId, dir: directory, append, accept, writeSummary } satisfies RunJournal
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
          Effect.mapError(
            (e) => new RunStoreError({ path: metaFile, message: `${metaFile} is not a run file: ${e.message}` })
          )
        )
        const journalFile = path.join(directory, "journal.jsonl")
        const text = yield* fs.readFileString(journalFile).pipe(Effect.orElseSucceed(() => ""))
        const lines = text.split("\n")
        const results = new Map<string, BenchmarkResult>()
        const pending = new Map<string, PendingMessage>()
        let torn: string | undefined
        for (const [i, line] of lines.entries()) {
          if (line.trim() === "") continue
          const parsed = parseLine(line)
          if (Option.isSome(parsed)) {
            const entry = parsed.value
            if (entry._tag === "Accepted") {
              const { benchmarkId, ...ids } = entry.accepted.accepted
              pending.set(benchmarkId, new PendingMessage(ids))
              continue
            }
            const { result } = entry
            // The last result counts (a resumed run scores an `error` again); Map order follows the first one.
            results.delete(result.benchmarkId)
            results.set(result.benchmarkId, result)
            const answer = result.answer
            if (
              result.verdict.outcome === "error" &&
              answer?.conversationId !== undefined &&
              answer.messageId !== undefined &&
              // A message that is gone cannot be polled again: that question is asked again.
              answer.error?.type !== "NotFound"
            ) {
              // Timed out or cut off while Genie was working: poll that message again rather than asking again.
              pending.set(
                result.benchmarkId,
                new PendingMessage({
                  spaceId: meta.spaceId,
                  conversationId: answer.conversationId,
                  messageId: answer.messageId
                })
              )
            } else pending.delete(result.benchmarkId)
            continue
          }
          // A crash can tear the last line mid-write (it never ends with a newline); that benchmark simply runs
          // again. Anything else is damage.
          const isLast = i === lines.length - 1
          const where = `${journalFile}:${i + 1}`
          if (!isLast) {
            return yield* new RunStoreError({
              path: where,
              message: `${where}: line ${i + 1} is not a benchmark result; fix or remove it to resume`
            })
          }
          torn = where
        }
        return {
          meta,
          finished: [...results.values()],
          pending,
          ...(torn === undefined ? {} : { torn })
        } satisfies ResumedRun
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

/**
 * A dev space an enhancement run recorded creating, and what became of it.
 *
 * @category models
 */
export interface RecordedDevSpace {
  readonly runId: string
  readonly spaceId: string
  readonly role: "working" | "best"
  /**
   * `leftover`: neither trashed nor kept (the run crashed, or is still running); `kept`: the run ended with `--keep`;
   * `trashed`: removed by the run or by `spaces cleanup` (or found gone).
   */
  readonly state: "leftover" | "kept" | "trashed"
}

/** The journal notes of `enhance` about its dev spaces (`Enhance.ts` writes them; the last one of an id wins). */
const DevSpacesNote = Schema.parseJson(
  Schema.Struct({
    _tag: Schema.Literal("Note"),
    key: Schema.Literal("devSpaces", "devSpacesKept", "devSpacesTrashed"),
    value: Schema.Struct({
      working: Schema.optionalWith(Schema.String, { exact: true }),
      best: Schema.optionalWith(Schema.String, { exact: true })
    })
  })
)
const decodeDevSpacesNote = Schema.decodeUnknownOption(DevSpacesNote)
const stateOf = { devSpaces: "leftover", devSpacesKept: "kept", devSpacesTrashed: "trashed" } as const

/**
 * The dev spaces recorded by the enhancement runs under the run store (`runs/<id>/enhance.jsonl`), or by the one
 * run `runId` (a `RunStoreError` when there is no such run). Only recorded ids: spaces are never looked up by title.
 *
 * @category constructors
 */
export const recordedDevSpaces = Effect.fn("RunStore.recordedDevSpaces")(function* (runId?: string) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const runs = yield* RunStore
  const runsDir = path.join(runs.dir, "runs")
  if (runId !== undefined) {
    const exists =
      validRunId.test(runId) && (yield* fs.exists(path.join(runsDir, runId)).pipe(Effect.orElseSucceed(() => false)))
    if (!exists) return yield* new RunStoreError({ path: runsDir, message: `no run ${runId} in ${runsDir}` })
  }
  const out: Array<RecordedDevSpace> = []
  for (const id of runId === undefined ? yield* runs.list : [runId]) {
    const text = yield* fs.readFileString(path.join(runsDir, id, "enhance.jsonl")).pipe(Effect.orElseSucceed(() => ""))
    const spaces = new Map<string, { role: RecordedDevSpace["role"]; state: RecordedDevSpace["state"] }>()
    // Scored lines are most of the journal and never about dev spaces: skipped before parsing.
    for (const line of text.split("\n").filter((l) => l.includes('"devSpaces'))) {
      const note = decodeDevSpacesNote(line)
      if (Option.isNone(note)) continue
      for (const role of ["working", "best"] as const) {
        const spaceId = note.value.value[role]
        if (spaceId === undefined || spaceId === "") continue
        const known = spaces.get(spaceId)
        // Kept and trashed notes only say which ids; the role is the one the run created the space for.
        if (known === undefined && note.value.key !== "devSpaces") continue
        spaces.set(spaceId, { role: known?.role ?? role, state: stateOf[note.value.key] })
      }
    }
    for (const [spaceId, { role, state }] of spaces) out.push({ runId: id, spaceId, role, state })
  }
  return out
})
