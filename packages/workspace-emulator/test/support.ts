import { TestClockDriver } from "@genie-enhancer/core/testing"
import { Effect } from "effect"
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import type { Space } from "@genie-enhancer/core"
import type { Emulator, WorkspaceLoader } from "../src/index.js"
import { SalesFixture } from "../src/testing/index.js"

/** The shared main.sales fixture (see `SalesFixture`): four orders and three customers, and a space over them. */
export const salesSql = SalesFixture.sql
export const salesDataset: WorkspaceLoader.Dataset = SalesFixture.dataset
export const salesSpace: Space.SerializedSpace = SalesFixture.space
export const totalByRegionSql = SalesFixture.totalByRegionSql

export interface HttpResult {
  readonly status: number
  readonly headers: Headers
  readonly json: any
}

/** A real HTTP request to the emulator (bearer token by default; `token: null` sends none). */
export const call = (
  emulator: Pick<Emulator.Emulator, "host" | "token">,
  method: string,
  path: string,
  options: {
    readonly body?: unknown
    readonly token?: string | null
    readonly headers?: Record<string, string>
    readonly rawBody?: string
  } = {}
) =>
  Effect.tryPromise(async (signal): Promise<HttpResult> => {
    const token = options.token === undefined ? emulator.token : options.token
    const res = await fetch(`${emulator.host}${path}`, {
      method,
      signal,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
        ...options.headers
      },
      ...(options.rawBody !== undefined
        ? { body: options.rawBody }
        : options.body === undefined
          ? {}
          : { body: JSON.stringify(options.body) })
    })
    const text = await res.text()
    return { status: res.status, headers: res.headers, json: text === "" ? undefined : JSON.parse(text) }
  })

const terminal = new Set(["COMPLETED", "FAILED", "CANCELLED", "QUERY_RESULT_EXPIRED"])

/** Polls a Genie message until it is terminal (no sleeps: each poll is a real round trip). */
export const pollMessage = (emulator: Emulator.Emulator, spaceId: string, conversationId: string, messageId: string) =>
  call(emulator, "GET", `/api/2.0/genie/spaces/${spaceId}/conversations/${conversationId}/messages/${messageId}`).pipe(
    Effect.repeat({ until: (r) => terminal.has(r.json?.status), times: 500 })
  )

/** Starts a conversation and waits for the answer. */
export const ask = (emulator: Emulator.Emulator, spaceId: string, question: string) =>
  Effect.gen(function* () {
    const started = yield* call(emulator, "POST", `/api/2.0/genie/spaces/${spaceId}/start-conversation`, {
      body: { content: question }
    })
    if (started.status !== 200) return { started, message: started }
    const message = yield* pollMessage(emulator, spaceId, started.json.conversation_id, started.json.message_id)
    return { started, message }
  })

/** Lets real I/O progress until `count` sleeps wait on the `TestClock` (core's `TestClockDriver.awaitSleeps`). */
export const awaitSleeps = TestClockDriver.awaitSleeps

/** A temporary directory holding the given files (paths may contain sub-directories). */
export const tempWorkspace = (files: Record<string, string>): string => {
  const dir = mkdtempSync(join(tmpdir(), "emulator-ws-"))
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), content)
  }
  return dir
}
