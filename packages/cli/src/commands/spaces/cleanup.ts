import { Flags } from "@oclif/core"
import { BaseCommand } from "../../BaseCommand.js"
import * as WorkspaceTarget from "../../WorkspaceTarget.js"

/** One recorded dev space and what the cleanup did with it. */
interface Cleaned {
  readonly runId: string
  readonly spaceId: string
  /** `trashed`, `already gone` (404), or with `--dry-run` `would trash`. */
  readonly status: "trashed" | "already gone" | "would trash"
}

export default class SpacesCleanup extends BaseCommand<ReadonlyArray<Cleaned>> {
  static override summary = "Trash the dev spaces enhancement runs left behind or kept (by their recorded ids)."
  static override description =
    "Reads the journals of the runs under the runs directory and trashes the dev spaces they recorded creating. " +
    "Spaces are found only by the ids the runs recorded, never by title.\n\n" +
    "With no flag: the spaces of runs that crashed before removing theirs (spaces kept with `enhance --keep` stay). " +
    "--kept: the kept ones too. --run <id>: every dev space that run recorded, kept or left over (again, if already " +
    "removed: reported as already gone). A space that no longer exists is reported as already gone. Do not clean " +
    "up a run that is still running: its dev spaces are in use."
  static override examples = [
    "<%= config.bin %> <%= command.id %>",
    "<%= config.bin %> <%= command.id %> --dry-run",
    "<%= config.bin %> <%= command.id %> --run 20261125-233447-3f9a",
    "<%= config.bin %> <%= command.id %> --kept --json"
  ]
  static override flags = {
    run: Flags.string({
      summary: "Only this run's dev spaces, kept or left over (repeatable).",
      multiple: true
    }),
    kept: Flags.boolean({ summary: "Also trash the dev spaces runs kept on purpose (enhance --keep)." }),
    "dry-run": Flags.boolean({ summary: "List what would be trashed (checks which spaces still exist)." }),
    ...WorkspaceTarget.flags
  }

  async run(): Promise<ReadonlyArray<Cleaned>> {
    const { flags } = await this.parse(SpacesCleanup)
    const { Effect } = await import("effect")
    const { Enhance, RunStore, Stages } = await import("@genie-enhancer/core")
    const runIds = [...new Set(flags.run ?? [])]
    const dryRun = flags["dry-run"]

    const program = Effect.gen(function* () {
      const store = yield* Stages.SpaceStore
      const recorded =
        runIds.length === 0
          ? yield* RunStore.recordedDevSpaces()
          : (yield* Effect.forEach(runIds, (id) => RunStore.recordedDevSpaces(id))).flat()
      // Chosen runs: everything they recorded (a space already removed is checked again, and reported as gone).
      const chosen = recorded.filter(
        (s) => runIds.length > 0 || s.state === "leftover" || (flags.kept && s.state === "kept")
      )
      const gone = (e: { readonly reason: string }) => e.reason === "NotFound"
      const cleaned: Array<Cleaned> = []
      for (const { runId, spaceId } of chosen) {
        const status = dryRun
          ? yield* store.get(spaceId).pipe(
              Effect.as("would trash" as const),
              Effect.catchIf(gone, () => Effect.succeed("already gone" as const))
            )
          : yield* store.trash(spaceId).pipe(
              Effect.as("trashed" as const),
              Effect.catchIf(gone, () => Effect.succeed("already gone" as const))
            )
        // Recorded at once, so an interrupted cleanup does not try these again.
        if (!dryRun) yield* Enhance.markTrashed(runId, [spaceId])
        cleaned.push({ runId, spaceId, status })
      }
      const keptLeft = runIds.length === 0 && !flags.kept ? recorded.filter((s) => s.state === "kept") : []
      return { cleaned, keptLeft }
    })
    const { value } = await this.runEffect(
      WorkspaceTarget.run({ flags, configDir: this.configDir(flags), env: process.env }, () => program)
    )
    const { cleaned, keptLeft } = value
    for (const c of cleaned) this.log(`${c.status.padEnd(12)} ${c.spaceId}  (run ${c.runId})`)
    const count = (status: Cleaned["status"]) => cleaned.filter((c) => c.status === status).length
    if (cleaned.length === 0) {
      this.log(
        runIds.length > 0
          ? `No dev spaces recorded by run ${runIds.join(", ")}.`
          : flags.kept
            ? "No leftover or kept dev spaces."
            : "No leftover dev spaces."
      )
    } else if (dryRun) {
      this.log(`Would trash ${count("would trash")}; ${count("already gone")} already gone.`)
    } else {
      this.log(`Trashed ${count("trashed")}; ${count("already gone")} already gone.`)
    }
    if (keptLeft.length > 0) {
      const runs = [...new Set(keptLeft.map((s) => s.runId))]
      this.log(
        `${keptLeft.length} dev space(s) kept with --keep by run ${runs.join(", ")} stay: ` +
          "--kept trashes them, or --run <id> one run's."
      )
    }
    return cleaned
  }
}
