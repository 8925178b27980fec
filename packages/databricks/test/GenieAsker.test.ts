import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Redacted, TestClock } from "effect"
import type { Stages } from "@genie-enhancer/core"
import {
  adapterFor,
  awaitSleep,
  failureOf,
  settings,
  startEmulator,
  totalByRegionSql,
  withAutoClock
} from "./support.js"
import type { Sent } from "./RequestFaults.js"
import { faultyAdapter } from "./RequestFaults.js"

const withGenie = (genie: Partial<typeof settings.safety.genie>, deleteConversations = true) => ({
  workspace: { ...settings.workspace, deleteConversations },
  safety: { ...settings.safety, genie: { ...settings.safety.genie, ...genie } }
})

const answerOf = <A, E>(exit: Exit.Exit<A, E>): A => {
  if (Exit.isFailure(exit)) throw new Error(`expected an answer: ${String(exit.cause)}`)
  return exit.value
}

describe("GenieAsker", () => {
  it.scoped(
    "answers with the last query's SQL, its rows with Databricks types and the text, then deletes the conversation",
    () =>
      Effect.gen(function* () {
        const emulator = yield* startEmulator()
        const { asker, idle, sent } = yield* adapterFor(emulator)
        const spaceId = emulator.spaceIds[0]

        const answer = answerOf(yield* withAutoClock(asker.ask(spaceId, "Total sales by region?"), idle))
        assert.strictEqual(answer.status, "COMPLETED")
        assert.strictEqual(answer.sql, totalByRegionSql)
        assert.strictEqual(answer.text, "EU leads with 120.25.")
        assert.strictEqual(answer.attempts, 1)
        assert.deepStrictEqual(
          answer.result?.columns.map((c) => [c.name, c.typeName]),
          [
            ["region", "STRING"],
            ["total", "DECIMAL"]
          ]
        )
        assert.deepStrictEqual(answer.result?.rows, [
          ["APAC", "75.00"],
          ["EU", "120.25"],
          ["US", "60.50"]
        ])
        assert.isFalse(answer.result?.truncated)
        assert.deepStrictEqual(yield* emulator.conversations, [])
        assert.isTrue(
          sent.some((r) => r.method === "DELETE" && r.path.endsWith(`/conversations/${answer.conversationId}`))
        )

        const corrected = answerOf(yield* withAutoClock(asker.ask(spaceId, "Self-correct"), idle))
        assert.strictEqual(corrected.sql, "SELECT COUNT(*) AS n FROM main.sales.orders")
        assert.deepStrictEqual(corrected.result?.rows, [["5"]])
      })
  )

  it.scoped("polls first after pollIntervalSeconds, backing off x1.5 up to maxPollIntervalSeconds", () =>
    Effect.gen(function* () {
      // Each status lasts 10 s: the message completes 50 s after it was asked.
      const emulator = yield* startEmulator({ faults: { genie: { stepMs: 10_000 } } })
      const { asker, idle, sent } = yield* adapterFor(emulator)
      const answer = answerOf(yield* withAutoClock(asker.ask(emulator.spaceIds[0], "Total sales by region?"), idle))
      assert.strictEqual(answer.status, "COMPLETED")
      const start = sent[0].at
      const polls = sent
        .filter((r) => r.method === "GET" && /\/messages\/[0-9a-f]+$/.test(r.path))
        .map((r) => r.at - start)
      const gaps = polls.map((at, i) => at - (i === 0 ? 0 : polls[i - 1]))
      assert.deepStrictEqual(gaps.slice(0, 4), [1000, 1500, 2250, 3375])
      assert.isTrue(gaps.every((gap) => gap <= 10_000))
      assert.strictEqual(gaps.at(-1), 10_000)
      assert.isAtLeast(polls.at(-1) ?? 0, 50_000)
      assert.isBelow(polls.at(-1) ?? 0, 60_000)
    })
  )

  it.scoped(
    "pollSchedule adaptive: after five answers, polls are planned from Genie's timestamps of them",
    () =>
      Effect.gen(function* () {
        // Each status lasts 2 s: every answer with a query is complete 10 s after it was asked.
        const emulator = yield* startEmulator({ faults: { genie: { stepMs: 2000 } } })
        const { asker, idle, sent } = yield* adapterFor(emulator, { settings: withGenie({ pollSchedule: "adaptive" }) })
        const pollsOf = (conversationId: string) => {
          const asked = sent.findLast((r) => r.method === "POST" && r.path.endsWith("/start-conversation"))?.at ?? 0
          return sent
            .filter(
              (r) =>
                r.method === "GET" && new RegExp(`/conversations/${conversationId}/messages/[0-9a-f]+$`).test(r.path)
            )
            .map((r) => r.at - asked)
        }
        // Too few latencies yet: the fixed backoff (1, 2.5, 4.75, 8.125, 13.19 s).
        for (let i = 0; i < 5; i++) {
          const answer = answerOf(yield* withAutoClock(asker.ask(emulator.spaceIds[0], "Total sales by region?"), idle))
          assert.deepStrictEqual(pollsOf(answer.conversationId ?? ""), [1000, 2500, 4750, 8125, 13_187.5])
        }
        // Five latencies of 10 s: one poll, at 10 s.
        const planned = answerOf(yield* withAutoClock(asker.ask(emulator.spaceIds[0], "Total sales by region?"), idle))
        assert.strictEqual(planned.sql, totalByRegionSql)
        assert.deepStrictEqual(pollsOf(planned.conversationId ?? ""), [10_000])
        assert.strictEqual(planned.elapsedMs, 10_000)
      }),
    60_000
  )

  it.scoped("text-only answers and COMPLETED messages without attachments", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator()
      const { asker, idle } = yield* adapterFor(emulator)
      const clarify = answerOf(yield* withAutoClock(asker.ask(emulator.spaceIds[0], "Which sales?"), idle))
      assert.strictEqual(clarify.status, "COMPLETED")
      assert.strictEqual(clarify.text, "Do you mean orders or revenue?")
      assert.isUndefined(clarify.sql)
      assert.isUndefined(clarify.result)

      const empty = answerOf(yield* withAutoClock(asker.ask(emulator.spaceIds[0], "Quirk"), idle))
      assert.strictEqual(empty.status, "COMPLETED")
      assert.isUndefined(empty.text)
      assert.isUndefined(empty.sql)
    })
  )

  it.scoped("a FAILED message is a typed error; a rate limit inside the message is retryable", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator()
      const { asker, idle } = yield* adapterFor(emulator)
      const blocked = failureOf(yield* withAutoClock(asker.ask(emulator.spaceIds[0], "Break it"), idle))
      assert.include(blocked, {
        _tag: "GenieError",
        reason: "Failed",
        errorType: "CONTENT_FILTER_EXCEPTION",
        retryable: false,
        rateLimited: false
      })
      assert.include(blocked.message, "Blocked.")
      assert.isUndefined(blocked.pending)

      yield* emulator.setFaults({ genie: { failedRate: 1, failedType: "RATE_LIMIT_EXCEEDED_GENERIC_EXCEPTION" } })
      const limited = failureOf(yield* withAutoClock(asker.ask(emulator.spaceIds[0], "Total sales by region?"), idle))
      assert.include(limited, {
        reason: "Failed",
        errorType: "RATE_LIMIT_EXCEEDED_GENERIC_EXCEPTION",
        retryable: true,
        rateLimited: true
      })
      // Final failures leave nothing to resume, so their conversations go too.
      assert.deepStrictEqual(yield* emulator.conversations, [])
    })
  )

  it.scoped("HTTP 429 carries Retry-After; 5xx is retryable; an unknown space is not", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator({ faults: { genie: { throttleRate: 1, retryAfterSeconds: 7 } } })
      const { asker, idle } = yield* adapterFor(emulator)
      const spaceId = emulator.spaceIds[0]
      const throttled = failureOf(yield* withAutoClock(asker.ask(spaceId, "Total sales by region?"), idle))
      assert.include(throttled, {
        reason: "RateLimited",
        status: 429,
        retryable: true,
        rateLimited: true,
        retryAfterMs: 7000
      })

      yield* emulator.setFaults({ genie: { questionsPerMinute: 1 } })
      answerOf(yield* withAutoClock(asker.ask(spaceId, "Which sales?"), idle))
      const overLimit = failureOf(yield* withAutoClock(asker.ask(spaceId, "Which sales?"), idle))
      assert.include(overLimit, { reason: "RateLimited", retryable: true })
      assert.isAbove(overLimit.retryAfterMs ?? 0, 0)

      yield* emulator.setFaults({ genie: { errorRate: 1, errorStatus: 503 } })
      const unavailable = failureOf(yield* withAutoClock(asker.ask(spaceId, "Which sales?"), idle))
      assert.include(unavailable, { reason: "Unavailable", status: 503, retryable: true, rateLimited: false })

      yield* emulator.setFaults({})
      const missing = failureOf(yield* withAutoClock(asker.ask("0123456789abcdef0123456789abcdef", "Hi?"), idle))
      assert.include(missing, { reason: "NotFound", status: 404, retryable: false })
    })
  )

  it.scoped("a hung poll times out with the pending message; resume answers it without asking again", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator()
      const { asker, idle } = yield* adapterFor(emulator, { settings: withGenie({ timeoutSeconds: 10 }) })
      const fiber = yield* Effect.fork(asker.ask(emulator.spaceIds[0], "Total sales by region?"))
      yield* awaitSleep(1000) // the first poll's wait: the question was accepted
      yield* emulator.setFaults({ genie: { hangRate: 1 } })
      yield* TestClock.adjust("1 second")
      yield* TestClock.adjust("9 seconds")
      const timeout = failureOf(yield* Fiber.await(fiber))
      assert.include(timeout, { reason: "Timeout", retryable: true })
      const pending = timeout.pending as Stages.PendingMessage
      assert.strictEqual(pending.spaceId, emulator.spaceIds[0])
      assert.include(timeout.message, pending.messageId)
      // The conversation stays until its answer is in.
      assert.strictEqual((yield* emulator.conversations).length, 1)

      yield* emulator.setFaults({})
      const answer = answerOf(yield* withAutoClock(asker.resume(pending), idle))
      assert.strictEqual(answer.sql, totalByRegionSql)
      assert.strictEqual(answer.result?.rows.length, 3)
      assert.strictEqual(answer.messageId, pending.messageId)
      assert.strictEqual((yield* emulator.questions).length, 1)
      assert.deepStrictEqual(yield* emulator.conversations, [])
    })
  )

  it.scoped("a poll that fails or hangs is made again at the next interval; the answer still arrives", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator({ faults: { genie: { stepMs: 5_000 } } })
      const { asker, idle, sent } = yield* adapterFor(emulator)
      const fiber = yield* Effect.fork(asker.ask(emulator.spaceIds[0], "Total sales by region?"))
      yield* awaitSleep(1000) // accepted; the first poll is due at 1 s
      yield* emulator.setFaults({ genie: { errorRate: 1, errorStatus: 503 } })
      yield* TestClock.adjust("1 second") // the first poll fails with 503
      yield* awaitSleep(2500)
      yield* emulator.setFaults({ genie: { hangRate: 1 } })
      yield* TestClock.adjust("1500 millis") // the second one hangs and is abandoned after 10 s
      yield* awaitSleep()
      yield* emulator.setFaults({})
      const answer = answerOf(yield* withAutoClock(Fiber.join(fiber), idle))
      assert.strictEqual(answer.sql, totalByRegionSql)
      assert.strictEqual((yield* emulator.questions).length, 1)
      const polls = sent.filter((r) => r.method === "GET" && /\/messages\/[0-9a-f]+$/.test(r.path))
      assert.isAtLeast(polls.length, 3)
    })
  )

  it.scoped("an expired result is run again with execute-query", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator({ genieResultTtl: "30 seconds", faults: { genie: { stepMs: 3000 } } })
      const { asker, idle, sent } = yield* adapterFor(emulator, { settings: withGenie({ timeoutSeconds: 10 }) })
      const timeout = failureOf(yield* withAutoClock(asker.ask(emulator.spaceIds[0], "Total sales by region?"), idle))
      assert.strictEqual(timeout.reason, "Timeout")
      yield* TestClock.adjust("2 minutes") // answered at 15 s, expired at 45 s

      const answer = answerOf(yield* withAutoClock(asker.resume(timeout.pending as Stages.PendingMessage), idle))
      assert.strictEqual(answer.status, "COMPLETED")
      assert.deepStrictEqual(
        answer.result?.rows.map((r) => r[0]),
        ["APAC", "EU", "US"]
      )
      assert.isTrue(sent.some((r) => r.method === "POST" && r.path.endsWith("/execute-query")))
      assert.strictEqual((yield* emulator.questions).length, 1)
    })
  )

  it.scoped("wrong credentials are an Auth error, not retryable", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator()
      const badToken = yield* adapterFor(emulator, { credentials: { type: "pat", token: Redacted.make("dapi-wrong") } })
      const rejected = failureOf(
        yield* withAutoClock(badToken.asker.ask(emulator.spaceIds[0], "Which sales?"), badToken.idle)
      )
      assert.include(rejected, { reason: "Auth", status: 401, retryable: false })

      const badSecret = yield* adapterFor(emulator, {
        credentials: {
          type: "oauth-m2m",
          clientId: emulator.servicePrincipal.clientId,
          clientSecret: Redacted.make("wrong-secret")
        }
      })
      const refused = failureOf(
        yield* withAutoClock(badSecret.asker.ask(emulator.spaceIds[0], "Which sales?"), badSecret.idle)
      )
      assert.include(refused, { reason: "Auth", retryable: false })
      assert.include(refused.message, "invalid_client")
      assert.notInclude(JSON.stringify(refused), "wrong-secret")
      assert.deepStrictEqual(yield* emulator.questions, [])
    })
  )

  it.scoped("OAuth M2M: an expired token is replaced before the next call", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator({ tokenTtlSeconds: 60 })
      const { asker, idle, sent } = yield* adapterFor(emulator, {
        credentials: {
          type: "oauth-m2m",
          clientId: emulator.servicePrincipal.clientId,
          clientSecret: Redacted.make(emulator.servicePrincipal.clientSecret)
        }
      })
      answerOf(yield* withAutoClock(asker.ask(emulator.spaceIds[0], "Which sales?"), idle))
      yield* TestClock.adjust("5 minutes")
      answerOf(yield* withAutoClock(asker.ask(emulator.spaceIds[0], "Total sales by region?"), idle))
      assert.strictEqual(sent.filter((r) => r.path === "/oidc/v1/token").length, 2)
    })
  )

  it.scoped("keeps conversations when deleteConversations is off", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator()
      const { asker, idle, sent } = yield* adapterFor(emulator, { settings: withGenie({}, false) })
      answerOf(yield* withAutoClock(asker.ask(emulator.spaceIds[0], "Which sales?"), idle))
      assert.strictEqual((yield* emulator.conversations).length, 1)
      assert.isFalse(sent.some((r) => r.method === "DELETE"))
    })
  )
})

describe("GenieAsker: single requests that fail", () => {
  const start = /\/start-conversation$/
  const queryResult = /\/query-result$/
  const posts = (sent: ReadonlyArray<Sent>) => sent.filter((r) => r.method === "POST" && start.test(r.path))
  /**
   * An emulator whose SQL engine has run a query: the first query of a process loads the SQL parser and DuckDB in
   * real time, which the test clock would otherwise overtake with the question's deadline on a loaded machine.
   */
  const warmEmulator = () =>
    Effect.tap(startEmulator(), (emulator) => Effect.orDie(emulator.warehouse.query(totalByRegionSql)))

  it.scoped("a start-conversation answered 503 is asked again on the backoff; the question is asked once", () =>
    Effect.gen(function* () {
      const emulator = yield* warmEmulator()
      const { asker, idle, sent } = yield* faultyAdapter(emulator, [
        { method: "POST", path: start, faults: [503, 503] }
      ])
      const answer = answerOf(yield* withAutoClock(asker.ask(emulator.spaceIds[0], "Total sales by region?"), idle))
      assert.strictEqual(answer.sql, totalByRegionSql)
      assert.strictEqual(answer.result?.rows.length, 3)
      const times = posts(sent).map((r) => r.at)
      assert.strictEqual(times.length, 3)
      // 1 s, then 2 s (±20 % jitter): the safety layer's backoff.
      const [first, second] = [times[1] - times[0], times[2] - times[1]]
      assert.isTrue(first >= 800 && first <= 1200, `first wait ${first}`)
      assert.isTrue(second >= 1600 && second <= 2400, `second wait ${second}`)
      assert.strictEqual((yield* emulator.questions).length, 1)
      // Refused requests are not looked up: a 503 was not handled.
      assert.isFalse(sent.some((r) => r.method === "GET" && r.path.endsWith("/conversations")))
    })
  )

  it.scoped("a start-conversation whose answer is lost is found among the conversations, not asked again", () =>
    Effect.gen(function* () {
      const emulator = yield* warmEmulator()
      const { asker, idle, sent } = yield* faultyAdapter(emulator, [{ method: "POST", path: start, faults: ["lost"] }])
      const accepted: Array<Stages.PendingMessage> = []
      const answer = answerOf(
        yield* withAutoClock(
          asker.ask(emulator.spaceIds[0], "Total sales by region?", {
            onAccepted: (p) => Effect.sync(() => accepted.push(p))
          }),
          idle
        )
      )
      assert.strictEqual(answer.sql, totalByRegionSql)
      assert.strictEqual(posts(sent).length, 1)
      assert.strictEqual((yield* emulator.questions).length, 1)
      assert.deepStrictEqual(
        accepted.map((p) => p.messageId),
        [answer.messageId]
      )
      // Abandoned after 30 s, looked up after the first backoff (~1 s).
      const lookup = sent.find((r) => r.method === "GET" && r.path.endsWith("/conversations"))
      assert.isDefined(lookup)
      assert.isTrue((lookup?.at ?? 0) >= 30_800 && (lookup?.at ?? 0) <= 31_200, `looked up at ${lookup?.at}`)
    })
  )

  it.scoped("a start-conversation that hung unhandled is looked up, not found, and asked again", () =>
    Effect.gen(function* () {
      const emulator = yield* warmEmulator()
      const { asker, idle, sent } = yield* faultyAdapter(emulator, [{ method: "POST", path: start, faults: ["hang"] }])
      const answer = answerOf(yield* withAutoClock(asker.ask(emulator.spaceIds[0], "Total sales by region?"), idle))
      assert.strictEqual(answer.sql, totalByRegionSql)
      assert.strictEqual(posts(sent).length, 2)
      assert.strictEqual((yield* emulator.questions).length, 1)
      assert.isTrue(sent.some((r) => r.method === "GET" && r.path.endsWith("/conversations")))
    })
  )

  it.scoped("an outage fails the question after 5 tries of start-conversation, ~15 s, for the breaker to see", () =>
    Effect.gen(function* () {
      const emulator = yield* warmEmulator()
      const { asker, idle, sent } = yield* faultyAdapter(emulator, [
        { method: "POST", path: start, faults: Array.from({ length: 10 }, () => 503) }
      ])
      const unavailable = failureOf(
        yield* withAutoClock(asker.ask(emulator.spaceIds[0], "Total sales by region?"), idle)
      )
      assert.include(unavailable, { reason: "Unavailable", status: 503, retryable: true })
      const times = posts(sent).map((r) => r.at)
      assert.strictEqual(times.length, 5)
      assert.isTrue(times[4] >= 12_000 && times[4] <= 18_000, `last try at ${times[4]}`)
    })
  )

  it.scoped("a query-result read that fails or hangs is made again; the rows still arrive", () =>
    Effect.gen(function* () {
      const emulator = yield* warmEmulator()
      const { asker, idle, sent } = yield* faultyAdapter(emulator, [
        { method: "GET", path: queryResult, faults: [503, "hang", 429] }
      ])
      const answer = answerOf(yield* withAutoClock(asker.ask(emulator.spaceIds[0], "Total sales by region?"), idle))
      assert.strictEqual(answer.status, "COMPLETED")
      assert.deepStrictEqual(
        answer.result?.rows.map((r) => r[0]),
        ["APAC", "EU", "US"]
      )
      const reads = sent.filter((r) => queryResult.test(r.path))
      assert.deepStrictEqual(
        reads.map((r) => r.fault),
        [503, "hang", 429, undefined]
      )
      // The hung read is abandoned after 10 s; the 429's Retry-After (2 s) is waited out.
      assert.isAtLeast(reads[2].at - reads[1].at, 10_000)
      assert.isAtLeast(reads[3].at - reads[2].at, 2000)
      assert.strictEqual((yield* emulator.questions).length, 1)
    })
  )

  it.scoped("reads that fail until the deadline end in a Timeout with the pending message, naming the failure", () =>
    Effect.gen(function* () {
      const emulator = yield* warmEmulator()
      const { asker, idle } = yield* faultyAdapter(
        emulator,
        [{ method: "GET", path: queryResult, faults: Array.from({ length: 100 }, () => 503) }],
        withGenie({ timeoutSeconds: 30 })
      )
      const timeout = failureOf(yield* withAutoClock(asker.ask(emulator.spaceIds[0], "Total sales by region?"), idle))
      assert.include(timeout, { reason: "Timeout", retryable: true })
      assert.isDefined(timeout.pending)
      assert.include(timeout.message, "query-result answered HTTP 503")
    })
  )

  it.scoped("permanent 4xx failures end the question at once", () =>
    Effect.gen(function* () {
      const emulator = yield* warmEmulator()
      const { asker, idle, sent } = yield* faultyAdapter(emulator, [
        { method: "POST", path: start, faults: [400] },
        { method: "GET", path: queryResult, faults: [403] }
      ])
      const bad = failureOf(yield* withAutoClock(asker.ask(emulator.spaceIds[0], "Total sales by region?"), idle))
      assert.include(bad, { reason: "BadRequest", status: 400, retryable: false })
      assert.strictEqual(posts(sent).length, 1)

      const denied = failureOf(yield* withAutoClock(asker.ask(emulator.spaceIds[0], "Total sales by region?"), idle))
      assert.include(denied, { reason: "Auth", status: 403, retryable: false })
      assert.strictEqual(sent.filter((r) => queryResult.test(r.path)).length, 1)

      const missing = failureOf(yield* withAutoClock(asker.ask("0123456789abcdef0123456789abcdef", "Hi?"), idle))
      assert.include(missing, { reason: "NotFound", status: 404, retryable: false })
      assert.strictEqual(posts(sent).length, 3)
    })
  )
})
