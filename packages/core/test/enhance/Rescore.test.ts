import { assert, describe, it } from "@effect/vitest"
import * as Rescore from "../../src/enhance/Rescore.js"
import type { Benchmark } from "../../src/model/Benchmark.js"
import { Fix } from "../../src/stages/fix/Fixer.js"

const settings = {
  acceptance: { test: "mcnemar" as const, alpha: 0.1 },
  gates: { minImprovement: 0, maxNewFailures: 0 }
}
const t = (passed: number, asked = 1) => ({ passed, asked })

const bench = (id: string, table: string): Benchmark => ({
  id,
  question: `How many ${table} are there?`,
  expected_sql: `SELECT count(*) FROM main.shop.${table}`,
  category: "count",
  difficulty: "easy"
})
const fix = (target: string, change: unknown, extra: Partial<ConstructorParameters<typeof Fix>[0]> = {}) =>
  new Fix({ id: target, category: "metadata-add", target, change, rationale: "test", sourceBenchmarkIds: [], ...extra })

describe("Rescore", () => {
  it("waveSize: up to the question after which unchanged answers make the candidate futile, within the limit", () => {
    // Ten failing benchmarks not asked yet: four gains are still possible until seven have failed again.
    const pending = Array.from({ length: 10 }, (_, i) => ({
      benchmarkId: `f${i}`,
      before: t(0),
      after: t(0, 0),
      remainingAsks: 1
    }))
    const ids = pending.map((p) => p.benchmarkId)
    assert.strictEqual(Rescore.waveSize(pending, ids, settings, 100), 7)
    assert.strictEqual(Rescore.waveSize(pending, ids, settings, 4), 4)
    // A passing benchmark answered unchanged brings futility no closer.
    const withPassing = [...pending, { benchmarkId: "p", before: t(1), after: t(0, 0), remainingAsks: 1 }]
    assert.strictEqual(Rescore.waveSize(withPassing, ["p", ...ids], settings, 100), 8)
    // Enough gains already: no unchanged answer makes it futile; the limit decides.
    const gained = pending.map((p, i) => (i < 5 ? { ...p, after: t(1), remainingAsks: 0 } : p))
    assert.strictEqual(Rescore.waveSize(gained, ids.slice(5), settings, 8), 5)
    assert.strictEqual(Rescore.waveSize(gained, ids.slice(5), settings, 3), 3)
    assert.strictEqual(Rescore.waveSize(gained, [], settings, 8), 0)
  })

  it("order: failing first (targeted first), passing related to the fixes interleaved, the riskiest first", () => {
    const benchmarks = [
      bench("p-orders", "orders"),
      bench("p-stores", "stores"),
      bench("p-items", "items"),
      ...["customers", "products", "regions", "orders", "payments", "returns", "items"].map((x) => bench(`f-${x}`, x))
    ]
    const passing = (id: string) => id.startsWith("p-")
    const fixes = [
      fix("data_sources.tables[main.shop.items]", { columns: ["items", "quantity"] }),
      fix("data_sources.tables[main.shop.orders]", null, { category: "metadata-delete" }),
      fix("example", { question: "How many returns?" }, { targetsFailures: ["f-returns"] })
    ]
    const order = Rescore.order(benchmarks, { passing, fixes }).map((b) => b.id)
    assert.deepStrictEqual(order, [
      "f-returns",
      // the other failing ones, the related first
      "f-orders",
      "f-items",
      // the passing one related to the deletion (risk) before the one related to an addition
      "p-orders",
      "f-customers",
      "f-products",
      "f-regions",
      "p-items",
      "f-payments",
      // unrelated passing ones last
      "p-stores"
    ])
    // Words every benchmark shares (the catalog and schema) relate nothing.
    const everywhere = Rescore.relatedness([fix("data_sources.tables[main.shop.x]", null)], benchmarks)[0]
    assert.isTrue([...everywhere.values()].every((score) => score === 0))
  })

  it("gainsToConfirm: only as many unconfirmed gains as the worst case needs", () => {
    const pairs = [
      ...Array.from({ length: 6 }, (_, i) => ({ benchmarkId: `g${i}`, before: t(0), after: t(1) })),
      { benchmarkId: "same", before: t(1), after: t(1) }
    ]
    const ids = pairs.slice(0, 6).map((p) => p.benchmarkId)
    // Four clean gains give p = 1/16 ≤ 0.1.
    assert.strictEqual(Rescore.gainsToConfirm(pairs, ids, settings), 4)
    // Two already confirmed (not in the list): two more suffice.
    assert.strictEqual(Rescore.gainsToConfirm(pairs, ids.slice(2), settings), 2)
    assert.strictEqual(Rescore.gainsToConfirm(pairs, [], settings), 0)
  })
})
