import type { ChildProcess } from "node:child_process"
import { execFile, spawn } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"

export const repoRoot = fileURLToPath(new URL("../../..", import.meta.url))
const bin = join(repoRoot, "packages/cli/bin/run.js")

export interface CliRun {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs the built `genie-enhancer` binary in a child process, from the repository root by default. */
export const runCli = (
  args: ReadonlyArray<string>,
  options: { readonly cwd?: string; readonly env?: Record<string, string> } = {}
): Promise<CliRun> =>
  new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" }
    // A developer's shell may select a profile; tests must not inherit it.
    delete env.GENIE_ENHANCER_PROFILE
    // Nor a Databricks workspace: a configured one would win over the bundled example.
    for (const name of Object.keys(env)) if (name.startsWith("DATABRICKS_")) delete env[name]
    Object.assign(env, options.env)
    execFile(process.execPath, [bin, ...args], { cwd: options.cwd ?? repoRoot, env }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1
      resolve({ exitCode: code, stdout, stderr })
    })
  })

/** Runs with `--json` and parses the envelope. */
export const runCliJson = async (args: ReadonlyArray<string>, options?: Parameters<typeof runCli>[1]) => {
  const run = await runCli([...args, "--json"], options)
  let json: Record<string, any>
  try {
    json = JSON.parse(run.stdout) as Record<string, any>
  } catch {
    throw new Error(`not JSON (exit ${run.exitCode}):\n${run.stdout}\n${run.stderr}`)
  }
  return { ...run, json }
}

/** A fresh temporary directory with the given files written into it. */
export const tempDir = (files: Record<string, string> = {}): string => {
  const dir = mkdtempSync(join(tmpdir(), "genie-enhancer-cli-"))
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content)
  return dir
}

/** An emulator running in a child process (`genie-enhancer emulator start`). */
export interface RunningEmulator {
  readonly child: ChildProcess
  readonly host: string
  readonly token: string
  readonly warehouseId: string
}

/** `genie-enhancer emulator start --json` in a child process, serving the workspace directory `workspace`. */
export const startEmulator = (workspace: string): Promise<RunningEmulator> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "emulator", "start", "--workspace", workspace, "--json"], {
      cwd: repoRoot
    })
    child.on("exit", (code) => reject(new Error(`the emulator exited (${code})`)))
    createInterface({ input: child.stdout }).once("line", (line) => {
      const { host, token, warehouseId } = JSON.parse(line).result
      resolve({ child, host, token, warehouseId })
    })
  })
