/**
 * `spaces cleanup --run <id>` and `--kept`: removing the dev spaces `enhance --keep` left on purpose, by the ids the
 * runs recorded, against one emulator that runs beside the test (`emulator start`) with the databricks target.
 * (Leftovers of a killed run, the flagless case, are in enhance.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { RunningEmulator } from "./cli.js"
import { runCli, runCliJson, startEmulator, tempDir } from "./cli.js"

const timeout = 300_000
const workspace = fileURLToPath(new URL("./fixtures/tiny-retail", import.meta.url))
const benchmarks = join(workspace, "benchmarks.yaml")
const spaceId = "7a1e00000000400080000000000000b1"

describe("spaces cleanup of kept dev spaces", () => {
  let emulator: RunningEmulator
  beforeAll(async () => {
    emulator = await startEmulator(workspace)
  }, timeout)
  afterAll(() => {
    emulator?.child.kill("SIGTERM")
  })

  /** The databricks target on the emulator; runs and history under `cwd`; Genie answers fast. */
  const databricks = (cwd: string) => ({
    cwd,
    env: {
      GENIE_ENHANCER_WORKSPACE__TARGET: "databricks",
      HOME: tempDir(),
      DATABRICKS_HOST: emulator.host,
      DATABRICKS_TOKEN: emulator.token,
      GENIE_ENHANCER_SAFETY__GENIE__POLL_INTERVAL_SECONDS: "0.1",
      GENIE_ENHANCER_SAFETY__GENIE__QUESTIONS_PER_MINUTE: "1000"
    }
  })

  const api = (path: string, method = "GET") =>
    fetch(`${emulator.host}/api/2.0/genie/spaces${path}`, {
      method,
      headers: { authorization: `Bearer ${emulator.token}` }
    })

  /** The ids of the emulator's spaces. */
  const spaceIds = async (): Promise<Array<string>> => {
    const body = (await api("").then((r) => r.json())) as { spaces?: Array<{ space_id: string }> }
    return (body.spaces ?? []).map((s) => s.space_id)
  }

  it(
    "--run removes one run's kept dev spaces, --kept all others; gone ones are reported, nothing is found by title",
    async () => {
      const cwd = tempDir()
      // Two kept runs, at the same time: both write the one history file (each write takes its turn on it).
      const enhance = () =>
        runCliJson(["enhance", "--space", spaceId, "--benchmarks", benchmarks, "--keep"], databricks(cwd))
      const [a, b] = await Promise.all([enhance(), enhance()])
      for (const run of [a, b]) expect(run.exitCode, run.stderr).toBe(0)
      const runA = a.json.result.outcome
      const runB = b.json.result.outcome
      for (const o of [runA, runB]) expect(o.devSpaces.kept).toBe(true)
      const kept = [runA, runB].flatMap((o) => [o.devSpaces.working, o.devSpaces.best])
      expect(await spaceIds()).toEqual(expect.arrayContaining(kept))

      // No flag: kept spaces stay, and the human output says how to remove them.
      const plain = await runCliJson(["spaces", "cleanup"], databricks(cwd))
      expect(plain.exitCode, plain.stderr).toBe(0)
      expect(plain.json.result).toEqual([])
      const human = await runCli(["spaces", "cleanup"], databricks(cwd))
      expect(human.exitCode, human.stderr).toBe(0)
      expect(human.stdout).toContain("No leftover dev spaces.")
      expect(human.stdout).toContain("4 dev space(s) kept with --keep by run")
      expect(human.stdout).toContain("--kept trashes them, or --run <id> one run's.")

      // --run, dry run: what would go, nothing goes.
      const ofA = (status: string) => [
        { runId: runA.runId, spaceId: runA.devSpaces.working, status },
        { runId: runA.runId, spaceId: runA.devSpaces.best, status }
      ]
      const dryRun = await runCliJson(["spaces", "cleanup", "--run", runA.runId, "--dry-run"], databricks(cwd))
      expect(dryRun.exitCode, dryRun.stderr).toBe(0)
      expect(dryRun.json.result).toEqual(ofA("would trash"))
      expect(await spaceIds()).toEqual(expect.arrayContaining(kept))

      // --run: that run's spaces go; the other run's stay.
      const cleanA = await runCliJson(["spaces", "cleanup", "--run", runA.runId], databricks(cwd))
      expect(cleanA.exitCode, cleanA.stderr).toBe(0)
      expect(cleanA.json.result).toEqual(ofA("trashed"))
      let remaining = await spaceIds()
      expect(remaining).not.toContain(runA.devSpaces.working)
      expect(remaining).not.toContain(runA.devSpaces.best)
      expect(remaining).toEqual(expect.arrayContaining([spaceId, runB.devSpaces.working, runB.devSpaces.best]))

      // Again: the run's spaces are checked again and reported as already gone (human output counts them).
      const againA = await runCli(["spaces", "cleanup", "--run", runA.runId], databricks(cwd))
      expect(againA.exitCode, againA.stderr).toBe(0)
      expect(againA.stdout).toContain(`already gone ${runA.devSpaces.working}  (run ${runA.runId})`)
      expect(againA.stdout).toContain("Trashed 0; 2 already gone.")

      // --kept: every kept space left, one of them deleted meanwhile by someone else (a 404 is fine).
      expect((await api(`/${runB.devSpaces.working}`, "DELETE")).ok).toBe(true)
      const cleanKept = await runCliJson(["spaces", "cleanup", "--kept"], databricks(cwd))
      expect(cleanKept.exitCode, cleanKept.stderr).toBe(0)
      expect(cleanKept.json.result).toEqual([
        { runId: runB.runId, spaceId: runB.devSpaces.working, status: "already gone" },
        { runId: runB.runId, spaceId: runB.devSpaces.best, status: "trashed" }
      ])
      remaining = await spaceIds()
      for (const id of kept) expect(remaining).not.toContain(id)
      expect(remaining).toContain(spaceId)

      // Recorded as trashed: nothing left to do.
      const none = await runCliJson(["spaces", "cleanup", "--kept"], databricks(cwd))
      expect(none.json.result).toEqual([])

      // An unknown run is bad input, named.
      const unknown = await runCliJson(["spaces", "cleanup", "--run", "20000101-000000-beef"], databricks(cwd))
      expect(unknown.exitCode).toBe(2)
      expect(unknown.json.error).toMatchObject({ _tag: "RunStoreError" })
      expect(unknown.json.error.message).toContain("no run 20000101-000000-beef in ")
    },
    timeout
  )
})
