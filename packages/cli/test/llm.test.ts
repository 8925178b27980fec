import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { createServer } from "node:http"
import type { IncomingHttpHeaders, Server } from "node:http"
import type { AddressInfo } from "node:net"
import { runCli, runCliJson, tempDir } from "./cli.js"

const goodKey = "sk-good-123456"
const badKey = "sk-bad-654321"

/** An OpenAI-compatible server that accepts only `goodKey` and answers every structured request with ok. */
let server: Server
let baseUrl: string
const received: Array<{ headers: IncomingHttpHeaders; body: any }> = []

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) })
      res.setHeader("content-type", "application/json")
      if (req.headers.authorization !== `Bearer ${goodKey}`) {
        res.statusCode = 401
        res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${badKey}` } }))
        return
      }
      res.end(
        JSON.stringify({
          id: "c1",
          object: "chat.completion",
          created: 0,
          model: "tiny",
          choices: [{ index: 0, message: { role: "assistant", content: '{"ok":true}' }, finish_reason: "stop" }],
          usage: { prompt_tokens: 42, completion_tokens: 5, total_tokens: 47 }
        })
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
})

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

// Never inherit a developer's keys or endpoints.
const env = (vars: Record<string, string>) => ({
  env: {
    OPENAI_API_KEY: "",
    OPENAI_BASE_URL: "",
    ANTHROPIC_API_KEY: "",
    DATABRICKS_HOST: "",
    DATABRICKS_TOKEN: "",
    ...vars
  }
})
const compatible = () => ["llm", "check", "--provider", "openai-compatible", "--base-url", baseUrl, "--model", "tiny"]

describe("llm check", () => {
  it("sends one structured request and reports provider, model, latency and usage", async () => {
    const { exitCode, json } = await runCliJson(compatible(), env({ OPENAI_API_KEY: goodKey }))
    expect(exitCode).toBe(0)
    expect(json.result).toMatchObject({
      provider: "openai-compatible",
      model: "tiny",
      baseUrl,
      reply: { ok: true },
      usage: { inputTokens: 42, outputTokens: 5, provider: "openai-compatible", model: "tiny" }
    })
    expect(json.result.latencyMs).toBeGreaterThanOrEqual(0)
    const request = received.at(-1)!
    expect(request.body.model).toBe("tiny")
    expect(request.body.response_format.json_schema.name).toBe("check")
  })

  it("prints a human summary, with cost from GENIE_ENHANCER_LLM__PRICES", async () => {
    const { exitCode, stdout } = await runCli(
      compatible(),
      env({
        OPENAI_API_KEY: goodKey,
        GENIE_ENHANCER_LLM__PRICES: "{ tiny: { inputPerMillion: 1000, outputPerMillion: 2000 } }"
      })
    )
    expect(exitCode).toBe(0)
    expect(stdout).toContain(`openai-compatible tiny at ${baseUrl}`)
    expect(stdout).toMatch(/latency \d+ ms · 42 input \/ 5 output tokens · \$0\.052000/)
  })

  it("exits 3 when the key is rejected, without printing it", async () => {
    const { exitCode, json, stdout } = await runCliJson(compatible(), env({ OPENAI_API_KEY: badKey }))
    expect(exitCode).toBe(3)
    expect(json.error._tag).toBe("ProviderError")
    expect(json.error.data).toMatchObject({ reason: "Auth", retryable: false, status: 401 })
    expect(json.error.message).toContain("OPENAI_API_KEY")
    expect(stdout).not.toContain(badKey)
  })

  it("exits 3 naming OPENAI_API_KEY when openai has no key", async () => {
    const { exitCode, json } = await runCliJson(["llm", "check", "--provider", "openai", "--model", "gpt-x"], env({}))
    expect(exitCode).toBe(3)
    expect(json.error.data.reason).toBe("Auth")
    expect(json.error.message).toContain("OPENAI_API_KEY")
  })

  it("exits 2 when openai-compatible has no base URL", async () => {
    const { exitCode, json } = await runCliJson(["llm", "check", "--provider", "openai-compatible"], env({}))
    expect(exitCode).toBe(2)
    expect(json.error.data.issues[0].path).toBe("$.llm.baseUrl")
  })

  it("takes the base URL from OPENAI_BASE_URL, for openai and openai-compatible", async () => {
    for (const provider of ["openai", "openai-compatible"]) {
      const { exitCode, json } = await runCliJson(
        ["llm", "check", "--provider", provider, "--model", "tiny"],
        env({ OPENAI_API_KEY: goodKey, OPENAI_BASE_URL: baseUrl })
      )
      expect(exitCode).toBe(0)
      expect(json.result.reply.ok).toBe(true)
      expect(received.at(-1)!.headers.authorization).toBe(`Bearer ${goodKey}`)
    }
  })

  it("databricks calls the workspace's serving endpoint with the workspace's token", async () => {
    const home = tempDir()
    const host = baseUrl.replace(/\/v1$/, "")
    const ok = await runCliJson(
      ["llm", "check", "--provider", "databricks", "--model", "databricks-claude"],
      env({ HOME: home, DATABRICKS_HOST: host, DATABRICKS_TOKEN: goodKey })
    )
    expect(ok.exitCode).toBe(0)
    expect(ok.json.result).toMatchObject({ provider: "databricks", reply: { ok: true } })
    expect(received.at(-1)!.headers.authorization).toBe(`Bearer ${goodKey}`)
    const noHost = await runCliJson(["llm", "check", "--provider", "databricks"], env({ HOME: home }))
    expect(noHost.exitCode).toBe(3)
    expect(noHost.json.error.message).toContain("no Databricks host configured")
  })
})
