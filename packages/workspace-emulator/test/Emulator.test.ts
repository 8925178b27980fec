import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { createServer } from "node:net"
import { Emulator } from "../src/index.js"
import { call, salesDataset, salesSpace } from "./support.js"

describe("Emulator", () => {
  it.scoped("starts an empty workspace on an ephemeral 127.0.0.1 port", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.start()
      assert.match(emulator.host, /^http:\/\/127\.0\.0\.1:\d+$/)
      assert.match(emulator.warehouseId, /^[0-9a-f]{16}$/)
      assert.deepStrictEqual(emulator.spaceIds, [])
      assert.deepStrictEqual(yield* emulator.warehouse.catalog, [])
      const spaces = yield* call(emulator, "GET", "/api/2.0/genie/spaces")
      assert.deepStrictEqual(spaces.json, { spaces: [] })
    })
  )

  it("startPromise serves Promise-based callers and stop() ends in-flight (even hanging) requests", async () => {
    const emulator = await Emulator.startPromise({
      datasets: [salesDataset],
      spaces: [{ title: "Sales", serializedSpace: salesSpace }],
      token: "dapi-test",
      faults: { serving: { hangRate: 1 } }
    })
    assert.strictEqual(emulator.token, "dapi-test")
    assert.strictEqual(emulator.spaceIds.length, 1)
    const ok = await fetch(`${emulator.host}/api/2.0/genie/spaces/${emulator.spaceIds[0]}`, {
      headers: { authorization: "Bearer dapi-test" }
    })
    assert.strictEqual(ok.status, 200)
    const hanging = fetch(`${emulator.host}/serving-endpoints/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer dapi-test" },
      body: "{}"
    }).then(
      () => "answered",
      () => "connection closed"
    )
    await new Promise((resolve) => setImmediate(resolve))
    await emulator.stop()
    assert.strictEqual(await hanging, "connection closed")
    await fetch(emulator.host).then(
      () => assert.fail("the server still answers after stop()"),
      () => undefined
    )
  })

  it("a taken port is a ListenFailed error naming it", async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve))
    const port = (blocker.address() as { port: number }).port
    const error = await Emulator.startPromise({ port }).then(
      () => undefined,
      (e: unknown) => e as { _tag: string; message: string }
    )
    blocker.close()
    assert.strictEqual(error?._tag, "ListenFailed")
    assert.include(error?.message, `127.0.0.1:${port}`)
  })
})
