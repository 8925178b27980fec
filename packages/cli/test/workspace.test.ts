import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import type { RunningEmulator } from "./cli.js"
import { runCli, runCliJson, startEmulator, tempDir } from "./cli.js"

const spaceId = "01f0f5c840c118b9824acd167525a768"
const totalByRegion = "SELECT region, SUM(amount) AS total FROM main.sales.orders GROUP BY region ORDER BY region"

/** The configuration the test workspace starts with (valid, in canonical order). */
const space = {
  version: 2,
  data_sources: {
    tables: [{ identifier: "main.sales.orders", column_configs: [{ column_name: "region", synonyms: ["area"] }] }]
  },
  instructions: {
    text_instructions: [{ id: "1a1b2c3d4e5f60718293a4b5c6d7e8f9", content: ["Amounts are in EUR.\n"] }]
  }
}

/** A workspace directory (workspace.yaml) with orders, one space and a scripted answer. */
const workspaceDir = () =>
  tempDir({
    "workspace.yaml": [
      "warehouse:",
      "  id: 92748d3f4d1346af",
      "datasets:",
      "  - sql: orders.sql",
      "spaces:",
      `  - id: ${spaceId}`,
      "    title: Sales",
      "    serializedSpace: space.json",
      "    answers: answers.yaml",
      ""
    ].join("\n"),
    "orders.sql":
      "CREATE TABLE main.sales.orders (order_id BIGINT, region STRING, amount DECIMAL(10,2));\n" +
      "INSERT INTO main.sales.orders VALUES (1, 'EU', 9.99), (2, 'US', 5.01), (3, 'EU', 1.00);\n",
    "space.json": JSON.stringify(space),
    "answers.yaml": `- question: Total sales by region?\n  sql: ${totalByRegion}\n  text: EU leads.\n`
  })

/** Genie polls start at 0.1 s instead of 1 s, so that `ask` answers quickly in real time. */
const fastPolls = { GENIE_ENHANCER_SAFETY__GENIE__POLL_INTERVAL_SECONDS: "0.1" }

describe("workspace commands on the local target", () => {
  const dir = workspaceDir()
  const local = { env: { GENIE_ENHANCER_WORKSPACE__EXAMPLE: dir, ...fastPolls } }

  it("spaces list and export serve the example workspace, and say so", async () => {
    const out = join(tempDir(), "sales.json")
    const [list, exported] = await Promise.all([
      runCliJson(["spaces", "list"], local),
      runCliJson(["spaces", "export", spaceId, "--out", out], local)
    ])
    expect(list.exitCode).toBe(0)
    expect(list.json.result.target).toMatchObject({ target: "local", warehouseId: "92748d3f4d1346af" })
    expect(list.json.result.target.note).toContain(`Using the workspace ${dir} in a local workspace emulator`)
    expect(list.json.result.spaces).toEqual([{ spaceId, title: "Sales", warehouseId: "92748d3f4d1346af" }])

    expect(exported.exitCode).toBe(0)
    expect(exported.json.result).toMatchObject({ spaceId, title: "Sales", file: out })
    expect(exported.json.result.etag).toMatch(/\S/)
    // The GET-space envelope, with the configuration as an object in the API's order, ending with a newline.
    const file = readFileSync(out, "utf8")
    expect(file.endsWith("}\n")).toBe(true)
    expect(JSON.parse(file)).toMatchObject({ space_id: spaceId, title: "Sales", warehouse_id: "92748d3f4d1346af" })
    expect(JSON.stringify(JSON.parse(file).serialized_space, null, 2)).toBe(JSON.stringify(space, null, 2))
  })

  it("ask prints the SQL, the text and the rows as a table", async () => {
    const { exitCode, stdout, stderr } = await runCli(["ask", "Total sales by region?", "--space", spaceId], local)
    expect(exitCode).toBe(0)
    expect(stderr).toContain(`Using the workspace ${dir} in a local workspace emulator`)
    expect(stdout).toContain(`SQL:\n  ${totalByRegion}\n`)
    expect(stdout).toContain("Text:\n  EU leads.\n")
    expect(stdout).toContain(
      ["Rows (2 rows):", "region | total", "-------+------", "EU     | 10.99", "US     | 5.01"].join("\n")
    )
  })
})

describe("workspace commands on the databricks target", () => {
  let emulator: RunningEmulator
  beforeAll(async () => {
    emulator = await startEmulator(workspaceDir())
  })
  afterAll(() => {
    emulator.child.kill("SIGTERM")
  })

  /** A real-workspace environment: credentials from the environment only, an empty HOME. */
  const databricks = (env: Record<string, string> = {}) => ({
    env: {
      GENIE_ENHANCER_WORKSPACE__TARGET: "databricks",
      HOME: tempDir(),
      DATABRICKS_HOST: emulator.host,
      DATABRICKS_TOKEN: emulator.token,
      ...fastPolls,
      ...env
    }
  })

  it("lists, imports, exports and updates spaces in the workspace named by DATABRICKS_HOST", async () => {
    const file = join(tempDir(), "space.json")
    writeFileSync(file, JSON.stringify(space))
    const bad = join(tempDir(), "bad.json")
    writeFileSync(bad, JSON.stringify({ ...space, bogus: 1 }))
    const [list, noWarehouse, invalid] = await Promise.all([
      runCliJson(["spaces", "list"], databricks()),
      runCliJson(["spaces", "import", file], databricks()),
      runCliJson(["spaces", "import", bad, "--warehouse-id", emulator.warehouseId], databricks())
    ])
    expect(list.exitCode).toBe(0)
    expect(list.json.result.target).toEqual({ target: "databricks", host: emulator.host })
    expect(list.json.result.spaces.map((s: { title: string }) => s.title)).toEqual(["Sales"])
    expect(noWarehouse.exitCode).toBe(2)
    expect(noWarehouse.json.error.message).toContain("--warehouse-id")
    // The file is validated like the API would, before anything is sent.
    expect(invalid.exitCode).toBe(2)
    expect(invalid.json.error).toMatchObject({ _tag: "ConfigInvalid", data: { source: bad } })
    expect(invalid.json.error.message).toContain("bogus")

    const created = await runCliJson(
      ["spaces", "import", file, "--title", "Imported", "--warehouse-id", emulator.warehouseId],
      databricks()
    )
    expect(created.exitCode).toBe(0)
    expect(created.json.result).toMatchObject({ created: true, title: "Imported", warehouseId: emulator.warehouseId })
    const newId: string = created.json.result.spaceId

    const out = join(tempDir(), "imported.json")
    const exported = await runCliJson(["spaces", "export", newId, "--out", out], databricks())
    // The file keeps the space's title and warehouse next to the configuration…
    expect(JSON.parse(readFileSync(out, "utf8"))).toMatchObject({
      space_id: newId,
      title: "Imported",
      warehouse_id: emulator.warehouseId,
      serialized_space: space
    })
    const etag: string = exported.json.result.etag
    // …so importing it elsewhere needs no --warehouse-id.
    const copied = await runCliJson(["spaces", "import", out], databricks())
    expect(copied.exitCode, copied.stderr).toBe(0)
    expect(copied.json.result).toMatchObject({ created: true, title: "Imported", warehouseId: emulator.warehouseId })

    const [instruction] = space.instructions.text_instructions
    writeFileSync(
      out,
      JSON.stringify({ ...space, instructions: { text_instructions: [{ ...instruction, content: ["USD.\n"] }] } })
    )
    const updated = await runCliJson(["spaces", "import", out, "--update", newId, "--etag", etag], databricks())
    expect(updated.json.result).toMatchObject({ created: false, spaceId: newId })
    expect(updated.json.result.etag).not.toBe(etag)
    // The same etag again: the space changed since it was exported, so the update is refused.
    const conflict = await runCli(["spaces", "import", out, "--update", newId, "--etag", etag], databricks())
    expect(conflict.exitCode).toBe(5) // a conflict, not an auth failure
    expect(conflict.stderr).toContain("modified since etag")
  })

  it("a configured workspace wins over the bundled example when no target is named", async () => {
    const configured = { env: { HOME: tempDir(), DATABRICKS_HOST: emulator.host, DATABRICKS_TOKEN: emulator.token } }
    const list = await runCliJson(["spaces", "list"], configured)
    expect(list.exitCode, list.stderr).toBe(0)
    expect(list.json.result.target).toEqual({ target: "databricks", host: emulator.host })
    expect(list.stderr).toContain("Using the configured databricks workspace")
    // Nothing configured: the bundled example, and the command says why.
    const bare = await runCliJson(["spaces", "list"], { env: { HOME: tempDir() } })
    expect(bare.json.result.target.target).toBe("local")
    expect(bare.stderr).toContain("no Databricks workspace is configured")
    // A profile that names its target keeps it.
    const named = await runCliJson(["spaces", "list", "--target", "local"], configured)
    expect(named.json.result.target.target).toBe("local")
  })

  it("asks Genie and deletes the conversation afterwards", async () => {
    const { exitCode, json } = await runCliJson(["ask", "Total sales by region?", "--space", spaceId], databricks())
    expect(exitCode).toBe(0)
    expect(json.result.answer.sql).toBe(totalByRegion)
    expect(json.result.answer.result.columns.map((c: { typeName: string }) => c.typeName)).toEqual([
      "STRING",
      "DECIMAL"
    ])
    const conversations = await fetch(`${emulator.host}/api/2.0/genie/spaces/${spaceId}/conversations`, {
      headers: { authorization: `Bearer ${emulator.token}` }
    }).then((r) => r.json())
    expect(conversations).toEqual({ conversations: [] })
  })

  it("reads host and token from a ~/.databrickscfg section chosen with --config-profile", async () => {
    const home = tempDir({
      ".databrickscfg": [
        "[DEFAULT]",
        "host = https://dbc-unused.cloud.databricks.com",
        "token = dapi-unused",
        "",
        "[emulator]",
        `host = ${emulator.host}`,
        `token = ${emulator.token}`,
        ""
      ].join("\n")
    })
    const env = { GENIE_ENHANCER_WORKSPACE__TARGET: "databricks", HOME: home }
    const [chosen, missing] = await Promise.all([
      runCliJson(["spaces", "list", "--config-profile", "emulator"], { env }),
      runCliJson(["spaces", "list", "--config-profile", "staging"], { env })
    ])
    expect(chosen.exitCode).toBe(0)
    expect(chosen.json.result.target.host).toBe(emulator.host)
    expect(missing.exitCode).toBe(3)
    expect(missing.json.error._tag).toBe("AuthFailed")
    expect(missing.json.error.message).toContain(
      "has no staging profile configured (profiles in the file: DEFAULT, emulator)"
    )
  })

  it("a wrong token is an auth failure (exit 3) that does not echo the token", async () => {
    const { exitCode, json, stdout } = await runCliJson(
      ["spaces", "list"],
      databricks({ DATABRICKS_TOKEN: "dapi-wrong-token" })
    )
    expect(exitCode).toBe(3)
    expect(json.error).toMatchObject({ _tag: "SpaceStoreError", data: { reason: "Auth", retryable: false } })
    expect(stdout).not.toContain("dapi-wrong-token")
  })
})
