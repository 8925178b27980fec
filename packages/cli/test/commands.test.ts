import { describe, expect, it } from "@effect/vitest"
import { runCli, runCliJson } from "./cli.js"

describe("validate --example retail (readiness check of the bundled example)", () => {
  it("checks the bundled profile, space and benchmarks together", async () => {
    const { exitCode, json } = await runCliJson(["validate", "--example", "retail"])
    expect(exitCode).toBe(0)
    expect(json.result.profile.name).toBe("default")
    expect(json.result.space.summary.tables).toBe(5)
    expect(json.result.benchmarks.count).toBeGreaterThanOrEqual(10)
    expect(json.result.benchmarks.split.holdout).toBeGreaterThan(0)
    expect(json.result.unreachableTables).toEqual([])
  })

  it("needs either --example or --space and --benchmarks", async () => {
    const { exitCode, json } = await runCliJson(["validate"])
    expect(exitCode).toBe(2)
    expect(json.error.message).toContain("--example")
  })
})

describe("usage errors and help", () => {
  it("an unknown flag is a usage error with exit 2 and a JSON envelope", async () => {
    const { exitCode, json } = await runCliJson(["spaces", "validate", "x.json", "--frobnicate"])
    expect(exitCode).toBe(2)
    expect(json.error._tag).toBe("UsageError")
    expect(json.error.message).toContain("--frobnicate")
  })

  it("a missing argument is a usage error in human mode too", async () => {
    const { exitCode, stderr } = await runCli(["spaces", "diff", "only-one.json"])
    expect(exitCode).toBe(2)
    expect(stderr).toMatch(/after/i)
  })

  it("help shows the summary, the examples and the global flags", async () => {
    const { exitCode, stdout } = await runCli(["spaces", "validate", "--help"])
    expect(exitCode).toBe(0)
    expect(stdout).toContain("Validate a Genie space configuration")
    expect(stdout).toContain("EXAMPLES")
    expect(stdout).toContain("--profile")
    expect(stdout).toContain("--json")
  })

  it("a missing profile is a config error that lists the built-ins", async () => {
    const { exitCode, json } = await runCliJson(["profiles", "show", "defualt"])
    expect(exitCode).toBe(2)
    expect(JSON.stringify(json.error.data)).toContain("default")
  })
})
