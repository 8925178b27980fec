/**
 * The `~/.databrickscfg` file: INI sections of `key = value` pairs, as the Databricks CLI and SDKs write it.
 */

/**
 * Profiles by section name (`DEFAULT`, named profiles, `__settings__`), keys lower-cased as the SDKs read them.
 *
 * @category models
 */
export type ConfigFile = ReadonlyMap<string, ReadonlyMap<string, string>>

/**
 * Parses the INI text of a Databricks config file.
 *
 * **Details**
 * Follows the subset the SDKs rely on: `[section]` headers, `key = value` or `key: value`, `#` and `;` comment
 * lines, surrounding whitespace trimmed, later keys win. Lines that fit none of these are ignored, like Python's
 * `configparser` in the SDK would reject only truly broken files; values are never logged.
 *
 * @category constructors
 */
export const parse = (text: string): ConfigFile => {
  const sections = new Map<string, Map<string, string>>()
  let current: Map<string, string> | undefined
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue
    const header = /^\[(.+)]$/.exec(line)
    if (header !== null) {
      const name = header[1].trim()
      current = sections.get(name) ?? new Map<string, string>()
      sections.set(name, current)
      continue
    }
    const pair = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line)
    if (pair !== null && current !== undefined) current.set(pair[1].trim().toLowerCase(), pair[2].trim())
  }
  return sections
}

/**
 * The profile a config file selects when none is named: `[__settings__] default_profile`, else `DEFAULT`.
 *
 * @category constructors
 */
export const defaultProfile = (file: ConfigFile): string =>
  file.get("__settings__")?.get("default_profile") ?? "DEFAULT"
