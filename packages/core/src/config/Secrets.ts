/**
 * Secrets come only from the environment (or `~/.databrickscfg`, read by the Databricks adapter), never from a
 * profile. They are read as `Redacted` values so logs, errors and `--json` output cannot print them by accident.
 */
import { Config, Effect, Option, Redacted } from "effect"
import * as Redaction from "./Redaction.js"

/**
 * Environment variables that hold secrets Genie Enhancer reads.
 *
 * @category configuration
 */
export const secretEnvVars: ReadonlyArray<string> = [
  "DATABRICKS_TOKEN",
  "DATABRICKS_CLIENT_SECRET",
  "OPENAI_API_KEY",
  "ANTHROPIC_API_KEY"
]

/**
 * Reads a secret from the current `ConfigProvider` (the environment by default). Missing or empty → `None`.
 *
 * **Details**
 * An empty variable (`OPENAI_API_KEY=`) counts as unset, so a blank line in a `.env` file does not turn into an
 * empty bearer token. A provider error is `None` as well: the caller decides whether the
 * secret is required and reports which variable to set.
 *
 * @category configuration
 */
export const read: (name: string) => Effect.Effect<Option.Option<Redacted.Redacted<string>>> = Effect.fn(
  "Secrets.read"
)(function* (name: string) {
  const value = yield* Config.option(Config.redacted(name)).pipe(
    Effect.orElseSucceed(() => Option.none<Redacted.Redacted<string>>())
  )
  const present = Option.filter(value, (secret) => Redacted.value(secret).trim() !== "")
  // Known from now on, so text a server echoes back is redacted before it is printed or stored.
  if (Option.isSome(present)) Redaction.register(present.value)
  return present
})
