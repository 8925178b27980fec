/**
 * Taking turns on a DuckDB file with other processes. DuckDB lets one process hold a file read-write, or any number
 * of processes hold it read-only; a process that asks while another holds it is refused at once (no waiting), with
 * `IO Error: Could not set lock on file "<file>": Conflicting lock is held in <program> (PID <n>) …`.
 */
import { Data, Duration, Effect, Predicate, Schedule } from "effect"

/** Another process holds the file's lock. */
export class LockHeld extends Data.TaggedError("LockHeld")<{
  /** `<program> (PID <n>)` from DuckDB's message, or `another process`. */
  readonly holder: string
}> {}

/** The lock refusal in a DuckDB error, if that is what it is. */
export const lockHeld = (error: unknown): LockHeld | undefined => {
  const message = error instanceof Error ? error.message : String(error)
  if (!/could not set lock on file/i.test(message)) return undefined
  const holder = /Conflicting lock is held in (.+?\(PID \d+\))/.exec(message)?.[1] ?? "another process"
  return new LockHeld({ holder })
}

/**
 * Delays between attempts: 20 ms doubling up to 500 ms, jittered. A run holds the file for tens of milliseconds per
 * write, so the first retries usually get it; the cap keeps a long wait from sleeping past the release by much.
 */
const backoff: Schedule.Schedule<unknown> = Schedule.exponential("20 millis", 2).pipe(
  Schedule.union(Schedule.spaced("500 millis")),
  Schedule.jittered
)

/** Runs `attempt` again while it fails with {@link LockHeld}, for up to `wait`; then fails with the last refusal. */
export const whileLocked = <A, E, R>(
  attempt: Effect.Effect<A, E | LockHeld, R>,
  wait: Duration.DurationInput
): Effect.Effect<A, E | LockHeld, R> =>
  Effect.retry(attempt, {
    schedule: Schedule.upTo(backoff, wait),
    while: (e) => Predicate.isTagged(e, "LockHeld")
  })

/**
 * One semaphore per file for the whole process: DuckDB's lock is per process, so two instances in one process
 * would both get a file (and may corrupt it). Calls on a file in this process take turns here instead.
 */
const turns = new Map<string, Effect.Semaphore>()

/** The process-wide turn on `file` (an absolute path). */
export const turnOn = (file: string): Effect.Semaphore => {
  const existing = turns.get(file)
  if (existing !== undefined) return existing
  const created = Effect.unsafeMakeSemaphore(1)
  turns.set(file, created)
  return created
}

/** `wait` for messages: `10s`, `1m`. */
export const formatWait = (wait: Duration.DurationInput): string => Duration.format(Duration.decode(wait))
