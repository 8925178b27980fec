/**
 * The CLI's exit codes, one table for every command (STYLE.md §8.4). Scripts and CI rely on these numbers.
 */
export const ExitCode = {
  ok: 0,
  /** A bug: an unexpected exception or defect. */
  defect: 1,
  /** Bad usage or bad input: unknown flag, malformed profile, space or benchmark file. */
  config: 2,
  /** A provider or workspace refused us: authentication, permissions. */
  providerAuth: 3,
  /** The run finished but some benchmarks could not be scored. */
  partialRun: 4,
  /** Someone else changed it first: a stale etag when updating a space. Fetch it again and retry. */
  conflict: 5,
  /** Interrupted (Ctrl+C); the run id to `--resume` is printed. */
  interrupted: 130
} as const

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

const byTag: Readonly<Record<string, ExitCode>> = {
  ConfigInvalid: ExitCode.config,
  PluginNotFound: ExitCode.config,
  UsageError: ExitCode.config,
  AuthFailed: ExitCode.providerAuth,
  ProviderError: ExitCode.providerAuth,
  CircuitOpen: ExitCode.providerAuth,
  CallTimeout: ExitCode.providerAuth,
  SpaceStoreError: ExitCode.providerAuth,
  GenieError: ExitCode.providerAuth,
  SqlFailed: ExitCode.providerAuth,
  RunStoreError: ExitCode.config,
  UnsafeSql: ExitCode.config,
  PreflightFailed: ExitCode.providerAuth,
  PartialRun: ExitCode.partialRun,
  // The improvement loop, promotion and history.
  StageFailed: ExitCode.providerAuth,
  SpaceNotReady: ExitCode.providerAuth,
  ApplyFailed: ExitCode.config,
  ResumeRefused: ExitCode.config,
  PromotionRefused: ExitCode.config,
  PromotionConflict: ExitCode.conflict,
  HistoryStoreError: ExitCode.config,
  ReportError: ExitCode.config
}

/** A `reason` that decides the code whatever the tag: a missing thing is bad usage, a stale etag a conflict. */
const byReason: Readonly<Record<string, ExitCode>> = {
  NotFound: ExitCode.config,
  Invalid: ExitCode.config,
  Conflict: ExitCode.conflict,
  Auth: ExitCode.providerAuth
}

/** The exit code for a failure with the given `_tag`; unknown tags are defects. */
export const forTag = (tag: string): ExitCode => byTag[tag] ?? ExitCode.defect

/** The exit code for a tagged failure: its `reason` first (`NotFound` 2, `Conflict` 5, `Auth` 3), then its tag. */
export const forFailure = (failure: { readonly _tag: string; readonly reason?: unknown }): ExitCode => {
  const byItsReason = typeof failure.reason === "string" ? byReason[failure.reason] : undefined
  return byTag[failure._tag] === undefined ? ExitCode.defect : (byItsReason ?? forTag(failure._tag))
}
