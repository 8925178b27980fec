import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Option, Redacted } from "effect"
import { inspect } from "node:util"
import * as Secrets from "../src/config/Secrets.js"

const withEnv = (env: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

describe("Secrets.read", () => {
  it.effect("reads a variable as a Redacted value that never prints itself", () =>
    Effect.gen(function* () {
      const token = yield* Secrets.read("DATABRICKS_TOKEN").pipe(withEnv({ DATABRICKS_TOKEN: "dapi-secret-123" }))
      assert.isTrue(Option.isSome(token))
      const secret = Option.getOrThrow(token)
      assert.strictEqual(Redacted.value(secret), "dapi-secret-123")
      assert.notInclude(inspect(secret), "dapi-secret-123")
      assert.notInclude(JSON.stringify({ secret }), "dapi-secret-123")
    })
  )

  it.effect("treats missing and blank variables as unset", () =>
    Effect.gen(function* () {
      assert.isTrue(Option.isNone(yield* Secrets.read("OPENAI_API_KEY").pipe(withEnv({}))))
      assert.isTrue(Option.isNone(yield* Secrets.read("OPENAI_API_KEY").pipe(withEnv({ OPENAI_API_KEY: "  " }))))
    })
  )
})
