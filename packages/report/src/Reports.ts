/**
 * One entry point for every report: `render` a format from report data (redaction enforced again on the way
 * out), `read` a run (optionally with a comparison against another run), and `writeRunReports`, the hook a run
 * command calls to leave `report.html` and `report.md` in its run directory, plus one file per report-format plugin
 * of the run's profile.
 */
import { FileSystem, Path } from "@effect/platform"
import { Composition, ReportFormat } from "@genie-enhancer/core"
import type { Plugin, PluginRegistry } from "@genie-enhancer/core"
import { Effect, Option, Schema } from "effect"
import { createRequire } from "node:module"
import * as Comparison from "./Comparison.js"
import * as Html from "./Html.js"
import * as Junit from "./Junit.js"
import * as Markdown from "./Markdown.js"
import * as Redaction from "./Redaction.js"
import * as ReportData from "./ReportData.js"
import * as RunReader from "./RunReader.js"

/** The report formats. @category models */
export const formats = ["html", "md", "junit", "json"] as const
/** @category models */
export type Format = (typeof formats)[number]

/** The usual file name of each format. @category models */
export const fileNames: Readonly<Record<Format, string>> = {
  html: "report.html",
  md: "report.md",
  junit: "report.junit.xml",
  json: "report.json"
}

/** Options of `render`. @category models */
export interface RenderOptions {
  /** Chart.js's UMD build for the HTML report (`chartJs`). */
  readonly chartJs?: string
  /** Extra secret values to redact (`Redaction.secretsFromEnv(process.env)`). */
  readonly secrets?: ReadonlyArray<string>
}

/**
 * Renders one format. Result values are hidden again per `privacy.sendRows` and secrets scrubbed again, so data
 * built by hand meets the same rules as data read from a run.
 *
 * @category renderers
 */
export const render = (data: ReportData.ReportData, format: Format, options: RenderOptions = {}): string => {
  const safe = Redaction.apply(data, options.secrets ?? [])
  switch (format) {
    case "html":
      return Html.render(safe, options.chartJs === undefined ? {} : { chartJs: options.chartJs })
    case "md":
      return Markdown.render(safe)
    case "junit":
      return Junit.render(safe)
    case "json":
      return `${JSON.stringify(Schema.encodeSync(ReportData.ReportData)(safe), null, 2)}\n`
  }
}

// The data handed to plugins is the JSON report; this keeps core's view of it in step with the schema.
const _dataView: (data: typeof ReportData.ReportData.Encoded) => ReportFormat.Data = (data) => data

/**
 * The report data as a report-format plugin receives it: redacted like every format, then as JSON (what `--format
 * json` prints), so a plugin never depends on this package's classes.
 *
 * @category renderers
 */
export const pluginData = (
  data: ReportData.ReportData,
  options: Pick<RenderOptions, "secrets"> = {}
): ReportFormat.Data =>
  _dataView(Schema.encodeSync(ReportData.ReportData)(Redaction.apply(data, options.secrets ?? [])))

/**
 * Renders with a report-format plugin (see {@link pluginFormats}).
 *
 * @category renderers
 */
export const renderPlugin = (
  data: ReportData.ReportData,
  format: ReportFormat.Format,
  options: Pick<RenderOptions, "secrets"> = {}
): string => format.render(pluginData(data, options))

/**
 * The report formats among resolved plugins (a profile's `plugins:` list), with their options bound.
 *
 * @category constructors
 */
export const pluginFormats = (
  resolved: ReadonlyArray<PluginRegistry.Resolved>,
  context?: Plugin.Context
): ReadonlyArray<ReportFormat.Format> =>
  resolved.flatMap((r) => {
    const format = ReportFormat.fromPlugin(r.plugin, r.options, context)
    return format === undefined ? [] : [format]
  })

/**
 * The built-in formats as report-format plugin manifests (what the contract kit checks; hosts list them with the
 * plugins' formats).
 *
 * @category renderers
 */
export const builtinPlugins: ReadonlyArray<Plugin.Plugin<unknown, never, never, never>> = formats.map((format) =>
  ReportFormat.define<unknown>({
    id: format,
    version: "1.0.0",
    description: `The built-in ${format} report.`,
    extension: fileNames[format].replace(/^report\./, ""),
    fileName: fileNames[format],
    // Plugins get the JSON report; the built-ins read it back into the report data they render.
    render: (data) => render(Schema.decodeUnknownSync(ReportData.ReportData)(data), format)
  })
)

/**
 * Chart.js's UMD build (`chart.js/dist/chart.umd.min.js`), read from this package's dependencies for inlining.
 *
 * @category assets
 */
export const chartJs = Effect.fn("Reports.chartJs")(function* () {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const main = yield* Effect.try({
    try: () => createRequire(import.meta.url).resolve("chart.js"),
    catch: () => new RunReader.ReportError({ path: "chart.js", message: "the chart.js package is not installed" })
  })
  const file = path.join(path.dirname(main), "chart.umd.min.js")
  return yield* fs
    .readFileString(file)
    .pipe(
      Effect.mapError((e) => new RunReader.ReportError({ path: file, message: `cannot read Chart.js: ${e.message}` }))
    )
})

/** Options of `read`. @category models */
export interface ReadOptions extends RunReader.Options {
  /** A second run directory to compare with (the baseline). */
  readonly against?: string
}

/**
 * Reads a run, and the baseline run when `against` is given, into report data.
 *
 * @category constructors
 */
export const read = Effect.fn("Reports.read")(function* (runDir: string, options: ReadOptions = {}) {
  const { against, ...readOptions } = options
  const data = yield* RunReader.read(runDir, readOptions)
  if (against === undefined) return data
  const { enhance: _, ...baselineOptions } = readOptions
  const baseline = yield* RunReader.read(against, baselineOptions)
  return Comparison.withBaseline(data, baseline)
})

/** Where `writeRunReports` wrote. @category models */
export interface Written {
  readonly html: string
  readonly markdown: string
  /** One file per report-format plugin, in profile order (absent when the run has none). */
  readonly plugins?: ReadonlyArray<{ readonly id: string; readonly file: string }>
  /** Report-format plugins whose renderer failed (the other reports are written). */
  readonly failed?: ReadonlyArray<{ readonly id: string; readonly message: string }>
}

/** Options of `writeRunReports`. @category models */
export interface WriteOptions extends RunReader.Options {
  /**
   * The report-format plugins to write as well. Default: those of the run's profile, from `Composition.Loaded` when
   * the command runs in the composition root's services; none otherwise.
   */
  readonly formats?: ReadonlyArray<ReportFormat.Format>
}

/**
 * Writes `report.html`, `report.md` and one `report.<extension>` per report-format plugin into a finished run's
 * directory. Score and enhance commands call this once at the end of a run.
 *
 * @category constructors
 */
export const writeRunReports = Effect.fn("Reports.writeRunReports")(function* (
  runDir: string,
  writeOptions: WriteOptions = {}
) {
  const { formats: given, ...options } = writeOptions
  const loaded = yield* Effect.serviceOption(Composition.Loaded)
  const formats =
    given ?? Option.match(loaded, { onNone: () => [], onSome: (l) => pluginFormats(l.plugins, l.context) })
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const env = options.env ?? process.env
  const data = yield* RunReader.read(runDir, { ...options, env })
  const chart = yield* Effect.option(chartJs())
  const secrets = Redaction.secretsFromEnv(env)
  const html = render(data, "html", { secrets, ...(chart._tag === "Some" ? { chartJs: chart.value } : {}) })
  const write = (file: string, text: string) =>
    fs
      .writeFileString(file, text)
      .pipe(Effect.mapError((e) => new RunReader.ReportError({ path: file, message: `cannot write: ${e.message}` })))
  const files = { html: path.join(runDir, fileNames.html), markdown: path.join(runDir, fileNames.md) }
  yield* write(files.html, html)
  yield* write(files.markdown, render(data, "md", { secrets }))
  const plugins: Array<{ readonly id: string; readonly file: string }> = []
  const failed: Array<{ readonly id: string; readonly message: string }> = []
  for (const format of formats) {
    const text = yield* Effect.either(
      Effect.try({ try: () => renderPlugin(data, format, { secrets }), catch: (e) => String(e) })
    )
    if (text._tag === "Left") {
      failed.push({ id: format.id, message: text.left })
      continue
    }
    const file = path.join(runDir, format.fileName)
    yield* write(file, text.right)
    plugins.push({ id: format.id, file })
  }
  return {
    ...files,
    ...(formats.length === 0 ? {} : { plugins }),
    ...(failed.length === 0 ? {} : { failed })
  } satisfies Written
})

/**
 * `writeRunReports` for run commands: never fails (a report that cannot be written must not fail a finished run)
 * and returns the line to print — where the report is, or why there is none.
 *
 * @category constructors
 */
export const writeRunReportsNote = (runDir: string, options: WriteOptions = {}) =>
  writeRunReports(runDir, options).pipe(
    Effect.match({
      onSuccess: (w) =>
        `Report: ${w.html} (summary for a pull request: ${w.markdown})` +
        (w.plugins ?? []).map((p) => `; ${p.id}: ${p.file}`).join("") +
        (w.failed ?? []).map((f) => `; ${f.id} failed: ${f.message}`).join(""),
      onFailure: (e) => `No report written: ${e.message} (${e.path})`
    })
  )
