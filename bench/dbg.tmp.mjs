import { Emulator } from "/work/main/packages/workspace-emulator/dist/index.js"
import { Effect } from "./lib/effect.mjs"
import { execFileSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
const em = await Emulator.startPromise({ workspace: "/work/main/examples/retail", faults: { genie: { stepMs: 400 } } })
const dir = mkdtempSync(join(tmpdir(), "dbg-"))
writeFileSync(join(dir, "b.yaml"), "apiVersion: 1\nbenchmarks:\n  - question: How many customers are there?\n    expected_sql: SELECT COUNT(*) AS n FROM main.retail.customers\n  - question: How many stores are there?\n    expected_sql: SELECT COUNT(*) AS n FROM main.retail.stores\n")
const env = { ...process.env, DATABRICKS_HOST: em.host, DATABRICKS_TOKEN: em.token, DATABRICKS_CONFIG_FILE: join(dir, "none"), GENIE_ENHANCER_RUNS__DIR: dir, GENIE_ENHANCER_SAFETY__GENIE__POLL_INTERVAL_SECONDS: "0.1", GENIE_ENHANCER_SAFETY__GENIE__MAX_POLL_INTERVAL_SECONDS: "0.2", GENIE_ENHANCER_SAFETY__GENIE__QUESTIONS_PER_MINUTE: "600" }
try { execFileSync(process.execPath, ["/work/main/packages/cli/bin/run.js", "score", "--target", "databricks", "--space", "ce86877f1287b94460c35a25f2d65bca", "--benchmarks", join(dir, "b.yaml"), "--no-batch", "--json"], { env, cwd: "/work/main", stdio: ["ignore", "ignore", "inherit"] }) } catch (e) { console.log("exit", e.status) }
console.log((await Effect.runPromise(em.questions)).map((q) => `${q.timestamp} ${q.messageId.slice(-6)} ${q.question}`).join("\n"))
await em.stop()
