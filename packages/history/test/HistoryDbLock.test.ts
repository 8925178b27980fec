/**
 * The history file shared with other processes: a running `enhance` writes it while `history` commands and a
 * user's `duckdb` CLI read it. DuckDB's lock is per process, so these tests put the other side in a child process
 * (test/fixtures/duckdbProcess.mjs) and run on real time; the retry policy itself is tested under `TestClock`.
 */
import { assert, describe, it } from "@effect/vitest"
import type { HistoryStore } from "@genie-enhancer/core"
import { Effect, Exit, Fiber, Option, Ref, TestClock } from "effect"
import type { ChildProcess } from "node:child_process"
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { HistoryDb } from "../src/index.js"
import { LockHeld, lockHeld, whileLocked } from "../src/internal/fileLock.js"

const fixture = fileURLToPath(new URL("./fixtures/duckdbProcess.mjs", import.meta.url))
const historyFile = () => join(mkdtempSync(join(tmpdir(), "history-lock-")), "history.duckdb")

const run: HistoryStore.RunRecord = {
  runId: "r1",
  kind: "enhance",
  spaceId: "s1",
  startedAt: "2026-01-01T00:00:00.000Z",
  status: "running",
  profile: "default",
  benchmarksFile: "b.yaml",
  target: "local",
  genieQuestions: 0,
  fixesAccepted: 0,
  fixesRejected: 0
}

interface Other {
  readonly child: ChildProcess
  readonly pid: number
  /** Everything it printed, once it exited. */
  readonly exited: Promise<string>
}

/** Starts the other process; succeeds once it printed its first line (it holds the file, or started its loop). */
const other = (file: string, mode: string, ms = 0) =>
  Effect.acquireRelease(
    Effect.promise(
      () =>
        new Promise<Other>((resolve, reject) => {
          const child = spawn(process.execPath, [fixture, file, mode, String(ms)], {
            stdio: ["ignore", "pipe", "inherit"]
          })
          let out = ""
          const exited = new Promise<string>((done) => child.on("exit", () => done(out)))
          child.stdout.setEncoding("utf8")
          child.stdout.on("data", (chunk: string) => {
            out += chunk
            if (out.includes("\n")) resolve({ child, pid: child.pid ?? 0, exited })
          })
          child.on("error", reject)
          child.on("exit", (code) => reject(new Error(`${mode} exited (${code}) before it started: ${out}`)))
        })
    ),
    ({ child }) => Effect.sync(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"))
  )

/** Ends the other process (as quitting a `duckdb` session would) and waits until it is gone. */
const kill = (o: Other) =>
  Effect.promise(() => {
    o.child.kill("SIGKILL")
    return o.exited
  })

/** The counts a loop printed on its last line. */
const counts = (o: Other) =>
  Effect.map(
    Effect.promise(() => o.exited),
    (out) => {
      const lines = out.trim().split("\n")
      return JSON.parse(lines[lines.length - 1] ?? "{}") as { readonly done: number; readonly refused: number }
    }
  )

describe("HistoryDb with other processes on the file", () => {
  it("recognizes DuckDB's lock refusal and names the process holding the file", () => {
    const refusal = lockHeld(
      new Error(
        'IO Error: Could not set lock on file "/tmp/h/history.duckdb": Conflicting lock is held in /usr/bin/node (PID 933). See also https://duckdb.org/docs/stable/connect/concurrency'
      )
    )
    assert.deepStrictEqual(refusal, new LockHeld({ holder: "/usr/bin/node (PID 933)" }))
    assert.strictEqual(lockHeld(new Error("Catalog Error: Table with name runs does not exist!")), undefined)
  })

  it.effect("retries a call the lock refuses, with backoff, until the wait is over (TestClock)", () =>
    Effect.gen(function* () {
      const attempts = yield* Ref.make(0)
      const refusedTwice = Effect.flatMap(
        Ref.updateAndGet(attempts, (n) => n + 1),
        (n) => (n <= 2 ? Effect.fail(new LockHeld({ holder: "duckdb (PID 7)" })) : Effect.succeed("read"))
      )
      const fiber = yield* Effect.fork(whileLocked(refusedTwice, "10 seconds"))
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(fiber), "read")
      assert.strictEqual(yield* Ref.get(attempts), 3)

      // Held for good: it keeps trying (at least every 500 ms, jittered) until the wait is over, then fails.
      yield* Ref.set(attempts, 0)
      const held = Effect.zipRight(
        Ref.update(attempts, (n) => n + 1),
        Effect.fail(new LockHeld({ holder: "x" }))
      )
      const stuck = yield* Effect.fork(whileLocked(held, "10 seconds"))
      yield* TestClock.adjust("9 seconds")
      assert.isTrue(Option.isNone(yield* Fiber.poll(stuck)))
      yield* TestClock.adjust("2 seconds")
      const exit = yield* Fiber.await(stuck)
      assert.isTrue(Exit.isFailure(exit))
      assert.deepStrictEqual(exit, Exit.fail(new LockHeld({ holder: "x" })))
      assert.isAtLeast(yield* Ref.get(attempts), 15)

      // Other failures are not retried.
      yield* Ref.set(attempts, 0)
      const broken = Effect.zipRight(
        Ref.update(attempts, (n) => n + 1),
        Effect.fail("broken" as const)
      )
      assert.strictEqual(yield* Effect.flip(whileLocked(broken, "10 seconds")), "broken")
      assert.strictEqual(yield* Ref.get(attempts), 1)
    })
  )

  it.scopedLive(
    "a process holding the file past the wait: reads and writes fail naming the file and the holder; then they work",
    () =>
      Effect.gen(function* () {
        const file = historyFile()
        const holder = yield* other(file, "hold-write")
        const db = yield* HistoryDb.make(file, { readWait: "300 millis", writeWait: "300 millis" })
        for (const call of [db.runs, db.upsertRun(run)]) {
          const error = yield* Effect.flip(call)
          assert.strictEqual(error._tag, "HistoryStoreError")
          assert.include(error.message, `the history database ${file} is in use by`)
          assert.include(error.message, `(PID ${holder.pid})`)
          assert.include(error.message, "still locked after 300ms")
          assert.include(error.message, "duckdb -readonly")
        }
        yield* kill(holder)
        yield* db.upsertRun(run)
        assert.deepStrictEqual(
          (yield* db.runs).map((r) => r.runId),
          ["r1"]
        )
      }),
    30_000
  )

  it.scopedLive(
    "a call waits while another process holds the file and goes ahead once it lets go",
    () =>
      Effect.gen(function* () {
        const file = historyFile()
        const db = yield* HistoryDb.make(file)
        yield* db.upsertRun(run)
        const holder = yield* other(file, "hold-write")
        const read = yield* Effect.fork(db.runs)
        const write = yield* Effect.fork(db.upsertRun({ ...run, status: "finished" }))
        yield* Effect.sleep("400 millis")
        assert.isTrue(Option.isNone(yield* Fiber.poll(read)), "the read waits while the file is held")
        assert.isTrue(Option.isNone(yield* Fiber.poll(write)), "the write waits while the file is held")
        yield* kill(holder)
        assert.deepStrictEqual(
          (yield* Fiber.join(read)).map((r) => r.status),
          ["running"]
        )
        yield* Fiber.join(write)
        assert.deepStrictEqual(
          (yield* db.runs).map((r) => r.status),
          ["finished"]
        )

        // A read-only process (a `duckdb -readonly` session) shares the file with reads.
        const reader = yield* other(file, "hold-read")
        assert.strictEqual((yield* db.runs).length, 1)
        yield* kill(reader)
      }),
    30_000
  )

  it.scopedLive(
    "reads go through while another process writes again and again, and writes while another reads",
    () =>
      Effect.gen(function* () {
        const file = historyFile()
        const db = yield* HistoryDb.make(file)
        yield* db.upsertRun(run)

        // Another process writing as a run does (open, write, close), while this one reads.
        const writer = yield* other(file, "write-loop", 1500)
        let reads = 0
        while (writer.child.exitCode === null) {
          assert.deepStrictEqual(
            (yield* db.runs).map((r) => r.runId),
            ["r1"]
          )
          reads++
        }
        const written = yield* counts(writer)
        assert.isAbove(written.done, 0)
        assert.isAbove(reads, 0)

        // Another process reading (a `history list` or a one-shot `duckdb -readonly`), while this one writes.
        const reader = yield* other(file, "read-loop", 1500)
        let writes = 0
        while (reader.child.exitCode === null) {
          yield* db.upsertRun({ ...run, genieQuestions: writes })
          writes++
        }
        assert.isAbove((yield* counts(reader)).done, 0)
        assert.isAbove(writes, 0)
        const last = yield* db.run("r1")
        assert.strictEqual(Option.getOrThrow(last).genieQuestions, writes - 1)
      }),
    30_000
  )

  it.scoped(
    "reading a file that does not exist yet finds nothing and creates nothing",
    () =>
      Effect.gen(function* () {
        const file = historyFile()
        const db = yield* HistoryDb.make(file)
        assert.deepStrictEqual(yield* db.runs, [])
        assert.isTrue(Option.isNone(yield* db.run("r1")))
        assert.deepStrictEqual(yield* db.snapshots("s1"), [])
        assert.isFalse(existsSync(file))
      }),
    20_000
  )
})
