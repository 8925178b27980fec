/**
 * The enhancement run's own journal, `runs/<run-id>/enhance.jsonl`: every step's outcome and every scored
 * benchmark, appended and fsync'd as they happen, so `enhance --resume` replays what was done and continues at the
 * step the run reached without asking Genie again.
 *
 * **Details**
 * A step is keyed (`it2/plan`, `devSpaces`); its value is stored encoded with the step's schema and decoded on
 * resume, so the loop takes exactly the same decisions the second time. Scored benchmarks are keyed by pass
 * (`baseline/train/r1`, `it1/candidate/r1`, …): a resumed pass skips the benchmarks already there.
 */
import { FileSystem, Path } from "@effect/platform"
import { Effect, Option, Schema } from "effect"
import type { Scope } from "effect"
import { RunStoreError } from "../runs/RunStore.js"
import { BenchmarkResult } from "../model/Results.js"

/**
 * One line of the journal.
 *
 * @category models
 */
export const Line = Schema.Union(
  Schema.Struct({ _tag: Schema.Literal("Step"), key: Schema.String, value: Schema.Unknown }),
  Schema.Struct({
    _tag: Schema.Literal("Scored"),
    pass: Schema.String,
    spaceId: Schema.String,
    result: BenchmarkResult
  }),
  Schema.Struct({ _tag: Schema.Literal("Note"), key: Schema.String, value: Schema.Unknown })
)
/** @category models */
export type Line = typeof Line.Type

const LineJson = Schema.parseJson(Line)
const decodeLine = Schema.decodeUnknownOption(LineJson)
const encodeLine = Schema.encodeSync(LineJson)

/**
 * An open journal.
 *
 * @category models
 */
export interface Checkpoint {
  readonly file: string
  /** Runs `effect` once: on resume, returns the recorded value instead. */
  readonly step: <A, I, E, R>(
    key: string,
    schema: Schema.Schema<A, I>,
    effect: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | RunStoreError, R>
  /** The recorded value of a step, if it ran. */
  readonly recorded: <A, I>(key: string, schema: Schema.Schema<A, I>) => Option.Option<A>
  /** Results of a pass recorded so far. */
  readonly scored: (pass: string) => ReadonlyArray<BenchmarkResult>
  readonly appendScored: (pass: string, spaceId: string, result: BenchmarkResult) => Effect.Effect<void, RunStoreError>
  /** A fact that is not a step (e.g. dev spaces trashed); the last note of a key wins. */
  readonly note: (key: string, value: unknown) => Effect.Effect<void, RunStoreError>
  readonly notes: (key: string) => Option.Option<unknown>
  /** Scored benchmarks in the journal, over every pass. */
  readonly scoredCount: () => number
}

/**
 * Answers recorded by earlier attempts of the run (a lower bound of their Genie questions).
 *
 * @category constructors
 */
export const countScored = (checkpoint: Checkpoint): number => checkpoint.scoredCount()

/**
 * Reads the lines of a journal file (a torn last line is ignored; an empty list when there is no file).
 *
 * @category constructors
 */
export const read = Effect.fn("Checkpoint.read")(function* (file: string) {
  const fs = yield* FileSystem.FileSystem
  const text = yield* fs.readFileString(file).pipe(Effect.orElseSucceed(() => ""))
  const lines: Array<Line> = []
  for (const raw of text.split("\n")) {
    if (raw.trim() === "") continue
    const decoded = decodeLine(raw)
    if (Option.isSome(decoded)) lines.push(decoded.value)
  }
  return lines
})

/**
 * Opens (creating or continuing) the journal of a run directory.
 *
 * @category constructors
 */
export const open = (
  dir: string
): Effect.Effect<Checkpoint, RunStoreError, FileSystem.FileSystem | Path.Path | Scope.Scope> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const file = path.join(dir, "enhance.jsonl")
    const fail = (what: string) => (cause: { readonly message: string }) =>
      new RunStoreError({ path: file, message: `${what}: ${cause.message}` })
    const lines = yield* read(file)
    const steps = new Map<string, unknown>()
    const notes = new Map<string, unknown>()
    const passes = new Map<string, Array<BenchmarkResult>>()
    const remember = (line: Line) => {
      if (line._tag === "Step") steps.set(line.key, line.value)
      else if (line._tag === "Note") notes.set(line.key, line.value)
      else passes.set(line.pass, [...(passes.get(line.pass) ?? []), line.result])
    }
    lines.forEach(remember)
    const handle = yield* fs.open(file, { flag: "a" }).pipe(Effect.mapError(fail("cannot open the journal")))
    const lock = yield* Effect.makeSemaphore(1)
    const append = (line: Line) =>
      lock
        .withPermits(1)(
          Effect.zipRight(handle.writeAll(new TextEncoder().encode(`${encodeLine(line)}\n`)), handle.sync)
        )
        .pipe(
          Effect.mapError(fail("cannot append to the journal")),
          Effect.tap(() => Effect.sync(() => remember(line)))
        )

    const recorded = <A, I>(key: string, schema: Schema.Schema<A, I>): Option.Option<A> =>
      steps.has(key) ? Schema.decodeUnknownOption(schema)(steps.get(key)) : Option.none()

    const step = <A, I, E, R>(key: string, schema: Schema.Schema<A, I>, effect: Effect.Effect<A, E, R>) =>
      Effect.gen(function* () {
        const known = recorded(key, schema)
        if (Option.isSome(known)) return known.value
        const value = yield* effect
        yield* append({ _tag: "Step", key, value: Schema.encodeSync(schema)(value) })
        return value
      })

    return {
      file,
      step,
      recorded,
      scored: (pass) => passes.get(pass) ?? [],
      appendScored: (pass, spaceId, result) => append({ _tag: "Scored", pass, spaceId, result }),
      note: (key, value) => append({ _tag: "Note", key, value }),
      notes: (key) => (notes.has(key) ? Option.some(notes.get(key)) : Option.none()),
      scoredCount: () => [...passes.values()].reduce((n, list) => n + list.length, 0)
    } satisfies Checkpoint
  })
