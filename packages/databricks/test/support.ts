import { FetchHttpClient, HttpClient, HttpClientResponse } from "@effect/platform"
import type { HttpClientError, HttpClientRequest } from "@effect/platform"
import { Stages } from "@genie-enhancer/core"
import type { Errors, Space } from "@genie-enhancer/core"
import { TestClockDriver } from "@genie-enhancer/core/testing"
import type { Http, ScriptedEngine, WorkspaceLoader } from "@genie-enhancer/workspace-emulator"
import { Emulator } from "@genie-enhancer/workspace-emulator"
import { SalesFixture } from "@genie-enhancer/workspace-emulator/testing"
import type { Exit, Scope } from "effect"
import { Cause, Chunk, Clock, Context, Effect, Layer, Option, Redacted, TestClock } from "effect"
import type { DatabricksConfig } from "../src/index.js"
import { DatabricksWorkspace } from "../src/index.js"

/** The shared main.sales fixture with a fifth order (five orders, so small chunk sizes split them unevenly). */
export const salesDataset: WorkspaceLoader.Dataset = SalesFixture.datasetWith(SalesFixture.fifthOrderSql)

export const salesSpace: Space.SerializedSpace = SalesFixture.space

export const totalByRegionSql = SalesFixture.totalByRegionSql

/** Scripted Genie answers of the sales space. */
export const answers: ReadonlyArray<ScriptedEngine.ScriptedAnswer> = [
  { question: "Total sales by region?", sql: totalByRegionSql, text: "EU leads with 120.25." },
  { question: "Which sales?", text: "Do you mean orders or revenue?" },
  { question: "Break it", failed: { type: "CONTENT_FILTER_EXCEPTION", message: "Blocked." } },
  { question: "Quirk", attachments: "none" },
  {
    question: "Self-correct",
    sql: "SELECT COUNT(*) AS n FROM main.sales.orders",
    corrections: ["SELECT COUNT(*) FROM main.sales.order"]
  }
]

/** An emulator with the sales data and one space answering `answers`. */
export const startEmulator = (
  options: Emulator.Options = {}
): Effect.Effect<Emulator.Emulator, Errors.ConfigInvalid | Http.ListenFailed, Scope.Scope> =>
  Emulator.start({
    datasets: [salesDataset],
    spaces: [{ title: "Sales", description: "Sales KPIs", serializedSpace: salesSpace, answers }],
    ...options
  })

/** The profile's defaults for the settings the adapter reads. */
export const settings: DatabricksWorkspace.Settings = {
  workspace: { sqlExecutor: "statements", deleteConversations: true },
  safety: {
    genie: { timeoutSeconds: 120, pollIntervalSeconds: 1, maxPollIntervalSeconds: 10 },
    sql: { rowLimit: 10_000, timeoutSeconds: 60 }
  }
}

/** A request the adapter sent, with the (test) clock time it was sent at. */
export interface SentRequest {
  readonly method: string
  readonly path: string
  readonly at: number
}

/**
 * A fetch-based `HttpClient` that records every request it sends and counts those awaiting an answer (its body
 * included: the body is read before the response is handed on); `idle` asks `emulator` too when given.
 */
export const recordingHttpClient = (emulator?: Emulator.Emulator) => {
  const sent: Array<SentRequest> = []
  let inFlight = 0
  const layer = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      HttpClient.transform(client, (response, request) =>
        Effect.acquireUseRelease(
          Effect.map(Clock.currentTimeMillis, (at) => {
            sent.push({ method: request.method, path: new URL(request.url).pathname, at })
            inFlight++
          }),
          () => readWhole(response, request),
          () => Effect.sync(() => inFlight--)
        )
      )
    )
  ).pipe(Layer.provide(FetchHttpClient.layer))
  return { sent, layer, idle: () => idleWith(emulator, inFlight) }
}

/** The response with its body read, so that "in flight" covers the whole exchange. */
export const readWhole = (
  response: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>,
  request: HttpClientRequest.HttpClientRequest
) =>
  Effect.flatMap(response, (r) =>
    Effect.map(r.text, (text) =>
      HttpClientResponse.fromWeb(
        request,
        new Response(text === "" ? null : text, { status: r.status, headers: r.headers })
      )
    )
  )

/**
 * Whether the clock may move: no request on its way or being handled, and (with the emulator) nothing at work
 * there; requests it holds on the clock (injected delays, `wait_timeout`) are not in the way.
 */
export const idleWith = (emulator: Emulator.Emulator | undefined, inFlight: number): boolean =>
  emulator === undefined ? inFlight === 0 : !emulator.activity.busy() && inFlight <= emulator.activity.heldRequests()

/** The adapter's services, with what it sent. */
export interface Adapter {
  readonly sent: ReadonlyArray<SentRequest>
  /** False while a request awaits its answer. */
  readonly idle: () => boolean
  readonly asker: Context.Tag.Service<Stages.Asker>
  readonly executor: Context.Tag.Service<Stages.Executor>
  readonly store: Context.Tag.Service<Stages.SpaceStore>
}

/**
 * The whole adapter pointed at an emulator (its PAT unless `credentials` say otherwise). `sent` lists the requests
 * it made; `idle` is false while one awaits its answer.
 */
export const adapterFor = (
  emulator: Emulator.Emulator,
  options: {
    readonly settings?: DatabricksWorkspace.Settings
    readonly credentials?: DatabricksConfig.Credentials
    readonly warehouseId?: string
  } = {}
): Effect.Effect<Adapter, never, Scope.Scope> =>
  Effect.gen(function* () {
    const http = recordingHttpClient(emulator)
    const context = yield* Layer.build(
      DatabricksWorkspace.layer({
        config: {
          host: emulator.host,
          credentials: options.credentials ?? { type: "pat", token: Redacted.make(emulator.token) },
          warehouseId: options.warehouseId ?? emulator.warehouseId
        },
        settings: options.settings ?? settings
      }).pipe(Layer.provide(http.layer))
    )
    return {
      sent: http.sent,
      idle: http.idle,
      asker: Context.get(context, Stages.Asker),
      executor: Context.get(context, Stages.Executor),
      store: Context.get(context, Stages.SpaceStore)
    }
  })

/**
 * Runs `effect` under the `TestClock` as if time passed by itself (core's `TestClockDriver`): while work is under way
 * (`idle` false) the clock does not move. Returns the exit.
 */
export const withAutoClock = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  idle: () => boolean
): Effect.Effect<Exit.Exit<A, E>, never, R> => TestClockDriver.runExit(effect, { busy: () => !idle() })

/** Lets real I/O progress until a sleep waits on the `TestClock` (one that ends at `at`, when given). */
export const awaitSleep = (at?: number) =>
  Effect.gen(function* () {
    for (let i = 0; i < 2000; i++) {
      const sleeps = Chunk.toReadonlyArray(yield* TestClock.sleeps())
      if (at === undefined ? sleeps.length > 0 : sleeps.includes(at)) return
      yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
    }
    return yield* Effect.dieMessage(`never saw a sleep${at === undefined ? "" : ` until ${at}`} on the clock`)
  })

/** The typed failure of an exit (throws when it succeeded or died). */
export const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (exit._tag === "Success") throw new Error(`expected a failure, got ${JSON.stringify(exit.value)}`)
  return Option.getOrThrowWith(
    Cause.failureOption(exit.cause),
    () => new Error(`no typed failure: ${Cause.pretty(exit.cause)}`)
  )
}
