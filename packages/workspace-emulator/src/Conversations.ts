/**
 * Genie conversations and messages (databricks-api.md §2). A question is answered in the background by the
 * space's `GenieEngine`; `MessageView` derives what the API shows of a message from the emulator's clock.
 */
import { SpaceId } from "@genie-enhancer/core"
import type { Scope } from "effect"
import { Clock, Effect } from "effect"
import * as Activity from "./Activity.js"
import * as ApiError from "./ApiError.js"
import type * as Faults from "./Faults.js"
import * as GenieEngine from "./GenieEngine.js"
import type { Spaces } from "./Spaces.js"
import type { Message, Outcome, QueryAttachment } from "./MessageView.js"
import * as MessageView from "./MessageView.js"
import type { Statements } from "./Statements.js"
import type { Warehouse } from "./Warehouse.js"

interface Conversation {
  readonly id: string
  readonly spaceId: string
  readonly title: string
  readonly createdAt: number
  readonly messages: Array<Message>
}

/** A question the emulated Genie accepted. @category models */
export interface AskedQuestion {
  readonly spaceId: string
  readonly conversationId: string
  readonly messageId: string
  readonly question: string
  readonly timestamp: number
}

/** A conversation, for test assertions. @category models */
export interface ConversationSummary {
  readonly spaceId: string
  readonly conversationId: string
  readonly title: string
  readonly createdTimestamp: number
  readonly messageCount: number
}

/** The conversation store of an emulator. @category models */
export interface Conversations {
  readonly start: (spaceId: string, content: string) => Effect.Effect<Record<string, unknown>, ApiError.ApiError>
  readonly followUp: (
    spaceId: string,
    conversationId: string,
    content: string
  ) => Effect.Effect<Record<string, unknown>, ApiError.ApiError>
  readonly message: (
    spaceId: string,
    conversationId: string,
    messageId: string
  ) => Effect.Effect<Record<string, unknown>, ApiError.ApiError>
  readonly messages: (
    spaceId: string,
    conversationId: string
  ) => Effect.Effect<ReadonlyArray<Record<string, unknown>>, ApiError.ApiError>
  readonly queryResult: (ids: AttachmentIds) => Effect.Effect<Record<string, unknown>, ApiError.ApiError>
  readonly executeQuery: (ids: AttachmentIds) => Effect.Effect<Record<string, unknown>, ApiError.ApiError>
  readonly list: (spaceId: string) => Effect.Effect<ReadonlyArray<Record<string, unknown>>, ApiError.ApiError>
  readonly remove: (spaceId: string, conversationId: string) => Effect.Effect<void, ApiError.ApiError>
  readonly asked: Effect.Effect<ReadonlyArray<AskedQuestion>>
  readonly summaries: Effect.Effect<ReadonlyArray<ConversationSummary>>
  readonly clear: Effect.Effect<void>
}

/** Path ids of an attachment. @category models */
export interface AttachmentIds {
  readonly spaceId: string
  readonly conversationId: string
  readonly messageId: string
  readonly attachmentId: string
}

/**
 * Creates the conversation store.
 *
 * @category constructors
 */
export const make = (options: {
  readonly spaces: Spaces
  readonly statements: Statements
  readonly warehouse: Warehouse
  readonly faults: Faults.Injector
  readonly engineFor: (spaceId: string) => GenieEngine.GenieEngine
  readonly seed: number
  readonly scope: Scope.Scope
  /** Rows kept per Genie query result (Genie caps results; 5,000 is the reported cap). */
  readonly rowLimit: number
  readonly resultTtlMs: number
  /** Called once a message's answer is stored (see `Emulator.Options.onAnswerReady`). */
  readonly onAnswerReady?: (question: AskedQuestion) => void
  /** Counts answers being prepared as work (default: not counted). */
  readonly activity?: Activity.Activity
}): Conversations => {
  const activity = options.activity ?? Activity.none
  const conversations = new Map<string, Conversation>()
  const asked: Array<AskedQuestion> = []

  const findConversation = (spaceId: string, conversationId: string) =>
    Effect.gen(function* () {
      yield* options.spaces.get(spaceId)
      const conversation = conversations.get(conversationId)
      if (conversation === undefined || conversation.spaceId !== spaceId) {
        return yield* ApiError.notFound(`Conversation ${conversationId} does not exist.`)
      }
      return conversation
    })

  const findMessage = (spaceId: string, conversationId: string, messageId: string) =>
    Effect.gen(function* () {
      const conversation = yield* findConversation(spaceId, conversationId)
      const message = conversation.messages.find((m) => m.id === messageId)
      if (message === undefined) return yield* ApiError.notFound(`Message ${messageId} does not exist.`)
      return message
    })

  // --- answering ---------------------------------------------------------------------------------------------------

  const runQuery = (sql: string, title: string, description: string) =>
    Effect.gen(function* () {
      const statement = yield* options.statements.submit(sql, { rowLimit: options.rowLimit, pendingMs: 0, runMs: 0 })
      const outcome = yield* statement.done
      const attachment: QueryAttachment = {
        attachmentId: yield* SpaceId.make,
        sql,
        title,
        description,
        statement,
        rowCount: outcome._tag === "Succeeded" ? outcome.rows.length : 0,
        truncated: outcome._tag === "Succeeded" && outcome.truncated
      }
      return { attachment, failure: outcome._tag === "Failed" ? outcome.failure : undefined }
    })

  const outcomeOf = (reply: GenieEngine.Reply): Effect.Effect<Outcome> =>
    GenieEngine.Reply.$match(reply, {
      Text: ({ text }) =>
        Effect.map(SpaceId.make, (attachmentId): Outcome => ({ _tag: "Text", text: { attachmentId, content: text } })),
      Failed: ({ type, message }) => Effect.succeed<Outcome>({ _tag: "Failed", type, message, queries: [] }),
      NoAttachments: () => Effect.succeed<Outcome>({ _tag: "Empty" }),
      Sql: (answer) =>
        Effect.gen(function* () {
          const title = answer.title ?? "Query result"
          const description = answer.description ?? ""
          const runs = yield* Effect.forEach([...(answer.corrections ?? []), answer.sql], (sql) =>
            runQuery(sql, title, description)
          )
          const queries = runs.map((r) => r.attachment)
          const failure = runs[runs.length - 1]?.failure
          if (failure !== undefined) {
            return { _tag: "Failed", type: "SQL_EXECUTION_EXCEPTION", message: failure.message, queries } as const
          }
          const text =
            answer.text === undefined ? undefined : { attachmentId: yield* SpaceId.make, content: answer.text }
          const questions = answer.suggestedQuestions ?? []
          const suggested = questions.length === 0 ? undefined : { attachmentId: yield* SpaceId.make, questions }
          return {
            _tag: "Answer",
            queries,
            ...(text === undefined ? {} : { text }),
            ...(suggested === undefined ? {} : { suggested })
          } as const
        })
    })

  const historyOf = (conversation: Conversation, before: Message): ReadonlyArray<GenieEngine.Turn> =>
    conversation.messages
      .filter((m) => m !== before)
      .map((m): GenieEngine.Turn => {
        const o = m.outcome
        if (o?._tag === "Answer") {
          const sql = o.queries.at(-1)?.sql
          return {
            question: m.content,
            ...(sql === undefined ? {} : { sql }),
            ...(o.text === undefined ? {} : { text: o.text.content })
          }
        }
        return o?._tag === "Text" ? { question: m.content, text: o.text.content } : { question: m.content }
      })

  const answer = (conversation: Conversation, message: Message, fault: Faults.MessageFault | undefined) =>
    Effect.gen(function* () {
      let outcome: Outcome
      if (fault?._tag === "Failed") {
        outcome = { _tag: "Failed", type: fault.type, message: `Genie could not answer (${fault.type}).`, queries: [] }
      } else if (fault?._tag === "NoAttachments") {
        outcome = { _tag: "Empty" }
      } else {
        const space = yield* options.spaces.get(message.spaceId)
        const catalog = yield* Effect.orElseSucceed(options.warehouse.catalog, () => [])
        const reply = yield* options
          .engineFor(message.spaceId)
          .answer({
            spaceId: space.id,
            title: space.title,
            description: space.description,
            space: space.space,
            question: message.content,
            history: historyOf(conversation, message),
            catalog,
            seed: options.seed,
            query: (sql) => options.warehouse.query(sql)
          })
          .pipe(
            Effect.catchAllDefect((defect) =>
              Effect.succeed(
                GenieEngine.Reply.Failed({
                  type: "UNEXPECTED_REPLY_PROCESS_EXCEPTION",
                  message: `The Genie engine failed: ${String(defect)}`
                })
              )
            )
          )
        outcome = yield* outcomeOf(reply)
      }
      message.outcome = outcome
      message.readyAt = yield* Clock.currentTimeMillis
    }).pipe(
      // The space may be trashed meanwhile: Genie then fails the message.
      Effect.catchAll((e) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          message.outcome = {
            _tag: "Failed",
            type: "UNEXPECTED_REPLY_PROCESS_EXCEPTION",
            message: e.message,
            queries: []
          }
          message.readyAt = now
        })
      ),
      Effect.tap(() =>
        Effect.sync(() =>
          options.onAnswerReady?.({
            spaceId: message.spaceId,
            conversationId: message.conversationId,
            messageId: message.id,
            question: message.content,
            timestamp: message.createdAt
          })
        )
      )
    )

  const ask = (conversation: Conversation, content: string) =>
    Effect.gen(function* () {
      const retryAfter = yield* options.faults.admitQuestion
      if (retryAfter !== undefined) {
        return yield* ApiError.rateLimited(
          "Genie question limit reached for this workspace: too many questions per minute. Retry later.",
          retryAfter
        )
      }
      const now = yield* Clock.currentTimeMillis
      const timing = yield* options.faults.timing
      const message: Message = {
        id: yield* SpaceId.make,
        conversationId: conversation.id,
        spaceId: conversation.spaceId,
        content,
        createdAt: now,
        stepMs: timing.genieStepMs
      }
      conversation.messages.push(message)
      conversations.set(conversation.id, conversation)
      asked.push({
        spaceId: conversation.spaceId,
        conversationId: conversation.id,
        messageId: message.id,
        question: content,
        timestamp: now
      })
      const fault = yield* options.faults.message
      const end = yield* activity.begin
      yield* Effect.forkIn(Effect.ensuring(answer(conversation, message, fault), end), options.scope)
      return message
    })

  const conversationJson = (c: Conversation) => ({
    space_id: c.spaceId,
    conversation_id: c.id,
    id: c.id,
    title: c.title,
    created_timestamp: c.createdAt,
    last_updated_timestamp: c.messages[c.messages.length - 1]?.createdAt ?? c.createdAt,
    user_id: MessageView.userId
  })

  // --- operations --------------------------------------------------------------------------------------------------

  const start = (spaceId: string, content: string) =>
    Effect.gen(function* () {
      yield* options.spaces.get(spaceId)
      const conversation: Conversation = {
        id: yield* SpaceId.make,
        spaceId,
        title: content,
        createdAt: yield* Clock.currentTimeMillis,
        messages: []
      }
      const message = yield* ask(conversation, content)
      return {
        conversation_id: conversation.id,
        message_id: message.id,
        conversation: conversationJson(conversation),
        message: MessageView.submittedJson(message)
      }
    })

  const followUp = (spaceId: string, conversationId: string, content: string) =>
    Effect.gen(function* () {
      const conversation = yield* findConversation(spaceId, conversationId)
      const message = yield* ask(conversation, content)
      return MessageView.submittedJson(message)
    })

  const message = (spaceId: string, conversationId: string, messageId: string) =>
    Effect.gen(function* () {
      const m = yield* findMessage(spaceId, conversationId, messageId)
      return MessageView.toJson(m, yield* Clock.currentTimeMillis, options.resultTtlMs)
    })

  const messages = (spaceId: string, conversationId: string) =>
    Effect.gen(function* () {
      const conversation = yield* findConversation(spaceId, conversationId)
      const now = yield* Clock.currentTimeMillis
      // Newest first, as the API lists them.
      return [...conversation.messages].reverse().map((m) => MessageView.toJson(m, now, options.resultTtlMs))
    })

  const findQuery = (ids: AttachmentIds) =>
    Effect.gen(function* () {
      const m = yield* findMessage(ids.spaceId, ids.conversationId, ids.messageId)
      const v = MessageView.view(m, yield* Clock.currentTimeMillis, options.resultTtlMs)
      const visible = v.visible === "none" ? [] : MessageView.queriesOf(m.outcome)
      const query = visible.find((q) => q.attachmentId === ids.attachmentId)
      if (query === undefined) {
        return yield* ApiError.notFound(
          `Query attachment ${ids.attachmentId} does not exist in message ${ids.messageId}.`
        )
      }
      return { message: m, view: v, query }
    })

  const queryResult = (ids: AttachmentIds) =>
    Effect.gen(function* () {
      const { view: v, query } = yield* findQuery(ids)
      if (v.status === "EXECUTING_QUERY" || v.status === "QUERY_RESULT_EXPIRED") {
        const state = v.status === "EXECUTING_QUERY" ? "RUNNING" : "CLOSED"
        return { statement_response: { statement_id: query.statement.id, status: { state } } }
      }
      return { statement_response: yield* options.statements.response(query.statement) }
    })

  const executeQuery = (ids: AttachmentIds) =>
    Effect.gen(function* () {
      const { message: m, view: v, query } = yield* findQuery(ids)
      if (v.status !== "COMPLETED" && v.status !== "QUERY_RESULT_EXPIRED" && v.status !== "FAILED") {
        return yield* new ApiError.ApiError({
          status: 400,
          errorCode: "INVALID_STATE",
          message: `Message ${m.id} is still ${v.status}.`
        })
      }
      const { attachment } = yield* runQuery(query.sql, query.title, query.description)
      query.statement = attachment.statement
      query.rowCount = attachment.rowCount
      query.truncated = attachment.truncated
      m.refreshedAt = yield* Clock.currentTimeMillis
      return { statement_response: yield* options.statements.response(query.statement) }
    })

  const list = (spaceId: string) =>
    Effect.gen(function* () {
      yield* options.spaces.get(spaceId)
      return [...conversations.values()]
        .filter((c) => c.spaceId === spaceId)
        .reverse()
        .map((c) => ({
          conversation_id: c.id,
          title: c.title,
          created_timestamp: c.createdAt,
          agent_type: "GENIE_CONVERSATION_TYPE_CHAT"
        }))
    })

  const remove = (spaceId: string, conversationId: string) =>
    Effect.map(findConversation(spaceId, conversationId), (c) => {
      conversations.delete(c.id)
    })

  return {
    start,
    followUp,
    message,
    messages,
    queryResult,
    executeQuery,
    list,
    remove,
    asked: Effect.sync(() => [...asked]),
    summaries: Effect.sync(() =>
      [...conversations.values()].map((c) => ({
        spaceId: c.spaceId,
        conversationId: c.id,
        title: c.title,
        createdTimestamp: c.createdAt,
        messageCount: c.messages.length
      }))
    ),
    clear: Effect.sync(() => conversations.clear())
  }
}
