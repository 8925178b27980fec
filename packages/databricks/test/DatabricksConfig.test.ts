import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Redacted } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as DatabricksConfig from "../src/DatabricksConfig.js"

const home = mkdtempSync(join(tmpdir(), "databrickscfg-"))
writeFileSync(
  join(home, ".databrickscfg"),
  `; written by the Databricks CLI
[DEFAULT]
host  = https://dbc-default.cloud.databricks.com
token = dapi-default-secret

[sp-prod]
host          = adb-111.11.azuredatabricks.net/
client_id     = 00000000-0000-0000-0000-000000000000
client_secret = dose-prod-secret
warehouse_id  = 92748d3f4d1346af

[both]
host          = https://both.cloud.databricks.com
token         = dapi-both-secret
client_id     = abc
client_secret = dose-both-secret
`
)
const settingsHome = mkdtempSync(join(tmpdir(), "databrickscfg-"))
writeFileSync(
  join(settingsHome, ".databrickscfg"),
  "[sp-prod]\nhost = https://prod.example.com\ntoken = dapi-x\n\n[__settings__]\ndefault_profile = sp-prod\n"
)

const resolve = (explicit: DatabricksConfig.Explicit, env: Record<string, string>) =>
  DatabricksConfig.resolve(explicit, env).pipe(Effect.provide(NodeContext.layer))

const failureMessage = (exit: Exit.Exit<unknown, { readonly message: string }>): string => {
  if (Exit.isSuccess(exit) || exit.cause._tag !== "Fail") throw new Error("expected a failure")
  return exit.cause.error.message
}

describe("DatabricksConfig.resolve", () => {
  it.effect("reads the DEFAULT profile when nothing else is configured", () =>
    Effect.gen(function* () {
      const config = yield* resolve({}, { HOME: home })
      assert.strictEqual(config.host, "https://dbc-default.cloud.databricks.com")
      assert.strictEqual(config.profile, "DEFAULT")
      assert.strictEqual(config.credentials.type, "pat")
      if (config.credentials.type === "pat")
        assert.strictEqual(Redacted.value(config.credentials.token), "dapi-default-secret")
      assert.strictEqual(config.sources["host"], `${join(home, ".databrickscfg")} [DEFAULT]`)
    })
  )

  it.effect("a named profile from the environment selects OAuth M2M and normalizes the host", () =>
    Effect.gen(function* () {
      const config = yield* resolve({}, { HOME: home, DATABRICKS_CONFIG_PROFILE: "sp-prod" })
      assert.strictEqual(config.host, "https://adb-111.11.azuredatabricks.net")
      assert.strictEqual(config.warehouseId, "92748d3f4d1346af")
      assert.strictEqual(config.credentials.type, "oauth-m2m")
    })
  )

  it.effect("uses [__settings__] default_profile when no profile is named", () =>
    Effect.gen(function* () {
      const config = yield* resolve({}, { HOME: settingsHome })
      assert.strictEqual(config.profile, "sp-prod")
      assert.strictEqual(config.host, "https://prod.example.com")
    })
  )

  it.effect("flags beat the environment, which beats the file", () =>
    Effect.gen(function* () {
      const config = yield* resolve(
        { host: "https://from-flag.example.com", profile: "sp-prod" },
        { HOME: home, DATABRICKS_HOST: "https://from-env.example.com", DATABRICKS_WAREHOUSE_ID: "env-wh" }
      )
      assert.strictEqual(config.host, "https://from-flag.example.com")
      assert.strictEqual(config.warehouseId, "env-wh")
      assert.strictEqual(config.sources["warehouseId"], "env DATABRICKS_WAREHOUSE_ID")
      assert.strictEqual(config.sources["clientId"], `${join(home, ".databrickscfg")} [sp-prod]`)
    })
  )

  it.effect("does not read the file when host and a token come from the environment", () =>
    Effect.gen(function* () {
      const config = yield* resolve(
        {},
        { HOME: "/nonexistent", DATABRICKS_HOST: "h.example.com", DATABRICKS_TOKEN: "t" }
      )
      assert.strictEqual(config.host, "https://h.example.com")
      assert.isUndefined(config.profile)
    })
  )

  it.effect("a missing named profile is an error naming the file and the profiles it has", () =>
    Effect.gen(function* () {
      const message = failureMessage(yield* Effect.exit(resolve({ profile: "staging" }, { HOME: home })))
      assert.include(message, `resolve: ${join(home, ".databrickscfg")} has no staging profile configured`)
      assert.include(message, "DEFAULT, sp-prod, both")
    })
  )

  it.effect("two auth methods at once fail unless auth_type picks one", () =>
    Effect.gen(function* () {
      const message = failureMessage(yield* Effect.exit(resolve({ profile: "both" }, { HOME: home })))
      assert.include(message, "more than one authorization method configured: oauth and pat")
      assert.notInclude(message, "secret")
      const chosen = yield* resolve({ profile: "both", authType: "oauth-m2m" }, { HOME: home })
      assert.strictEqual(chosen.credentials.type, "oauth-m2m")
    })
  )

  it.effect("missing host or credentials say what to set", () =>
    Effect.gen(function* () {
      const noHost = failureMessage(yield* Effect.exit(resolve({}, { HOME: "/nonexistent" })))
      assert.include(noHost, "no Databricks host configured: pass --host, set DATABRICKS_HOST")
      const noCredentials = failureMessage(
        yield* Effect.exit(resolve({}, { HOME: "/nonexistent", DATABRICKS_HOST: "h.example.com" }))
      )
      assert.include(noCredentials, "set DATABRICKS_TOKEN, or DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET")
    })
  )
})
