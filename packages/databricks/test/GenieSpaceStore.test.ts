import { assert, describe, it } from "@effect/vitest"
import { Space, Stages } from "@genie-enhancer/core"
import { Context, Effect, Layer, Redacted } from "effect"
import { DatabricksAuth, GenieSpaceStore, RestClient } from "../src/index.js"
import { adapterFor, failureOf, recordingHttpClient, salesSpace, startEmulator } from "./support.js"

const withInstruction = (text: string): Space.SerializedSpace => ({
  ...salesSpace,
  instructions: { text_instructions: [{ id: "1a1b2c3d4e5f60718293a4b5c6d7e8f9", content: [text] }] }
})

describe("GenieSpaceStore", () => {
  it.scoped("lists every page of spaces", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator()
      for (const title of ["B", "C", "D", "E"]) yield* emulator.registerSpace({ title, serializedSpace: salesSpace })
      const http = recordingHttpClient()
      const store = Context.get(
        yield* Layer.build(
          GenieSpaceStore.layer({ pageSize: 2 }).pipe(
            Layer.provide(RestClient.layer),
            Layer.provide(
              DatabricksAuth.layer({
                host: emulator.host,
                credentials: { type: "pat", token: Redacted.make(emulator.token) }
              })
            ),
            Layer.provide(http.layer)
          )
        ),
        Stages.SpaceStore
      )
      const spaces = yield* store.list()
      assert.deepStrictEqual(spaces.map((s) => s.title).sort(), ["B", "C", "D", "E", "Sales"])
      assert.strictEqual(http.sent.length, 3)
      assert.isTrue(spaces.every((s) => s.space === undefined && s.warehouseId === emulator.warehouseId))
    })
  )

  it.scoped("gets a space with its configuration, creates one from a canonical serialization, and trashes it", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator()
      const { store } = yield* adapterFor(emulator)
      const sales = yield* store.get(emulator.spaceIds[0])
      assert.strictEqual(sales.title, "Sales")
      assert.strictEqual(sales.description, "Sales KPIs")
      assert.isString(sales.etag)
      assert.deepStrictEqual(sales.space, Space.canonicalize(salesSpace))

      // Tables out of order: the store sends the canonical order, which the API requires.
      const unsorted: Space.SerializedSpace = {
        ...salesSpace,
        data_sources: { tables: [...(salesSpace.data_sources?.tables ?? [])].reverse() }
      }
      const created = yield* store.create({
        title: "Copy",
        description: "dev copy",
        warehouseId: emulator.warehouseId,
        space: unsorted
      })
      assert.notStrictEqual(created.spaceId, sales.spaceId)
      const fetched = yield* store.get(created.spaceId)
      assert.strictEqual(fetched.title, "Copy")
      assert.strictEqual(Space.serialize(fetched.space ?? salesSpace), Space.serialize(unsorted))

      yield* store.trash(created.spaceId)
      const gone = failureOf(yield* Effect.exit(store.get(created.spaceId)))
      assert.include(gone, { _tag: "SpaceStoreError", reason: "NotFound", spaceId: created.spaceId, retryable: false })
    })
  )

  it.scoped("updates with the etag it read; a stale etag is a Conflict and changes nothing", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator()
      const { store } = yield* adapterFor(emulator)
      const spaceId = emulator.spaceIds[0]
      const before = yield* store.get(spaceId)
      const updated = yield* store.update(spaceId, withInstruction("First edit.\n"), {
        ...(before.etag === undefined ? {} : { etag: before.etag }),
        title: "Sales v2"
      })
      assert.strictEqual(updated.title, "Sales v2")
      assert.notStrictEqual(updated.etag, before.etag)

      const stale = failureOf(
        yield* Effect.exit(
          store.update(spaceId, withInstruction("Lost edit.\n"), before.etag === undefined ? {} : { etag: before.etag })
        )
      )
      assert.include(stale, { reason: "Conflict", spaceId, retryable: false })
      const after = yield* store.get(spaceId)
      assert.deepStrictEqual(after.space?.instructions?.text_instructions?.[0]?.content, ["First edit.\n"])
    })
  )

  it.scoped("a configuration the API rejects is Invalid with the API's message; bad credentials are Auth", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator()
      const { store } = yield* adapterFor(emulator)
      const invalid = failureOf(
        yield* Effect.exit(store.update(emulator.spaceIds[0], { ...salesSpace, bogus_field: true }))
      )
      assert.include(invalid, { reason: "Invalid", retryable: false })
      assert.include(invalid.message, "bogus_field")

      const noWarehouse = failureOf(
        yield* Effect.exit(store.create({ title: "x", warehouseId: "0000000000000000", space: salesSpace }))
      )
      assert.include(noWarehouse, { reason: "Invalid" })
      assert.include(noWarehouse.message, "0000000000000000")

      const intruder = yield* adapterFor(emulator, { credentials: { type: "pat", token: Redacted.make("dapi-x") } })
      assert.include(failureOf(yield* Effect.exit(intruder.store.list())), { reason: "Auth", retryable: false })
    })
  )

  it.scoped("server errors and throttling are retryable and keep Retry-After", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator({ faults: { spaces: { throttleRate: 1, retryAfterSeconds: 3 } } })
      const { store } = yield* adapterFor(emulator)
      assert.include(failureOf(yield* Effect.exit(store.get(emulator.spaceIds[0]))), {
        reason: "RateLimited",
        retryable: true,
        rateLimited: true,
        retryAfterMs: 3000
      })
      yield* emulator.setFaults({ spaces: { errorRate: 1, errorStatus: 500 } })
      assert.include(failureOf(yield* Effect.exit(store.list())), { reason: "Unavailable", retryable: true })
    })
  )
})
