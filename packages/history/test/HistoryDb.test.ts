import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { HistoryDb } from "../src/index.js"

const space = { version: 2 as const, data_sources: { tables: [{ identifier: "main.retail.orders" }] } }

describe("HistoryDb", () => {
  it.scoped(
    "keeps runs, iterations, results, fixes and snapshots across reopenings; upserts replace",
    () =>
      Effect.gen(function* () {
        const file = join(mkdtempSync(join(tmpdir(), "history-")), "nested", "history.duckdb")
        const run = {
          runId: "r1",
          kind: "enhance" as const,
          spaceId: "s1",
          startedAt: "2026-01-01T00:00:00.000Z",
          status: "running" as const,
          profile: "default",
          benchmarksFile: "b.yaml",
          target: "local",
          genieQuestions: 0,
          fixesAccepted: 0,
          fixesRejected: 0
        }
        yield* Effect.scoped(
          Effect.gen(function* () {
            const db = yield* HistoryDb.make(file)
            yield* db.upsertRun(run)
            yield* db.upsertRun({ ...run, status: "finished", bestTrain: 0.75, genieQuestions: 42 })
            yield* db.upsertIteration({
              runId: "r1",
              iteration: 1,
              candidate: "1",
              fixIds: ["f1", "f2"],
              accepted: true,
              reason: "better",
              pValue: 0.03,
              gains: ["b1"],
              losses: [],
              scoreBefore: 0.5,
              scoreAfter: 0.75,
              genieQuestions: 20,
              stoppedEarly: false
            })
            yield* db.putResults("r1", "baseline/train", [
              {
                runId: "r1",
                pass: "baseline/train",
                spaceId: "d1",
                benchmarkId: "b1",
                split: "train",
                repeat: 1,
                outcome: "fail",
                decidedBy: "bag-equality",
                reasons: ["RESULT_MISSING_ROWS"]
              }
            ])
            yield* db.upsertFixes([
              {
                runId: "r1",
                iteration: 1,
                fixId: "f1",
                category: "metadata-add",
                target: "orders",
                rationale: "why",
                risk: "low",
                origin: "rules",
                status: "accepted",
                reason: "better",
                change: { a: 1 }
              }
            ])
            yield* db.saveSnapshot({ snapshotId: "snap1", spaceId: "s1", kind: "run-start", takenAt: "t1", space })
            yield* db.saveSnapshot({ snapshotId: "snap2", spaceId: "s1", kind: "before-promote", takenAt: "t2", space })
          })
        )
        const db = yield* HistoryDb.make(file)
        const runs = yield* db.runs
        assert.strictEqual(runs.length, 1)
        assert.strictEqual(runs[0]?.status, "finished")
        assert.strictEqual(runs[0]?.bestTrain, 0.75)
        assert.strictEqual(runs[0]?.finishedAt, undefined)
        assert.deepStrictEqual((yield* db.iterations("r1"))[0]?.fixIds, ["f1", "f2"])
        assert.deepStrictEqual((yield* db.results("r1"))[0]?.reasons, ["RESULT_MISSING_ROWS"])
        assert.deepStrictEqual((yield* db.fixes("r1"))[0]?.change, { a: 1 })
        assert.deepStrictEqual(
          (yield* db.snapshots("s1")).map((s) => s.snapshotId),
          ["snap2", "snap1"]
        )
        const snap = yield* db.snapshot("snap1")
        assert.isTrue(Option.isSome(snap))
        assert.deepStrictEqual(Option.getOrThrow(snap).space, space)
      }),
    20_000
  )
})
