/**
 * One entry point for every report: `render` a format from report data (redaction enforced again on the way
 * out), `read` a run (optionally with a comparison against another run), and `writeRunReports`, the hook a run
 * command calls to leave `report.html` and `report.md` in its run directory.
 */
import { FileSystem, Path } from "@effect/platform"
import { Effect, Schema } from "effect"
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
}

/**
 * Writes `report.html` and `report.md` into a finished run's directory. Score (and later enhance) commands call
 * this once at the end of a run.
 *
 * @category constructors
 */
export const writeRunReports = Effect.fn("Reports.writeRunReports")(function* (
  runDir: string,
  options: RunReader.Options = {}
) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const env = options.env ?? process.env
  const data = yield* RunReader.read(runDir, { ...options, env })
  const chart = yield* Effect.option(chartJs())
  const secrets = Redaction.secretsFromEnv(env)
  const written: Written = { html: path.join(runDir, fileNames.html), markdown: path.join(runDir, fileNames.md) }
  const html = render(data, "html", { secrets, ...(chart._tag === "Some" ? { chartJs: chart.value } : {}) })
  const write = (file: string, text: string) =>
    fs
      .writeFileString(file, text)
      .pipe(Effect.mapError((e) => new RunReader.ReportError({ path: file, message: `cannot write: ${e.message}` })))
  yield* write(written.html, html)
  yield* write(written.markdown, render(data, "md", { secrets }))
  return written
})

/**
 * `writeRunReports` for run commands: never fails (a report that cannot be written must not fail a finished run)
 * and returns the line to print — where the report is, or why there is none.
 *
 * @category constructors
 */
export const writeRunReportsNote = (runDir: string, options: RunReader.Options = {}) =>
  writeRunReports(runDir, options).pipe(
    Effect.match({
      onSuccess: (w) => `Report: ${w.html} (summary for a pull request: ${w.markdown})`,
      onFailure: (e) => `No report written: ${e.message} (${e.path})`
    })
  )
