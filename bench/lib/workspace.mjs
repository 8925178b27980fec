// The benchmark workspace: a small orders table, N benchmarks with distinct questions and distinct expected SQL,
// and a Genie engine that answers each question from a script after a latency drawn for that question.
//
// The latencies are drawn here, from a seeded PRNG, one per question, so the bench knows exactly what the emulated
// Genie spent on each answer (the bound needs them). The emulator's `genie.latency` fault is a delay per HTTP
// request (polls included) whose draws it does not expose, and its `stepMs` is the same for every message, so
// neither can model a per-question answer time the bench could account for.
import { ScriptedEngine } from "../../packages/workspace-emulator/dist/index.js"
import { Clock, Duration, Effect } from "./effect.mjs"

const regions = ["EMEA", "NA", "APAC", "LATAM"]
/**
 * Real ms an answer in preparation holds the clock at most: from the emulated Genie's reply until the emulator
 * reports the answer stored (`onAnswerReady`, after it ran the reply's SQL in DuckDB). Only a safety net: the
 * report ends the hold, in a few ms.
 */
const answerGraceMs = 5_000
const orderCount = 2000

/** The dataset: `main.bench.orders` with 2,000 rows, loaded by the emulator at start. */
export const datasets = [
  {
    _tag: "Sql",
    source: "bench/orders.sql",
    dialect: "databricks",
    sql:
      "CREATE TABLE main.bench.orders (id BIGINT, region STRING, amount DECIMAL(10,2));\n" +
      `INSERT INTO main.bench.orders VALUES ${Array.from(
        { length: orderCount },
        (_, i) => `(${i}, '${regions[i % regions.length]}', ${((i * 37) % 1000) / 10 + 1})`
      ).join(", ")};`
  }
]

export const space = {
  title: "Bench orders",
  serializedSpace: { version: 2, data_sources: { tables: [{ identifier: "main.bench.orders" }] } }
}

/** Every fifth benchmark gets a wrong answer from Genie, so runs have both verdicts to keep. */
const expectedOutcome = (i) => (i % 5 === 4 ? "fail" : "pass")

/**
 * N benchmarks; question text, id and expected SQL all differ (the cache and the emulator see N distinct ones).
 * Each comes with the verdict it must get (`outcome`, for counting lost and wrong results) and Genie's SQL: the
 * same result written differently, or (every fifth) one row too many.
 */
export const items = (n) =>
  Array.from({ length: n }, (_, i) => ({
    benchmark: {
      id: `b${String(i).padStart(4, "0")}`,
      question: `What are the order count and total amount per region for orders after #${i}?`,
      expected_sql: `SELECT region, COUNT(*) AS orders, SUM(amount) AS total FROM main.bench.orders WHERE id > ${i} GROUP BY region`,
      category: "orders",
      difficulty: "easy"
    },
    outcome: expectedOutcome(i),
    genieSql:
      expectedOutcome(i) === "pass"
        ? `SELECT region, SUM(amount) AS total, COUNT(*) AS orders FROM main.bench.orders WHERE ${i} < id GROUP BY region ORDER BY region`
        : `SELECT region, COUNT(*) AS orders, SUM(amount) AS total FROM main.bench.orders WHERE id >= ${i} GROUP BY region`
  }))

/** A seeded PRNG (mulberry32): the same seed gives the same latencies on every machine. */
const prng = (seed) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

/**
 * One latency (virtual ms) per benchmark, in benchmark order.
 *
 * @param {{ distribution: "fixed", ms: number } | { distribution: "lognormal", medianMs: number, sigma: number }} latency
 */
export const drawLatencies = (n, latency, seed) => {
  const next = prng(seed)
  return Array.from({ length: n }, () => {
    if (latency.distribution === "fixed") return latency.ms
    // Box–Muller; 1 - u keeps the logarithm finite.
    const z = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next())
    return latency.medianMs * Math.exp(latency.sigma * z)
  })
}

/**
 * The emulated Genie of the bench: waits the question's drawn latency (on the emulator's clock), then answers
 * from the script. `askedAt(question)` is when the emulator accepted the question (the latency counts from then). A
 * question asked again (after a failed start) waits again, as a real Genie would.
 *
 * From the reply until the emulator has stored the answer (it runs the reply's SQL in DuckDB first), the clock is
 * held (`beginWork`), so the answer is ready at exactly its drawn latency on the virtual clock, however slow the
 * machine: pass `onAnswerReady` to the emulator's options (`Emulator.Options.onAnswerReady`).
 */
export const engine = (list, latencies, beginWork = () => () => {}, askedAt = () => Effect.succeed(undefined)) => {
  const scripted = ScriptedEngine.make(list.map((item) => ({ question: item.benchmark.question, sql: item.genieSql })))
  const latencyOf = new Map(list.map((item, i) => [item.benchmark.question, latencies[i]]))
  /** Holds of answers being stored, per question, oldest first (a question asked again may be answered twice). */
  const preparing = new Map()
  const hold = (question) => {
    const holds = preparing.get(question) ?? []
    holds.push(beginWork(answerGraceMs))
    preparing.set(question, holds)
  }
  return {
    engine: {
      name: "bench",
      answer: (question) =>
        Effect.zipRight(
          // The latency counts from when the question was asked: the emulator reads the catalog (DuckDB) before it
          // hands the question over, real work that must not delay the answer on the virtual clock.
          Effect.flatMap(Effect.all([askedAt(question.question), Clock.currentTimeMillis]), ([at, now]) =>
            Effect.sleep(Duration.millis((at ?? now) + (latencyOf.get(question.question) ?? 0) - now))
          ),
          Effect.suspend(() => {
            hold(question.question)
            return scripted.answer(question)
          })
        )
    },
    /** The emulator's `onAnswerReady`: the answer is stored, the clock may move on. */
    onAnswerReady: (asked) => {
      const holds = preparing.get(asked.question)
      holds?.shift()?.()
      if (holds?.length === 0) preparing.delete(asked.question)
    }
  }
}
