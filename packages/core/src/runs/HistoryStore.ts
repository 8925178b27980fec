/**
 * The run history: enhancement runs, their iterations, per-benchmark results, fixes with the decision about each,
 * and space snapshots (which `rollback` restores). Core defines the contract and an in-memory implementation; the
 * `@genie-enhancer/history` package stores it in a DuckDB database users can query with SQL.
 */
import { Clock, Context, Effect, Layer, Option, Random, Ref, Schema } from "effect"
import type { SerializedSpace } from "../model/Space.js"

/**
 * The history could not be read or written.
 *
 * @category errors
 */
export class HistoryStoreError extends Schema.TaggedError<HistoryStoreError>()("HistoryStoreError", {
  message: Schema.String
}) {}

/**
 * One enhancement run (a row of `runs`), upserted as the run progresses.
 *
 * @category models
 */
export interface RunRecord {
  readonly runId: string
  readonly kind: "enhance"
  readonly spaceId: string
  /** ISO timestamps. */
  readonly startedAt: string
  readonly finishedAt?: string
  readonly status: "running" | "finished" | "failed" | "interrupted"
  readonly stopReason?: string
  readonly profile: string
  readonly benchmarksFile: string
  readonly target: string
  readonly baselineTrain?: number
  readonly baselineHoldout?: number
  readonly bestTrain?: number
  readonly finalHoldout?: number
  readonly genieQuestions: number
  readonly fixesAccepted: number
  readonly fixesRejected: number
  readonly workingSpaceId?: string
  readonly bestSpaceId?: string
  /** Snapshot of production at the start (the promotion's merge base). */
  readonly baseSnapshotId?: string
  readonly promotedSnapshotId?: string
}

/**
 * One candidate tried (a row of `iterations`): an iteration's plan, or one half of it while bisecting.
 *
 * @category models
 */
export interface IterationRecord {
  readonly runId: string
  readonly iteration: number
  /** `1`, `1.a`, `1.a.b`: the candidate's place in the bisection. */
  readonly candidate: string
  readonly fixIds: ReadonlyArray<string>
  readonly accepted: boolean
  readonly reason: string
  readonly pValue: number
  readonly gains: ReadonlyArray<string>
  readonly losses: ReadonlyArray<string>
  readonly scoreBefore: number
  readonly scoreAfter: number
  readonly genieQuestions: number
  /** Stopped before every train benchmark was asked, because the outcome could no longer be accepted. */
  readonly stoppedEarly: boolean
}

/**
 * One scored benchmark of a pass (a row of `results`).
 *
 * @category models
 */
export interface ResultRecord {
  readonly runId: string
  /** `baseline/train`, `it1/candidate`, `final/holdout`, … */
  readonly pass: string
  readonly spaceId: string
  readonly benchmarkId: string
  readonly split: string
  readonly repeat: number
  readonly outcome: string
  readonly decidedBy: string
  readonly reasons: ReadonlyArray<string>
  readonly failureCategory?: string
  readonly genieSql?: string
}

/**
 * A fix and what happened to it (a row of `fixes`).
 *
 * @category models
 */
export interface FixRecord {
  readonly runId: string
  readonly iteration: number
  readonly fixId: string
  readonly category: string
  readonly target: string
  readonly rationale: string
  readonly risk: string
  readonly origin: string
  readonly status: "accepted" | "rejected" | "invalid"
  readonly reason: string
  readonly change: unknown
}

/**
 * A space configuration at a moment (a row of `snapshots`).
 *
 * @category models
 */
export interface Snapshot {
  readonly snapshotId: string
  readonly spaceId: string
  readonly runId?: string
  /** `run-start`, `best`, `before-promote`, `promoted`, `before-rollback`, `rolled-back`. */
  readonly kind: string
  readonly takenAt: string
  readonly etag?: string
  readonly space: SerializedSpace
}

/**
 * The history database.
 *
 * @category services
 */
export class HistoryStore extends Context.Tag("@genie-enhancer/core/HistoryStore")<
  HistoryStore,
  {
    /** Where it lives, for messages (a file path, or `memory`). */
    readonly location: string
    readonly upsertRun: (run: RunRecord) => Effect.Effect<void, HistoryStoreError>
    readonly upsertIteration: (iteration: IterationRecord) => Effect.Effect<void, HistoryStoreError>
    /** Replaces the results of `(runId, pass)`. */
    readonly putResults: (
      runId: string,
      pass: string,
      results: ReadonlyArray<ResultRecord>
    ) => Effect.Effect<void, HistoryStoreError>
    readonly upsertFixes: (fixes: ReadonlyArray<FixRecord>) => Effect.Effect<void, HistoryStoreError>
    readonly saveSnapshot: (snapshot: Snapshot) => Effect.Effect<void, HistoryStoreError>
    readonly snapshot: (snapshotId: string) => Effect.Effect<Option.Option<Snapshot>, HistoryStoreError>
    /** Snapshots of a space, newest first. */
    readonly snapshots: (spaceId: string) => Effect.Effect<ReadonlyArray<Snapshot>, HistoryStoreError>
    /** Runs, newest first. */
    readonly runs: Effect.Effect<ReadonlyArray<RunRecord>, HistoryStoreError>
    readonly run: (runId: string) => Effect.Effect<Option.Option<RunRecord>, HistoryStoreError>
    readonly iterations: (runId: string) => Effect.Effect<ReadonlyArray<IterationRecord>, HistoryStoreError>
    readonly fixes: (runId: string) => Effect.Effect<ReadonlyArray<FixRecord>, HistoryStoreError>
    readonly results: (runId: string) => Effect.Effect<ReadonlyArray<ResultRecord>, HistoryStoreError>
  }
>() {}

/**
 * Contents of the in-memory store.
 *
 * @category models
 */
export interface Contents {
  readonly runs: ReadonlyArray<RunRecord>
  readonly iterations: ReadonlyArray<IterationRecord>
  readonly results: ReadonlyArray<ResultRecord>
  readonly fixes: ReadonlyArray<FixRecord>
  readonly snapshots: ReadonlyArray<Snapshot>
}

const empty: Contents = { runs: [], iterations: [], results: [], fixes: [], snapshots: [] }

const replaceBy = <A>(list: ReadonlyArray<A>, item: A, same: (a: A) => boolean): ReadonlyArray<A> => [
  ...list.filter((a) => !same(a)),
  item
]

/**
 * An in-memory history (tests, `--no-history`).
 *
 * @category constructors
 */
export const makeMemory = Effect.map(Ref.make(empty), (ref) =>
  HistoryStore.of({
    location: "memory",
    upsertRun: (run) => Ref.update(ref, (c) => ({ ...c, runs: replaceBy(c.runs, run, (r) => r.runId === run.runId) })),
    upsertIteration: (it) =>
      Ref.update(ref, (c) => ({
        ...c,
        iterations: replaceBy(c.iterations, it, (i) => i.runId === it.runId && i.candidate === it.candidate)
      })),
    putResults: (runId, pass, results) =>
      Ref.update(ref, (c) => ({
        ...c,
        results: [...c.results.filter((r) => !(r.runId === runId && r.pass === pass)), ...results]
      })),
    upsertFixes: (fixes) =>
      Ref.update(ref, (c) => ({
        ...c,
        fixes: [
          ...c.fixes.filter(
            (f) => !fixes.some((g) => g.runId === f.runId && g.iteration === f.iteration && g.fixId === f.fixId)
          ),
          ...fixes
        ]
      })),
    saveSnapshot: (s) =>
      Ref.update(ref, (c) => ({
        ...c,
        snapshots: replaceBy(c.snapshots, s, (x) => x.snapshotId === s.snapshotId)
      })),
    snapshot: (id) =>
      Effect.map(Ref.get(ref), (c) => Option.fromNullable(c.snapshots.find((s) => s.snapshotId === id))),
    snapshots: (spaceId) =>
      Effect.map(Ref.get(ref), (c) =>
        c.snapshots
          .filter((s) => s.spaceId === spaceId)
          .map((s, i) => ({ s, i }))
          .sort((a, b) => (a.s.takenAt === b.s.takenAt ? b.i - a.i : a.s.takenAt < b.s.takenAt ? 1 : -1))
          .map(({ s }) => s)
      ),
    runs: Effect.map(Ref.get(ref), (c) => [...c.runs].sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1))),
    run: (id) => Effect.map(Ref.get(ref), (c) => Option.fromNullable(c.runs.find((r) => r.runId === id))),
    iterations: (id) => Effect.map(Ref.get(ref), (c) => c.iterations.filter((i) => i.runId === id)),
    fixes: (id) => Effect.map(Ref.get(ref), (c) => c.fixes.filter((f) => f.runId === id)),
    results: (id) => Effect.map(Ref.get(ref), (c) => c.results.filter((r) => r.runId === id))
  })
)

/**
 * A fresh in-memory history.
 *
 * @category layers
 */
export const layerMemory: Layer.Layer<HistoryStore> = Layer.effect(HistoryStore, makeMemory)

/**
 * A new snapshot id: sortable by time, `20261125-233447-ce8687-3f9a` (UTC time, the space id's first 6 digits, a
 * random suffix).
 *
 * @category constructors
 */
export const newSnapshotId = (spaceId: string): Effect.Effect<string> =>
  Effect.gen(function* () {
    const now = new Date(yield* Clock.currentTimeMillis)
    const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)
    const suffix = (yield* Random.nextIntBetween(0, 0x10000)).toString(16).padStart(4, "0")
    return `${stamp}-${spaceId.slice(0, 6)}-${suffix}`
  })

/**
 * The current time as an ISO string (Effect's `Clock`, so tests control it).
 *
 * @category constructors
 */
export const nowIso: Effect.Effect<string> = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())
