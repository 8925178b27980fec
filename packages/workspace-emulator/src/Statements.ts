/**
 * Statements of the SQL Statement Execution API (databricks-api.md §4): each runs in the background, moves through
 * PENDING → RUNNING → SUCCEEDED/FAILED on the emulator's clock, keeps its rows in chunks, can be canceled, and is
 * CLOSED once its result expires. Genie's query attachments are statements too.
 */
import { SpaceId } from "@genie-enhancer/core"
import type { Scope } from "effect"
import { Clock, Deferred, Effect } from "effect"
import * as Activity from "./Activity.js"
import * as ApiError from "./ApiError.js"
import type { SqlFailure } from "./SqlFailure.js"
import type { Parameter } from "./Transpile.js"
import type { QueryResult, Warehouse } from "./Warehouse.js"

/** @category models */
export type State = "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELED" | "CLOSED"

/** How a statement ended. @category models */
export type Outcome =
  | {
      readonly _tag: "Succeeded"
      readonly result: QueryResult
      /** Rows kept after `row_limit`. */
      readonly rows: QueryResult["rows"]
      readonly truncated: boolean
    }
  | { readonly _tag: "Failed"; readonly failure: SqlFailure }

/** A submitted statement. @category models */
export interface Statement {
  readonly id: string
  readonly createdAt: number
  readonly pendingUntil: number
  readonly runningUntil: number
  readonly done: Deferred.Deferred<Outcome>
  /** When the outcome became known (it may run longer than the scripted run time). */
  readyAt?: number
  outcome?: Outcome
  canceled: boolean
}

/** @category models */
export interface SubmitOptions {
  readonly parameters?: ReadonlyArray<Parameter>
  readonly catalog?: string
  readonly schema?: string
  readonly rowLimit?: number
  readonly pendingMs: number
  readonly runMs: number
}

/** The statement store of an emulator. @category models */
export interface Statements {
  readonly submit: (sql: string, options: SubmitOptions) => Effect.Effect<Statement>
  /** 404 `RESOURCE_DOES_NOT_EXIST` for unknown ids. */
  readonly find: (id: string) => Effect.Effect<Statement, ApiError.ApiError>
  readonly state: (statement: Statement) => Effect.Effect<State>
  /** Waits until the statement is terminal or `maxMs` passed. */
  readonly wait: (statement: Statement, maxMs: number) => Effect.Effect<void>
  readonly cancel: (statement: Statement) => Effect.Effect<void>
  /** The `StatementResponse` JSON as of now. */
  readonly response: (statement: Statement) => Effect.Effect<Record<string, unknown>>
  /** A result chunk (`/result/chunks/{index}`). */
  readonly chunk: (statement: Statement, index: number) => Effect.Effect<Record<string, unknown>, ApiError.ApiError>
}

const uuidLike = (hex: string): string =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`

/**
 * Creates the store. Executions are forked into `scope`; `chunkRows` rows go in each result chunk and results are
 * kept `resultTtlMs` after the statement finished (then `CLOSED`).
 *
 * @category constructors
 */
export const make = (options: {
  readonly warehouse: Warehouse
  readonly scope: Scope.Scope
  readonly chunkRows: number
  readonly resultTtlMs: number
  /** Counts running statements as work and `wait_timeout` waits as held requests (default: not counted). */
  readonly activity?: Activity.Activity
}): Statements => {
  const activity = options.activity ?? Activity.none
  const byId = new Map<string, Statement>()

  const submit = (sql: string, submitOptions: SubmitOptions) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const id = uuidLike(yield* SpaceId.make)
      const pendingUntil = now + submitOptions.pendingMs
      const statement: Statement = {
        id,
        createdAt: now,
        pendingUntil,
        runningUntil: pendingUntil + submitOptions.runMs,
        done: yield* Deferred.make<Outcome>(),
        canceled: false
      }
      byId.set(id, statement)
      const execute = options.warehouse
        .query(sql, {
          ...(submitOptions.parameters === undefined ? {} : { parameters: submitOptions.parameters }),
          ...(submitOptions.catalog === undefined ? {} : { catalog: submitOptions.catalog }),
          ...(submitOptions.schema === undefined ? {} : { schema: submitOptions.schema })
        })
        .pipe(
          Effect.map((result): Outcome => {
            const limit = submitOptions.rowLimit
            const truncated = limit !== undefined && result.rows.length > limit
            return { _tag: "Succeeded", result, rows: truncated ? result.rows.slice(0, limit) : result.rows, truncated }
          }),
          Effect.catchAll((failure) => Effect.succeed<Outcome>({ _tag: "Failed", failure })),
          Effect.tap((outcome) =>
            Effect.gen(function* () {
              statement.outcome = outcome
              statement.readyAt = yield* Clock.currentTimeMillis
              yield* Deferred.succeed(statement.done, outcome)
            })
          )
        )
      const end = yield* activity.begin
      yield* Effect.forkIn(Effect.ensuring(execute, end), options.scope)
      return statement
    })

  const find = (id: string) => {
    const statement = byId.get(id)
    return statement === undefined
      ? Effect.fail(ApiError.notFound(`Statement ${id} does not exist.`))
      : Effect.succeed(statement)
  }

  const finishedAt = (s: Statement): number => Math.max(s.runningUntil, s.readyAt ?? s.runningUntil)

  const state = (s: Statement) =>
    Effect.map(Clock.currentTimeMillis, (now): State => {
      if (s.canceled) return "CANCELED"
      if (now < s.pendingUntil) return "PENDING"
      if (s.outcome === undefined || now < s.runningUntil) return "RUNNING"
      if (s.outcome._tag === "Failed") return "FAILED"
      return now >= finishedAt(s) + options.resultTtlMs ? "CLOSED" : "SUCCEEDED"
    })

  const wait = (s: Statement, maxMs: number) => {
    // Once the query has run, only time is left: the request is held on the clock.
    const untilTerminal = Deferred.await(s.done).pipe(
      Effect.zipRight(Clock.currentTimeMillis),
      Effect.flatMap((now) => activity.hold(s.runningUntil > now ? Effect.sleep(s.runningUntil - now) : Effect.void))
    )
    return Effect.race(untilTerminal, Effect.sleep(maxMs))
  }

  const cancel = (s: Statement) =>
    Effect.flatMap(state(s), (current) =>
      Effect.sync(() => {
        if (current === "PENDING" || current === "RUNNING") s.canceled = true
      })
    )

  const chunkCount = (rows: number): number => Math.ceil(rows / options.chunkRows)

  const chunkJson = (s: Statement, outcome: Extract<Outcome, { _tag: "Succeeded" }>, index: number) => {
    const offset = index * options.chunkRows
    const dataArray = outcome.rows.slice(offset, offset + options.chunkRows)
    const next = index + 1 < chunkCount(outcome.rows.length) ? index + 1 : undefined
    return {
      chunk_index: index,
      row_offset: offset,
      row_count: dataArray.length,
      data_array: dataArray,
      ...(next === undefined
        ? {}
        : { next_chunk_index: next, next_chunk_internal_link: `/api/2.0/sql/statements/${s.id}/result/chunks/${next}` })
    }
  }

  const response = (s: Statement) =>
    Effect.map(state(s), (current): Record<string, unknown> => {
      const outcome = s.outcome
      if (current === "FAILED" && outcome?._tag === "Failed") {
        const f = outcome.failure
        const errorCode = f.sqlState === "XX000" ? "INTERNAL_ERROR" : "BAD_REQUEST"
        return {
          statement_id: s.id,
          status: { state: current, error: { error_code: errorCode, message: f.message }, sql_state: f.sqlState }
        }
      }
      if (current !== "SUCCEEDED" || outcome?._tag !== "Succeeded")
        return { statement_id: s.id, status: { state: current } }
      const total = outcome.rows.length
      const chunks = Array.from({ length: chunkCount(total) }, (_, i) => ({
        chunk_index: i,
        row_offset: i * options.chunkRows,
        row_count: Math.min(options.chunkRows, total - i * options.chunkRows)
      }))
      return {
        statement_id: s.id,
        status: { state: current },
        manifest: {
          format: "JSON_ARRAY",
          schema: {
            column_count: outcome.result.columns.length,
            columns: outcome.result.columns.map((c, position) => ({
              name: c.name,
              position,
              type_name: c.typeName,
              type_text: c.typeText,
              ...(c.typePrecision === undefined ? {} : { type_precision: c.typePrecision }),
              ...(c.typeScale === undefined ? {} : { type_scale: c.typeScale })
            }))
          },
          total_chunk_count: chunks.length,
          total_row_count: total,
          truncated: outcome.truncated,
          chunks
        },
        result: chunkJson(s, outcome, 0)
      }
    })

  const chunk = (s: Statement, index: number) =>
    Effect.gen(function* () {
      const current = yield* state(s)
      const outcome = s.outcome
      if (current !== "SUCCEEDED" || outcome?._tag !== "Succeeded") {
        return yield* new ApiError.ApiError({
          status: 400,
          errorCode: "INVALID_STATE",
          message: `Statement ${s.id} has no result to fetch (state ${current}).`
        })
      }
      if (!Number.isInteger(index) || index < 0 || index >= chunkCount(outcome.rows.length)) {
        return yield* ApiError.notFound(`Statement ${s.id} has no result chunk ${index}.`)
      }
      return chunkJson(s, outcome, index)
    })

  return { submit, find, state, wait, cancel, response, chunk }
}
