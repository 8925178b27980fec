/**
 * Genie spaces of the emulated workspace (databricks-api.md §3): create, get, list, update (full replacement of
 * `serialized_space`, `etag` check) and trash, with `serialized_space` validated by the core Space model.
 */
import { Space, SpaceId } from "@genie-enhancer/core"
import type { SpaceValidation } from "@genie-enhancer/core"
import { Clock, Effect } from "effect"
import * as ApiError from "./ApiError.js"

/** A stored space. @category models */
export interface SpaceRecord {
  readonly id: string
  title: string
  description: string
  warehouseId: string
  parentPath: string
  readonly createTime: number
  updateTime: number
  revision: number
  space: Space.SerializedSpace
  trashed: boolean
}

/** Metadata and configuration of a new space. @category models */
export interface NewSpace {
  /** A fixed 32-hex id; a time-ordered id is minted when absent. */
  readonly id?: string
  readonly title?: string
  readonly description?: string
  readonly warehouseId?: string
  readonly parentPath?: string
  readonly space: Space.SerializedSpace
}

/** Fields of a PATCH; `etag`, when given, must be the current one. @category models */
export interface SpacePatch {
  readonly space?: Space.SerializedSpace
  readonly title?: string
  readonly description?: string
  readonly warehouseId?: string
  readonly parentPath?: string
  readonly etag?: string
}

/** The space store of an emulator. @category models */
export interface Spaces {
  readonly create: (input: NewSpace) => Effect.Effect<SpaceRecord, ApiError.ApiError>
  readonly update: (id: string, patch: SpacePatch) => Effect.Effect<SpaceRecord, ApiError.ApiError>
  /** 404 `RESOURCE_DOES_NOT_EXIST` for unknown and trashed spaces. */
  readonly get: (id: string) => Effect.Effect<SpaceRecord, ApiError.ApiError>
  readonly list: Effect.Effect<ReadonlyArray<SpaceRecord>>
  readonly trash: (id: string) => Effect.Effect<void, ApiError.ApiError>
}

/** The opaque etag of a space revision. @category constructors */
export const etag = (record: SpaceRecord): string => SpaceId.fromSeed(`${record.id}/${record.revision}`).slice(0, 16)

const rfc3339 = (millis: number): string => new Date(millis).toISOString().replace(/\.\d{3}Z$/, "Z")

/**
 * The `GenieSpace` JSON of a record; `serialized_space` is a pretty-printed JSON string in canonical order.
 *
 * @category constructors
 */
export const toJson = (record: SpaceRecord, includeSerializedSpace: boolean): Record<string, unknown> => ({
  space_id: record.id,
  title: record.title,
  description: record.description,
  warehouse_id: record.warehouseId,
  parent_path: record.parentPath,
  create_time: rfc3339(record.createTime),
  update_time: rfc3339(record.updateTime),
  etag: etag(record),
  ...(includeSerializedSpace ? { serialized_space: Space.serialize(record.space) } : {})
})

/**
 * Parses and validates a `serialized_space` string like the API: 400 `INVALID_PARAMETER_VALUE` with
 * "Cannot find field: X in message Y" for unknown fields and a message naming the path for other problems.
 *
 * @category constructors
 */
export const parseSerialized: (
  text: string,
  options?: SpaceValidation.Options
) => Effect.Effect<Space.SerializedSpace, ApiError.ApiError> = Effect.fn("Spaces.parseSerialized")(function* (
  text: string,
  options?: SpaceValidation.Options
) {
  return yield* Space.parse(text, { ...options, source: "serialized_space" }).pipe(
    Effect.mapError((invalid) => {
      const [first, ...rest] = invalid.issues
      const what =
        first === undefined
          ? "invalid"
          : first.code === "UnknownField"
            ? first.message
            : `${first.path}: ${first.message}`
      const more = rest.length === 0 ? "" : ` (and ${rest.length} more problem${rest.length === 1 ? "" : "s"})`
      return ApiError.invalidParameter(`Invalid serialized_space: ${what}${more}`)
    })
  )
})

/**
 * Creates the store for a workspace whose only warehouse is `warehouseId`.
 *
 * @category constructors
 */
export const make = (options: { readonly warehouseId: string }): Spaces => {
  const byId = new Map<string, SpaceRecord>()
  const defaultParent = "/Workspace/Users/emulator@example.com/Genie Spaces"

  const checkWarehouse = (id: string | undefined) =>
    id === undefined || id === options.warehouseId
      ? Effect.void
      : Effect.fail(ApiError.invalidParameter(`Warehouse ${id} does not exist or you do not have access to it.`))

  const get = (id: string) => {
    const record = byId.get(id)
    return record === undefined || record.trashed
      ? Effect.fail(ApiError.notFound(`Genie space ${id} does not exist.`))
      : Effect.succeed(record)
  }

  const create = (input: NewSpace) =>
    Effect.gen(function* () {
      if (input.warehouseId === undefined || input.warehouseId === "") {
        return yield* ApiError.invalidParameter("Missing required field: warehouse_id")
      }
      yield* checkWarehouse(input.warehouseId)
      const id = input.id ?? (yield* SpaceId.make)
      if (!SpaceId.isValid(id)) return yield* ApiError.invalidParameter(`Invalid space id ${JSON.stringify(id)}.`)
      if (byId.has(id)) {
        return yield* new ApiError.ApiError({
          status: 409,
          errorCode: "RESOURCE_ALREADY_EXISTS",
          message: `Genie space ${id} already exists.`
        })
      }
      const now = yield* Clock.currentTimeMillis
      const record: SpaceRecord = {
        id,
        title: input.title ?? "Untitled space",
        description: input.description ?? "",
        warehouseId: input.warehouseId,
        parentPath: input.parentPath ?? defaultParent,
        createTime: now,
        updateTime: now,
        revision: 1,
        space: input.space,
        trashed: false
      }
      byId.set(id, record)
      return record
    })

  const update = (id: string, patch: SpacePatch) =>
    Effect.gen(function* () {
      const record = yield* get(id)
      if (patch.etag !== undefined && patch.etag !== etag(record)) {
        return yield* new ApiError.ApiError({
          status: 409,
          errorCode: "ABORTED",
          message: `Genie space ${id} was modified since etag ${patch.etag} was read (current etag ${etag(record)}).`
        })
      }
      yield* checkWarehouse(patch.warehouseId)
      if (patch.space !== undefined) record.space = patch.space
      if (patch.title !== undefined) record.title = patch.title
      if (patch.description !== undefined) record.description = patch.description
      if (patch.warehouseId !== undefined) record.warehouseId = patch.warehouseId
      if (patch.parentPath !== undefined) record.parentPath = patch.parentPath
      record.revision++
      record.updateTime = yield* Clock.currentTimeMillis
      return record
    })

  const trash = (id: string) =>
    Effect.map(get(id), (record) => {
      record.trashed = true
    })

  const list = Effect.sync(() => [...byId.values()].filter((r) => !r.trashed))

  return { create, update, get, list, trash }
}
