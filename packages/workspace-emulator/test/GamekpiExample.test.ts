import { assert, beforeAll, describe, expect, it } from "@effect/vitest"
import { Benchmark, Space } from "@genie-enhancer/core"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Emulator } from "../src/index.js"

// The second bundled example (examples/gamekpi): game KPIs, questions in Korean and English.

const gamekpi = fileURLToPath(new URL("../../../examples/gamekpi/", import.meta.url))
const read = (file: string) => readFileSync(`${gamekpi}${file}`, "utf8")
let benchmarks: ReadonlyArray<Benchmark.Benchmark> = []
// Loaded once before the tests (not at import: a failure then belongs to a test, not to collection).
beforeAll(async () => {
  benchmarks = (await Effect.runPromise(Benchmark.parse(read("benchmarks.yaml"), "benchmarks.yaml"))).benchmarks
})
const korean = (text: string) => /\p{Script=Hangul}/u.test(text)

describe("gamekpi example workspace", () => {
  it.scoped(
    "generates the documented tables, value sets and the same data on every run",
    () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.start({ workspace: gamekpi })
        const catalog = yield* emulator.warehouse.catalog
        assert.deepStrictEqual(
          catalog.map((t) => `${t.identifier}: ${t.columns.map((c) => `${c.name} ${c.typeText}`).join(", ")}`),
          [
            "main.gamekpi.cumulative_snapshot: snapshot_date DATE, game_code STRING, cum_nru BIGINT, cum_pu BIGINT, cum_revenue DECIMAL(14,2)",
            "main.gamekpi.daily_game_summary: event_date DATE, game_code STRING, platform STRING, dau BIGINT, nru BIGINT, pu BIGINT, revenue DECIMAL(12,2), sessions BIGINT, playtime_min BIGINT",
            "main.gamekpi.events: event_id BIGINT, event_date DATE, player_id BIGINT, game_code STRING, event_type STRING, sessions INT, playtime_min INT",
            "main.gamekpi.games: game_code STRING, game_name STRING, game_name_ko STRING, genre STRING, launch_date DATE",
            "main.gamekpi.payments: payment_id BIGINT, payment_date DATE, player_id BIGINT, game_code STRING, product_type STRING, amount_usd DECIMAL(10,2), payment_status STRING",
            "main.gamekpi.players: player_id BIGINT, game_code STRING, country_code STRING, platform STRING, signup_date DATE"
          ]
        )
        const rows = (sql: string) => Effect.map(emulator.warehouse.query(sql), (r) => r.rows)
        const distinct = (table: string, column: string) =>
          Effect.map(rows(`SELECT DISTINCT ${column} FROM main.gamekpi.${table} ORDER BY 1`), (r) => r.map((x) => x[0]))
        assert.deepStrictEqual(
          yield* rows("SELECT game_code, game_name, game_name_ko, genre FROM main.gamekpi.games ORDER BY 1"),
          [
            ["ember_saga", "Ember Saga", "엠버 사가", "RPG"],
            ["mythic_arena", "Mythic Arena", "미씩 아레나", "MOBA"],
            ["neon_drift", "Neon Drift", "네온 드리프트", "Racing"],
            ["pixel_farm", "Pixel Farm", "픽셀 팜", "Casual"],
            ["star_raiders", "Star Raiders", "스타 레이더스", "Shooter"]
          ]
        )
        assert.deepStrictEqual(yield* distinct("players", "country_code"), ["BR", "DE", "JP", "KR", "TH", "TW", "US"])
        assert.deepStrictEqual(yield* distinct("players", "platform"), ["console", "mobile", "pc"])
        assert.deepStrictEqual(yield* distinct("daily_game_summary", "platform"), ["console", "mobile", "pc"])
        assert.deepStrictEqual(yield* distinct("events", "event_type"), ["level_up", "login", "tutorial_complete"])
        assert.deepStrictEqual(yield* distinct("payments", "payment_status"), ["refunded", "success"])
        assert.deepStrictEqual(yield* distinct("payments", "product_type"), [
          "battle_pass",
          "gem_pack",
          "skin",
          "starter_pack"
        ])
        // Exact figures: the generator is arithmetic on row numbers, so every run and machine produces these.
        assert.deepStrictEqual(
          yield* rows(
            `SELECT (SELECT COUNT(*) FROM main.gamekpi.players), (SELECT COUNT(*) FROM main.gamekpi.events),
                    (SELECT COUNT(*) FROM main.gamekpi.payments), (SELECT COUNT(*) FROM main.gamekpi.daily_game_summary),
                    (SELECT COUNT(*) FROM main.gamekpi.cumulative_snapshot)`
          ),
          [["10000", "113427", "2946", "5498", "2480"]]
        )
        assert.deepStrictEqual(
          yield* rows(
            "SELECT MIN(signup_date), MAX(signup_date), SUM(player_id), COUNT(*) FILTER (WHERE country_code = 'KR') FROM main.gamekpi.players"
          ),
          [["2023-06-01", "2025-06-30", "50005000", "3948"]]
        )
        assert.deepStrictEqual(
          yield* rows(
            "SELECT payment_status, COUNT(*), SUM(amount_usd), COUNT(DISTINCT player_id) FROM main.gamekpi.payments GROUP BY 1 ORDER BY 1"
          ),
          [
            ["refunded", "77", "1734.23", "75"],
            ["success", "2869", "56137.31", "810"]
          ]
        )
        assert.deepStrictEqual(
          yield* rows(
            "SELECT MIN(event_date), MAX(event_date), SUM(dau), SUM(nru), SUM(pu), SUM(revenue), SUM(sessions), SUM(playtime_min) FROM main.gamekpi.daily_game_summary"
          ),
          [["2024-01-01", "2025-06-30", "82226", "8145", "2869", "56137.31", "164434", "7382673"]]
        )
        // The tables agree: daily DAU is the day's logins, revenue the day's successful payments, and the snapshot's
        // running totals end at the players and payments tables' totals.
        assert.deepStrictEqual(
          yield* rows(
            `SELECT (SELECT COUNT(*) FROM main.gamekpi.events WHERE event_type = 'login'),
                    (SELECT SUM(cum_nru) FROM main.gamekpi.cumulative_snapshot WHERE snapshot_date = DATE'2025-06-30'),
                    (SELECT SUM(cum_pu) FROM main.gamekpi.cumulative_snapshot WHERE snapshot_date = DATE'2025-06-30'),
                    (SELECT SUM(cum_revenue) FROM main.gamekpi.cumulative_snapshot WHERE snapshot_date = DATE'2025-06-30')`
          ),
          [["82226", "10000", "810", "56137.31"]]
        )
        // The double-counting trap: over the last 7 days, summed DAU is far above the distinct players.
        assert.deepStrictEqual(
          yield* rows(
            `SELECT (SELECT COUNT(DISTINCT player_id) FROM main.gamekpi.events
                     WHERE event_type = 'login' AND event_date >= current_date() - INTERVAL 6 DAYS),
                    (SELECT SUM(dau) FROM main.gamekpi.daily_game_summary WHERE event_date >= current_date() - INTERVAL 6 DAYS)`
          ),
          [["795", "1258"]]
        )
      }),
    60_000
  )

  it.scoped(
    "every expected SQL runs on the warehouse and returns rows",
    () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.start({ workspace: gamekpi })
        const empty: Array<string> = []
        for (const b of benchmarks) {
          const result = yield* emulator.warehouse.query(b.expected_sql)
          if (result.rows.length === 0 || result.rows.every((r) => r.every((v) => v === null))) empty.push(b.id)
        }
        assert.deepStrictEqual(empty, [])
      }),
    60_000
  )

  it.effect("both spaces pass the API's validation; the curated one adds Korean and English vocabulary", () =>
    Effect.gen(function* () {
      const baseline = yield* Space.parse(read("space.baseline.json"), { source: "space.baseline.json" })
      const curated = yield* Space.parse(read("space.curated.json"), { source: "space.curated.json" })
      const tables = (s: Space.SerializedSpace) => s.data_sources?.tables?.map((t) => t.identifier)
      assert.deepStrictEqual(tables(baseline), tables(curated))
      expect(Space.summary(baseline)).toMatchObject({
        tables: 6,
        columnConfigs: 0,
        joinSpecs: 0,
        snippets: 0,
        exampleSqls: 0,
        textInstructions: 0
      })
      expect(Space.summary(curated)).toMatchObject({
        tables: 6,
        columnConfigs: 38,
        joinSpecs: 5,
        snippets: 17,
        exampleSqls: 3,
        textInstructions: 1
      })
      const synonyms = (curated.data_sources?.tables ?? []).flatMap((t) =>
        (t.column_configs ?? []).flatMap((c) => c.synonyms ?? [])
      )
      expect(synonyms.filter(korean).length).toBeGreaterThan(20)
      expect(synonyms.filter((s) => !korean(s)).length).toBeGreaterThan(20)
      // Examples are building blocks, never copies of benchmark questions.
      const asked = new Set(benchmarks.map((b) => Benchmark.normalizeQuestion(b.question)))
      for (const e of curated.instructions?.example_question_sqls ?? []) {
        assert.isFalse(asked.has(Benchmark.normalizeQuestion(e.question.join(""))), e.question.join(""))
      }
    })
  )

  it("has at least 40 benchmarks, at least half in Korean, across categories, difficulties and a split", () => {
    expect(benchmarks.length).toBe(50)
    expect(benchmarks.filter((b) => korean(b.question)).length).toBe(28)
    expect(new Set(benchmarks.map((b) => b.category))).toEqual(
      new Set(["active_users", "revenue", "players", "payments", "trends", "snapshot"])
    )
    expect(new Set(benchmarks.map((b) => b.difficulty))).toEqual(new Set(["easy", "medium", "hard"]))
    const holdout = benchmarks.filter((b) => b.split === "holdout")
    expect(holdout.length + benchmarks.filter((b) => b.split === "train").length).toBe(benchmarks.length)
    expect(holdout.length).toBe(13)
    expect(holdout.filter((b) => korean(b.question)).length).toBeGreaterThan(4)
    // Databricks SQL with three-part names throughout.
    for (const b of benchmarks) expect(b.expected_sql, b.id).toMatch(/\bmain\.gamekpi\.\w+/)
  })
})
