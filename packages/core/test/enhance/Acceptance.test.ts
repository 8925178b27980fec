import { assert, describe, it } from "@effect/vitest"
import * as Acceptance from "../../src/enhance/Acceptance.js"

const settings = (test: "mcnemar" | "sign" = "mcnemar", maxNewFailures = 0, minImprovement = 0) => ({
  acceptance: { test, alpha: 0.1 },
  gates: { minImprovement, maxNewFailures }
})
const t = (passed: number, asked = 1) => ({ passed, asked })
const pairs = (spec: ReadonlyArray<readonly [number, number]>) =>
  spec.map(([before, after], i) => ({ benchmarkId: `b${i}`, before: t(before), after: t(after) }))

describe("Acceptance", () => {
  it("binomialTail is the exact one-sided tail of Binomial(n, 1/2)", () => {
    assert.strictEqual(Acceptance.binomialTail(0, 5), 1)
    assert.closeTo(Acceptance.binomialTail(4, 4), 1 / 16, 1e-12)
    assert.closeTo(Acceptance.binomialTail(4, 5), 6 / 32, 1e-12)
    assert.strictEqual(Acceptance.binomialTail(6, 5), 0)
    assert.closeTo(Acceptance.binomialTail(600, 1000), 1.36e-10, 1e-10)
  })

  it("accepts four clean gains at alpha 0.1 (p = 1/16), not three (p = 1/8)", () => {
    const four = Acceptance.decide(
      pairs([
        [0, 1],
        [0, 1],
        [0, 1],
        [0, 1],
        [1, 1],
        [0, 0]
      ]),
      settings()
    )
    assert.isTrue(four.accepted)
    assert.deepStrictEqual(four.gains, ["b0", "b1", "b2", "b3"])
    assert.closeTo(four.pValue, 0.0625, 1e-12)
    const three = Acceptance.decide(
      pairs([
        [0, 1],
        [0, 1],
        [0, 1],
        [1, 1]
      ]),
      settings()
    )
    assert.isFalse(three.accepted)
    assert.match(three.reason, /not significant/)
  })

  it("rejects a candidate with new failures beyond maxNewFailures, whatever it gains", () => {
    const spec: Array<readonly [number, number]> = [...Array(10).fill([0, 1]), [1, 0]]
    const d = Acceptance.decide(pairs(spec), settings("mcnemar", 0))
    assert.isFalse(d.accepted)
    assert.deepStrictEqual(d.losses, ["b10"])
    assert.match(d.reason, /breaks 1 benchmark/)
    assert.isTrue(Acceptance.decide(pairs(spec), settings("mcnemar", 1)).accepted)
  })

  it("rejects an unchanged candidate and one below minImprovement", () => {
    assert.isFalse(
      Acceptance.decide(
        pairs([
          [1, 1],
          [0, 0]
        ]),
        settings()
      ).accepted
    )
    const spec: Array<readonly [number, number]> = [...Array(4).fill([0, 1]), ...Array(96).fill([1, 1])]
    assert.isTrue(Acceptance.decide(pairs(spec), settings("mcnemar", 0, 0.04)).accepted)
    assert.isFalse(Acceptance.decide(pairs(spec), settings("mcnemar", 0, 0.05)).accepted)
  })

  it("with repeats, McNemar pairs majorities (a tie is no evidence) and the sign test pass-rate changes", () => {
    const p = [{ benchmarkId: "x", before: t(1, 2), after: t(2, 2) }]
    assert.deepStrictEqual(Acceptance.discordant(p, "mcnemar").gains, [])
    assert.deepStrictEqual(Acceptance.discordant(p, "sign").gains, ["x"])
  })

  it("futile once even a perfect rest cannot be accepted; not while it still can", () => {
    const scored = (after: number, before = 0) => ({
      benchmarkId: "s",
      before: t(before),
      after: t(after),
      remainingAsks: 0
    })
    const rest = (n: number, before = 0) =>
      Array.from({ length: n }, (_, i) => ({
        benchmarkId: `r${i}`,
        before: t(before),
        after: t(0, 0),
        remainingAsks: 1
      }))
    // Four failing benchmarks left: four gains still possible.
    assert.isFalse(Acceptance.futile([scored(0), ...rest(4)], settings()))
    // Three left and nothing gained so far: p ≥ 1/8 at best.
    assert.isTrue(Acceptance.futile([scored(0), ...rest(3)], settings()))
    // A new failure with maxNewFailures 0 is futile at once.
    assert.isTrue(Acceptance.futile([scored(0, 1), ...rest(20)], settings()))
    // Passing benchmarks left cannot add gains.
    assert.isTrue(Acceptance.futile([scored(0), ...rest(10, 1)], settings()))
  })

  it("tally ignores error and excluded verdicts; score has a Wilson interval", () => {
    const tallies = Acceptance.tally([
      { benchmarkId: "a", outcome: "pass" },
      { benchmarkId: "a", outcome: "fail" },
      { benchmarkId: "b", outcome: "error" },
      { benchmarkId: "c", outcome: "inconclusive" }
    ])
    assert.deepStrictEqual(tallies.get("a"), { passed: 1, asked: 2 })
    assert.deepStrictEqual(tallies.get("b"), { passed: 0, asked: 0 })
    assert.deepStrictEqual(tallies.get("c"), { passed: 0, asked: 1 })
    const s = Acceptance.score(tallies.values())
    assert.strictEqual(s.n, 2)
    assert.closeTo(s.score, 0.25, 1e-12)
    assert.isTrue(s.low < 0.25 && s.high > 0.25)
  })
})
