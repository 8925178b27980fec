/**
 * The report-format contract: what a `report-format` plugin provides, a renderer from a run's report data to the
 * text of one file.
 *
 * **Details**
 * Reports are rendered by `@genie-enhancer/report`, which core does not depend on; the renderer therefore receives
 * the report data as a plain JSON value (exactly what `genie-enhancer report --format json` prints, already
 * redacted). {@link Data} types the part of it that is stable for plugins; everything else is there too, typed
 * `unknown`. Renderers are pure functions: no I/O, no clock, the same text for the same data.
 */
import { Layer } from "effect"
import type { Context, OptionsSchema, Plugin } from "./Plugin.js"
import { definePlugin, noOptions } from "./Plugin.js"

/**
 * One benchmark row of the report data.
 *
 * @category models
 */
export interface BenchmarkRow {
  readonly id: string
  readonly question?: string
  readonly category: string
  readonly difficulty?: string
  readonly split?: string
  readonly outcome: "pass" | "fail" | "error" | "excluded" | "inconclusive"
  /** The rule that decided (`bag-equality`, `no-sql`, `llm-judge`, …). */
  readonly decidedBy: string
  readonly reasons: ReadonlyArray<string>
  readonly failureCategory?: string
  readonly expectedSql?: string
  readonly genie?: {
    readonly status: string
    readonly sql?: string
    readonly attempts: number
    readonly elapsedMs: number
  }
}

/**
 * A fix an enhance run tried, and what became of it.
 *
 * @category models
 */
export interface FixRecord {
  readonly id: string
  readonly iteration: number
  readonly category: string
  readonly target: string
  readonly rationale: string
  readonly sourceBenchmarkIds: ReadonlyArray<string>
  readonly decision: "accepted" | "rejected"
  readonly why: string
}

/**
 * A proportion with its 95 % Wilson interval.
 *
 * @category models
 */
export interface Score {
  readonly passed: number
  readonly scored: number
  readonly score: number | null
  readonly low: number | null
  readonly high: number | null
}

/**
 * The report data a renderer receives (`report --format json`, schema version 1): the run, its score, one row per
 * benchmark and, for enhance runs, the fixes. Other sections (comparison, timings, LLM usage) are present as well.
 *
 * @category models
 */
export interface Data {
  readonly schemaVersion: number
  readonly generatedAt: string
  readonly run: {
    readonly runId: string
    readonly kind: "score" | "enhance"
    readonly spaceId: string
    readonly profile: string
    readonly scorer: string
    readonly target: string
    readonly [key: string]: unknown
  }
  readonly score: { readonly overall: Score; readonly [key: string]: unknown }
  readonly benchmarks: ReadonlyArray<BenchmarkRow>
  readonly enhance?: { readonly fixes: ReadonlyArray<FixRecord>; readonly [key: string]: unknown }
  readonly warnings: ReadonlyArray<string>
  readonly [key: string]: unknown
}

/**
 * A report format: its file extension and how it renders.
 *
 * @category models
 */
export interface Renderer<Options = unknown> {
  /** File extension without the dot (`csv`); run reports are written as `report.<extension>` unless `fileName`. */
  readonly extension: string
  /** File name in a run directory (default `report.<extension>`). */
  readonly fileName?: string
  /** The renderer's text for `data`. Pure: no I/O, and the same text for the same data. */
  render(data: Data, options: Options, context?: Context): string
}

/**
 * A report format ready to render: the plugin's id and version, its renderer and the options the profile gave it.
 *
 * @category models
 */
export interface Format {
  readonly id: string
  readonly version: string
  readonly extension: string
  readonly fileName: string
  readonly render: (data: Data) => string
}

/**
 * The file a format is written to in a run directory.
 *
 * @category constructors
 */
export const fileNameOf = (renderer: Pick<Renderer, "extension" | "fileName">): string =>
  renderer.fileName ?? `report.${renderer.extension}`

/**
 * A `report-format` plugin's renderer bound to its validated options, or `undefined` for a plugin of another kind.
 *
 * @category constructors
 */
export const fromPlugin = (
  plugin: Pick<Plugin, "id" | "version" | "kind" | "report">,
  options: unknown,
  context?: Context
): Format | undefined => {
  const renderer = plugin.report
  if (plugin.kind !== "report-format" || renderer === undefined) return undefined
  return {
    id: plugin.id,
    version: plugin.version,
    extension: renderer.extension,
    fileName: fileNameOf(renderer),
    render: (data) => renderer.render(data, options ?? {}, context)
  }
}

/**
 * Builds a `report-format` plugin manifest. Its layer provides nothing: hosts read the renderer from the manifest.
 *
 * @example
 * ```ts
 * export default ReportFormat.define({
 *   id: "acme-csv", version: "1.0.0", description: "One CSV line per benchmark.", extension: "csv",
 *   render: (data) => data.benchmarks.map((b) => `${b.id},${b.outcome}`).join("\n") + "\n"
 * })
 * ```
 *
 * @category constructors
 */
export const define = <Options = Record<string, never>>(manifest: {
  readonly id: string
  readonly version: string
  readonly description: string
  /** The core versions this plugin supports, as a semver range (`">=0.1 <1"`). */
  readonly core?: string
  readonly optionsSchema?: OptionsSchema
  readonly extension: string
  readonly fileName?: string
  readonly render: (data: Data, options: Options, context?: Context) => string
}): Plugin<Options, never, never, never> => {
  const { extension, fileName, render, optionsSchema, ...rest } = manifest
  return definePlugin<Options, never, never, never>({
    ...rest,
    kind: "report-format",
    optionsSchema: optionsSchema ?? noOptions,
    report: { extension, ...(fileName === undefined ? {} : { fileName }), render },
    layer: () => Layer.empty
  })
}
