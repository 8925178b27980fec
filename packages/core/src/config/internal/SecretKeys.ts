/**
 * Secrets never belong in a profile (files are shared and committed). A key that looks like one is reported with
 * the environment variable to use instead, whether it sits in a file or comes from an override.
 */
import * as Issue from "../../model/Issue.js"
import type { PathSegment } from "../../model/Issue.js"
import { isMapping, normalizeKey } from "./ProfileData.js"

/** Matches a key already passed through `normalizeKey`. */
export const secretKey = /(token|secret|password|passwd|apikey|privatekey)$/

/** The variable that holds the secret a key stands for; plugin keys are the plugin's to document. */
const secretEnvFor = (segments: ReadonlyArray<PathSegment>, key: string, provider: unknown): string | undefined => {
  const k = normalizeKey(key)
  if (k.includes("openai")) return "OPENAI_API_KEY"
  if (k.includes("anthropic")) return "ANTHROPIC_API_KEY"
  if (segments[0] === "scorer" || segments[0] === "plugins") return undefined
  if (k.includes("client")) return "DATABRICKS_CLIENT_SECRET"
  if (segments[0] === "llm") {
    if (provider === "openai" || provider === "openai-compatible") return "OPENAI_API_KEY"
    if (provider === "anthropic") return "ANTHROPIC_API_KEY"
  }
  return "DATABRICKS_TOKEN"
}

/** A `SecretInProfile` issue; `remove` says how to get rid of the value (`unset X`, `drop --flag`). */
export const secretIssue = (
  segments: ReadonlyArray<PathSegment>,
  key: string,
  provider: unknown,
  remove = "remove this key"
): Issue.Issue => {
  const env = secretEnvFor(segments, key, provider)
  const instead = env === undefined ? "the environment variable the plugin documents" : env
  return Issue.error(
    "SecretInProfile",
    Issue.formatPath(segments),
    `secrets are read only from the environment or ~/.databrickscfg; ${remove} and set ${instead} instead`
  )
}

/** Every secret-looking key in `value`, appended to `out`; the value under such a key is not searched further. */
export const findSecrets = (
  value: unknown,
  at: ReadonlyArray<PathSegment>,
  provider: unknown,
  out: Array<Issue.Issue>
): Array<Issue.Issue> => {
  if (Array.isArray(value)) value.forEach((item, i) => findSecrets(item, [...at, i], provider, out))
  else if (isMapping(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (secretKey.test(normalizeKey(k))) out.push(secretIssue([...at, k], k, provider))
      else findSecrets(v, [...at, k], provider, out)
    }
  }
  return out
}
