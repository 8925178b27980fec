import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Stages, Workspace } from "@genie-enhancer/core"
import { Context, Effect, Exit, Layer, Redacted } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DatabricksWorkspace } from "../src/index.js"
import { adapterFor, failureOf, recordingHttpClient, settings, startEmulator, withAutoClock } from "./support.js"

describe("DatabricksWorkspace", () => {
  it.scoped("layerConfig picks a section of a ~/.databrickscfg with several, and every service works with it", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator()
      const home = mkdtempSync(join(tmpdir(), "databrickscfg-"))
      writeFileSync(
        join(home, ".databrickscfg"),
        [
          "[DEFAULT]",
          "host = https://dbc-unused.cloud.databricks.com",
          "token = dapi-unused",
          "",
          "[emulator]",
          `host = ${emulator.host}`,
          `token = ${emulator.token}`,
          `warehouse_id = ${emulator.warehouseId}`,
          "",
          "[service-principal]",
          `host = ${emulator.host}`,
          `client_id = ${emulator.servicePrincipal.clientId}`,
          `client_secret = ${emulator.servicePrincipal.clientSecret}`,
          "",
          "[__settings__]",
          "default_profile = emulator",
          ""
        ].join("\n")
      )
      const build = (env: Record<string, string>) => {
        const http = recordingHttpClient()
        return Effect.map(
          Layer.build(
            DatabricksWorkspace.layerConfig({}, env, settings).pipe(
              Layer.provide(http.layer),
              Layer.provide(NodeContext.layer)
            )
          ),
          (context) => ({ context, idle: http.idle })
        )
      }

      // [__settings__] default_profile selects the PAT section, warehouse included.
      const { context } = yield* build({ HOME: home })
      assert.strictEqual(Context.get(context, Workspace.WorkspaceAuth).host, emulator.host)
      const spaces = yield* Context.get(context, Stages.SpaceStore).list()
      assert.deepStrictEqual(
        spaces.map((s) => s.title),
        ["Sales"]
      )
      const rows = yield* Context.get(context, Stages.Executor).execute("SELECT COUNT(*) AS n FROM main.sales.orders")
      assert.deepStrictEqual(rows.rows, [["5"]])

      // A named section with OAuth M2M credentials; no warehouse there, so SQL says how to set one.
      const sp = yield* build({ HOME: home, DATABRICKS_CONFIG_PROFILE: "service-principal" })
      const answer = yield* withAutoClock(
        Context.get(sp.context, Stages.Asker).ask(emulator.spaceIds[0], "Which sales?"),
        sp.idle
      )
      assert.isTrue(Exit.isSuccess(answer))
      const noWarehouse = failureOf(yield* Effect.exit(Context.get(sp.context, Stages.Executor).execute("SELECT 1")))
      assert.include(noWarehouse.message, "no SQL warehouse configured")
      const token = yield* Context.get(sp.context, Workspace.WorkspaceAuth).authorization
      assert.match(Redacted.value(token), /^Bearer eyJ/)

      // A section that is not there fails with the file's sections listed, and no secret.
      const missing = failureOf(yield* Effect.exit(build({ HOME: home, DATABRICKS_CONFIG_PROFILE: "staging" })))
      assert.strictEqual(missing._tag, "AuthFailed")
      assert.include(missing.message, "has no staging profile configured")
      assert.include(missing.message, "DEFAULT, emulator, service-principal")
      assert.notInclude(missing.message, emulator.token)
    })
  )

  it.scoped("sqlExecutor driver runs SQL through @databricks/sql, not the statements API", () =>
    Effect.gen(function* () {
      const emulator = yield* startEmulator()
      const { executor, sent } = yield* adapterFor(emulator, {
        settings: { ...settings, workspace: { ...settings.workspace, sqlExecutor: "driver" } }
      })
      // The emulator has no Thrift endpoint (and the driver insists on HTTPS), so the call fails, retryably.
      const failed = failureOf(yield* Effect.exit(executor.execute("SELECT 1 AS one")))
      assert.strictEqual(failed._tag, "SqlFailed")
      assert.deepStrictEqual(
        sent.filter((r) => r.path.startsWith("/api/2.0/sql")),
        []
      )
    })
  )
})
