/**
 * Faults injected into single requests on the client's side of the wire, for tests that need one request of a call
 * to fail (the emulator's faults hit a whole endpoint family at random).
 */
import { FetchHttpClient, HttpClient, HttpClientResponse } from "@effect/platform"
import { Stages } from "@genie-enhancer/core"
import type { Emulator } from "@genie-enhancer/workspace-emulator"
import type { Scope } from "effect"
import { Clock, Context, Effect, Layer, Redacted } from "effect"
import { DatabricksWorkspace } from "../src/index.js"
import { settings as defaultSettings, idleWith, readWhole } from "./support.js"

/**
 * What happens to one request: an HTTP status answered without reaching the server, `hang` (never answered, never
 * sent), or `lost` (sent and handled by the server, but its answer never arrives).
 */
export type Fault = number | "hang" | "lost"

/** Requests with this method whose path matches get `faults` in order, one each; later ones go through. */
export interface Rule {
  readonly method: string
  readonly path: RegExp
  readonly faults: ReadonlyArray<Fault>
}

/** A request the client sent, with the test clock time and the fault it met. */
export interface Sent {
  readonly method: string
  readonly path: string
  readonly at: number
  readonly fault?: Fault
}

const codes: Readonly<Record<number, string>> = {
  400: "INVALID_PARAMETER_VALUE",
  403: "PERMISSION_DENIED",
  404: "RESOURCE_DOES_NOT_EXIST",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL_ERROR",
  502: "BAD_GATEWAY",
  503: "TEMPORARILY_UNAVAILABLE"
}

/**
 * A fetch `HttpClient` that applies `rules`, records what it sent, and counts the requests awaiting the server;
 * `idle` asks `emulator` too when given (see `idleWith`).
 */
export const faultyHttpClient = (rules: ReadonlyArray<Rule>, emulator?: Emulator.Emulator) => {
  const queues = rules.map((rule) => ({ rule, faults: [...rule.faults] }))
  const sent: Array<Sent> = []
  let inFlight = 0
  const layer = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      HttpClient.transform(client, (response, request) =>
        Effect.gen(function* () {
          const path = new URL(request.url).pathname
          const at = yield* Clock.currentTimeMillis
          const queue = queues.find(
            (q) => q.rule.method === request.method && q.rule.path.test(path) && q.faults.length > 0
          )
          const fault = queue?.faults.shift()
          sent.push({ method: request.method, path, at, ...(fault === undefined ? {} : { fault }) })
          if (fault === "hang") return yield* Effect.never
          if (typeof fault === "number") {
            const body = JSON.stringify({ error_code: codes[fault] ?? "UNKNOWN", message: "Injected by the test." })
            const headers: Record<string, string> = fault === 429 ? { "retry-after": "2" } : {}
            return HttpClientResponse.fromWeb(request, new Response(body, { status: fault, headers }))
          }
          // The body is read before the response is handed on, so "in flight" covers the whole exchange.
          const answered = yield* Effect.acquireUseRelease(
            Effect.sync(() => inFlight++),
            () => readWhole(response, request),
            () => Effect.sync(() => inFlight--)
          )
          if (fault === "lost") return yield* Effect.never
          return answered
        })
      )
    )
  ).pipe(Layer.provide(FetchHttpClient.layer))
  return { sent, layer, idle: () => idleWith(emulator, inFlight) }
}

/** The adapter's asker and executor over an emulator, through `faultyHttpClient(rules)`. */
export const faultyAdapter = (
  emulator: Emulator.Emulator,
  rules: ReadonlyArray<Rule>,
  settings: DatabricksWorkspace.Settings = defaultSettings
): Effect.Effect<
  {
    readonly sent: ReadonlyArray<Sent>
    readonly idle: () => boolean
    readonly asker: Context.Tag.Service<Stages.Asker>
    readonly executor: Context.Tag.Service<Stages.Executor>
  },
  never,
  Scope.Scope
> =>
  Effect.gen(function* () {
    const http = faultyHttpClient(rules, emulator)
    const context = yield* Layer.build(
      DatabricksWorkspace.layer({
        config: {
          host: emulator.host,
          credentials: { type: "pat", token: Redacted.make(emulator.token) },
          warehouseId: emulator.warehouseId
        },
        settings
      }).pipe(Layer.provide(http.layer))
    )
    return {
      sent: http.sent,
      idle: http.idle,
      asker: Context.get(context, Stages.Asker),
      executor: Context.get(context, Stages.Executor)
    }
  })
