/**
 * Validating the merged profile as a whole: the JSON Schema (which editors also use) plus the few rules that span
 * several keys.
 */
import { Ajv } from "ajv"
import addFormats from "ajv-formats"
import * as Issue from "../../model/Issue.js"
import { jsonSchema } from "../Profile.js"
import { issuesFromAjv } from "./AjvIssues.js"
import type { Json } from "./ProfileData.js"
import { isMapping } from "./ProfileData.js"

const ajv = new Ajv({ allErrors: true, strict: true, verbose: true })
addFormats.default(ajv)
const validateProfile = ajv.compile(jsonSchema)

/** Cross-key rules JSON Schema cannot express without making editor messages worse. */
const crossKeyIssues = (merged: Json, env: Readonly<Record<string, string | undefined>>): Array<Issue.Issue> => {
  const issues: Array<Issue.Issue> = []
  const llm = isMapping(merged["llm"]) ? merged["llm"] : {}
  const baseUrl = llm["baseUrl"] ?? env["OPENAI_BASE_URL"]
  if (llm["provider"] === "openai-compatible" && (baseUrl === undefined || baseUrl === null || baseUrl === "")) {
    issues.push(
      Issue.error("Required", "$.llm.baseUrl", 'provider "openai-compatible" needs llm.baseUrl (or OPENAI_BASE_URL)')
    )
  }
  const safety = isMapping(merged["safety"]) ? merged["safety"] : {}
  const genie = isMapping(safety["genie"]) ? safety["genie"] : {}
  const first = genie["pollIntervalSeconds"]
  const max = genie["maxPollIntervalSeconds"]
  if (typeof first === "number" && typeof max === "number" && max < first) {
    issues.push(
      Issue.error(
        "OutOfRange",
        "$.safety.genie.maxPollIntervalSeconds",
        `must be at least pollIntervalSeconds (${first}); found ${max}`
      )
    )
  }
  return issues
}

/** Every schema and cross-key issue in the merged profile, with JSON paths (not yet attributed to a layer). */
export const profileIssues = (merged: Json, env: Readonly<Record<string, string | undefined>>): Array<Issue.Issue> => {
  const valid = validateProfile(merged)
  return [...(valid ? [] : issuesFromAjv(validateProfile.errors ?? [], merged)), ...crossKeyIssues(merged, env)]
}
