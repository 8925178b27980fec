import type { Hook } from "@oclif/core"
import { ExitCode } from "../ExitCode.js"

/**
 * An unknown command is a usage error (exit 2). With `--json` it prints the same error envelope as every command,
 * so a script reading stdout always gets one JSON document.
 */
const hook: Hook<"command_not_found"> = function (options) {
  const message = `${options.id} is not a genie-enhancer command; see genie-enhancer --help`
  process.exitCode = ExitCode.config
  if (options.argv?.includes("--json") === true) {
    process.stdout.write(
      `${JSON.stringify({
        status: ExitCode.config,
        error: { _tag: "UsageError", message, code: "UsageError", data: { command: options.id }, suggestions: [] },
        warnings: []
      })}\n`
    )
    return Promise.resolve()
  }
  process.stderr.write(`✗ ${message}\n`)
  return Promise.resolve()
}

export default hook
