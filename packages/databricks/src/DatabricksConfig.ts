/**
 * Where the workspace host, credentials and warehouse come from, resolved like the Databricks SDKs' unified client
 * auth (databricks-api.md §6): explicit flags > environment > a `~/.databrickscfg` profile.
 */
import { FileSystem, Path } from "@effect/platform"
import { Errors, Redaction } from "@genie-enhancer/core"
import { Effect, Option, Redacted } from "effect"
import * as ConfigFile from "./ConfigFile.js"

/**
 * Settings given explicitly (CLI flags or library callers). Secrets are already `Redacted`.
 *
 * @category models
 */
export interface Explicit {
  readonly host?: string
  readonly token?: Redacted.Redacted<string>
  readonly clientId?: string
  readonly clientSecret?: Redacted.Redacted<string>
  readonly warehouseId?: string
  /** A `~/.databrickscfg` section to read. */
  readonly profile?: string
  readonly configFile?: string
  /** Force one method when several are configured: `pat` or `oauth-m2m`. */
  readonly authType?: string
}

/**
 * How requests authenticate.
 *
 * @category models
 */
export type Credentials =
  | { readonly type: "pat"; readonly token: Redacted.Redacted<string> }
  | { readonly type: "oauth-m2m"; readonly clientId: string; readonly clientSecret: Redacted.Redacted<string> }

/**
 * A resolved workspace configuration.
 *
 * @category models
 */
export interface Resolved {
  /** `https://host` (scheme added when missing), no trailing slash. */
  readonly host: string
  readonly credentials: Credentials
  readonly warehouseId?: string
  /** The config-file section that was read, when one was. */
  readonly profile?: string
  /** Attribute → where it came from: `flag`, `env DATABRICKS_HOST`, `~/.databrickscfg [prod]`. Never values. */
  readonly sources: Readonly<Record<string, string>>
}

type Attribute = "host" | "token" | "clientId" | "clientSecret" | "warehouseId" | "authType"

const envNames: Readonly<Record<Attribute, string>> = {
  host: "DATABRICKS_HOST",
  token: "DATABRICKS_TOKEN",
  clientId: "DATABRICKS_CLIENT_ID",
  clientSecret: "DATABRICKS_CLIENT_SECRET",
  warehouseId: "DATABRICKS_WAREHOUSE_ID",
  authType: "DATABRICKS_AUTH_TYPE"
}

const fileKeys: Readonly<Record<Attribute, string>> = {
  host: "host",
  token: "token",
  clientId: "client_id",
  clientSecret: "client_secret",
  warehouseId: "warehouse_id",
  authType: "auth_type"
}

const authTypes = ["pat", "oauth-m2m"] as const

/** `dbc-1.cloud.databricks.com/` → `https://dbc-1.cloud.databricks.com`. */
export const normalizeHost = (host: string): string => {
  const trimmed = host.trim().replace(/\/+$/, "")
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`
}

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === "" ? undefined : value.trim()

/**
 * Resolves host, credentials and warehouse.
 *
 * **Details**
 * Each attribute takes the first of: explicit value, environment variable, config-file profile. The config file
 * (`configFile` > `DATABRICKS_CONFIG_FILE` > `~/.databrickscfg`) is read when a profile is named
 * (`profile` > `DATABRICKS_CONFIG_PROFILE`) or when host or credentials are still missing; its profile is the named
 * one, else `[__settings__] default_profile`, else `DEFAULT`. A named profile that does not exist is an error; a
 * missing `DEFAULT` is not. Two auth methods without `auth_type` is an error, as in the SDKs. Fails with
 * `AuthFailed` whose message names what to set, never a secret.
 *
 * @category constructors
 */
export const resolve = Effect.fn("DatabricksConfig.resolve")(function* (
  explicit: Explicit,
  env: Readonly<Record<string, string | undefined>>
) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const values = new Map<Attribute, { readonly value: string; readonly source: string }>()
  const set = (attribute: Attribute, value: string | undefined, source: string) => {
    const v = nonEmpty(value)
    if (v !== undefined && !values.has(attribute)) values.set(attribute, { value: v, source })
  }
  set("host", explicit.host, "flag")
  set("token", explicit.token === undefined ? undefined : Redacted.value(explicit.token), "flag")
  set("clientId", explicit.clientId, "flag")
  set("clientSecret", explicit.clientSecret === undefined ? undefined : Redacted.value(explicit.clientSecret), "flag")
  set("warehouseId", explicit.warehouseId, "flag")
  set("authType", explicit.authType, "flag")
  for (const attribute of Object.keys(envNames) as Array<Attribute>) {
    set(attribute, env[envNames[attribute]], `env ${envNames[attribute]}`)
  }

  const namedProfile = nonEmpty(explicit.profile) ?? nonEmpty(env["DATABRICKS_CONFIG_PROFILE"])
  const hasCredentials = values.has("token") || (values.has("clientId") && values.has("clientSecret"))
  let profile: string | undefined
  if (namedProfile !== undefined || !values.has("host") || !hasCredentials) {
    const home = nonEmpty(env["HOME"]) ?? nonEmpty(env["USERPROFILE"])
    const file =
      nonEmpty(explicit.configFile) ??
      nonEmpty(env["DATABRICKS_CONFIG_FILE"]) ??
      (home === undefined ? undefined : path.join(home, ".databrickscfg"))
    const text = file === undefined ? Option.none<string>() : yield* fs.readFileString(file).pipe(Effect.option)
    if (Option.isSome(text) && file !== undefined) {
      const parsed = ConfigFile.parse(text.value)
      const name = namedProfile ?? ConfigFile.defaultProfile(parsed)
      const section = parsed.get(name)
      if (section === undefined) {
        if (namedProfile !== undefined || name !== "DEFAULT") {
          const known = [...parsed.keys()].filter((k) => k !== "__settings__")
          return yield* new Errors.AuthFailed({
            message: `resolve: ${file} has no ${name} profile configured (profiles in the file: ${known.join(", ") || "none"})`
          })
        }
      } else {
        profile = name
        for (const attribute of Object.keys(fileKeys) as Array<Attribute>) {
          set(attribute, section.get(fileKeys[attribute]), `${file} [${name}]`)
        }
      }
    } else if (namedProfile !== undefined) {
      return yield* new Errors.AuthFailed({
        message: `resolve: cannot read ${file ?? "~/.databrickscfg"} to find the ${namedProfile} profile`
      })
    }
  }

  const get = (attribute: Attribute) => values.get(attribute)?.value
  const host = get("host")
  if (host === undefined) {
    return yield* new Errors.AuthFailed({
      message:
        "no Databricks host configured: pass --host, set DATABRICKS_HOST, or add host to a ~/.databrickscfg profile"
    })
  }
  const normalized = normalizeHost(host)
  const token = get("token")
  const clientId = get("clientId")
  const clientSecret = get("clientSecret")
  const authType = get("authType")
  if (authType !== undefined && !(authTypes as ReadonlyArray<string>).includes(authType)) {
    return yield* new Errors.AuthFailed({
      host: normalized,
      message: `auth_type "${authType}" is not supported; use one of ${authTypes.join(", ")}`
    })
  }
  const hasPat = token !== undefined
  const hasOauth = clientId !== undefined && clientSecret !== undefined
  if (authType === undefined && hasPat && hasOauth) {
    return yield* new Errors.AuthFailed({
      host: normalized,
      message:
        "validate: more than one authorization method configured: oauth and pat (set DATABRICKS_AUTH_TYPE or auth_type to pat or oauth-m2m)"
    })
  }
  // Whatever a server echoes back (an error body quoting the request) must not print these.
  Redaction.register(token, clientSecret)
  let credentials: Credentials
  if ((authType === undefined || authType === "pat") && token !== undefined) {
    credentials = { type: "pat", token: Redacted.make(token) }
  } else if ((authType === undefined || authType === "oauth-m2m") && hasOauth) {
    credentials = { type: "oauth-m2m", clientId, clientSecret: Redacted.make(clientSecret) }
  } else {
    const need =
      authType === "oauth-m2m"
        ? "DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET"
        : authType === "pat"
          ? "DATABRICKS_TOKEN"
          : "DATABRICKS_TOKEN, or DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET"
    return yield* new Errors.AuthFailed({
      host: normalized,
      message: `no credentials for ${normalized}: set ${need} (or the matching keys in a ~/.databrickscfg profile)`
    })
  }
  const sources = Object.fromEntries(
    [...values].map(([attribute, { source }]) => [attribute, source] as const)
  ) as Record<string, string>
  const warehouseId = get("warehouseId")
  return {
    host: normalized,
    credentials,
    sources,
    ...(warehouseId === undefined ? {} : { warehouseId }),
    ...(profile === undefined ? {} : { profile })
  } satisfies Resolved
})
