import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option } from "effect"
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as RunStore from "../src/runs/RunStore.js"
import * as Stages from "../src/stages/Stages.js"

const result = (id: string, outcome: "pass" | "fail" = "pass") =>
  new Stages.BenchmarkResult({
    benchmarkId: id,
    verdict: new Stages.Verdict({ outcome, decidedBy: "bag-equality", reasons: [] })
  })

const meta = { spaceId: "s1", benchmarksFile: "b.yaml", profile: "default", scorer: "batch", target: "local" }

const withStore = () => {
  const dir = mkdtempSync(join(tmpdir(), "runstore-"))
  return { dir, layer: RunStore.layer(dir).pipe(Layer.provide(NodeContext.layer)) }
}

describe("RunStore", () => {
  it.scoped("appends results as they finish and reads them back for resume", () => {
    const { dir, layer } = withStore()
    return Effect.gen(function* () {
      const store = yield* RunStore.RunStore
      const journal = yield* store.start({ ...meta, runId: "r1" })
      yield* journal.append(result("a"))
      yield* journal.append(result("b", "fail"))
      // Durable before the run ends: the file already holds both lines.
      assert.strictEqual(readFileSync(join(dir, "runs/r1/journal.jsonl"), "utf8").trim().split("\n").length, 2)
      const resumed = yield* store.read("r1")
      assert.strictEqual(resumed.meta.scorer, "batch")
      assert.deepStrictEqual(
        resumed.finished.map((r) => [r.benchmarkId, r.verdict.outcome]),
        [
          ["a", "pass"],
          ["b", "fail"]
        ]
      )
      const again = yield* store.reopen("r1")
      yield* again.append(result("c"))
      assert.strictEqual((yield* store.read("r1")).finished.length, 3)
      yield* again.writeSummary({ score: 0.5 })
      assert.deepStrictEqual(JSON.parse(readFileSync(join(dir, "runs/r1/results.json"), "utf8")), { score: 0.5 })
      assert.deepStrictEqual(yield* store.list, ["r1"])
    }).pipe(Effect.provide(layer))
  })

  it.scoped("a line torn by a crash is dropped; damage elsewhere is an error naming file and line", () => {
    const { dir, layer } = withStore()
    return Effect.gen(function* () {
      const store = yield* RunStore.RunStore
      const journal = yield* store.start({ ...meta, runId: "r2" })
      yield* journal.append(result("a"))
      const file = join(dir, "runs/r2/journal.jsonl")
      appendFileSync(file, '{"benchmarkId":"b","verd')
      assert.deepStrictEqual(
        (yield* store.read("r2")).finished.map((r) => r.benchmarkId),
        ["a"]
      )
      writeFileSync(file, `not json\n${readFileSync(file, "utf8")}`)
      const exit = yield* Effect.exit(store.read("r2"))
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit) && exit.cause._tag === "Fail") assert.strictEqual(exit.cause.error.path, `${file}:1`)
    }).pipe(Effect.provide(layer))
  })

  it.scoped("reopening after a torn last line cuts it off, so the next resume reads every line", () => {
    const { dir, layer } = withStore()
    return Effect.gen(function* () {
      const store = yield* RunStore.RunStore
      const journal = yield* store.start({ ...meta, runId: "r4" })
      yield* journal.append(result("a"))
      const file = join(dir, "runs/r4/journal.jsonl")
      appendFileSync(file, '{"benchmarkId":"b","verd')
      const first = yield* store.read("r4")
      assert.strictEqual(first.torn, `${file}:2`)
      // The resumed attempt appends b and c; without cutting the torn line off, b would continue it.
      const reopened = yield* store.reopen("r4")
      yield* reopened.append(result("b"))
      yield* reopened.accept("c", new Stages.PendingMessage({ spaceId: "s1", conversationId: "c1", messageId: "m1" }))
      const second = yield* store.read("r4")
      assert.deepStrictEqual(
        second.finished.map((r) => r.benchmarkId),
        ["a", "b"]
      )
      assert.isUndefined(second.torn)
      assert.deepStrictEqual(second.pending.get("c")?.messageId, "m1")
      // Damage in the middle names the file and line in the message itself (what the CLI prints).
      writeFileSync(file, `not json\n${readFileSync(file, "utf8")}`)
      const error = yield* Effect.flip(store.read("r4"))
      assert.include(error.message, `${file}:1`)
    }).pipe(Effect.provide(layer))
  })

  it.scoped("refuses unknown, existing and path-like run ids", () => {
    const { layer } = withStore()
    return Effect.gen(function* () {
      const store = yield* RunStore.RunStore
      yield* store.start({ ...meta, runId: "r3" })
      const messageOf = (effect: Effect.Effect<unknown, RunStore.RunStoreError, never>) =>
        Effect.map(Effect.flip(effect), (e) => e.message)
      assert.match(yield* messageOf(store.read("missing")), /no run missing/)
      assert.match(yield* messageOf(Effect.scoped(store.start({ ...meta, runId: "r3" }))), /already exists/)
      assert.match(yield* messageOf(store.read("../etc")), /invalid run id/)
    }).pipe(Effect.provide(layer))
  })

  it.effect("caches expected-SQL results by warehouse and SQL; a damaged entry is a miss", () => {
    const { dir, layer } = withStore()
    return Effect.gen(function* () {
      const store = yield* RunStore.RunStore
      const rs = new Stages.ResultSet({
        columns: [new Stages.Column({ name: "n", typeName: "LONG" })],
        rows: [["42"]],
        rowCount: 1,
        truncated: false,
        elapsedMs: 5
      })
      assert.isTrue(Option.isNone(yield* store.cachedExpected("wh", "SELECT 42")))
      yield* store.cacheExpected("wh", "SELECT 42", rs)
      assert.deepStrictEqual(yield* store.cachedExpected("wh", "SELECT 42"), Option.some(rs))
      assert.isTrue(Option.isNone(yield* store.cachedExpected("other-wh", "SELECT 42")))
      const [entry] = readdirSync(join(dir, "cache/expected"))
      writeFileSync(join(dir, "cache/expected", entry), "{broken")
      assert.isTrue(Option.isNone(yield* store.cachedExpected("wh", "SELECT 42")))
    }).pipe(Effect.provide(layer))
  })
})
