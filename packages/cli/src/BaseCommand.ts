// The module, not the package barrel: the barrel also loads cluster, rpc and sql modules no command needs.
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Issue, Redaction } from "@genie-enhancer/core"
import { Command, Errors, Flags } from "@oclif/core"
import { Cause, Effect, Exit, Layer, Logger, Option } from "effect"
import { ExitCode, forFailure } from "./ExitCode.js"
import { builtinConfigDir } from "./Locations.js"

/** An expected, typed failure from core (a tagged error) surfaced to the command. */
export class TaggedFailure extends Error {
  readonly failure: { readonly _tag: string; readonly message?: string }
  constructor(failure: { readonly _tag: string; readonly message?: string }) {
    super(failure.message ?? failure._tag)
    this.failure = failure
  }
}

/** A defect: an unexpected exception inside an effect. Always exit 1. */
class Defect extends Error {}

/**
 * Effect's logs (breaker transitions, warnings) on stderr, redacted: stdout holds only the command's output, so
 * `--json` prints exactly one JSON document there.
 */
const stderrLogger = Logger.replace(
  Logger.defaultLogger,
  Logger.withConsoleError(Logger.map(Logger.logfmtLogger, (line) => Redaction.redact(line)))
)

/** Plain data of a tagged error for the JSON envelope (everything but `_tag`, `message`, `stack`). */
const dataOf = (failure: object): Record<string, unknown> =>
  Object.fromEntries(Object.entries(failure).filter(([key]) => !["_tag", "message", "stack", "name"].includes(key)))

/** oclif does not export `CLIParseError`; its instances are the CLI errors that carry the parser's output. */
const isParseError = (err: unknown): err is Errors.CLIError => err instanceof Errors.CLIError && "parse" in err

const exitCodeOf = (err: unknown): ExitCode => {
  if (err instanceof TaggedFailure) return forFailure(err.failure)
  if (isParseError(err)) return ExitCode.config
  if (err instanceof Errors.CLIError && typeof err.oclif.exit === "number") return err.oclif.exit as ExitCode
  return ExitCode.defect
}

/**
 * Base of every `genie-enhancer` command (Salesforce `SfCommand` style): a `--json` envelope
 * (`{status, result, warnings}` / `{status, error: {_tag, message, code, data, suggestions}}`), one exit-code table,
 * and `runEffect` to run core programs with the Node platform. Commands stay thin: parse flags, call core, render.
 */
export abstract class BaseCommand<T> extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    profile: Flags.string({
      summary: "Profile: a built-in name (default, conservative, aggressive) or a path to a profile YAML.",
      env: "GENIE_ENHANCER_PROFILE",
      helpGroup: "GLOBAL"
    }),
    "config-dir": Flags.directory({
      summary: "Directory holding the built-in profiles.",
      env: "GENIE_ENHANCER_CONFIG_DIR",
      helpGroup: "GLOBAL",
      exists: true
    })
  }

  protected readonly warnings: Array<string> = []

  /** Exit status of a successful run: `partialRun` when some of the work could not be done. */
  private status: ExitCode = ExitCode.ok

  abstract override run(): Promise<T>

  override async init(): Promise<void> {
    await super.init()
    // Secrets in the environment are known before anything can echo them back.
    Redaction.registerEnv(process.env)
  }

  /** The directory with the built-in profiles: `--config-dir` or the bundled `configs/`. */
  protected configDir(flags: { readonly "config-dir"?: string | undefined }): string {
    return flags["config-dir"] ?? builtinConfigDir()
  }

  /** Records a warning: printed to stderr now, and listed in the `--json` envelope. */
  protected addWarning(message: string): void {
    this.warnings.push(message)
    if (!this.jsonEnabled()) this.logToStderr(`warning: ${message}`)
  }

  /** Runs a core program with the Node platform services. Typed failures become `TaggedFailure`. */
  protected async runEffect<A, E extends { readonly _tag: string }>(
    program: Effect.Effect<A, E, NodeContext.NodeContext>
  ): Promise<A> {
    const exit = await Effect.runPromiseExit(Effect.provide(program, Layer.merge(NodeContext.layer, stderrLogger)))
    if (Exit.isSuccess(exit)) return exit.value
    const failure = Cause.failureOption(exit.cause)
    if (Option.isSome(failure)) throw new TaggedFailure(failure.value)
    throw new Defect(Cause.pretty(exit.cause))
  }

  /** Ends with exit code 4 (partial run) and a warning, keeping the result (the `--json` status says 4 too). */
  protected partial(message: string): void {
    this.status = ExitCode.partialRun
    process.exitCode = ExitCode.partialRun
    this.addWarning(message)
  }

  /** Every line printed goes through `Redaction.redact`: text from servers may echo a secret. */
  override log(message = "", ...args: Array<unknown>): void {
    super.log(Redaction.redact(message), ...args)
  }

  override logToStderr(message = "", ...args: Array<unknown>): void {
    super.logToStderr(Redaction.redact(message), ...args)
  }

  protected override toSuccessJson(result: unknown): unknown {
    return Redaction.redactDeep({ status: this.status, result, warnings: this.warnings })
  }

  protected override toErrorJson(err: unknown): unknown {
    const status = exitCodeOf(err)
    if (err instanceof TaggedFailure) {
      const f = err.failure
      return Redaction.redactDeep({
        status,
        error: { _tag: f._tag, message: err.message, code: f._tag, data: dataOf(f), suggestions: [] },
        warnings: this.warnings
      })
    }
    const message = err instanceof Error ? err.message : String(err)
    const tag = isParseError(err) ? "UsageError" : err instanceof Defect ? "Defect" : "Error"
    const suggestions = err instanceof Errors.CLIError ? (err.suggestions ?? []) : []
    return Redaction.redactDeep({
      status,
      error: { _tag: tag, message, code: tag, data: {}, suggestions },
      warnings: this.warnings
    })
  }

  protected override catch(err: Error): Promise<void> {
    process.exitCode = exitCodeOf(err)
    if (this.jsonEnabled()) {
      this.logJson(this.toErrorJson(err))
    } else {
      this.logToStderr(Redaction.redact(render(err)))
    }
    return Promise.resolve()
  }
}

const render = (err: unknown): string => {
  if (err instanceof TaggedFailure) {
    const f = err.failure as { _tag: string; source?: string; issues?: ReadonlyArray<Issue.Issue> }
    if (f.issues !== undefined && f.source !== undefined) {
      const errors = f.issues.filter((i) => i.severity === "error").length
      const lines = f.issues.map((i) => `  ${Issue.formatIssue(i, f.source)}`)
      return [`✗ ${f.source}: ${errors} error${errors === 1 ? "" : "s"}`, ...lines].join("\n")
    }
    return `✗ ${err.message}`
  }
  if (err instanceof Defect) return `✗ Unexpected failure (a bug in genie-enhancer, please report it):\n${err.message}`
  return `✗ ${err instanceof Error ? err.message : String(err)}`
}
