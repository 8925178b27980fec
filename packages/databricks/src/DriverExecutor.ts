/**
 * The core `Executor` over the `@databricks/sql` driver (Thrift over HTTPS to the warehouse's HTTP path): client,
 * session and operation are scoped resources, released (and a running operation cancelled) whatever happens.
 */
import { SqlGuard, Stages } from "@genie-enhancer/core"
import { DBSQLClient } from "@databricks/sql"
import type { ConnectionOptions, OpenSessionRequest } from "@databricks/sql/dist/contracts/IDBSQLClient.js"
import type { ExecuteStatementOptions } from "@databricks/sql/dist/contracts/IDBSQLSession.js"
import { Clock, Effect, Exit, Layer, Redacted, Runtime } from "effect"
import { DatabricksAuth } from "./DatabricksAuth.js"
import * as DriverMapping from "./DriverMapping.js"
import * as SqlErrors from "./SqlErrors.js"

/**
 * The part of a driver operation the executor uses.
 *
 * @category models
 */
export interface DriverOperation {
  readonly fetchChunk: (options: { readonly maxRows: number }) => Promise<Array<object>>
  readonly hasMoreRows: () => Promise<boolean>
  readonly getSchema: () => Promise<{ readonly columns: ReadonlyArray<DriverMapping.DriverColumn> } | null>
  readonly cancel: () => Promise<unknown>
  readonly close: () => Promise<unknown>
}

/** @category models */
export interface DriverSession {
  readonly executeStatement: (sql: string, options: ExecuteStatementOptions) => Promise<DriverOperation>
  readonly close: () => Promise<unknown>
}

/**
 * The part of `DBSQLClient` the executor uses; tests supply a fake to check the resource lifecycle.
 *
 * @category models
 */
export interface DriverClient {
  readonly connect: (options: ConnectionOptions) => Promise<unknown>
  readonly openSession: (request: OpenSessionRequest) => Promise<DriverSession>
  readonly close: () => Promise<unknown>
}

/**
 * Where the warehouse is and the profile's `safety.sql` defaults.
 *
 * @category configuration
 */
export interface Settings {
  /** The warehouse's HTTP path, `/sql/1.0/warehouses/<id>` (`workspace.httpPath`); absent: every call fails. */
  readonly httpPath?: string | undefined
  readonly rowLimit: number
  readonly timeoutSeconds: number
  /** A client per call; default `new DBSQLClient()` with its logging limited to errors. */
  readonly makeClient?: () => DriverClient
}

/** Rows requested per fetch: the driver's own default page. */
const pageRows = 100_000

const quietLogger = { log: () => undefined }

/**
 * Connection options for a workspace host (`https://host[:port]`), with telemetry off, exact numbers, one attempt
 * per request (the safety layer retries) and authentication through `authenticate` (`DatabricksAuth`).
 *
 * @category constructors
 */
export const connectionOptions = (
  host: string,
  httpPath: string,
  authenticate: () => Promise<Readonly<Record<string, string>>>
): ConnectionOptions => {
  const url = new URL(host)
  return {
    host: url.hostname,
    ...(url.port === "" ? {} : { port: Number(url.port) }),
    path: httpPath,
    authType: "custom",
    provider: { authenticate },
    telemetryEnabled: false,
    // DECIMAL as exact strings and BIGINT as bigint, not rounded JS numbers.
    preserveBigNumericPrecision: true,
    retryMaxAttempts: 1,
    userAgentEntry: "genie-enhancer"
  }
}

/**
 * Creates the executor.
 *
 * **Details**
 * Each call opens a client, a session (with `STATEMENT_TIMEOUT`, which warehouses honour) and an operation as
 * scoped resources and closes them in reverse order. Rows are fetched page by page up to `rowLimit` + 1, so a
 * larger result is cut (and marked `truncated`) without reading it all. At the call's timeout, or when the call is
 * interrupted, the running operation is cancelled before it is closed. Untrusted SQL must pass `SqlGuard` first.
 *
 * @category constructors
 */
export const make = Effect.fn("DriverExecutor.make")(function* (settings: Settings) {
  const auth = yield* DatabricksAuth
  const runtime = yield* Effect.runtime<never>()
  const authenticate = () =>
    Runtime.runPromise(runtime)(auth.authorization).then((header) => ({ Authorization: Redacted.value(header) }))
  const makeClient = settings.makeClient ?? (() => new DBSQLClient({ logger: quietLogger }))

  const attempt = <A>(what: () => Promise<A>) => Effect.tryPromise({ try: what, catch: DriverMapping.toSqlFailed })
  // Releasing is best effort: a resource that cannot be closed is gone anyway.
  const closing = (what: () => Promise<unknown>) => Effect.ignore(Effect.tryPromise(what))

  const run = (options: ConnectionOptions, sql: string, rowLimit: number, timeoutSeconds: number) =>
    Effect.gen(function* () {
      const startedAt = yield* Clock.currentTimeMillis
      const client = yield* Effect.acquireRelease(
        Effect.sync(makeClient).pipe(Effect.tap((c) => attempt(() => c.connect(options)))),
        (c) => closing(() => c.close())
      )
      const session = yield* Effect.acquireRelease(
        attempt(() => client.openSession({ configuration: { STATEMENT_TIMEOUT: String(Math.ceil(timeoutSeconds)) } })),
        (s) => closing(() => s.close())
      )
      const operation = yield* Effect.acquireRelease(
        attempt(() => session.executeStatement(sql, { maxRows: Math.min(pageRows, rowLimit + 1) })),
        // Anything but a complete read (a failure, the timeout, an interruption) may leave it running.
        (op, exit) =>
          Exit.isSuccess(exit)
            ? closing(() => op.close())
            : Effect.zipRight(
                closing(() => op.cancel()),
                closing(() => op.close())
              )
      )
      const schema = yield* attempt(() => operation.getSchema())
      const columns = (schema?.columns ?? []).map(DriverMapping.columnOf)
      const duplicates = DriverMapping.duplicateNames(columns)
      if (duplicates.length > 0) {
        return yield* new Stages.SqlFailed({
          message:
            `the result has several columns named ${duplicates.join(", ")}; the SQL driver cannot tell them apart ` +
            "(alias them, or use the statements executor)",
          retryable: false,
          rateLimited: false,
          callerError: true
        })
      }
      const rows: Array<object> = []
      while (rows.length <= rowLimit && (yield* attempt(() => operation.hasMoreRows()))) {
        const maxRows = Math.min(pageRows, rowLimit + 1 - rows.length)
        rows.push(...(yield* attempt(() => operation.fetchChunk({ maxRows }))))
      }
      const truncated = rows.length > rowLimit
      const kept = DriverMapping.rowsOf(columns, truncated ? rows.slice(0, rowLimit) : rows)
      return new Stages.ResultSet({
        columns,
        rows: kept,
        rowCount: kept.length,
        truncated,
        elapsedMs: (yield* Clock.currentTimeMillis) - startedAt
      })
    }).pipe(
      Effect.timeoutFail({
        duration: `${timeoutSeconds} seconds`,
        onTimeout: () =>
          new Stages.SqlFailed({
            message: `the statement did not finish within ${timeoutSeconds}s; it was cancelled`,
            retryable: true,
            rateLimited: false,
            callerError: false
          })
      }),
      Effect.scoped
    )

  const execute = (sql: string, options: Stages.ExecuteOptions = {}) =>
    Effect.gen(function* () {
      if (options.trusted !== true) yield* SqlGuard.ensureReadOnly(sql)
      if (settings.httpPath === undefined) return yield* SqlErrors.noWarehouse()
      return yield* run(
        connectionOptions(auth.host, settings.httpPath, authenticate),
        sql,
        options.rowLimit ?? settings.rowLimit,
        options.timeoutSeconds ?? settings.timeoutSeconds
      )
    })

  return Stages.Executor.of({ execute })
})

/**
 * The `Executor` over the `@databricks/sql` driver, authenticated by `DatabricksAuth` (PAT or OAuth M2M alike).
 *
 * @category layers
 */
export const layer = (settings: Settings): Layer.Layer<Stages.Executor, never, DatabricksAuth> =>
  Layer.effect(Stages.Executor, make(settings))
