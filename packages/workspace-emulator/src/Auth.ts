/**
 * Credentials of the emulated workspace: one personal access token, OAuth service principals (client credentials
 * at `/oidc/v1/token`) and the expiring access tokens issued to them (databricks-api.md §6).
 */
import { Clock, Effect } from "effect"
import { randomBytes } from "node:crypto"
import * as ApiError from "./ApiError.js"

/** An OAuth service principal (M2M client). @category models */
export interface ServicePrincipal {
  readonly clientId: string
  readonly clientSecret: string
}

/** An OAuth token response. @category models */
export interface TokenResponse {
  readonly access_token: string
  readonly token_type: "Bearer"
  readonly expires_in: number
  readonly scope: string
}

/** An OAuth error (`{error, error_description}` with its HTTP status). @category models */
export interface OAuthError {
  readonly status: number
  readonly error: string
  readonly error_description: string
}

/** The credential store of an emulator. @category models */
export interface Auth {
  readonly token: string
  readonly servicePrincipal: ServicePrincipal
  /** Checks an `Authorization` header: the PAT or an unexpired issued token. */
  readonly authorize: (header: string | undefined) => Effect.Effect<void, ApiError.ApiError>
  /** Client-credentials grant. */
  readonly issue: (clientId: string, clientSecret: string, scope: string) => Effect.Effect<TokenResponse, OAuthError>
}

const hex = (bytes: number): string => randomBytes(bytes).toString("hex")

/**
 * Creates the credential store. Without explicit values a fresh `dapi…` token and a service principal are minted.
 *
 * @category constructors
 */
export const make = (options: {
  readonly token?: string
  readonly servicePrincipal?: ServicePrincipal
  readonly tokenTtlSeconds?: number
}): Auth => {
  const token = options.token ?? `dapi${hex(16)}`
  const servicePrincipal = options.servicePrincipal ?? { clientId: crypto.randomUUID(), clientSecret: `dose${hex(16)}` }
  const ttl = options.tokenTtlSeconds ?? 3600
  const issued = new Map<string, number>() // access token → expiry (ms)

  const authorize = (header: string | undefined) =>
    Effect.gen(function* () {
      const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header.trim())
      if (match === null) {
        return yield* ApiError.unauthenticated("Credential was not sent or was of an unsupported type for this API.")
      }
      const presented = match[1]
      if (presented === token) return
      const expiry = issued.get(presented)
      if (expiry === undefined) return yield* ApiError.unauthenticated("Invalid access token.")
      if ((yield* Clock.currentTimeMillis) >= expiry) {
        return yield* ApiError.unauthenticated("Invalid access token: the token has expired.")
      }
    })

  const issue = (clientId: string, clientSecret: string, scope: string) =>
    Effect.gen(function* () {
      if (clientId !== servicePrincipal.clientId || clientSecret !== servicePrincipal.clientSecret) {
        return yield* Effect.fail<OAuthError>({
          status: 401,
          error: "invalid_client",
          error_description: "Client authentication failed"
        })
      }
      const accessToken = `eyJ${hex(24)}`
      issued.set(accessToken, (yield* Clock.currentTimeMillis) + ttl * 1000)
      return { access_token: accessToken, token_type: "Bearer", expires_in: ttl, scope } as const
    })

  return { token, servicePrincipal, authorize, issue }
}
