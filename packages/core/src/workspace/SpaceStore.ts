/** Genie spaces in a workspace: the store contract, its errors and the stored-space envelope. */
import { Context, Schema } from "effect"
import type { Effect } from "effect"
import type { SerializedSpace } from "../model/Space.js"

/** A space as stored in a workspace: envelope metadata plus the parsed configuration. @category models */
export interface StoredSpace {
  readonly spaceId: string
  readonly title: string
  readonly description?: string
  readonly warehouseId: string
  readonly parentPath?: string
  readonly etag?: string
  readonly space?: SerializedSpace
}

/**
 * Why a space could not be read or written. @category models
 */
export const SpaceStoreErrorReason = Schema.Literal(
  "NotFound",
  "Conflict",
  "Invalid",
  "Auth",
  "RateLimited",
  "Unavailable",
  "BadResponse"
)

/**
 * Reading or writing a space failed. `Conflict`: the space changed since it was read (stale `etag`); `Invalid`: the
 * API rejected the `serialized_space` (the message names the field).
 *
 * @category errors
 */
export class SpaceStoreError extends Schema.TaggedError<SpaceStoreError>()("SpaceStoreError", {
  reason: SpaceStoreErrorReason,
  message: Schema.String,
  spaceId: Schema.optionalWith(Schema.String, { exact: true }),
  retryable: Schema.Boolean,
  rateLimited: Schema.Boolean,
  retryAfterMs: Schema.optionalWith(Schema.Number, { exact: true })
}) {}

/** Genie spaces in a workspace: list, get, create, update (optimistic on `etag`), trash. @category services */
export class SpaceStore extends Context.Tag("@genie-enhancer/core/SpaceStore")<
  SpaceStore,
  {
    readonly list: () => Effect.Effect<ReadonlyArray<StoredSpace>, SpaceStoreError>
    readonly get: (spaceId: string) => Effect.Effect<StoredSpace, SpaceStoreError>
    readonly create: (space: Omit<StoredSpace, "spaceId" | "etag">) => Effect.Effect<StoredSpace, SpaceStoreError>
    /** Replaces the space's configuration; with `etag`, fails with reason `Conflict` if it changed meanwhile. */
    readonly update: (
      spaceId: string,
      space: SerializedSpace,
      options?: { readonly etag?: string; readonly title?: string; readonly description?: string }
    ) => Effect.Effect<StoredSpace, SpaceStoreError>
    readonly trash: (spaceId: string) => Effect.Effect<void, SpaceStoreError>
  }
>() {}
