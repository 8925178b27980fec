import { describe, expect, it } from "@effect/vitest"
import type { ChildProcess } from "node:child_process"
import { spawn } from "node:child_process"
import { createServer } from "node:net"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { repoRoot, runCli, runCliJson, tempDir } from "./cli.js"
import { minimalSpace } from "./fixtures.js"

const bin = join(repoRoot, "packages/cli/bin/run.js")

interface Running {
  readonly child: ChildProcess
  readonly lines: Array<string>
  readonly firstLine: string
  /** Resolves with the first output line (so far or later) matching `pattern`. */
  readonly line: (pattern: RegExp) => Promise<string>
  readonly exited: Promise<number | null>
}

/** Starts `genie-enhancer emulator start …` and resolves with its first line of output (it keeps running). */
const startEmulator = (args: ReadonlyArray<string>): Promise<Running> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "emulator", "start", ...args], { cwd: repoRoot })
    const lines: Array<string> = []
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)))
    exited.then((code) => reject(new Error(`emulator exited early (${code}): ${stderr}`)), reject)
    const reader = createInterface({ input: child.stdout })
    const line = (pattern: RegExp) =>
      new Promise<string>((found) => {
        const hit = lines.find((l) => pattern.test(l))
        if (hit !== undefined) return found(hit)
        const onLine = (l: string) => {
          if (!pattern.test(l)) return
          reader.off("line", onLine)
          found(l)
        }
        reader.on("line", onLine)
      })
    reader.on("line", (l) => {
      lines.push(l)
      if (lines.length === 1) resolve({ child, lines, firstLine: l, line, exited })
    })
  })

const workspace = () =>
  tempDir({
    "workspace.yaml": [
      "warehouse:",
      "  id: 92748d3f4d1346af",
      "datasets:",
      "  - sql: orders.sql",
      "spaces:",
      "  - id: 01f0f5c840c118b9824acd167525a768",
      "    title: Sales",
      "    serializedSpace: space.json",
      ""
    ].join("\n"),
    "orders.sql":
      "CREATE TABLE main.sales.orders (order_id BIGINT, amount DECIMAL(10,2));\nINSERT INTO main.sales.orders VALUES (1, 9.99), (2, 5.01);\n",
    "space.json": JSON.stringify(minimalSpace())
  })

describe("emulator start", () => {
  it("prints one line of JSON with host, token, warehouse and space ids, serves real requests, and stops on SIGTERM", async () => {
    const running = await startEmulator(["--workspace", workspace(), "--json"])
    const envelope = JSON.parse(running.firstLine)
    expect(envelope.status).toBe(0)
    const { host, token, warehouseId, spaceIds } = envelope.result
    expect(host).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(token).toMatch(/^dapi[0-9a-f]{32}$/)
    expect(warehouseId).toBe("92748d3f4d1346af")
    expect(spaceIds).toEqual(["01f0f5c840c118b9824acd167525a768"])

    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" }
    const space = await fetch(`${host}/api/2.0/genie/spaces/${spaceIds[0]}`, { headers })
    expect(space.status).toBe(200)
    expect(((await space.json()) as any).title).toBe("Sales")
    const statement = await fetch(`${host}/api/2.0/sql/statements`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        warehouse_id: warehouseId,
        statement: "SELECT SUM(amount) AS total FROM main.sales.orders"
      })
    })
    expect(((await statement.json()) as any).result.data_array).toEqual([["15.00"]])

    running.child.kill("SIGTERM")
    expect(await running.exited).toBe(0)
    expect(running.lines).toHaveLength(1)
  })

  it("serves an empty workspace by default, prints human output, and stops on Ctrl+C", async () => {
    const running = await startEmulator([])
    expect(running.firstLine).toMatch(/^Workspace emulator listening on http:\/\/127\.0\.0\.1:\d+$/)
    const host = running.firstLine.split(" ").pop()!
    const token = (await running.line(/^\s*token\b/)).trim().split(/\s+/)[1]
    expect(token).toMatch(/^dapi/)
    const spaces = await fetch(`${host}/api/2.0/genie/spaces`, { headers: { authorization: `Bearer ${token}` } })
    expect(await spaces.json()).toEqual({ spaces: [] })
    running.child.kill("SIGINT")
    expect(await running.exited).toBe(0)
    expect(running.lines.at(-1)).toBe("Emulator stopped.")
  })

  it("a missing example or an invalid manifest is a config error naming the file and path", async () => {
    const missing = await runCli(["emulator", "start", "--example", "no-such-example"])
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toContain(join("examples", "no-such-example"))
    expect(missing.stderr).toContain("expected a workspace directory")

    const dir = tempDir({ "workspace.yaml": "datasets:\n  - sql: 42\nspace: []\n" })
    const invalid = await runCliJson(["emulator", "start", "--workspace", dir])
    expect(invalid.exitCode).toBe(2)
    expect(invalid.json.error._tag).toBe("ConfigInvalid")
    expect(invalid.json.error.data.source).toBe(join(dir, "workspace.yaml"))
    const paths = invalid.json.error.data.issues.map((i: { path: string }) => i.path)
    expect(paths).toContain("$.space")
    expect(paths.some((p: string) => p.startsWith("$.datasets[0]"))).toBe(true)
  })

  it("rejects a bad faults file and a taken port with exit code 2", async () => {
    const faultsDir = tempDir({ "faults.yaml": "genie:\n  errorRate: 5\n" })
    const faults = await runCli(["emulator", "start", "--faults", join(faultsDir, "faults.yaml")])
    expect(faults.exitCode).toBe(2)
    expect(faults.stderr).toContain("$.genie.errorRate")

    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve))
    const port = (blocker.address() as { port: number }).port
    const taken = await runCli(["emulator", "start", "--port", String(port)])
    blocker.close()
    expect(taken.exitCode).toBe(2)
    expect(taken.stderr).toContain("--port")
    expect(taken.stderr).toContain(`127.0.0.1:${port}`)
  })
})
