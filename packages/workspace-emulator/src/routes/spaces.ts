/** Routes of the Genie spaces API (databricks-api.md §3). */
import type { SpaceValidation } from "@genie-enhancer/core"
import { Effect } from "effect"
import * as Http from "../Http.js"
import { paged } from "../internal/Pagination.js"
import type { Spaces } from "../Spaces.js"
import { parseSerialized, toJson } from "../Spaces.js"
import { optionalString, requiredString } from "./Body.js"

const base = "/api/2.0/genie/spaces"

/** The space endpoints. */
export const routes = (spaces: Spaces, validation: SpaceValidation.Options): ReadonlyArray<Http.Route> => [
  Http.route("GET", base, "spaces", (request) =>
    Effect.flatMap(spaces.list, (all) =>
      paged(
        "spaces",
        all.map((s) => toJson(s, false)),
        request.query
      )
    )
  ),
  Http.route("GET", `${base}/:spaceId`, "spaces", (request) =>
    Effect.map(spaces.get(request.params.spaceId), (record) =>
      Http.json(toJson(record, request.query.get("include_serialized_space") === "true"))
    )
  ),
  Http.route("POST", base, "spaces", (request) =>
    Effect.gen(function* () {
      const body = yield* Http.jsonBody(request)
      const warehouseId = yield* requiredString(body, "warehouse_id")
      const serialized = yield* requiredString(body, "serialized_space")
      const space = yield* parseSerialized(serialized, validation)
      const title = yield* optionalString(body, "title")
      const description = yield* optionalString(body, "description")
      const parentPath = yield* optionalString(body, "parent_path")
      const record = yield* spaces.create({
        warehouseId,
        space,
        ...(title === undefined ? {} : { title }),
        ...(description === undefined ? {} : { description }),
        ...(parentPath === undefined ? {} : { parentPath })
      })
      return Http.json(toJson(record, true))
    })
  ),
  Http.route("PATCH", `${base}/:spaceId`, "spaces", (request) =>
    Effect.gen(function* () {
      const body = yield* Http.jsonBody(request)
      const serialized = yield* optionalString(body, "serialized_space")
      const space = serialized === undefined ? undefined : yield* parseSerialized(serialized, validation)
      const title = yield* optionalString(body, "title")
      const description = yield* optionalString(body, "description")
      const warehouseId = yield* optionalString(body, "warehouse_id")
      const parentPath = yield* optionalString(body, "parent_path")
      const etag = yield* optionalString(body, "etag")
      const record = yield* spaces.update(request.params.spaceId, {
        ...(space === undefined ? {} : { space }),
        ...(title === undefined ? {} : { title }),
        ...(description === undefined ? {} : { description }),
        ...(warehouseId === undefined ? {} : { warehouseId }),
        ...(parentPath === undefined ? {} : { parentPath }),
        ...(etag === undefined ? {} : { etag })
      })
      return Http.json(toJson(record, true))
    })
  ),
  Http.route("DELETE", `${base}/:spaceId`, "spaces", (request) =>
    Effect.as(spaces.trash(request.params.spaceId), Http.json({}))
  )
]
