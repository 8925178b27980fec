/**
 * Progress of a scoring run on the terminal: a live status line on a TTY (per-stage counts, verdicts so far, ETA,
 * Genie circuit state), one plain line per finished benchmark otherwise, and nothing under `--json`.
 */
import type { Stages } from "@genie-enhancer/core"

type Mode = "tty" | "lines" | "silent"

const formatDuration = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000))
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`
}

/**
 * Tracks where every benchmark is and renders it.
 */
export class Progress {
  private readonly stages = new Map<string, Stages.ProgressEvent["stage"]>()
  private readonly outcomes = new Map<string, number>()
  private done = 0
  private circuit = "Closed"
  private lastDraw = 0
  private readonly startedAt = Date.now()
  private readonly mode: Mode
  private readonly total: number
  private readonly genieSlots: number
  private readonly write: (text: string) => void

  constructor(options: {
    readonly total: number
    /** Genie questions that can run at once: the rest of the benchmarks at the Genie stage are queued. */
    readonly genieSlots: number
    readonly json: boolean
    readonly tty: boolean
    readonly write: (text: string) => void
  }) {
    this.mode = options.json ? "silent" : options.tty ? "tty" : "lines"
    this.total = options.total
    this.genieSlots = options.genieSlots
    this.write = options.write
  }

  /** Records a stage change; draws the status line (at most ten times a second) or prints a finished benchmark. */
  readonly onEvent = (event: Stages.ProgressEvent): void => {
    // The expected SQL runs while Genie is asked; the line shows the Genie side.
    if (event.stage !== "expected") this.stages.set(event.benchmarkId, event.stage)
    if (event.stage === "done" && event.result !== undefined) {
      this.done++
      const outcome = event.result.verdict.outcome
      this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1)
      if (this.mode === "lines") {
        const answer = event.result.answer
        const took = answer === undefined ? "" : ` ${formatDuration(answer.elapsedMs)}`
        this.write(
          `[${this.done}/${this.total}] ${event.benchmarkId}: ${outcome} (${event.result.verdict.decidedBy})${took}\n`
        )
      }
    }
    this.draw(false)
  }

  /** The Genie circuit changed state (shown on the status line; a line of its own otherwise). */
  readonly onCircuit = (state: string): void => {
    if (state === this.circuit) return
    this.circuit = state
    if (this.mode === "lines")
      this.write(`Genie circuit ${state}${state === "Closed" ? "" : ": asking one question at a time"}\n`)
    this.draw(true)
  }

  /** Clears the status line before the final report. */
  readonly finish = (): void => {
    if (this.mode === "tty") this.write("\r\x1b[2K")
  }

  private draw(force: boolean): void {
    if (this.mode !== "tty") return
    const now = Date.now()
    if (!force && now - this.lastDraw < 100 && this.done < this.total) return
    this.lastDraw = now
    const count = (stage: Stages.ProgressEvent["stage"]) => [...this.stages.values()].filter((s) => s === stage).length
    const elapsed = now - this.startedAt
    const eta = this.done === 0 ? "…" : formatDuration((elapsed / this.done) * (this.total - this.done))
    const verdicts = [...this.outcomes].map(([o, n]) => `${o} ${n}`).join(" ")
    const circuit = this.circuit === "Closed" ? "" : ` · Genie circuit ${this.circuit} (one at a time)`
    const atGenie = count("asking")
    const asking = Math.min(atGenie, this.genieSlots)
    this.write(
      `\r\x1b[2K${this.done}/${this.total} · asking ${asking} · queued ${atGenie - asking} · evaluating ${count("evaluating")}` +
        `${verdicts === "" ? "" : ` · ${verdicts}`} · ${formatDuration(elapsed)} elapsed, ETA ${eta}${circuit}`
    )
  }
}
