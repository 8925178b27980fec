/**
 * The workspace emulator: a loopback HTTP server speaking the Databricks APIs (Genie conversations and spaces, SQL
 * statements, OIDC, serving endpoints) over a DuckDB warehouse.
 */
import { Errors, Issue, Space, SpaceId } from "@genie-enhancer/core"
import type { SpaceValidation } from "@genie-enhancer/core"
import type { Scope } from "effect"
import { Cause, Clock, Duration, Effect, Exit, Scope as Scopes } from "effect"
import * as Activity from "./Activity.js"
import * as ApiError from "./ApiError.js"
import * as Auth from "./Auth.js"
import * as Conversations from "./Conversations.js"
import * as Faults from "./Faults.js"
import type * as GenieEngine from "./GenieEngine.js"
import * as Http from "./Http.js"
import * as GenieRoutes from "./routes/genie.js"
import * as OidcRoutes from "./routes/oidc.js"
import * as ServingRoutes from "./routes/serving.js"
import * as SpaceRoutes from "./routes/spaces.js"
import * as StatementRoutes from "./routes/statements.js"
import * as ScriptedEngine from "./ScriptedEngine.js"
import * as Serving from "./Serving.js"
import * as Spaces from "./Spaces.js"
import * as Statements from "./Statements.js"
import * as GenieSimulator from "./simulator/GenieSimulator.js"
import * as Warehouse from "./Warehouse.js"
import * as WorkspaceLoader from "./WorkspaceLoader.js"

/**
 * How to start an emulator. Everything is optional: the default is an empty workspace (one warehouse, no spaces)
 * on a free port, without faults.
 *
 * @category configuration
 */
export interface Options {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number
  /** A workspace directory with a `workspace.yaml` manifest; the options below add to or override it. */
  readonly workspace?: string
  readonly datasets?: ReadonlyArray<WorkspaceLoader.Dataset>
  readonly spaces?: ReadonlyArray<WorkspaceLoader.SpaceInput>
  readonly faults?: Faults.Config
  /** Seed of fault injection (unless the faults set their own) and of Genie engines. Default 0. */
  readonly seed?: number
  /** The personal access token to accept; default a fresh `dapi…` token. */
  readonly token?: string
  readonly servicePrincipal?: Auth.ServicePrincipal
  /** The warehouse id (16 hex); default a fresh one. */
  readonly warehouseId?: string
  /** Pins SQL's CURRENT_DATE / now(); by default they follow Effect's `Clock`. */
  readonly sqlNow?: Date | string
  /** Chooses a space's Genie engine (e.g. the Genie simulator); undefined falls back (see `defaultEngine`). */
  readonly engines?: GenieEngine.EngineResolver
  /**
   * The engine for spaces without `engines` or scripted answers (and for unscripted questions). Default: the Genie
   * simulator, configured by `simulator`.
   */
  readonly defaultEngine?: GenieEngine.GenieEngine
  /** Options of the default Genie simulator, e.g. `{ noiseRate: 0.1 }`; ignored when `defaultEngine` is given. */
  readonly simulator?: GenieSimulator.Options
  /** Scripted serving completions, tried before the workspace's. */
  readonly completions?: ReadonlyArray<Serving.CompletionRule>
  /** How strictly the spaces API validates `serialized_space` (default: like the API, unsorted arrays rejected). */
  readonly spaceValidation?: SpaceValidation.Options
  /** Rows per result chunk of the statements API. Default 10,000. */
  readonly statementChunkRows?: number
  /** How long statement results stay fetchable (then CLOSED). Default 1 hour. */
  readonly statementResultTtl?: Duration.DurationInput
  /** How long a Genie answer's result lives before QUERY_RESULT_EXPIRED. Default 1 hour. */
  readonly genieResultTtl?: Duration.DurationInput
  /** Rows kept per Genie query result. Default 5,000. */
  readonly genieRowLimit?: number
  /** Lifetime of OAuth tokens from `/oidc/v1/token`. Default 3,600 s. */
  readonly tokenTtlSeconds?: number
  /**
   * Called when a Genie message's answer is stored, at the `Clock` time it is ready from (the message shows it once
   * its status steps have passed): after the engine replied and the reply's SQL ran on the warehouse, or after the
   * message failed. For harnesses that drive the clock themselves and must not move time while an answer is still
   * being prepared (the scoring bench's virtual clock).
   */
  readonly onAnswerReady?: (question: Conversations.AskedQuestion) => void
  /** Called when an injected fault (`hangRate`) leaves a request unanswered, before it starts hanging. */
  readonly onRequestHung?: (request: Http.Request) => void
}

/** What a client needs to connect, as printed by `genie-enhancer emulator start`. @category models */
export interface ConnectionInfo {
  /** `http://127.0.0.1:<port>`. */
  readonly host: string
  readonly port: number
  /** Personal access token (`dapi…`); a throwaway credential of this emulator. */
  readonly token: string
  readonly warehouseId: string
  /** Spaces created at start, in manifest order. */
  readonly spaceIds: ReadonlyArray<string>
  /** OAuth M2M client for `/oidc/v1/token`. */
  readonly servicePrincipal: Auth.ServicePrincipal
}

/**
 * A running emulator: connection info plus handles for tests.
 *
 * @category models
 */
export interface Emulator extends ConnectionInfo {
  /** Creates a space (validated like the spaces API); returns its id. */
  readonly registerSpace: (input: WorkspaceLoader.SpaceInput) => Effect.Effect<string, Errors.ConfigInvalid>
  /** Every question Genie accepted (start-conversation and follow-ups), oldest first. */
  readonly questions: Effect.Effect<ReadonlyArray<Conversations.AskedQuestion>>
  readonly conversations: Effect.Effect<ReadonlyArray<Conversations.ConversationSummary>>
  readonly clearConversations: Effect.Effect<void>
  /** Replaces the fault configuration (restarting its PRNG streams). */
  readonly setFaults: (faults: Faults.Config) => Effect.Effect<void>
  /** Requests the serving endpoints received. */
  readonly servingRequests: Effect.Effect<ReadonlyArray<Serving.ServingRequest>>
  /** The warehouse: tables with Databricks types, and read-only queries. */
  readonly warehouse: Pick<Warehouse.Warehouse, "catalog" | "query">
  /** Whether real work is under way and how many requests are held on the clock (for `TestClock` drivers). */
  readonly activity: Pick<Activity.Activity, "busy" | "heldRequests">
}

const loadDatasets = (warehouse: Warehouse.Warehouse, datasets: ReadonlyArray<WorkspaceLoader.Dataset>) =>
  Effect.forEach(
    datasets,
    (d) =>
      d._tag === "Sql"
        ? Effect.mapError(warehouse.runScript(d.sql, d.dialect), (f) =>
            WorkspaceLoader.datasetFailed(d.source, f.message)
          )
        : Effect.mapError(warehouse.loadFile(d), (f) => WorkspaceLoader.datasetFailed(d.path, f.message)),
    { discard: true }
  )

/**
 * Starts an emulator on 127.0.0.1; it stops when the scope closes (in-flight requests and background work are
 * interrupted, DuckDB is closed).
 *
 * **Details**
 * Time (message statuses, statement progress, TTLs, token expiry, injected latency) follows Effect's `Clock` of the
 * fiber that calls `start`, so tests started under `TestClock` control it with `TestClock.adjust`.
 *
 * @category constructors
 */
export const start: (
  options?: Options
) => Effect.Effect<Emulator, Errors.ConfigInvalid | Http.ListenFailed, Scope.Scope> = Effect.fn("Emulator.start")(
  function* (options: Options = {}) {
    const workspace = options.workspace === undefined ? undefined : yield* WorkspaceLoader.load(options.workspace)
    const seed = options.seed ?? workspace?.seed ?? 0
    const sqlNowText = options.sqlNow ?? workspace?.sqlNow
    const sqlNow = sqlNowText === undefined ? undefined : new Date(sqlNowText)
    if (sqlNow !== undefined && Number.isNaN(sqlNow.getTime())) {
      return yield* new Errors.ConfigInvalid({
        source: "sqlNow",
        issues: [Issue.error("InvalidValue", "$", `expected an ISO 8601 date or date-time, got ${String(sqlNowText)}`)]
      })
    }
    const warehouseId = options.warehouseId ?? workspace?.warehouseId ?? (yield* SpaceId.make).slice(16)
    const scope = yield* Effect.scope

    const warehouse = yield* Warehouse.make({
      now: sqlNow === undefined ? Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms)) : Effect.succeed(sqlNow)
    })
    yield* loadDatasets(warehouse, [...(workspace?.datasets ?? []), ...(options.datasets ?? [])])
    yield* Effect.orDie(warehouse.lock)

    const faults = Faults.make(options.faults ?? workspace?.faults ?? {}, seed)
    const auth = Auth.make({
      ...(options.token === undefined ? {} : { token: options.token }),
      ...(options.servicePrincipal === undefined ? {} : { servicePrincipal: options.servicePrincipal }),
      ...(options.tokenTtlSeconds === undefined ? {} : { tokenTtlSeconds: options.tokenTtlSeconds })
    })
    const spaces = Spaces.make({ warehouseId })
    const activity = Activity.make()
    const statements = Statements.make({
      activity,
      warehouse,
      scope,
      chunkRows: options.statementChunkRows ?? 10_000,
      resultTtlMs: Duration.toMillis(options.statementResultTtl ?? "1 hour")
    })
    const defaultEngine =
      options.defaultEngine ??
      (yield* Effect.try({
        try: () => GenieSimulator.make(options.simulator ?? workspace?.simulator),
        catch: (e) =>
          new Errors.ConfigInvalid({
            source: "simulator",
            issues: [Issue.error("InvalidValue", "$", e instanceof Error ? e.message : String(e))]
          })
      }))
    const scripted = new Map<string, GenieEngine.GenieEngine>()
    const conversations = Conversations.make({
      activity,
      spaces,
      statements,
      warehouse,
      faults,
      engineFor: (spaceId) => options.engines?.(spaceId) ?? scripted.get(spaceId) ?? defaultEngine,
      seed,
      scope,
      rowLimit: options.genieRowLimit ?? 5000,
      resultTtlMs: Duration.toMillis(options.genieResultTtl ?? "1 hour"),
      ...(options.onAnswerReady === undefined ? {} : { onAnswerReady: options.onAnswerReady })
    })
    const serving = Serving.make({ rules: [...(options.completions ?? []), ...(workspace?.completions ?? [])], faults })

    const registerSpace = (input: WorkspaceLoader.SpaceInput) =>
      Effect.gen(function* () {
        const source = input.source ?? input.title ?? "space"
        const text =
          typeof input.serializedSpace === "string" ? input.serializedSpace : JSON.stringify(input.serializedSpace)
        const space = yield* Space.parse(text, { ...options.spaceValidation, source })
        const record = yield* spaces
          .create({
            warehouseId,
            space,
            ...(input.id === undefined ? {} : { id: input.id }),
            ...(input.title === undefined ? {} : { title: input.title }),
            ...(input.description === undefined ? {} : { description: input.description })
          })
          .pipe(
            Effect.mapError(
              (e) => new Errors.ConfigInvalid({ source, issues: [Issue.error("SpaceRejected", "$", e.message)] })
            )
          )
        if (input.answers !== undefined) scripted.set(record.id, ScriptedEngine.make(input.answers, defaultEngine))
        return record.id
      })
    const spaceIds = yield* Effect.forEach([...(workspace?.spaces ?? []), ...(options.spaces ?? [])], registerSpace)

    const before = (route: Http.Route, request: Http.Request) =>
      Effect.gen(function* () {
        if (route.auth) yield* auth.authorize(request.headers.authorization)
        const decision = yield* faults.request(route.family)
        if (decision.hang) {
          options.onRequestHung?.(request)
          return yield* activity.hold(Effect.never)
        }
        if (decision.delayMs > 0) yield* activity.hold(Effect.sleep(Duration.millis(decision.delayMs)))
        if (decision.status === 429) {
          return yield* ApiError.rateLimited("Too many requests (injected fault).", decision.retryAfterSeconds)
        }
        if (decision.status !== undefined) return yield* ApiError.serverError(decision.status, "Injected server error.")
      })
    const routes = [
      ...GenieRoutes.routes(conversations),
      ...SpaceRoutes.routes(spaces, options.spaceValidation ?? {}),
      ...StatementRoutes.routes(statements, faults, warehouseId),
      ...OidcRoutes.routes(auth),
      ...ServingRoutes.routes(serving)
    ]
    const dispatch = Http.dispatch(routes, before)
    const port = yield* Http.listen(options.port ?? 0, (request) => activity.work(dispatch(request)))

    return {
      host: `http://127.0.0.1:${port}`,
      port,
      token: auth.token,
      warehouseId,
      spaceIds,
      servicePrincipal: auth.servicePrincipal,
      registerSpace,
      questions: conversations.asked,
      conversations: conversations.summaries,
      clearConversations: conversations.clear,
      setFaults: faults.set,
      servingRequests: serving.requests,
      warehouse: { catalog: warehouse.catalog, query: warehouse.query },
      activity: { busy: activity.busy, heldRequests: activity.heldRequests }
    }
  }
)

/**
 * A running emulator for non-Effect callers; `stop()` shuts it down. Handles are effects: run them with
 * `Effect.runPromise`.
 *
 * @category models
 */
export interface RunningEmulator extends Emulator {
  readonly stop: () => Promise<void>
}

/**
 * `start` for Promise-based callers (e.g. tests with `beforeAll`/`afterAll`). Fails with the emulator's error
 * (`ConfigInvalid`, `ListenFailed`).
 *
 * @category constructors
 */
export const startPromise = async (options?: Options): Promise<RunningEmulator> => {
  const scope = await Effect.runPromise(Scopes.make())
  const exit = await Effect.runPromiseExit(Scopes.extend(start(options), scope))
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scopes.close(scope, exit))
    throw Cause.squash(exit.cause)
  }
  return { ...exit.value, stop: () => Effect.runPromise(Scopes.close(scope, Exit.void)) }
}
