import { describe, expect, it } from "@effect/vitest"
import { join } from "node:path"
import { runCli, runCliJson, tempDir } from "./cli.js"

describe("profiles", () => {
  it("lists the three built-in profiles", async () => {
    const { exitCode, json } = await runCliJson(["profiles", "list"])
    expect(exitCode).toBe(0)
    expect(json.result.map((p: { name: string }) => p.name).sort()).toEqual(["aggressive", "conservative", "default"])
  })

  it("shows a resolved profile with the seed's numbers", async () => {
    const conservative = await runCliJson(["profiles", "show", "conservative"])
    expect(conservative.json.result.profile.safety.genie.concurrency).toBe(2)
    expect(conservative.json.result.profile.safety.genie.attempts).toBe(3)
    const aggressive = await runCliJson(["profiles", "show", "aggressive"])
    expect(aggressive.json.result.profile.safety.genie.concurrency).toBe(7)
    expect(aggressive.json.result.profile.safety.genie.circuit.threshold).toBe(10)
  })

  it("applies env over the profile and --profile from the environment", async () => {
    const { json } = await runCliJson(["profiles", "show", "--origins"], {
      env: { GENIE_ENHANCER_PROFILE: "conservative", GENIE_ENHANCER_SAFETY__GENIE__CONCURRENCY: "5" }
    })
    expect(json.result.name).toBe("conservative")
    expect(json.result.profile.safety.genie.concurrency).toBe(5)
    expect(json.result.origins["safety.genie.concurrency"]).toContain("GENIE_ENHANCER_SAFETY__GENIE__CONCURRENCY")
  })

  it("validates the built-ins and a user profile that extends one", async () => {
    expect((await runCli(["profiles", "validate"])).exitCode).toBe(0)
    const dir = tempDir({ "team.yaml": "apiVersion: 1\nextends: conservative\nloop:\n  maxIterations: 5\n" })
    const { exitCode, json } = await runCliJson(["profiles", "validate", join(dir, "team.yaml")])
    expect(exitCode).toBe(0)
    expect(json.result.profiles[0].files.length).toBeGreaterThanOrEqual(2)
  })

  it("names the parent file when an error comes from a profile it extends", async () => {
    const dir = tempDir({
      "base.yaml": "apiVersion: 1\nextends: default\nevaluate:\n  chunkSize: -1\n",
      "child.yaml": "apiVersion: 1\nextends: ./base.yaml\n"
    })
    const { exitCode, json } = await runCliJson(["profiles", "validate", join(dir, "child.yaml")])
    expect(exitCode).toBe(2)
    const issue = json.error.data.issues.find((i: { path: string }) => i.path === "$.evaluate.chunkSize")
    expect(issue.file).toBe(join(dir, "base.yaml"))
    expect(issue.line).toBe(4)
  })

  it("loads the plugins a profile lists, relative to its file, and checks their options", async () => {
    const plugin = `export default {
  _tag: "GenieEnhancerPlugin", apiVersion: 1, id: "team-judge", version: "1.0.0", kind: "stage-decorator",
  description: "Team rules.", layer: () => undefined,
  optionsSchema: { type: "object", additionalProperties: false, properties: { strictness: { type: "integer" } } }
}
`
    const dir = tempDir({
      "team-judge.mjs": plugin,
      "ok.yaml":
        "apiVersion: 1\nextends: default\nplugins:\n  - module: ./team-judge.mjs\n    options: { strictness: 2 }\n",
      "typo.yaml":
        "apiVersion: 1\nextends: default\nplugins:\n  - module: ./team-judge.mjs\n    options: { strictnes: 2 }\n",
      "missing.yaml": "apiVersion: 1\nextends: default\nplugins:\n  - module: ./nowhere.mjs\n"
    })
    expect((await runCliJson(["profiles", "validate", join(dir, "ok.yaml")])).exitCode).toBe(0)
    const typo = await runCliJson(["profiles", "validate", join(dir, "typo.yaml")])
    expect(typo.exitCode).toBe(2)
    expect(typo.json.error.data.issues[0]).toMatchObject({
      path: "$.plugins[0].options.strictnes",
      suggestion: "strictness"
    })
    const missing = await runCliJson(["profiles", "validate", join(dir, "missing.yaml")])
    expect(missing.exitCode).toBe(2)
    expect(missing.json.error.data.issues[0].message).toMatch(/Plugin "\.\/nowhere\.mjs" was not found \(cannot import/)
  })
})
