/** Routes of the Genie conversation API (databricks-api.md §2). */
import { Effect } from "effect"
import type { Conversations } from "../Conversations.js"
import * as Http from "../Http.js"
import { paged } from "../internal/Pagination.js"
import { requiredString } from "./Body.js"

const base = "/api/2.0/genie/spaces/:spaceId"
const message = `${base}/conversations/:conversationId/messages/:messageId`

const attachmentIds = (request: Http.Request) => ({
  spaceId: request.params.spaceId,
  conversationId: request.params.conversationId,
  messageId: request.params.messageId,
  attachmentId: request.params.attachmentId
})

/** The conversation endpoints. */
export const routes = (conversations: Conversations): ReadonlyArray<Http.Route> => [
  Http.route("POST", `${base}/start-conversation`, "genie", (request) =>
    Http.jsonBody(request).pipe(
      Effect.flatMap((body) => requiredString(body, "content")),
      Effect.flatMap((content) => conversations.start(request.params.spaceId, content)),
      Effect.map((json) => Http.json(json))
    )
  ),
  Http.route("POST", `${base}/conversations/:conversationId/messages`, "genie", (request) =>
    Http.jsonBody(request).pipe(
      Effect.flatMap((body) => requiredString(body, "content")),
      Effect.flatMap((content) =>
        conversations.followUp(request.params.spaceId, request.params.conversationId, content)
      ),
      Effect.map((json) => Http.json(json))
    )
  ),
  Http.route("GET", message, "genie", (request) =>
    Effect.map(
      conversations.message(request.params.spaceId, request.params.conversationId, request.params.messageId),
      (json) => Http.json(json)
    )
  ),
  Http.route("GET", `${base}/conversations/:conversationId/messages`, "genie", (request) =>
    Effect.flatMap(conversations.messages(request.params.spaceId, request.params.conversationId), (all) =>
      paged("messages", all, request.query)
    )
  ),
  Http.route("GET", `${message}/attachments/:attachmentId/query-result`, "genie", (request) =>
    Effect.map(conversations.queryResult(attachmentIds(request)), (json) => Http.json(json))
  ),
  Http.route("POST", `${message}/attachments/:attachmentId/execute-query`, "genie", (request) =>
    Effect.map(conversations.executeQuery(attachmentIds(request)), (json) => Http.json(json))
  ),
  Http.route("GET", `${base}/conversations`, "genie", (request) =>
    Effect.flatMap(conversations.list(request.params.spaceId), (all) => paged("conversations", all, request.query))
  ),
  Http.route("DELETE", `${base}/conversations/:conversationId`, "genie", (request) =>
    Effect.as(conversations.remove(request.params.spaceId, request.params.conversationId), Http.json({}))
  )
]
