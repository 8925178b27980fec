// One scenario: an emulator with the bench workspace, the real Databricks adapter over HTTP on 127.0.0.1, the real
// safety layer, run store and scorer, the deterministic evaluator, all from core's composition root
// (`Composition.layer`, through the bench's workspace target, lib/target.mjs); two runs on one run store (the second
// shows the expected-SQL cache), each with its own composition against the one emulator, all under a virtual clock.
// Returns the measurements of the first run, plus the second's.
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { clearInterval, setInterval } from "node:timers"
import { Composition, Polling, ScoreRun, Workspace as CoreWorkspace } from "../../packages/core/dist/index.js"
import * as Bounds from "./bounds.mjs"
import {
  Context,
  Effect,
  FetchHttpClient,
  HttpClient,
  HttpClientRequest,
  HttpClientResponse,
  Layer,
  Logger,
  LogLevel,
  NodeContext,
  Random
} from "./effect.mjs"
import * as BenchTarget from "./target.mjs"
import * as VirtualClock from "./virtualClock.mjs"
import * as Workspace from "./workspace.mjs"

/** The built-in default profile (configs/default.yaml), whatever the environment says. */
export const defaultProfile = () =>
  Effect.runPromise(
    BenchTarget.resolveProfile().pipe(
      Effect.map((resolved) => resolved.profile),
      Effect.provide(NodeContext.layer)
    )
  )

/** Peak resident set and heap while a run lasts, sampled every 20 ms. */
const memorySampler = () => {
  const peak = { rss: 0, heap: 0 }
  const sample = () => {
    const m = process.memoryUsage()
    peak.rss = Math.max(peak.rss, m.rss)
    peak.heap = Math.max(peak.heap, m.heapUsed)
  }
  sample()
  const timer = setInterval(sample, 20)
  return () => {
    clearInterval(timer)
    sample()
    return { rssMb: peak.rss / 2 ** 20, heapMb: peak.heap / 2 ** 20 }
  }
}

/** The header naming a request of the bench's client, so the emulator's `onRequestHung` can say which one hangs. */
const requestIdHeader = "x-bench-request"

/**
 * The adapter's HTTP client, timing every request in real ms (its body read too, so that the clock knows the whole
 * exchange as work) and noting the message polls of each conversation (the last poll of a conversation is the one
 * that saw its answer). Each request holds the clock until it is answered, unless the emulator reports it hung
 * (`onRequestHung`): that one waits on virtual time (the client abandons it after 10 virtual seconds).
 */
const measuringHttpClient = (clock) => {
  const requests = { count: 0, realMs: 0, hung: 0 }
  const polls = new Map()
  const inFlight = new Map()
  let nextId = 0
  const messagePoll = /\/conversations\/([0-9a-f]+)\/messages\/[0-9a-f]+$/
  const onRequestHung = (request) => {
    const id = request.headers[requestIdHeader]
    const endWork = inFlight.get(id)
    if (endWork === undefined) return
    inFlight.delete(id)
    requests.hung++
    endWork()
  }
  const layer = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      HttpClient.transform(client, (response, request) =>
        Effect.suspend(() => {
          const started = performance.now()
          const id = request.headers[requestIdHeader]
          const endWork = clock.beginWork(VirtualClock.requestGraceMs)
          inFlight.set(id, endWork)
          const whole = Effect.flatMap(response, (r) =>
            Effect.map(r.text, (text) =>
              HttpClientResponse.fromWeb(
                request,
                new globalThis.Response(text === "" ? null : text, { status: r.status, headers: r.headers })
              )
            )
          )
          return Effect.ensuring(
            whole,
            Effect.sync(() => {
              inFlight.delete(id)
              endWork()
              const ended = performance.now()
              requests.count++
              requests.realMs += ended - started
              const poll = request.method === "GET" ? messagePoll.exec(new URL(request.url).pathname) : null
              if (poll !== null) {
                const seen = polls.get(poll[1])
                polls.set(poll[1], { count: (seen?.count ?? 0) + 1, lastRealEnd: ended, lastVirtualEnd: clock.now() })
              }
            })
          )
        })
      ).pipe(
        HttpClient.mapRequest((request) => HttpClientRequest.setHeader(request, requestIdHeader, String(nextId++)))
      )
    )
  ).pipe(Layer.provide(FetchHttpClient.layer))
  return { layer, requests, polls, onRequestHung }
}

const mean = (values) => (values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length)
const percentile = (values, p) => {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
}

const tally = (values) => {
  const counts = {}
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1
  return counts
}

/**
 * Runs a scenario.
 *
 * @param {object} spec `n`, `latency`, `seed`, `scale`, `scorer` ("batch" | "sequential"), `genie` (overrides of the
 *   profile's `safety.genie`; `questionsPerMinute: undefined` leaves calls unspaced), `faults` (emulator faults),
 *   `secondRun`
 */
export const run = (spec) => {
  const clock = VirtualClock.make(spec.scale)
  const list = Workspace.items(spec.n)
  const benchmarks = list.map((item) => item.benchmark)
  const latencies = Workspace.drawLatencies(spec.n, spec.latency, spec.seed)
  // Without a client limit the target says it does not limit questions, as the CLI's `local` target does.
  const unspaced =
    spec.genie !== undefined && "questionsPerMinute" in spec.genie && spec.genie.questionsPerMinute === undefined
  const overrides = (storeDir) => ({
    "scorer.plugin": spec.scorer,
    "runs.dir": storeDir,
    ...Object.fromEntries(Object.entries(spec.genie ?? {}).map(([key, value]) => [`safety.genie.${key}`, value]))
  })

  // One run: a composition of its own (policies, run store, scorer, evaluator) against the scenario's emulator.
  const score = (target, storeDir, http) =>
    Effect.scoped(
      Effect.gen(function* () {
        const services = yield* Layer.build(BenchTarget.layer({ target, overrides: overrides(storeDir) }))
        const info = Context.get(services, CoreWorkspace.Target)
        const { profile } = Context.get(services, Composition.Loaded).context
        const evaluatingAt = new Map()
        const doneRealAt = new Map()
        const requestsBefore = { ...http.requests }
        let last = { at: Number.NEGATIVE_INFINITY, id: "" }
        const onProgress = (event) =>
          Effect.sync(() => {
            const at = clock.now()
            if (event.stage === "evaluating") evaluatingAt.set(event.benchmarkId, at)
            if (event.stage === "done") doneRealAt.set(event.benchmarkId, { real: performance.now(), virtual: at })
            if (event.stage === "done" && at >= last.at) last = { at, id: event.benchmarkId }
          })
        const stopSampling = memorySampler()
        const clockBefore = clock.stats()
        const cpu = process.cpuUsage()
        const realStart = performance.now()
        const start = clock.now()
        const outcome = yield* ScoreRun.run({
          benchmarks,
          spaceId: info.spaceIds[0],
          benchmarksFile: "bench/scoring.bench.mjs",
          profile: "default",
          scorer: profile.scorer.plugin,
          target: info.host,
          cacheWarehouseId: info.warehouseId,
          onProgress
        }).pipe(Effect.provide(services), Effect.scoped)
        const end = clock.now()
        const realMs = performance.now() - realStart
        const used = process.cpuUsage(cpu)
        const clockAfter = clock.stats()
        return {
          profile,
          doneRealAt,
          requests: {
            count: http.requests.count - requestsBefore.count,
            realMs: http.requests.realMs - requestsBefore.realMs,
            hung: http.requests.hung - requestsBefore.hung
          },
          heldRealMs: clockAfter.heldRealMs - clockBefore.heldRealMs,
          outcome,
          wallMs: end - start,
          realMs,
          downstreamMs: end - (evaluatingAt.get(last.id) ?? end),
          cpuMs: (used.user + used.system) / 1000,
          memory: stopSampling()
        }
      })
    )

  // When the emulator accepted a question (the last time it was asked), once the emulator is up.
  let started
  const askedAt = (question) =>
    started === undefined
      ? Effect.succeed(undefined)
      : Effect.map(started.questions, (asked) => asked.findLast((q) => q.question === question)?.timestamp)
  const genieEngine = Workspace.engine(list, latencies, clock.beginWork, askedAt)
  const http = measuringHttpClient(clock)
  const program = Effect.gen(function* () {
    // The workspace outlives both runs, as a real one would: the emulator (and the adapter's learned latencies)
    // are built by the first run's composition and kept for the second.
    const target = yield* BenchTarget.shared({
      ...(unspaced ? { limitsQuestions: false } : {}),
      emulator: {
        datasets: Workspace.datasets,
        spaces: [Workspace.space],
        engines: () => genieEngine.engine,
        // The clock waits for an answer being stored, and not for a request the emulator will never answer.
        onAnswerReady: genieEngine.onAnswerReady,
        onRequestHung: http.onRequestHung,
        seed: spec.seed,
        ...(spec.faults === undefined ? {} : { faults: spec.faults })
      },
      httpClient: http.layer,
      onStart: (emulator) => {
        started = emulator
      }
    })
    const storeDir = yield* Effect.acquireRelease(
      Effect.promise(() => mkdtemp(join(tmpdir(), "genie-bench-"))),
      (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
    )
    const first = yield* score(target, storeDir, http)
    const asked = (yield* started.questions).length
    const polls = new Map(http.polls)
    const second = spec.secondRun ? yield* score(target, storeDir, http) : undefined
    return { first: { ...first, polls }, second, asked }
  })

  return Effect.runPromise(
    program.pipe(
      Effect.scoped,
      Effect.withClock(clock),
      Effect.withScheduler(clock.scheduler),
      // Retry jitter and ids from a seeded PRNG: with the virtual clock, a run is the same on every machine.
      Effect.withRandom(Random.make(spec.seed)),
      Logger.withMinimumLogLevel(LogLevel.None),
      Effect.provide(NodeContext.layer)
    )
  ).then(({ first, second, asked }) => {
    const genie = first.profile.safety.genie
    const slots = spec.scorer === "sequential" ? 1 : genie.concurrency
    const questionsPerMinute = unspaced ? undefined : genie.questionsPerMinute
    return measure(spec, { list, latencies, slots, genie, questionsPerMinute }, first, second, asked)
  })
}

/** The measurements of a scenario, in virtual seconds unless named otherwise. */
const measure = (spec, setup, first, second, asked) => {
  const { list, latencies, slots, genie, questionsPerMinute } = setup
  const { outcome } = first
  const n = spec.n
  const safety = outcome.summary.safety
  const byId = new Map(outcome.results.map((r) => [r.benchmarkId, r]))
  const results = list.map((item) => byId.get(item.benchmark.id))
  const present = results.filter((r) => r !== undefined)
  const errors = present.filter((r) => r.verdict.outcome === "error")
  const wrong = list.filter((item, i) => results[i] !== undefined && results[i].verdict.outcome !== item.outcome).length

  const firstPollMs = genie.pollIntervalSeconds * 1000
  const maxPollMs = genie.maxPollIntervalSeconds * 1000
  // The rate questions may start at: the client's own limit or the server's, whichever is lower.
  const serverQpm = spec.faults?.genie?.questionsPerMinute
  const allowedQpm = Math.min(questionsPerMinute ?? Infinity, serverQpm ?? Infinity)
  const spacingMs = Number.isFinite(allowedQpm) ? 60_000 / allowedQpm : 0
  // When the asker can first see each answer. Adaptive: at the poll planned from the latencies the asker had seen
  // when the question started (the same list schedule, played out with those polls).
  const adaptive = genie.pollSchedule === "adaptive"
  const seen = adaptive
    ? Bounds.seenInSchedule(latencies, slots, spacingMs, (ms, known) =>
        Bounds.seenAtPlanned(ms, Polling.plan(known, { first: firstPollMs, max: maxPollMs }), firstPollMs, maxPollMs)
      )
    : latencies.map((ms) => Bounds.seenAt(ms, firstPollMs, maxPollMs))
  // Client overhead, measured directly: real ms from the poll that saw an answer to the question's result being
  // done (rows read, conversation deleted, evaluated; the journal append follows), the same span in virtual ms
  // (the two agree unless real time was magnified), and real ms per HTTP request.
  const work = results.flatMap((r) => {
    const poll = r?.answer?.conversationId === undefined ? undefined : first.polls.get(r.answer.conversationId)
    const done = r === undefined ? undefined : first.doneRealAt.get(r.benchmarkId)
    return poll === undefined || done === undefined
      ? []
      : [{ real: done.real - poll.lastRealEnd, virtual: done.virtual - poll.lastVirtualEnd }]
  })
  const messagePolls = [...first.polls.values()].reduce((sum, p) => sum + p.count, 0)
  const rateMs = n * spacingMs
  const makespanMs = Bounds.schedule(latencies, slots)
  // The bound, and the exact list schedule it approximates (both limits at once), without and with polling.
  const boundMs = Math.max(rateMs, makespanMs) + first.downstreamMs
  const scheduleMs = Bounds.schedule(latencies, slots, spacingMs) + first.downstreamMs
  const polledScheduleMs = Bounds.schedule(seen, slots, spacingMs) + first.downstreamMs
  // How long a question held its Genie slot beyond the poll at which its answer could first be seen: HTTP, reading
  // rows, deleting the conversation, and with faults the retries, their backoff and timed-out attempts.
  const extra = results.flatMap((r, i) => (r?.answer === undefined ? [] : [r.answer.elapsedMs - seen[i]]))
  const throughput = (n / first.wallMs) * 60_000

  const s = (ms) => Math.round(ms) / 1000
  return {
    scenario: spec.scenario,
    variant: spec.variant,
    scorer: spec.scorer,
    n,
    concurrency: slots,
    profileQpm: questionsPerMinute ?? null,
    serverQpm: serverQpm ?? null,
    timeScale: spec.scale,
    wallS: s(first.wallMs),
    realWallS: s(first.realMs),
    makespanS: s(makespanMs),
    rateBoundS: s(rateMs),
    downstreamS: s(first.downstreamMs),
    boundS: s(boundMs),
    ratio: first.wallMs / boundMs,
    scheduleS: s(scheduleMs),
    ratioSchedule: first.wallMs / scheduleMs,
    polledScheduleS: s(polledScheduleMs),
    ratioPolled: first.wallMs / polledScheduleMs,
    askExtraMeanS: extra.length === 0 ? null : s(extra.reduce((a, b) => a + b, 0) / extra.length),
    pollSchedule: adaptive ? "adaptive" : "fixed",
    getsPerQuestion: messagePolls / n,
    pollDelayMeanS: s(mean(seen.map((at, i) => at - latencies[i]))),
    workRealMsMean: mean(work.map((w) => w.real)),
    workRealMsP95: percentile(
      work.map((w) => w.real),
      0.95
    ),
    workVirtualMsMean: mean(work.map((w) => w.virtual)),
    requestsPerQuestion: first.requests.count / n,
    hungRequests: first.requests.hung,
    requestRealMsMean: first.requests.count === 0 ? null : first.requests.realMs / first.requests.count,
    heldRealMsPerQuestion: first.heldRealMs / n,
    throughputPerMin: throughput,
    allowedPerMin: Number.isFinite(allowedQpm) ? allowedQpm : null,
    ofAllowed: Number.isFinite(allowedQpm) ? throughput / allowedQpm : null,
    refusals429: safety.genie.refusals,
    asked,
    missing: n - present.length,
    errors: errors.length,
    errorTypes: tally(errors.map((r) => r.answer?.error?.type ?? r.verdict.decidedBy)),
    lost: n - present.length + errors.length,
    wrongVerdicts: wrong,
    verdicts: outcome.summary.verdicts,
    genieAttempts: outcome.summary.attempts.total,
    retriedBenchmarks: outcome.summary.attempts.retriedBenchmarks,
    genieTimeouts: safety.genie.timeouts,
    circuitEvents: safety.circuitEvents.length,
    cacheHitsFirstRun: n - safety.sql.calls,
    cacheHitsSecondRun: second === undefined ? null : n - second.outcome.summary.safety.sql.calls,
    secondRunWallS: second === undefined ? null : s(second.wallMs),
    cpuMsPerBenchmark: first.cpuMs / n,
    peakRssMb: first.memory.rssMb,
    peakHeapMb: first.memory.heapMb,
    verdictById: Object.fromEntries(present.map((r) => [r.benchmarkId, r.verdict.outcome]))
  }
}
