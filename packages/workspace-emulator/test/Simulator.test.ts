import { assert, beforeAll, describe, expect, it } from "@effect/vitest"
import { Benchmark } from "@genie-enhancer/core"
import type { Space } from "@genie-enhancer/core"
import { Effect } from "effect"
import { appendFileSync, cpSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { GenieEngine } from "../src/index.js"
import { Emulator, GenieSimulator } from "../src/index.js"
import { ask } from "./support.js"

const retail = fileURLToPath(new URL("../../../examples/retail/", import.meta.url))
const curated = JSON.parse(readFileSync(`${retail}space.curated.json`, "utf8")) as Space.SerializedSpace
let questions: ReadonlyArray<string> = []
// Loaded once before the tests (not at import: a failure then belongs to a test, not to collection).
beforeAll(async () => {
  questions = (
    await Effect.runPromise(Benchmark.parse(readFileSync(`${retail}benchmarks.yaml`, "utf8"), "benchmarks.yaml"))
  ).benchmarks.map((b) => b.question)
})
const curatedId = "fd08746cb89568ef54295f16d7a9ab51"
const baselineId = "ce86877f1287b94460c35a25f2d65bca"

/** Answers questions on the retail warehouse directly through an engine. */
const answers = (
  emulator: Emulator.Emulator,
  engine: GenieEngine.GenieEngine,
  options: { readonly seed?: number; readonly spaceId?: string; readonly space?: Space.SerializedSpace } = {}
) =>
  Effect.gen(function* () {
    const catalog = yield* emulator.warehouse.catalog
    return yield* Effect.forEach(questions, (question) =>
      engine
        .answer({
          spaceId: options.spaceId ?? curatedId,
          title: "Retail",
          description: "",
          space: options.space ?? curated,
          question,
          history: [],
          catalog,
          seed: options.seed ?? 0,
          query: (sql) => emulator.warehouse.query(sql)
        })
        .pipe(Effect.map((r) => (r._tag === "Sql" ? r.sql : r._tag === "Text" ? `TEXT ${r.text}` : r._tag)))
    )
  })

const changed = (a: ReadonlyArray<string>, b: ReadonlyArray<string>) => a.filter((x, i) => x !== b[i]).length

describe("Genie simulator", () => {
  it.scoped("is deterministic: the same space, question and seed give the same answer, in any engine", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.start({ workspace: retail })
      const first = yield* answers(emulator, GenieSimulator.make())
      assert.deepStrictEqual(yield* answers(emulator, GenieSimulator.make()), first)
      // Without noise the seed changes nothing.
      assert.deepStrictEqual(yield* answers(emulator, GenieSimulator.make(), { seed: 7 }), first)
    })
  )

  it.scoped("noise flips a seeded share of answers to plausible wrong ones, per emulator or per space", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.start({ workspace: retail })
      const clean = yield* answers(emulator, GenieSimulator.make())
      const all = yield* answers(emulator, GenieSimulator.make({ noiseRate: 1 }))
      // Every answer changes, and SQL stays SQL that runs (wrong, not broken).
      expect(changed(all, clean)).toBe(questions.length - clean.filter((a) => a.startsWith("TEXT")).length)
      for (const sql of all.filter((a) => !a.startsWith("TEXT"))) {
        assert.isTrue((yield* Effect.either(emulator.warehouse.query(sql)))._tag === "Right", sql)
      }

      const some = yield* answers(emulator, GenieSimulator.make({ noiseRate: 0.3 }), { seed: 1 })
      assert.deepStrictEqual(yield* answers(emulator, GenieSimulator.make({ noiseRate: 0.3 }), { seed: 1 }), some)
      const otherSeed = yield* answers(emulator, GenieSimulator.make({ noiseRate: 0.3 }), { seed: 2 })
      // 55 questions at 0.3: the seed decides which (pinned, so that a change in the noise model is noticed).
      expect(changed(some, clean)).toBe(16)
      expect(changed(otherSeed, clean)).toBe(10)
      expect(changed(otherSeed, some)).toBeGreaterThan(0)

      // A per-space rate overrides the emulator-wide one.
      const perSpace = GenieSimulator.make({ noiseRate: 1, spaceNoiseRates: { [curatedId]: 0 } })
      assert.deepStrictEqual(yield* answers(emulator, perSpace), clean)
      expect(() => GenieSimulator.make({ noiseRate: 1.5 })).toThrow(RangeError)
      const invalid = yield* Effect.flip(Emulator.start({ simulator: { spaceNoiseRates: { [curatedId]: -1 } } }))
      assert.strictEqual(invalid._tag, "ConfigInvalid")
      assert.include(invalid.message, `spaceNoiseRates.${curatedId} must be between 0 and 1`)
    })
  )

  it.scoped("answers with text when it cannot tell what to compute or cannot join what it needs", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.start({ workspace: retail })
      const engine = GenieSimulator.make()
      const catalog = yield* emulator.warehouse.catalog
      const reply = (question: string, space: Space.SerializedSpace) =>
        engine.answer({
          spaceId: "s",
          title: "",
          description: "",
          space,
          question,
          history: [],
          catalog,
          seed: 0,
          query: (sql) => emulator.warehouse.query(sql)
        })
      const unknown = yield* reply("What is the meaning of life?", curated)
      assert.strictEqual(unknown._tag, "Text")
      const bare = { version: 2, data_sources: curated.data_sources } as Space.SerializedSpace
      const unjoined = yield* reply("How many orders did each store take?", bare)
      assert.include(unjoined._tag === "Text" ? unjoined.text : "", "join")
      const empty = yield* reply("How many orders?", { version: 2 })
      assert.include(empty._tag === "Text" ? empty.text : "", "no tables")
    })
  )

  it.scoped("is the emulator's default engine: the Genie API answers from the space configuration", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.start({ workspace: retail })
      assert.deepStrictEqual(emulator.spaceIds, [baselineId, curatedId])
      const question = "What was total revenue in 2024?"
      const { message } = yield* ask(emulator, curatedId, question)
      assert.strictEqual(message.json.status, "COMPLETED")
      const query = message.json.attachments[0].query
      assert.include(query.query, "SUM(order_items.quantity * order_items.unit_price * (1 - order_items.discount))")
      assert.include(query.description, 'measure snippet "Revenue"')
      const expected = yield* emulator.warehouse.query(
        "SELECT SUM(oi.quantity * oi.unit_price * (1 - oi.discount)) FROM main.retail.orders o " +
          "JOIN main.retail.order_items oi ON oi.order_id = o.order_id WHERE o.status = 'completed' AND year(o.order_date) = 2024"
      )
      const result = yield* emulator.warehouse.query(query.query)
      assert.deepStrictEqual(result.rows, expected.rows)

      // The baseline space knows no revenue: Genie asks back instead of writing SQL.
      const baseline = (yield* ask(emulator, baselineId, question)).message.json
      assert.strictEqual(baseline.status, "COMPLETED")
      assert.property(baseline.attachments[0], "text")
    })
  )

  it.scoped("takes its noise rate from the emulator's options", () =>
    Effect.gen(function* () {
      const noisy = yield* Emulator.start({ workspace: retail, simulator: { noiseRate: 1 } })
      const { message } = yield* ask(noisy, curatedId, "Which 10 stores had the most orders?")
      assert.strictEqual(message.json.status, "COMPLETED")
      const sql: string = message.json.attachments[0].query.query
      assert.include(sql, "stores.store_name")
      assert.notInclude(sql, "ORDER BY orders_count DESC\nLIMIT 10")
    })
  )

  it.scoped("takes its noise rate from workspace.yaml (genie.noiseRate)", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "retail-noisy-"))
      cpSync(retail, dir, { recursive: true })
      appendFileSync(join(dir, "workspace.yaml"), "\ngenie: { noiseRate: 1 }\n")
      const noisy = yield* Emulator.start({ workspace: dir })
      const { message } = yield* ask(noisy, curatedId, "Which 10 stores had the most orders?")
      assert.notInclude(message.json.attachments[0].query.query, "ORDER BY orders_count DESC\nLIMIT 10")
    })
  )
})
