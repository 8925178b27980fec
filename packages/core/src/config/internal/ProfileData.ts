/**
 * Profile data as parsed from YAML or built from overrides: plain mappings, before the schema has vouched for it.
 */

/** A profile mapping (or a section of one) that has not been validated yet. */
export type Json = Record<string, unknown>

export const isMapping = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * A key as people spell it in different places (`apiKey`, `API_KEY`, `api-key`) reduced to one form, so that
 * environment variable segments match schema keys and secret-looking keys are caught however they are written.
 */
export const normalizeKey = (key: string): string => key.toLowerCase().replace(/[_-]/g, "")
