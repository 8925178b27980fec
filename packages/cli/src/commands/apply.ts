import type { FileSystem } from "@effect/platform"
import type { RunStore } from "@genie-enhancer/core"
import { Errors, Issue, PlanApply, Space, SpaceDiff, Stages } from "@genie-enhancer/core"
import { Args, Flags } from "@oclif/core"
import { Effect, Either, ParseResult, Schema } from "effect"
import { readFileSync, writeFileSync } from "node:fs"
import { BaseCommand } from "../BaseCommand.js"
import * as WorkspaceTarget from "../WorkspaceTarget.js"
import type { Failure } from "./learn.js"
import { inputs } from "./learn.js"

/** What `apply` reports. */
export interface ApplyResult {
  readonly target: WorkspaceTarget.TargetInfo
  readonly applied: number
  readonly dryRun: boolean
  readonly diff: string
  readonly out?: string
  readonly spaceId?: string
  /** The fix the workspace refused, found by bisection (the rest were applied). */
  readonly refused?: { readonly fixId: string; readonly message: string }
}

const invalid = (source: string, issues: ReadonlyArray<Issue.Issue>) => new Errors.ConfigInvalid({ source, issues })

/** Reads a plan file; a wrong shape (an unknown category, a missing field) is a located `ConfigInvalid`. */
export const readPlan = (file: string) =>
  Effect.gen(function* () {
    const text = yield* Effect.try({
      try: () => readFileSync(file, "utf8"),
      catch: () => invalid(file, [Issue.error("FileNotFound", "$", `cannot read the plan file ${file}`)])
    })
    const json = yield* Effect.try({
      try: (): unknown => JSON.parse(text),
      catch: (e) => invalid(file, [Issue.error("InvalidJson", "$", `the plan file is not JSON: ${String(e)}`)])
    })
    const decoded = Schema.decodeUnknownEither(Stages.Plan)(json, { errors: "all" })
    if (Either.isLeft(decoded)) {
      const issues = ParseResult.ArrayFormatter.formatErrorSync(decoded.left).map((i) =>
        Issue.error(
          "InvalidPlan",
          `$${i.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")}`,
          i.message
        )
      )
      return yield* invalid(file, issues)
    }
    return decoded.right
  })

export default class Apply extends BaseCommand<ApplyResult> {
  static override summary = "Apply a plan file to a space file, or to a workspace space (guarded by its etag)."
  static override description =
    "Validates the plan against the space first (as `plan` does): a fix that is invalid, writes data, references " +
    "a missing table or column, or leaks a benchmark is an error naming the fix (exit 2) and nothing is applied. " +
    "Then applies it (a pure function: canonical ids and order) to --space-file (writing --out) or to the workspace " +
    "space --space, conditional on the etag read before. --dry-run prints the per-section diff and changes nothing. " +
    "If the workspace refuses the update, bisection finds the offending fix, which is reported and left out."
  static override examples = [
    "<%= config.bin %> <%= command.id %> plan.json --space-file space.json --out space.new.json",
    "<%= config.bin %> <%= command.id %> plan.json --space 01f0f5c840c118b9824acd167525a768 --dry-run"
  ]
  static override args = { plan: Args.string({ required: true, description: "The plan file (from `plan`)." }) }
  static override flags = {
    space: Flags.string({ char: "s", summary: "Apply to this workspace space (32 hex id)." }),
    "space-file": Flags.string({ summary: "Apply to this serialized_space file." }),
    out: Flags.string({ char: "o", summary: "With --space-file: where to write the new space (default: print it)." }),
    benchmarks: Flags.string({ char: "b", summary: "Benchmarks for the leakage guard (default: the example's)." }),
    "dry-run": Flags.boolean({ summary: "Print the per-section diff; change nothing." }),
    ...WorkspaceTarget.flags
  }

  async run(): Promise<ApplyResult> {
    const { args, flags } = await this.parse(Apply)
    const { target, value } = await this.runEffect(
      WorkspaceTarget.runWithStages({ flags, configDir: this.configDir(flags), env: process.env }, (info) =>
        applyFrom(args.plan, flags, info)
      )
    )
    this.log(value.diff)
    if (value.refused !== undefined)
      this.addWarning(
        `the workspace refused fix ${value.refused.fixId} (${value.refused.message}); the other fixes were applied`
      )
    if (value.out !== undefined) writeFileSync(value.out, `${value.text}\n`)
    else if (flags.space === undefined && !flags["dry-run"] && !this.jsonEnabled()) this.log(value.text)
    return {
      target,
      applied: value.applied,
      dryRun: flags["dry-run"],
      diff: value.diff,
      ...(value.out === undefined ? {} : { out: value.out }),
      ...(value.spaceId === undefined ? {} : { spaceId: value.spaceId }),
      ...(value.refused === undefined ? {} : { refused: value.refused })
    }
  }
}

/** What `applyFrom` did. */
interface Applied {
  readonly applied: number
  readonly diff: string
  readonly text: string
  readonly out?: string
  readonly spaceId?: string
  readonly refused?: { readonly fixId: string; readonly message: string }
}

/** `apply`'s wiring: read and validate the plan, apply it, write the file or update the space. */
export const applyFrom = (
  planFile: string,
  flags: {
    readonly space?: string | undefined
    readonly "space-file"?: string | undefined
    readonly out?: string | undefined
    readonly benchmarks?: string | undefined
    readonly "dry-run": boolean
  },
  info: WorkspaceTarget.TargetInfo
): Effect.Effect<
  Applied,
  Failure,
  Stages.SpaceStore | RunStore.RunStore | Stages.Executor | Stages.PlanValidator | FileSystem.FileSystem
> =>
  Effect.gen(function* () {
    const plan = yield* readPlan(planFile)
    if (flags.space === undefined && flags["space-file"] === undefined)
      return yield* invalid("--space", [Issue.error("Required", "$", "give --space <id> or --space-file <file>")])
    const input = yield* inputs({ ...flags, run: undefined }, info)
    const validator = yield* Stages.PlanValidator
    const validated = yield* validator.validate(plan, { space: input.space, benchmarks: input.benchmarks })
    if (validated.rejected.length > 0) {
      const index = (id: string) => plan.fixes.findIndex((f) => f.id === id)
      return yield* invalid(
        planFile,
        validated.rejected.map((r) =>
          Issue.error(
            r.code,
            `$.fixes[${index(r.fix.id)}]`,
            `fix ${r.fix.id} (${r.fix.category}, ${r.fix.target}): ${r.reason}`
          )
        )
      )
    }
    const next = PlanApply.apply(input.space, validated)
    const diff = SpaceDiff.formatDiff(SpaceDiff.diff(input.space, next))
    const base = { applied: validated.fixes.length, diff, text: Space.serialize(next) }
    if (flags["dry-run"] || flags.space === undefined) {
      return { ...base, ...(flags.out === undefined || flags["dry-run"] ? {} : { out: flags.out }) }
    }
    const spaceId = flags.space
    const store = yield* Stages.SpaceStore
    const updated = yield* Effect.either(
      store.update(spaceId, next, input.etag === undefined ? {} : { etag: input.etag })
    )
    if (Either.isRight(updated)) return { ...base, spaceId }
    if (updated.left.reason !== "Invalid") return yield* updated.left
    // The workspace refused it: find the fix by bisection (each try updates the space with a prefix of the plan).
    const fixes = [...validated.fixes].sort(
      (a, b) => PlanApply.categoryOrder.indexOf(a.category) - PlanApply.categoryOrder.indexOf(b.category)
    )
    const refusedBy = yield* PlanApply.bisect(fixes.length, (k) =>
      Effect.gen(function* () {
        const current = yield* store.get(spaceId)
        const attempt = PlanApply.apply(input.space, new Stages.Plan({ fixes: fixes.slice(0, k) }))
        const result = yield* Effect.either(
          store.update(spaceId, attempt, current.etag === undefined ? {} : { etag: current.etag })
        )
        if (Either.isRight(result)) return false
        if (result.left.reason !== "Invalid") return yield* result.left
        return true
      })
    )
    const offending = refusedBy === undefined ? undefined : fixes[refusedBy]
    const rest = fixes.filter((f) => f !== offending)
    const current = yield* store.get(spaceId)
    const final = PlanApply.apply(input.space, new Stages.Plan({ fixes: rest }))
    yield* store.update(spaceId, final, current.etag === undefined ? {} : { etag: current.etag })
    return {
      ...base,
      applied: rest.length,
      diff: SpaceDiff.formatDiff(SpaceDiff.diff(input.space, final)),
      text: Space.serialize(final),
      spaceId,
      ...(offending === undefined ? {} : { refused: { fixId: offending.id, message: updated.left.message } })
    }
  }).pipe(Effect.map((applied): Applied => applied))
