/**
 * Core's `HistoryStore` in a DuckDB database file (`<runs dir>/history.duckdb`): five tables users can query with
 * SQL (`duckdb .genie-enhancer/history.duckdb "SELECT * FROM runs"`).
 *
 * **Details**
 * Lists (fix ids, gains, reasons) and configurations are stored as JSON text; timestamps as ISO 8601 text (cast
 * with `::TIMESTAMP`). DuckDB lets one process at a time hold a file read-write, so no call keeps it open: each
 * write opens, writes one transaction and closes; each read opens read-only. History commands and the `duckdb`
 * CLI can query the file while a run writes (see {@link make}).
 */
import type { DuckDBConnection, DuckDBValue } from "@duckdb/node-api"
import { DuckDBInstance } from "@duckdb/node-api"
import { HistoryStore } from "@genie-enhancer/core"
import type { Space } from "@genie-enhancer/core"
import type { Duration, Scope } from "effect"
import { Effect, Layer, Option } from "effect"
import { existsSync, mkdirSync } from "node:fs"
import { dirname, resolve } from "node:path"
import type { LockHeld } from "./internal/fileLock.js"
import { formatWait, lockHeld, turnOn, whileLocked } from "./internal/fileLock.js"

type Store = HistoryStore.HistoryStore["Type"]

/**
 * The tables, created when missing. Kept additive: new columns get defaults so older files keep working.
 *
 * @category configuration
 */
export const schema: ReadonlyArray<string> = [
  `CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY, kind VARCHAR, space_id VARCHAR, started_at VARCHAR, finished_at VARCHAR,
    status VARCHAR, stop_reason VARCHAR, profile VARCHAR, benchmarks_file VARCHAR, target VARCHAR,
    baseline_train DOUBLE, baseline_holdout DOUBLE, best_train DOUBLE, final_holdout DOUBLE,
    genie_questions INTEGER, fixes_accepted INTEGER, fixes_rejected INTEGER,
    working_space_id VARCHAR, best_space_id VARCHAR, base_snapshot_id VARCHAR, promoted_snapshot_id VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS iterations (
    run_id VARCHAR, iteration INTEGER, candidate VARCHAR, fix_ids VARCHAR, accepted BOOLEAN, reason VARCHAR,
    p_value DOUBLE, gains VARCHAR, losses VARCHAR, score_before DOUBLE, score_after DOUBLE,
    genie_questions INTEGER, stopped_early BOOLEAN, PRIMARY KEY (run_id, candidate))`,
  `CREATE TABLE IF NOT EXISTS results (
    run_id VARCHAR, pass VARCHAR, space_id VARCHAR, benchmark_id VARCHAR, split VARCHAR, repeat INTEGER,
    outcome VARCHAR, decided_by VARCHAR, reasons VARCHAR, failure_category VARCHAR, genie_sql VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS fixes (
    run_id VARCHAR, iteration INTEGER, fix_id VARCHAR, category VARCHAR, target VARCHAR, rationale VARCHAR,
    risk VARCHAR, origin VARCHAR, status VARCHAR, reason VARCHAR, change VARCHAR,
    PRIMARY KEY (run_id, iteration, fix_id))`,
  `CREATE TABLE IF NOT EXISTS snapshots (
    snapshot_id VARCHAR PRIMARY KEY, space_id VARCHAR, run_id VARCHAR, kind VARCHAR, taken_at VARCHAR,
    etag VARCHAR, space VARCHAR)`
]

const fail = (what: string) => (cause: unknown) =>
  new HistoryStore.HistoryStoreError({
    message: `${what}: ${cause instanceof Error ? cause.message : String(cause)}`
  })

type Row = Readonly<Record<string, unknown>>

const str = (v: unknown): string =>
  typeof v === "string"
    ? v
    : typeof v === "number" || typeof v === "boolean"
      ? String(v)
      : v === null || v === undefined
        ? ""
        : JSON.stringify(v)
const opt = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : str(v))
const num = (v: unknown): number => (typeof v === "number" ? v : Number(v ?? 0))
const optNum = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : num(v))
const list = (v: unknown): ReadonlyArray<string> => (typeof v === "string" ? (JSON.parse(v) as Array<string>) : [])
const json = (v: unknown): string => JSON.stringify(v ?? null)
const nul = (v: string | number | boolean | undefined): DuckDBValue => (v === undefined ? null : v)

/** Adds the optional fields whose value is defined (the records use exact optional properties). */
const defined = <T extends object>(fields: T): { [K in keyof T]: Exclude<T[K], undefined> } =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>
  }

const toRun = (r: Row): HistoryStore.RunRecord => ({
  runId: str(r.run_id),
  kind: "enhance",
  spaceId: str(r.space_id),
  startedAt: str(r.started_at),
  status: str(r.status) as HistoryStore.RunRecord["status"],
  profile: str(r.profile),
  benchmarksFile: str(r.benchmarks_file),
  target: str(r.target),
  genieQuestions: num(r.genie_questions),
  fixesAccepted: num(r.fixes_accepted),
  fixesRejected: num(r.fixes_rejected),
  ...defined({
    finishedAt: opt(r.finished_at),
    stopReason: opt(r.stop_reason),
    baselineTrain: optNum(r.baseline_train),
    baselineHoldout: optNum(r.baseline_holdout),
    bestTrain: optNum(r.best_train),
    finalHoldout: optNum(r.final_holdout),
    workingSpaceId: opt(r.working_space_id),
    bestSpaceId: opt(r.best_space_id),
    baseSnapshotId: opt(r.base_snapshot_id),
    promotedSnapshotId: opt(r.promoted_snapshot_id)
  })
})

const toSnapshot = (r: Row): HistoryStore.Snapshot => ({
  snapshotId: str(r.snapshot_id),
  spaceId: str(r.space_id),
  kind: str(r.kind),
  takenAt: str(r.taken_at),
  space: JSON.parse(str(r.space)) as Space.SerializedSpace,
  ...defined({ runId: opt(r.run_id), etag: opt(r.etag) })
})

/**
 * How long calls wait for a file another process holds.
 *
 * @category configuration
 */
export interface Options {
  /** Reads (`history list|show|diff`, `rollback`): 10 s by default. */
  readonly readWait?: Duration.DurationInput
  /**
   * Writes (`enhance`, `promote`, `rollback`): 60 s by default. Longer than a read's, because giving up fails the
   * command (a run can be resumed with `enhance --resume`).
   */
  readonly writeWait?: Duration.DurationInput
}

/** The DuckDB session of one call: the file opened for it, or the one `:memory:` database. */
type Open = (
  readOnly: boolean
) => Effect.Effect<DuckDBConnection, HistoryStore.HistoryStoreError | LockHeld, Scope.Scope>

const openFile =
  (file: string): Open =>
  (readOnly) =>
    Effect.gen(function* () {
      const instance = yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: () => DuckDBInstance.create(file, readOnly ? { access_mode: "READ_ONLY" } : {}),
          catch: (e) => lockHeld(e) ?? fail(`cannot open ${file}`)(e)
        }),
        (db) => Effect.sync(() => db.closeSync())
      )
      return yield* Effect.acquireRelease(
        Effect.tryPromise({ try: () => instance.connect(), catch: fail(`cannot connect to ${file}`) }),
        (c) => Effect.sync(() => c.closeSync())
      )
    })

/** A read of a file whose tables a crashed first write never created: nothing recorded yet. */
const noTable = (cause: unknown) => cause instanceof Error && /Table with name \w+ does not exist/.test(cause.message)

/**
 * The history database at `file` (`:memory:` for a throwaway one). Nothing is opened until a call needs it.
 *
 * **Details**
 * No call holds the file longer than it takes: a write opens it read-write, creates missing tables and applies its
 * statements in one transaction, then closes it (DuckDB checkpoints on close); a read opens it read-only (a missing
 * file reads as empty). So a running `enhance`, `history` commands and a user's `duckdb` CLI take turns on the file.
 * A call that finds it held by another process retries with a jittered backoff (20 ms doubling to 500 ms) for
 * `readWait` / `writeWait`, then fails with a `HistoryStoreError` naming the file and the process holding it. Calls
 * of one process take turns on a process-wide semaphore per file.
 *
 * @category constructors
 */
export const make = Effect.fn("HistoryDb.make")(function* (file: string, options: Options = {}) {
  const memory = file === ":memory:"
  const path = memory ? file : resolve(file)
  const open: Open = memory
    ? yield* openFile(file)(false).pipe(
        Effect.catchTag("LockHeld", (e) => Effect.fail(fail(`cannot open ${file}`)(e))),
        Effect.map(
          (connection): Open =>
            () =>
              Effect.succeed(connection)
        )
      )
    : openFile(path)
  const turn = memory ? yield* Effect.makeSemaphore(1) : turnOn(path)
  const session = <A>(
    readOnly: boolean,
    use: (connection: DuckDBConnection) => Effect.Effect<A, HistoryStore.HistoryStoreError>
  ) => {
    const wait = (readOnly ? options.readWait : options.writeWait) ?? (readOnly ? "10 seconds" : "60 seconds")
    return turn.withPermits(1)(
      whileLocked(Effect.scoped(Effect.flatMap(open(readOnly), use)), wait).pipe(
        Effect.catchTag("LockHeld", (e) =>
          Effect.fail(
            new HistoryStore.HistoryStoreError({
              message:
                `the history database ${path} is in use by ${e.holder}: still locked after ${formatWait(wait)}. ` +
                "A run holds it only while it writes; an open duckdb session holds it until it exits " +
                `(query with one-shot commands: duckdb -readonly ${path} "SELECT …").`
            })
          )
        )
      )
    )
  }
  /** Statements applied in one transaction, after creating missing tables. */
  const write = (statements: ReadonlyArray<readonly [string, ReadonlyArray<DuckDBValue>]>) =>
    Effect.zipRight(
      Effect.try({
        try: () => {
          if (!memory) mkdirSync(dirname(path), { recursive: true })
        },
        catch: fail(`cannot create the directory of ${path}`)
      }),
      session(false, (connection) =>
        Effect.tryPromise({
          try: async () => {
            await connection.run("BEGIN TRANSACTION")
            try {
              for (const statement of schema) await connection.run(statement)
              for (const [sql, values] of statements) await connection.run(sql, [...values])
              await connection.run("COMMIT")
            } catch (error) {
              await connection.run("ROLLBACK")
              throw error
            }
          },
          catch: fail(`history write failed (${path})`)
        })
      )
    )
  const exec = (sql: string, values: ReadonlyArray<DuckDBValue> = []) => write([[sql, values]])
  const query = (sql: string, values: ReadonlyArray<DuckDBValue> = []) =>
    Effect.suspend(() =>
      !memory && !existsSync(path)
        ? Effect.succeed<ReadonlyArray<Row>>([])
        : session(true, (connection) =>
            Effect.tryPromise({
              try: async (): Promise<ReadonlyArray<Row>> => {
                try {
                  return (await connection.runAndReadAll(sql, [...values])).getRowObjectsJson()
                } catch (error) {
                  if (noTable(error)) return []
                  throw error
                }
              },
              catch: fail(`history read failed (${path})`)
            })
          )
    )

  const store: Store = {
    location: file,
    upsertRun: (r) =>
      Effect.asVoid(
        exec(`INSERT OR REPLACE INTO runs VALUES (${Array(21).fill("?").join(", ")})`, [
          r.runId,
          r.kind,
          r.spaceId,
          r.startedAt,
          nul(r.finishedAt),
          r.status,
          nul(r.stopReason),
          r.profile,
          r.benchmarksFile,
          r.target,
          nul(r.baselineTrain),
          nul(r.baselineHoldout),
          nul(r.bestTrain),
          nul(r.finalHoldout),
          r.genieQuestions,
          r.fixesAccepted,
          r.fixesRejected,
          nul(r.workingSpaceId),
          nul(r.bestSpaceId),
          nul(r.baseSnapshotId),
          nul(r.promotedSnapshotId)
        ])
      ),
    upsertIteration: (i) =>
      Effect.asVoid(
        exec(`INSERT OR REPLACE INTO iterations VALUES (${Array(13).fill("?").join(", ")})`, [
          i.runId,
          i.iteration,
          i.candidate,
          json(i.fixIds),
          i.accepted,
          i.reason,
          i.pValue,
          json(i.gains),
          json(i.losses),
          i.scoreBefore,
          i.scoreAfter,
          i.genieQuestions,
          i.stoppedEarly
        ])
      ),
    putResults: (runId, pass, results) =>
      write([
        ["DELETE FROM results WHERE run_id = ? AND pass = ?", [runId, pass]],
        ...results.map(
          (r) =>
            [
              `INSERT INTO results VALUES (${Array(11).fill("?").join(", ")})`,
              [
                r.runId,
                r.pass,
                r.spaceId,
                r.benchmarkId,
                r.split,
                r.repeat,
                r.outcome,
                r.decidedBy,
                json(r.reasons),
                nul(r.failureCategory),
                nul(r.genieSql)
              ]
            ] as const
        )
      ]),
    upsertFixes: (fixes) =>
      write(
        fixes.map(
          (f) =>
            [
              `INSERT OR REPLACE INTO fixes VALUES (${Array(11).fill("?").join(", ")})`,
              [
                f.runId,
                f.iteration,
                f.fixId,
                f.category,
                f.target,
                f.rationale,
                f.risk,
                f.origin,
                f.status,
                f.reason,
                json(f.change)
              ]
            ] as const
        )
      ),
    saveSnapshot: (s) =>
      Effect.asVoid(
        exec("INSERT OR REPLACE INTO snapshots VALUES (?, ?, ?, ?, ?, ?, ?)", [
          s.snapshotId,
          s.spaceId,
          nul(s.runId),
          s.kind,
          s.takenAt,
          nul(s.etag),
          JSON.stringify(s.space)
        ])
      ),
    snapshot: (id) =>
      Effect.map(query("SELECT * FROM snapshots WHERE snapshot_id = ?", [id]), (rows) =>
        Option.map(Option.fromNullable(rows[0]), toSnapshot)
      ),
    snapshots: (spaceId) =>
      Effect.map(
        query("SELECT * FROM snapshots WHERE space_id = ? ORDER BY taken_at DESC, snapshot_id DESC", [spaceId]),
        (rows) => rows.map(toSnapshot)
      ),
    runs: Effect.map(query("SELECT * FROM runs ORDER BY started_at DESC"), (rows) => rows.map(toRun)),
    run: (id) =>
      Effect.map(query("SELECT * FROM runs WHERE run_id = ?", [id]), (rows) =>
        Option.map(Option.fromNullable(rows[0]), toRun)
      ),
    iterations: (id) =>
      Effect.map(query("SELECT * FROM iterations WHERE run_id = ? ORDER BY iteration, candidate", [id]), (rows) =>
        rows.map((r): HistoryStore.IterationRecord => ({
          runId: str(r.run_id),
          iteration: num(r.iteration),
          candidate: str(r.candidate),
          fixIds: list(r.fix_ids),
          accepted: r.accepted === true,
          reason: str(r.reason),
          pValue: num(r.p_value),
          gains: list(r.gains),
          losses: list(r.losses),
          scoreBefore: num(r.score_before),
          scoreAfter: num(r.score_after),
          genieQuestions: num(r.genie_questions),
          stoppedEarly: r.stopped_early === true
        }))
      ),
    fixes: (id) =>
      Effect.map(query("SELECT * FROM fixes WHERE run_id = ? ORDER BY iteration, fix_id", [id]), (rows) =>
        rows.map((r): HistoryStore.FixRecord => ({
          runId: str(r.run_id),
          iteration: num(r.iteration),
          fixId: str(r.fix_id),
          category: str(r.category),
          target: str(r.target),
          rationale: str(r.rationale),
          risk: str(r.risk),
          origin: str(r.origin),
          status: str(r.status) as HistoryStore.FixRecord["status"],
          reason: str(r.reason),
          change: JSON.parse(str(r.change)) as unknown
        }))
      ),
    results: (id) =>
      Effect.map(query("SELECT * FROM results WHERE run_id = ? ORDER BY pass, benchmark_id, repeat", [id]), (rows) =>
        rows.map((r): HistoryStore.ResultRecord => ({
          runId: str(r.run_id),
          pass: str(r.pass),
          spaceId: str(r.space_id),
          benchmarkId: str(r.benchmark_id),
          split: str(r.split),
          repeat: num(r.repeat),
          outcome: str(r.outcome),
          decidedBy: str(r.decided_by),
          reasons: list(r.reasons),
          ...defined({ failureCategory: opt(r.failure_category), genieSql: opt(r.genie_sql) })
        }))
      )
  }
  return HistoryStore.HistoryStore.of(store)
})

/**
 * The history in `file` (see {@link make}: each call opens the file for its own duration).
 *
 * @category layers
 */
export const layer = (
  file: string,
  options: Options = {}
): Layer.Layer<HistoryStore.HistoryStore, HistoryStore.HistoryStoreError> =>
  Layer.scoped(HistoryStore.HistoryStore, make(file, options))

/**
 * The history file of a runs directory: `<dir>/history.duckdb`.
 *
 * @category configuration
 */
export const fileIn = (runsDir: string): string => `${runsDir.replace(/\/+$/, "")}/history.duckdb`
