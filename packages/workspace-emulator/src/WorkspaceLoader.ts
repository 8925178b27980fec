/**
 * Loads a workspace directory: `workspace.yaml` naming the dataset files, the spaces (serialized_space JSON files,
 * optional scripted answers), an optional faults file and scripted serving completions. Paths are relative to the
 * manifest. See the package README for the format.
 */
import { Errors, Issue, Space } from "@genie-enhancer/core"
import { Effect, Schema } from "effect"
import { access, stat } from "node:fs/promises"
import { extname, join, resolve } from "node:path"
import * as Faults from "./Faults.js"
import * as Yaml from "./internal/Yaml.js"
import * as ScriptedEngine from "./ScriptedEngine.js"
import * as Serving from "./Serving.js"

/** The manifest file name inside a workspace directory. @category configuration */
export const manifestName = "workspace.yaml"

const optional = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { exact: true })

const SqlDataset = Schema.Struct({
  /** A SQL script run at load time (may create tables and insert rows). */
  sql: Schema.String,
  dialect: optional(Schema.Literal("databricks", "duckdb"))
})

const FileDataset = Schema.Struct({
  /** `catalog.schema.table` to create. */
  table: Schema.String.pipe(
    Schema.pattern(/^[A-Za-z_]\w*\.[A-Za-z_]\w*\.[A-Za-z_]\w*$/, {
      message: () => "expected a three-part name catalog.schema.table"
    })
  ),
  file: Schema.String,
  format: optional(Schema.Literal("csv", "parquet")),
  /** Databricks types of some columns (others are inferred). */
  columns: optional(Schema.Record({ key: Schema.String, value: Schema.String }))
})

const SpaceEntry = Schema.Struct({
  id: optional(
    Schema.String.pipe(Schema.pattern(/^[0-9a-f]{32}$/, { message: () => "expected 32 lowercase hex characters" }))
  ),
  title: Schema.String,
  description: optional(Schema.String),
  /** A file holding the serialized_space JSON (or a GET-space response carrying it). */
  serializedSpace: Schema.String,
  /** A scripted answers file (YAML list). */
  answers: optional(Schema.String)
})

/**
 * The manifest schema (`workspace.yaml`).
 *
 * @category configuration
 */
export const Manifest = Schema.Struct({
  warehouse: optional(
    Schema.Struct({
      id: optional(
        Schema.String.pipe(Schema.pattern(/^[0-9a-f]{16}$/, { message: () => "expected 16 lowercase hex characters" }))
      )
    })
  ),
  /** The instant SQL's CURRENT_DATE / now() return (ISO 8601); follows the clock when absent. */
  sqlNow: optional(
    Schema.String.pipe(Schema.filter((s) => !Number.isNaN(Date.parse(s)) || "expected an ISO 8601 date or date-time"))
  ),
  seed: optional(Schema.Int),
  /** The Genie simulator's settings: `noiseRate` (0–1) flips that share of answers to plausible wrong SQL. */
  genie: optional(Schema.Struct({ noiseRate: optional(Schema.Number.pipe(Schema.between(0, 1))) })),
  datasets: optional(Schema.Array(Schema.Union(SqlDataset, FileDataset))),
  spaces: optional(Schema.Array(SpaceEntry)),
  /** A faults file (YAML). */
  faults: optional(Schema.String),
  completions: optional(Schema.Array(Serving.CompletionRule))
})
export type Manifest = typeof Manifest.Type

/**
 * A dataset to load: a SQL script or a CSV/Parquet file.
 *
 * @category models
 */
export type Dataset =
  | { readonly _tag: "Sql"; readonly source: string; readonly sql: string; readonly dialect: "databricks" | "duckdb" }
  | {
      readonly _tag: "File"
      readonly table: string
      readonly path: string
      readonly format: "csv" | "parquet"
      readonly columns?: Readonly<Record<string, string>>
    }

/**
 * A space to create at start: metadata, the serialized space (JSON text or a decoded value) and optional scripted
 * answers.
 *
 * @category models
 */
export interface SpaceInput {
  readonly id?: string
  readonly title?: string
  readonly description?: string
  readonly serializedSpace: string | Space.SerializedSpace
  readonly answers?: ReadonlyArray<ScriptedEngine.ScriptedAnswer>
  /** Where the space came from, for error messages. */
  readonly source?: string
}

/** A loaded workspace directory. @category models */
export interface Workspace {
  readonly manifest: string
  readonly warehouseId?: string
  readonly sqlNow?: string
  readonly seed?: number
  readonly simulator?: { readonly noiseRate?: number }
  readonly datasets: ReadonlyArray<Dataset>
  readonly spaces: ReadonlyArray<SpaceInput>
  readonly faults?: Faults.Config
  readonly completions: ReadonlyArray<Serving.CompletionRule>
}

// A space file may hold the serialized space itself or a GET-space response carrying it as a string.
const unwrapEnvelope = (text: string): string => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return text // Space.parse reports the syntax error with its line.
  }
  const inner =
    typeof parsed === "object" && parsed !== null
      ? (parsed as { readonly serialized_space?: unknown }).serialized_space
      : undefined
  return typeof inner === "string" ? inner : text
}

const exists = (path: string, source: string, at: string) =>
  Effect.tryPromise({
    try: () => access(path),
    catch: () => Yaml.invalid(source, "FileNotFound", at, `file not found: ${path}`)
  })

/**
 * Loads and checks a workspace directory; every problem is a `ConfigInvalid` naming the file, the path inside it
 * and what was expected.
 *
 * @category constructors
 */
export const load: (dir: string) => Effect.Effect<Workspace, Errors.ConfigInvalid> = Effect.fn("WorkspaceLoader.load")(
  function* (dir: string) {
    const root = resolve(dir)
    const manifest = join(root, manifestName)
    const isDir = yield* Effect.tryPromise(() => stat(root)).pipe(
      Effect.map((s) => s.isDirectory()),
      Effect.orElseSucceed(() => false)
    )
    if (!isDir) {
      return yield* Yaml.invalid(root, "FileNotFound", "$", "expected a workspace directory, but it does not exist")
    }
    const text = yield* Yaml.readText(manifest).pipe(
      Effect.mapError(() =>
        Yaml.invalid(
          manifest,
          "FileNotFound",
          "$",
          `expected a workspace manifest ${manifestName} in ${root} (datasets, spaces, faults; see the workspace-emulator README)`
        )
      )
    )
    const m = yield* Yaml.decode(Manifest, text, manifest)
    const file = (relative: string) => resolve(root, relative)

    const datasets = yield* Effect.forEach(m.datasets ?? [], (d, i): Effect.Effect<Dataset, Errors.ConfigInvalid> => {
      if ("sql" in d) {
        const path = file(d.sql)
        return Effect.map(Yaml.readText(path, { source: manifest, path: `$.datasets[${i}].sql` }), (sql): Dataset => ({
          _tag: "Sql",
          source: path,
          sql,
          dialect: d.dialect ?? "databricks"
        }))
      }
      const path = file(d.file)
      const ext = extname(path).toLowerCase()
      const format = d.format ?? (ext === ".csv" ? "csv" : ext === ".parquet" ? "parquet" : undefined)
      if (format === undefined) {
        return Effect.fail(
          Yaml.invalid(
            manifest,
            "InvalidValue",
            `$.datasets[${i}].format`,
            `cannot tell the format of ${d.file}: expected format: csv or parquet`
          )
        )
      }
      return Effect.as(exists(path, manifest, `$.datasets[${i}].file`), {
        _tag: "File",
        table: d.table,
        path,
        format,
        ...(d.columns === undefined ? {} : { columns: d.columns })
      } satisfies Dataset)
    })

    const spaces = yield* Effect.forEach(m.spaces ?? [], (s, i) =>
      Effect.gen(function* () {
        const path = file(s.serializedSpace)
        const spaceText = yield* Yaml.readText(path, { source: manifest, path: `$.spaces[${i}].serializedSpace` })
        const space = yield* Space.parse(unwrapEnvelope(spaceText), { source: path })
        const answers = s.answers === undefined ? undefined : yield* ScriptedEngine.load(file(s.answers))
        return {
          title: s.title,
          serializedSpace: space,
          source: path,
          ...(s.id === undefined ? {} : { id: s.id }),
          ...(s.description === undefined ? {} : { description: s.description }),
          ...(answers === undefined ? {} : { answers })
        } satisfies SpaceInput
      })
    )

    const faults = m.faults === undefined ? undefined : yield* Faults.load(file(m.faults))
    return {
      manifest,
      datasets,
      spaces,
      completions: m.completions ?? [],
      ...(m.warehouse?.id === undefined ? {} : { warehouseId: m.warehouse.id }),
      ...(m.sqlNow === undefined ? {} : { sqlNow: m.sqlNow }),
      ...(m.seed === undefined ? {} : { seed: m.seed }),
      ...(m.genie?.noiseRate === undefined ? {} : { simulator: { noiseRate: m.genie.noiseRate } }),
      ...(faults === undefined ? {} : { faults })
    }
  }
)

/** A `ConfigInvalid` for a dataset that failed to load, naming the file. @category constructors */
export const datasetFailed = (source: string, message: string): Errors.ConfigInvalid =>
  new Errors.ConfigInvalid({ source, issues: [Issue.error("DatasetFailed", "$", message)] })
