/**
 * The core `SpaceStore` over the Genie spaces API (databricks-api.md §3), called as plain REST because the official
 * JS SDK drops PATCH bodies.
 */
import { Space, Stages } from "@genie-enhancer/core"
import type { Errors } from "@genie-enhancer/core"
import { Effect, Layer, Schema } from "effect"
import type { DatabricksError } from "./RestClient.js"
import { decodeBody, describe, RestClient } from "./RestClient.js"

const opt = <A, I>(schema: Schema.Schema<A, I>) => Schema.optional(Schema.NullOr(schema))

const GenieSpace = Schema.Struct({
  space_id: Schema.String,
  title: opt(Schema.String),
  description: opt(Schema.String),
  warehouse_id: opt(Schema.String),
  parent_path: opt(Schema.String),
  etag: opt(Schema.String),
  serialized_space: opt(Schema.String)
})

const SpacePage = Schema.Struct({ spaces: opt(Schema.Array(GenieSpace)), next_page_token: opt(Schema.String) })

const base = "/api/2.0/genie/spaces"

/** Error codes of a write that lost a race (the space changed since its `etag` was read). */
const conflictCodes: ReadonlySet<string> = new Set(["ABORTED", "RESOURCE_CONFLICT", "FAILED_PRECONDITION"])

const fromRest =
  (spaceId?: string) =>
  (error: DatabricksError | Errors.AuthFailed): Stages.SpaceStoreError => {
    const at = spaceId === undefined ? {} : { spaceId }
    if (error._tag === "AuthFailed") {
      return new Stages.SpaceStoreError({
        reason: "Auth",
        message: error.message,
        retryable: false,
        rateLimited: false,
        ...at
      })
    }
    const reason: Stages.SpaceStoreError["reason"] =
      error.errorCode === "INVALID_RESPONSE"
        ? "BadResponse"
        : error.rateLimited
          ? "RateLimited"
          : error.status === 409 || error.status === 412 || conflictCodes.has(error.errorCode)
            ? "Conflict"
            : error.status === 401 || error.status === 403
              ? "Auth"
              : error.status === 404
                ? "NotFound"
                : error.retryable
                  ? "Unavailable"
                  : "Invalid"
    return new Stages.SpaceStoreError({
      reason,
      // Validation errors are for people fixing a space file: the API's message names the field.
      message: reason === "Invalid" ? error.message : describe(error),
      retryable: error.retryable,
      rateLimited: error.rateLimited,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      ...at
    })
  }

/** A `GenieSpace` as a `StoredSpace`; `serialized_space` is decoded losslessly, not re-validated. */
const toStored = (json: typeof GenieSpace.Type, fallback?: Space.SerializedSpace) =>
  Effect.gen(function* () {
    const text = json.serialized_space ?? undefined
    const space =
      text === undefined
        ? fallback
        : yield* Space.decode(text, `serialized_space of space ${json.space_id}`).pipe(
            Effect.mapError(
              (invalid) =>
                new Stages.SpaceStoreError({
                  reason: "BadResponse",
                  message: invalid.message,
                  spaceId: json.space_id,
                  retryable: false,
                  rateLimited: false
                })
            )
          )
    const stored: Stages.StoredSpace = {
      spaceId: json.space_id,
      title: json.title ?? "",
      warehouseId: json.warehouse_id ?? "",
      ...(json.description === undefined || json.description === null ? {} : { description: json.description }),
      ...(json.parent_path === undefined || json.parent_path === null ? {} : { parentPath: json.parent_path }),
      ...(json.etag === undefined || json.etag === null ? {} : { etag: json.etag }),
      ...(space === undefined ? {} : { space })
    }
    return stored
  })

/**
 * Creates the store.
 *
 * **Details**
 * `list` follows `next_page_token` through every page (`pageSize` spaces per request). `get` asks for the
 * `serialized_space` and decodes it without re-validating, so a space the API accepted is never refused on the way
 * out. `create` and `update` send `Space.serialize` (canonical order); `update` replaces the whole configuration and,
 * with `etag`, fails with reason `Conflict` when the space changed meanwhile. API validation errors are reason
 * `Invalid` with the API's message (which names the field).
 *
 * @category constructors
 */
export const make = Effect.fn("GenieSpaceStore.make")(function* (options: { readonly pageSize?: number } = {}) {
  const rest = yield* RestClient
  const pageSize = options.pageSize ?? 100

  const call = (
    method: "GET" | "POST" | "PATCH",
    path: string,
    request: { readonly query?: Record<string, string | number | boolean>; readonly body?: unknown },
    spaceId?: string
  ) =>
    rest
      .request(method, path, request)
      .pipe(Effect.flatMap(decodeBody(GenieSpace, `${method} ${path}`)), Effect.mapError(fromRest(spaceId)))

  const list = () =>
    Effect.gen(function* () {
      const spaces: Array<Stages.StoredSpace> = []
      let pageToken: string | undefined
      do {
        const page = yield* rest
          .request("GET", base, { query: { page_size: pageSize, page_token: pageToken } })
          .pipe(Effect.flatMap(decodeBody(SpacePage, `GET ${base}`)), Effect.mapError(fromRest()))
        for (const json of page.spaces ?? []) spaces.push(yield* toStored(json))
        pageToken = page.next_page_token ?? undefined
      } while (pageToken !== undefined && pageToken !== "")
      return spaces
    })

  const get = (spaceId: string) =>
    Effect.flatMap(call("GET", `${base}/${spaceId}`, { query: { include_serialized_space: true } }, spaceId), (json) =>
      toStored(json)
    )

  const create = (space: Omit<Stages.StoredSpace, "spaceId" | "etag">) =>
    Effect.gen(function* () {
      if (space.space === undefined) {
        return yield* new Stages.SpaceStoreError({
          reason: "Invalid",
          message: "a new space needs its configuration (serialized_space)",
          retryable: false,
          rateLimited: false
        })
      }
      const json = yield* call("POST", base, {
        body: {
          title: space.title,
          warehouse_id: space.warehouseId,
          serialized_space: Space.serialize(space.space),
          ...(space.description === undefined ? {} : { description: space.description }),
          ...(space.parentPath === undefined ? {} : { parent_path: space.parentPath })
        }
      })
      return yield* toStored(json, space.space)
    })

  const update = (
    spaceId: string,
    space: Space.SerializedSpace,
    options: { readonly etag?: string; readonly title?: string; readonly description?: string } = {}
  ) =>
    Effect.flatMap(
      call(
        "PATCH",
        `${base}/${spaceId}`,
        {
          body: {
            serialized_space: Space.serialize(space),
            ...(options.etag === undefined ? {} : { etag: options.etag }),
            ...(options.title === undefined ? {} : { title: options.title }),
            ...(options.description === undefined ? {} : { description: options.description })
          }
        },
        spaceId
      ),
      (json) => toStored(json, space)
    )

  const trash = (spaceId: string) =>
    Effect.asVoid(rest.request("DELETE", `${base}/${spaceId}`).pipe(Effect.mapError(fromRest(spaceId))))

  return Stages.SpaceStore.of({ list, get, create, update, trash })
})

/**
 * The `SpaceStore` over the Genie spaces API.
 *
 * @category layers
 */
export const layer = (options?: { readonly pageSize?: number }): Layer.Layer<Stages.SpaceStore, never, RestClient> =>
  Layer.effect(Stages.SpaceStore, make(options))
