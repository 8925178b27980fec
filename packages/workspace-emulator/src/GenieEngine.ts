/**
 * The question → answer step of the emulated Genie: everything else (conversations, statuses, attachments, query
 * results, faults) is the emulator's; an engine only decides what Genie answers.
 */
import type { Space } from "@genie-enhancer/core"
import { Data, Effect, Schema } from "effect"
import type { SqlFailure } from "./SqlFailure.js"
import type { CatalogTable, QueryResult } from "./Warehouse.js"

/**
 * Why Genie could not answer (`error.type` of a FAILED message, databricks-api.md §2.10).
 *
 * @category models
 */
export const MessageErrorType = Schema.Literal(
  "BLOCK_MULTIPLE_EXECUTIONS_EXCEPTION",
  "BUDGET_EXCEEDED_EXCEPTION",
  "CERTIFIED_ANSWERS_MISSING_EXCEPTION",
  "CHAT_COMPLETION_CLIENT_EXCEPTION",
  "CHAT_COMPLETION_CLIENT_TIMEOUT_EXCEPTION",
  "CHAT_COMPLETION_NETWORK_EXCEPTION",
  "CONTENT_FILTER_EXCEPTION",
  "CONTEXT_EXCEEDED_EXCEPTION",
  "COULD_NOT_GET_DASHBOARD_SCHEMA_EXCEPTION",
  "COULD_NOT_GET_MODEL_DEPLOYMENTS_EXCEPTION",
  "COULD_NOT_GET_UC_SCHEMA_EXCEPTION",
  "DASHBOARD_PERMISSION_DENIED_EXCEPTION",
  "DELEGATION_NOT_FOUND_EXCEPTION",
  "DEPLOYMENT_NOT_FOUND_EXCEPTION",
  "DESCRIBE_QUERY_INVALID_SQL_ERROR",
  "DESCRIBE_QUERY_TIMEOUT",
  "DESCRIBE_QUERY_UNEXPECTED_FAILURE",
  "EXCEEDED_MAX_TOKEN_LENGTH_EXCEPTION",
  "FUNCTIONS_NOT_AVAILABLE_EXCEPTION",
  "FUNCTION_ARGUMENTS_INVALID_EXCEPTION",
  "FUNCTION_ARGUMENTS_INVALID_JSON_EXCEPTION",
  "FUNCTION_ARGUMENTS_INVALID_TYPE_EXCEPTION",
  "FUNCTION_CALL_MISSING_PARAMETER_EXCEPTION",
  "GENERATED_SQL_QUERY_TOO_LONG_EXCEPTION",
  "GENERIC_CHAT_COMPLETION_EXCEPTION",
  "GENERIC_CHAT_COMPLETION_SERVICE_EXCEPTION",
  "GENERIC_SQL_EXEC_API_CALL_EXCEPTION",
  "ILLEGAL_PARAMETER_DEFINITION_EXCEPTION",
  "INTERNAL_CATALOG_ASSET_CREATION_FAILED_EXCEPTION",
  "INTERNAL_CATALOG_ASSET_CREATION_ONGOING_EXCEPTION",
  "INTERNAL_CATALOG_ASSET_CREATION_UNSUPPORTED_EXCEPTION",
  "INTERNAL_CATALOG_MISSING_UC_PATH_EXCEPTION",
  "INTERNAL_CATALOG_PATH_OVERLAP_EXCEPTION",
  "INVALID_CERTIFIED_ANSWER_FUNCTION_EXCEPTION",
  "INVALID_CERTIFIED_ANSWER_IDENTIFIER_EXCEPTION",
  "INVALID_CHAT_COMPLETION_ARGUMENTS_JSON_EXCEPTION",
  "INVALID_CHAT_COMPLETION_JSON_EXCEPTION",
  "INVALID_COMPLETION_REQUEST_EXCEPTION",
  "INVALID_FUNCTION_CALL_EXCEPTION",
  "INVALID_SQL_MULTIPLE_DATASET_REFERENCES_EXCEPTION",
  "INVALID_SQL_MULTIPLE_STATEMENTS_EXCEPTION",
  "INVALID_SQL_UNKNOWN_TABLE_EXCEPTION",
  "INVALID_TABLE_IDENTIFIER_EXCEPTION",
  "LOCAL_CONTEXT_EXCEEDED_EXCEPTION",
  "MESSAGE_ATTACHMENT_TOO_LONG_ERROR",
  "MESSAGE_CANCELLED_WHILE_EXECUTING_EXCEPTION",
  "MESSAGE_DELETED_WHILE_EXECUTING_EXCEPTION",
  "MESSAGE_UPDATED_WHILE_EXECUTING_EXCEPTION",
  "MISSING_SQL_QUERY_EXCEPTION",
  "NO_DEPLOYMENTS_AVAILABLE_TO_WORKSPACE",
  "NO_QUERY_TO_VISUALIZE_EXCEPTION",
  "NO_TABLES_TO_QUERY_EXCEPTION",
  "PAY_PER_TOKEN_DISABLED_EXCEPTION",
  "RATE_LIMIT_EXCEEDED_GENERIC_EXCEPTION",
  "RATE_LIMIT_EXCEEDED_SPECIFIED_WAIT_EXCEPTION",
  "REPLY_PROCESS_TIMEOUT_EXCEPTION",
  "RETRYABLE_PROCESSING_EXCEPTION",
  "SQL_EXECUTION_EXCEPTION",
  "STOP_PROCESS_DUE_TO_AUTO_REGENERATE",
  "TABLES_MISSING_EXCEPTION",
  "TOO_MANY_CERTIFIED_ANSWERS_EXCEPTION",
  "TOO_MANY_TABLES_EXCEPTION",
  "UNEXPECTED_REPLY_PROCESS_EXCEPTION",
  "UNKNOWN_AI_MODEL",
  "UNSUPPORTED_CONVERSATION_TYPE_EXCEPTION",
  "WAREHOUSE_ACCESS_MISSING_EXCEPTION",
  "WAREHOUSE_NOT_FOUND_EXCEPTION"
)
export type MessageErrorType = typeof MessageErrorType.Type

/** An earlier question of the same conversation and what Genie answered. @category models */
export interface Turn {
  readonly question: string
  readonly sql?: string
  readonly text?: string
}

/**
 * Everything an engine may use to answer one question.
 *
 * @category models
 */
export interface Question {
  readonly spaceId: string
  readonly title: string
  readonly description: string
  /** The space configuration at the time of the question (after any update). */
  readonly space: Space.SerializedSpace
  readonly question: string
  /** Earlier questions of the conversation, oldest first (Genie uses them as context). */
  readonly history: ReadonlyArray<Turn>
  /** The warehouse's tables and columns with Databricks types. */
  readonly catalog: ReadonlyArray<CatalogTable>
  /** The emulator's seed, for engines that break ties pseudo-randomly. */
  readonly seed: number
  /** Runs a read-only Databricks SQL query on the warehouse, e.g. to look up distinct values of a column. */
  readonly query: (sql: string) => Effect.Effect<QueryResult, SqlFailure>
}

/**
 * What Genie answers:
 * - `Sql`: a query attachment (executed by the emulator) and optionally text and suggested follow-ups;
 *   `corrections` are earlier attempts Genie superseded (shown as extra query attachments before the answer);
 * - `Text`: only a text attachment (a clarifying question or a refusal);
 * - `Failed`: a FAILED message with `error.type`;
 * - `NoAttachments`: a COMPLETED message without attachments (a quirk seen in the wild).
 *
 * @category models
 */
export type Reply = Data.TaggedEnum<{
  Sql: {
    readonly sql: string
    readonly text?: string
    readonly title?: string
    readonly description?: string
    readonly suggestedQuestions?: ReadonlyArray<string>
    readonly corrections?: ReadonlyArray<string>
  }
  Text: { readonly text: string }
  Failed: { readonly type: MessageErrorType; readonly message: string }
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a variant without fields, as Data.TaggedEnum expects
  NoAttachments: {}
}>

/** Constructors and matchers of `Reply`. @category constructors */
export const Reply = Data.taggedEnum<Reply>()

/**
 * Turns questions into Genie replies. `answer` must not fail; a defect becomes a FAILED message
 * (`UNEXPECTED_REPLY_PROCESS_EXCEPTION`).
 *
 * @category models
 */
export interface GenieEngine {
  readonly name: string
  readonly answer: (question: Question) => Effect.Effect<Reply>
}

/**
 * Chooses the engine of a space; undefined falls back to the scripted answers of the space, then to the default
 * engine.
 *
 * @category models
 */
export type EngineResolver = (spaceId: string) => GenieEngine | undefined

/**
 * The engine used when nothing else answers: a text-only reply, as Genie gives when it cannot write SQL.
 *
 * @category constructors
 */
export const unanswerable: GenieEngine = {
  name: "unanswerable",
  answer: () =>
    Effect.succeed(
      Reply.Text({
        text: "I could not find the data to answer this question in this space. Could you rephrase it or tell me which table to use?"
      })
    )
}
