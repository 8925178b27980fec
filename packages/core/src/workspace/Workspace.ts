/**
 * The connection to a Databricks workspace (real or emulated) shared by every client that talks to it: the
 * Databricks adapter, and the `databricks` LLM provider (model-serving endpoints).
 */
import { Context } from "effect"
import type { Effect, Redacted } from "effect"
import type { AuthFailed } from "../model/Errors.js"

/**
 * Host and credentials of a workspace.
 *
 * **Details**
 * `authorization` yields the value of the `Authorization` header (`Bearer …`), refreshing OAuth tokens before they
 * expire; it is an effect so that callers always get a current token. It stays `Redacted` until it is written into
 * a request header.
 *
 * @category services
 */
export class WorkspaceAuth extends Context.Tag("@genie-enhancer/core/WorkspaceAuth")<
  WorkspaceAuth,
  {
    /** Base URL without a trailing slash: `https://adb-1234.5.azuredatabricks.net`, `http://127.0.0.1:8123`. */
    readonly host: string
    readonly authorization: Effect.Effect<Redacted.Redacted<string>, AuthFailed>
  }
>() {}

/**
 * Which workspace a run talks to, for its output and its records.
 *
 * @category models
 */
export interface TargetInfo {
  /** The workspace-target plugin's id: `local`, `databricks`, or a plugin's. */
  readonly target: string
  readonly host: string
  readonly warehouseId?: string
  /** Local target: the workspace directory the emulator serves, and its spaces in manifest order. */
  readonly exampleDir?: string
  readonly spaceIds?: ReadonlyArray<string>
  /** Said to the user once the workspace is open (e.g. that the local target serves an example). */
  readonly note?: string
  /**
   * Whether the client spaces Genie questions to `safety.genie.questionsPerMinute` (default true). A real
   * workspace limits questions per minute; an emulator that has no such limit sets false.
   */
  readonly limitsQuestions?: boolean
}

/**
 * The open workspace target's description. Provided by every workspace-target plugin next to `WorkspaceAuth`,
 * `Asker`, `Executor` and `SpaceStore`.
 *
 * @category services
 */
export class Target extends Context.Tag("@genie-enhancer/core/Target")<Target, TargetInfo>() {}
