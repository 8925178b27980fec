import { Composition, Errors, Issue, PluginRegistry, ProfileLoader, RunStore } from "@genie-enhancer/core"
import type { ReportFormat } from "@genie-enhancer/core"
import { Redaction, Reports, RunReader } from "@genie-enhancer/report"
import { Args, Flags } from "@oclif/core"
import { Effect, Option } from "effect"
import { existsSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { BaseCommand } from "../BaseCommand.js"
import { registry } from "../Plugins.js"

/** What `report` returns under --json. */
export interface ReportResult {
  readonly runId: string
  readonly runDir: string
  /** A built-in format or the id of a report-format plugin of the profile. */
  readonly format: string
  /** The file written, when --out was given. */
  readonly out?: string
  readonly against?: string
  /** The report data (every format renders from it). */
  readonly data: unknown
}

export default class Report extends BaseCommand<ReportResult> {
  static override summary = "Render a report of a run: HTML with charts, Markdown for a PR, JUnit XML for CI, or JSON."
  static override description =
    "Reads .genie-enhancer/runs/<run-id>/ (the profile's runs.dir) and renders one report. html: a single " +
    "self-contained file (charts, searchable benchmark table, no network access). md: a short summary for a pull " +
    "request comment. junit: one test case per benchmark (failures with reasons, errors, excluded as skipped). " +
    "json: the report data. Report-format plugins listed under the profile's plugins: add their ids. --against <run-id> adds what changed since that run (fixed, broke, score delta). " +
    "Secrets are never printed, and result values are hidden when the run's profile has evaluate.sendRows: false. " +
    "Without --out the report goes to stdout (html included). A <run-id> may also be the path of a run directory."
  static override examples = [
    "<%= config.bin %> <%= command.id %> 20261125-233447-3f9a --out report.html",
    "<%= config.bin %> <%= command.id %> 20261125-233447-3f9a --format md --against 20261120-101010-0a1b",
    "<%= config.bin %> <%= command.id %> 20261125-233447-3f9a --format junit --out junit.xml"
  ]
  static override args = {
    run: Args.string({ description: "Run id (a directory under <runs.dir>/runs/) or a run directory.", required: true })
  }
  static override flags = {
    format: Flags.string({
      default: "html",
      char: "f",
      summary: `Report format: ${Reports.formats.join(", ")}, or the id of a report-format plugin of the profile.`
    }),
    out: Flags.string({ char: "o", summary: "Write the report to this file instead of stdout." }),
    against: Flags.string({ summary: "Compare with this earlier run (id or directory): fixed, broke, score delta." })
  }

  async run(): Promise<ReportResult> {
    const { args, flags } = await this.parse(Report)
    const configDir = this.configDir(flags)
    const json = this.jsonEnabled()
    const builtin = (Reports.formats as ReadonlyArray<string>).includes(flags.format)
      ? (flags.format as Reports.Format)
      : undefined
    const { data, runDir, against, plugin } = await this.runEffect(
      Effect.gen(function* () {
        const resolved = yield* ProfileLoader.resolve({
          ...(flags.profile === undefined ? {} : { profile: flags.profile }),
          configDir,
          env: process.env
        })
        const locate = (id: string) =>
          id.includes("/") || existsSync(join(id, "run.json"))
            ? resolve(id)
            : resolve(resolved.profile.runs.dir, "runs", id)
        const plugin = builtin === undefined ? yield* pluginFormat(flags.format, resolved) : undefined
        const runDir = locate(args.run)
        const against = flags.against === undefined ? undefined : locate(flags.against)
        // The stricter of this profile and the run's own: a run scored with sendRows: false never shows values.
        const runProfile = yield* RunReader.read(runDir, { sendRows: false }).pipe(
          Effect.flatMap((d) => ProfileLoader.resolve({ profile: d.run.profile, configDir, env: process.env })),
          Effect.map((p) => p.profile.evaluate.sendRows),
          Effect.option
        )
        const sendRows = resolved.profile.evaluate.sendRows && Option.getOrElse(runProfile, () => true)
        const data = yield* Reports.read(runDir, {
          sendRows,
          env: process.env,
          ...(against === undefined ? {} : { against })
        })
        return { data, runDir, against, plugin }
      }).pipe(
        // A missing or damaged run is the run store's failure (exit 2), as for `score --resume`.
        Effect.mapError((e) =>
          e._tag === "ReportError" ? new RunStore.RunStoreError({ path: e.path, message: e.message }) : e
        )
      )
    )
    const chartJs = flags.format === "html" ? await this.runEffect(Effect.option(Reports.chartJs())) : Option.none()
    const secrets = Redaction.secretsFromEnv(process.env)
    const text =
      plugin !== undefined
        ? Reports.renderPlugin(data, plugin, { secrets })
        : Reports.render(data, builtin ?? "html", {
            secrets,
            ...(Option.isSome(chartJs) ? { chartJs: chartJs.value } : {})
          })
    if (flags.out !== undefined) {
      writeFileSync(flags.out, text)
      if (!json) this.logToStderr(`Report written to ${resolve(flags.out)}`)
    } else if (!json) {
      process.stdout.write(text)
    }
    return {
      runId: data.run.runId,
      runDir,
      format: flags.format,
      ...(flags.out === undefined ? {} : { out: resolve(flags.out) }),
      ...(against === undefined ? {} : { against }),
      data: JSON.parse(Reports.render(data, "json", { secrets: Redaction.secretsFromEnv(process.env) })) as unknown
    }
  }
}

/** The profile's report-format plugin with this id (its `plugins:` entries, options validated). */
const pluginFormat = (id: string, resolved: ProfileLoader.ResolvedProfile) =>
  Effect.gen(function* () {
    const context = Composition.pluginContext({ resolved, env: process.env, cwd: process.cwd() })
    const listed = yield* PluginRegistry.resolvePlugins(registry, resolved.profile.plugins ?? [], {
      source: context.source,
      baseDir: context.baseDir,
      cwd: process.cwd()
    })
    const formats: ReadonlyArray<ReportFormat.Format> = Reports.pluginFormats(listed, context)
    const format = formats.find((f) => f.id === id)
    if (format !== undefined) return format
    const known = [...Reports.formats, ...formats.map((f) => f.id)].join(", ")
    return yield* new Errors.ConfigInvalid({
      source: "--format",
      issues: [Issue.error("UnknownFormat", "$", `no report format "${id}"; available: ${known}`)]
    })
  })
