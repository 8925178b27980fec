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
