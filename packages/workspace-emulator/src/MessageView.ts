/**
 * A Genie message as the API shows it at a given instant: the status follows the emulator's clock
 * (SUBMITTED → FETCHING_METADATA → FILTERING_CONTEXT → ASKING_AI → (EXECUTING_QUERY) → COMPLETED / FAILED, then
 * QUERY_RESULT_EXPIRED once the result is older than the TTL), and attachments appear as the status allows.
 */
import type { Statement } from "./Statements.js"

/** A query attachment, backed by a statement. @category models */
export interface QueryAttachment {
  readonly attachmentId: string
  readonly sql: string
  readonly title: string
  readonly description: string
  statement: Statement
  rowCount: number
  truncated: boolean
}

/** A text attachment. @category models */
export interface TextAttachment {
  readonly attachmentId: string
  readonly content: string
}

/** How a message ended. @category models */
export type Outcome =
  | {
      readonly _tag: "Answer"
      readonly queries: ReadonlyArray<QueryAttachment>
      readonly text?: TextAttachment
      readonly suggested?: { readonly attachmentId: string; readonly questions: ReadonlyArray<string> }
    }
  | { readonly _tag: "Text"; readonly text: TextAttachment }
  | {
      readonly _tag: "Failed"
      readonly type: string
      readonly message: string
      readonly queries: ReadonlyArray<QueryAttachment>
    }
  | { readonly _tag: "Empty" }

/** A stored message; `outcome` is set by the background answer. @category models */
export interface Message {
  readonly id: string
  readonly conversationId: string
  readonly spaceId: string
  readonly content: string
  readonly createdAt: number
  /** Time spent in each non-terminal status. */
  readonly stepMs: number
  outcome?: Outcome
  /** When the outcome became known. */
  readyAt?: number
  /** When execute-query last ran the query again. */
  refreshedAt?: number
}

/** What the API shows of a message at an instant. @category models */
export interface View {
  readonly status: string
  readonly updatedAt: number
  /** Attachments shown: none yet, only the queries (EXECUTING_QUERY, FAILED), or all. */
  readonly visible: "none" | "queries" | "all"
}

/** The user id every conversation and message carries (the emulator has one user). @category models */
export const userId = 1234567890
const waitingSteps = ["SUBMITTED", "FETCHING_METADATA", "FILTERING_CONTEXT", "ASKING_AI"] as const

/** The query attachments of an outcome. @category constructors */
export const queriesOf = (o: Outcome | undefined): ReadonlyArray<QueryAttachment> =>
  o?._tag === "Answer" || o?._tag === "Failed" ? o.queries : []

/**
 * The status of a message at `now`; answers expire `resultTtlMs` after they completed or were refreshed.
 *
 * @category constructors
 */
export const view = (m: Message, now: number, resultTtlMs: number): View => {
  const o = m.outcome
  const steps: ReadonlyArray<string> = queriesOf(o).length > 0 ? [...waitingSteps, "EXECUTING_QUERY"] : waitingSteps
  const elapsed = now - m.createdAt
  const total = steps.length * m.stepMs
  if (o === undefined || m.readyAt === undefined || elapsed < total) {
    // Until the answer is known the message waits in ASKING_AI, however long its steps are.
    const i = m.stepMs > 0 ? Math.min(Math.floor(elapsed / m.stepMs), steps.length - 1) : waitingSteps.length - 1
    const status = o === undefined ? waitingSteps[Math.min(i, waitingSteps.length - 1)] : steps[i]
    return { status, updatedAt: m.createdAt + i * m.stepMs, visible: status === "EXECUTING_QUERY" ? "queries" : "none" }
  }
  const finished = Math.max(m.createdAt + total, m.readyAt)
  switch (o._tag) {
    case "Failed":
      return { status: "FAILED", updatedAt: finished, visible: "queries" }
    case "Answer": {
      const expires = (m.refreshedAt ?? finished) + resultTtlMs
      return now >= expires
        ? { status: "QUERY_RESULT_EXPIRED", updatedAt: expires, visible: "all" }
        : { status: "COMPLETED", updatedAt: m.refreshedAt ?? finished, visible: "all" }
    }
    default:
      return { status: "COMPLETED", updatedAt: finished, visible: "all" }
  }
}

const queryJson = (q: QueryAttachment, complete: boolean, updatedAt: number) => ({
  attachment_id: q.attachmentId,
  query: {
    id: q.attachmentId,
    title: q.title,
    description: q.description,
    query: q.sql,
    statement_id: q.statement.id,
    ...(complete ? { query_result_metadata: { row_count: q.rowCount, is_truncated: q.truncated } } : {}),
    last_updated_timestamp: updatedAt
  }
})

const textJson = (t: TextAttachment) => ({
  attachment_id: t.attachmentId,
  text: { id: t.attachmentId, content: t.content, purpose: "TEXT_ATTACHMENT_PURPOSE_ANSWER" }
})

const attachmentsOf = (o: Outcome | undefined, v: View): ReadonlyArray<unknown> => {
  if (o === undefined || v.visible === "none") return []
  const queries = queriesOf(o).map((q) => queryJson(q, v.visible === "all", v.updatedAt))
  if (v.visible === "queries" || o._tag === "Failed" || o._tag === "Empty") return queries
  if (o._tag === "Text") return [textJson(o.text)]
  return [
    ...queries,
    ...(o.text === undefined ? [] : [textJson(o.text)]),
    ...(o.suggested === undefined
      ? []
      : [{ attachment_id: o.suggested.attachmentId, suggested_questions: { questions: o.suggested.questions } }])
  ]
}

/**
 * The `GenieMessage` JSON of a message at `now`.
 *
 * @category constructors
 */
export const toJson = (m: Message, now: number, resultTtlMs: number): Record<string, unknown> => {
  const v = view(m, now, resultTtlMs)
  const o = m.outcome
  const attachments = attachmentsOf(o, v)
  const queries = queriesOf(o)
  const last = v.visible === "all" ? queries[queries.length - 1] : undefined
  return {
    space_id: m.spaceId,
    conversation_id: m.conversationId,
    message_id: m.id,
    id: m.id,
    content: m.content,
    status: v.status,
    created_timestamp: m.createdAt,
    last_updated_timestamp: v.updatedAt,
    user_id: userId,
    ...(attachments.length === 0 ? {} : { attachments }),
    // Deprecated mirror of the last query's metadata, still sent by the API.
    ...(last === undefined
      ? {}
      : { query_result: { statement_id: last.statement.id, row_count: last.rowCount, is_truncated: last.truncated } }),
    ...(v.status === "FAILED" && o?._tag === "Failed" ? { error: { error: o.message, type: o.type } } : {})
  }
}

/** The JSON of a message as the POST that created it answers (always SUBMITTED). @category constructors */
export const submittedJson = (m: Message): Record<string, unknown> => ({
  ...toJson(m, m.createdAt, 0),
  status: "SUBMITTED"
})
