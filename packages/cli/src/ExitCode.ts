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
  partialRun: 4
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
  PartialRun: ExitCode.partialRun
}

/** The exit code for a failure with the given `_tag`; unknown tags are defects. */
export const forTag = (tag: string): ExitCode => byTag[tag] ?? ExitCode.defect
