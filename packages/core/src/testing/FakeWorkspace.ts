/**
 * A scripted Genie and warehouse (`Asker` + `Executor`) for unit tests of scorers and pipelines: answers come from a
 * script, latencies are `Effect.sleep`s (so `TestClock` drives them), and a log records every question asked,
 * every resume and every statement run.
 */
import { Context, Duration, Effect, Layer, Ref } from "effect"
import {
  Asker,
  Column,
  Executor,
  GenieAnswer,
  GenieError,
  PendingMessage,
  ResultSet,
  SqlFailed
} from "../stages/Stages.js"
import type { AskOptions } from "../stages/Stages.js"

/**
 * A small table: column names and types, and rows of JSON_ARRAY strings.
 *
 * @category models
 */
export interface Table {
  readonly columns: ReadonlyArray<readonly [name: string, typeName: string]>
  readonly rows: ReadonlyArray<ReadonlyArray<string | null>>
}

/**
 * What Genie does with one question. `attempt` counts calls for that question (ask and resume), from 1.
 *
 * @category models
 */
export type GenieScript = (
  question: string,
  attempt: number
) =>
  | { readonly _tag: "Answer"; readonly sql: string; readonly table: Table }
  | { readonly _tag: "Text"; readonly text: string }
  | { readonly _tag: "Error"; readonly error: GenieError }
  /** The asker's own deadline passes: a retryable `Timeout` carrying the pending message. */
  | { readonly _tag: "Pending" }

/**
 * Everything the fake saw, in order.
 *
 * @category models
 */
export interface Log {
  /** Questions sent with `ask` (a resume is not a new question). */
  readonly asked: ReadonlyArray<string>
  readonly resumed: ReadonlyArray<string>
  readonly executed: ReadonlyArray<string>
}

/**
 * Reads the fake's log.
 *
 * @category services
 */
export class FakeWorkspaceLog extends Context.Tag("@genie-enhancer/core/testing/FakeWorkspaceLog")<
  FakeWorkspaceLog,
  { readonly get: Effect.Effect<Log> }
>() {}

/**
 * Options of the fake.
 *
 * @category configuration
 */
export interface Options {
  readonly genie: GenieScript
  /** Results by SQL text; SQL not listed fails with `[TABLE_OR_VIEW_NOT_FOUND]` (a caller error). */
  readonly warehouse: Readonly<Record<string, Table>>
  readonly genieLatency?: Duration.DurationInput
  readonly sqlLatency?: Duration.DurationInput
}

/**
 * Builds a `ResultSet` from a table.
 *
 * @category constructors
 */
export const resultSet = (table: Table, elapsedMs = 0): ResultSet =>
  new ResultSet({
    columns: table.columns.map(([name, typeName]) => new Column({ name, typeName })),
    rows: table.rows,
    rowCount: table.rows.length,
    truncated: false,
    elapsedMs
  })

/**
 * The fake `Asker` and `Executor`, plus `FakeWorkspaceLog`.
 *
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Asker | Executor | FakeWorkspaceLog> =>
  Layer.effectContext(
    Effect.gen(function* () {
      const log = yield* Ref.make<Log>({ asked: [], resumed: [], executed: [] })
      const attempts = yield* Ref.make(new Map<string, number>())
      const questions = new Map<string, string>()
      const genieLatency = Duration.decode(options.genieLatency ?? 0)
      const sqlLatency = Duration.decode(options.sqlLatency ?? 0)

      const respond = (spaceId: string, question: string, messageId: string) =>
        Effect.gen(function* () {
          const attempt = yield* Ref.modify(attempts, (m) => {
            const n = (m.get(question) ?? 0) + 1
            return [n, new Map(m).set(question, n)]
          })
          if (Duration.toMillis(genieLatency) > 0) yield* Effect.sleep(genieLatency)
          const step = options.genie(question, attempt)
          const ids = { conversationId: `c-${messageId}`, messageId }
          switch (step._tag) {
            case "Answer":
              return new GenieAnswer({
                status: "COMPLETED",
                sql: step.sql,
                result: resultSet(step.table),
                attempts: 1,
                elapsedMs: Duration.toMillis(genieLatency),
                ...ids
              })
            case "Text":
              return new GenieAnswer({ status: "COMPLETED", text: step.text, attempts: 1, elapsedMs: 0, ...ids })
            case "Error":
              return yield* Effect.fail(step.error)
            case "Pending":
              return yield* new GenieError({
                reason: "Timeout",
                message: "Genie has not answered yet",
                retryable: true,
                rateLimited: false,
                pending: new PendingMessage({ spaceId, ...ids })
              })
          }
        })

      const ask = (spaceId: string, question: string, askOptions?: AskOptions) =>
        Effect.gen(function* () {
          const messageId = yield* Ref.modify(log, (l) => [
            `m${l.asked.length + 1}`,
            { ...l, asked: [...l.asked, question] }
          ])
          questions.set(messageId, question)
          if (askOptions?.onAccepted !== undefined) {
            yield* askOptions.onAccepted(new PendingMessage({ spaceId, conversationId: `c-${messageId}`, messageId }))
          }
          return yield* respond(spaceId, question, messageId)
        })

      const resume = (pending: PendingMessage) =>
        Effect.gen(function* () {
          const question = questions.get(pending.messageId) ?? ""
          yield* Ref.update(log, (l) => ({ ...l, resumed: [...l.resumed, question] }))
          return yield* respond(pending.spaceId, question, pending.messageId)
        })

      const execute = (sql: string) =>
        Effect.gen(function* () {
          yield* Ref.update(log, (l) => ({ ...l, executed: [...l.executed, sql] }))
          if (Duration.toMillis(sqlLatency) > 0) yield* Effect.sleep(sqlLatency)
          const table = options.warehouse[sql]
          if (table === undefined) {
            return yield* new SqlFailed({
              message: "[TABLE_OR_VIEW_NOT_FOUND] The table or view cannot be found.",
              sqlState: "42P01",
              retryable: false,
              rateLimited: false,
              callerError: true
            })
          }
          return resultSet(table, Duration.toMillis(sqlLatency))
        })

      return Context.make(Asker, { ask, resume })
        .pipe(Context.add(Executor, { execute }))
        .pipe(Context.add(FakeWorkspaceLog, { get: Ref.get(log) }))
    })
  )
