/**
 * What every miner reads (the analysed train split, the catalog, the space, the verdicts of a score run) and the
 * helpers they share: stable pattern ids, which failed benchmarks a pattern explains, the space's configured names.
 */
import type { BenchmarkResult } from "../../model/Results.js"
import type { SerializedSpace } from "../../model/Space.js"
import * as SpaceId from "../../model/SpaceId.js"
import type * as Catalog from "./Catalog.js"
import type * as Corpus from "./Corpus.js"
import { Pattern } from "./PatternLearner.js"
import type { PatternKind } from "./PatternLearner.js"

/** The learner's options (`learn.options` of the profile). @category configuration */
export interface Options {
  /** String columns with at most this many distinct values are categorical (entity-matching candidates). Default 100. */
  readonly maxCategoricalValues: number
  /** Distinct values read per categorical column. Default 50. */
  readonly sampleValues: number
  /** A phrase maps to an element when at least this share of its questions use the element. Default 0.6. */
  readonly minPrecision: number
}

/** @category configuration */
export const defaultOptions: Options = { maxCategoricalValues: 100, sampleValues: 50, minPrecision: 0.6 }

/** @category models */
export interface Context {
  readonly corpus: Corpus.Corpus
  readonly catalog: Catalog.Catalog
  readonly space: SerializedSpace
  /** Results of the train benchmarks that did not pass, by benchmark id. */
  readonly failures: ReadonlyMap<string, BenchmarkResult>
  readonly options: Options
}

/** A stable pattern id: the kind and a hash of its defining key. @category constructors */
export const patternId = (kind: PatternKind, key: string): string =>
  `${kind}:${SpaceId.fromSeed(`${kind}\u0000${key}`).slice(0, 16)}`

/**
 * The failed benchmarks among `supporting` a pattern explains: it is not configured in the space yet, and the
 * failure's diagnosis (when there is one) names one of `terms` — or says Genie wrote no SQL at all.
 *
 * @category constructors
 */
export const explains = (
  ctx: Context,
  supporting: ReadonlyArray<string>,
  configured: boolean,
  terms: ReadonlyArray<string>
): ReadonlyArray<string> => {
  if (configured) return []
  const lower = terms.map((t) => t.toLowerCase()).filter((t) => t !== "")
  return supporting.filter((id) => {
    const result = ctx.failures.get(id)
    if (result === undefined) return false
    const diagnosis = result.verdict.diagnosis
    const category = result.failureCategory ?? diagnosis?.category
    if (diagnosis === undefined || category === "NO_SQL" || category === "GENIE_ERROR" || category === "OTHER")
      return true
    const text = diagnosis.findings
      .map((f) => `${f.message} ${f.expected ?? ""} ${f.actual ?? ""}`)
      .join(" ")
      .toLowerCase()
    return lower.length === 0 || lower.some((t) => text.includes(t))
  })
}

/** Builds a pattern. @category constructors */
export const pattern = (fields: {
  readonly kind: PatternKind
  readonly key: string
  readonly description: string
  readonly sql?: string
  readonly details: unknown
  readonly supporting: ReadonlyArray<string>
  readonly explains?: ReadonlyArray<string>
}): Pattern =>
  new Pattern({
    id: patternId(fields.kind, fields.key),
    kind: fields.kind,
    description: fields.description,
    ...(fields.sql === undefined ? {} : { sql: fields.sql }),
    details: fields.details,
    supportingBenchmarkIds: [...new Set(fields.supporting)].sort(),
    explainsFailures: [...new Set(fields.explains ?? [])].sort()
  })

/** Distinct ids of the items. @category constructors */
export const ids = (items: ReadonlyArray<Corpus.Item>): Array<string> => [...new Set(items.map((i) => i.benchmark.id))]
