/**
 * Authorization headers for a Databricks workspace: a personal access token as is, or OAuth machine-to-machine
 * (service principal) tokens fetched from the workspace's OIDC endpoint, cached and refreshed before they expire.
 */
import type { FileSystem, Path } from "@effect/platform"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Errors, Workspace } from "@genie-enhancer/core"
import { Clock, Context, Effect, Layer, Option, Redacted, Ref, Schema } from "effect"
import * as DatabricksConfig from "./DatabricksConfig.js"

/**
 * The workspace's host and a current `Authorization` header value.
 *
 * @category services
 */
export class DatabricksAuth extends Context.Tag("@genie-enhancer/databricks/DatabricksAuth")<
  DatabricksAuth,
  {
    readonly host: string
    /** `Bearer <token>`, fetching or refreshing an OAuth token when needed. */
    readonly authorization: Effect.Effect<Redacted.Redacted<string>, Errors.AuthFailed>
    /** Forgets a cached OAuth token the server rejected (HTTP 401), so the next call fetches a new one. */
    readonly invalidate: Effect.Effect<void>
    /** True for OAuth: a rejected token may be replaced; a rejected PAT stays rejected. */
    readonly refreshable: boolean
  }
>() {}

/** How long before expiry a cached token is replaced (the SDKs refresh early too); a tenth of short lifetimes. */
const refreshMarginMs = (lifetimeMs: number): number => Math.min(60_000, lifetimeMs / 10)

const Discovery = Schema.Struct({ token_endpoint: Schema.String })
const TokenResponse = Schema.Struct({
  access_token: Schema.String,
  token_type: Schema.optionalWith(Schema.String, { default: () => "Bearer" }),
  expires_in: Schema.optionalWith(Schema.Number, { default: () => 3600 })
})
const OAuthError = Schema.Struct({ error: Schema.String, error_description: Schema.optional(Schema.String) })

interface CachedToken {
  readonly header: Redacted.Redacted<string>
  readonly refreshAt: number
}

const oauthTokens = (host: string, clientId: string, clientSecret: Redacted.Redacted<string>) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const failed = (message: string) => new Errors.AuthFailed({ host, message })

    const tokenEndpoint = yield* client.get(`${host}/oidc/.well-known/oauth-authorization-server`).pipe(
      Effect.filterOrFail(
        (response) => response.status === 200,
        (response) => new Error(`HTTP ${response.status}`)
      ),
      Effect.flatMap((response) => response.json),
      Effect.flatMap(Schema.decodeUnknown(Discovery)),
      Effect.map((discovery) => discovery.token_endpoint),
      Effect.mapError((cause) => failed(`OAuth discovery failed for ${host}: ${cause.message}`)),
      Effect.cached
    )

    const fetchToken = Effect.gen(function* () {
      const endpoint = yield* tokenEndpoint
      const request = HttpClientRequest.post(endpoint).pipe(
        HttpClientRequest.basicAuth(clientId, Redacted.value(clientSecret)),
        HttpClientRequest.bodyUrlParams({ grant_type: "client_credentials", scope: "all-apis" })
      )
      const response = yield* client
        .execute(request)
        .pipe(Effect.mapError((cause) => failed(`cannot reach the OAuth token endpoint: ${cause.message}`)))
      const body = yield* response.json.pipe(
        Effect.mapError(() => failed(`the OAuth token endpoint answered HTTP ${response.status} without JSON`))
      )
      if (response.status !== 200) {
        const error = Schema.decodeUnknownOption(OAuthError)(body)
        return yield* failed(
          Option.match(error, {
            onNone: () => `the OAuth token endpoint answered HTTP ${response.status}`,
            onSome: (e) => `${e.error}: ${e.error_description ?? ""}`.trim()
          })
        )
      }
      const token = yield* Schema.decodeUnknown(TokenResponse)(body).pipe(
        Effect.mapError(() => failed("the OAuth token endpoint answered without an access_token"))
      )
      const now = yield* Clock.currentTimeMillis
      const lifetimeMs = token.expires_in * 1000
      return {
        header: Redacted.make(`${token.token_type} ${token.access_token}`),
        refreshAt: now + lifetimeMs - refreshMarginMs(lifetimeMs)
      } satisfies CachedToken
    })

    const cache = yield* Ref.make(Option.none<CachedToken>())
    const lock = yield* Effect.makeSemaphore(1)
    // One refresh at a time: concurrent callers wait for it instead of each asking for a token.
    const authorization = lock.withPermits(1)(
      Effect.gen(function* () {
        const cached = yield* Ref.get(cache)
        if (Option.isSome(cached) && (yield* Clock.currentTimeMillis) < cached.value.refreshAt)
          return cached.value.header
        const token = yield* fetchToken
        yield* Ref.set(cache, Option.some(token))
        return token.header
      })
    )
    return { authorization, invalidate: Ref.set(cache, Option.none()) }
  })

const make = (host: string, credentials: DatabricksConfig.Credentials) =>
  credentials.type === "pat"
    ? Effect.succeed({
        host,
        authorization: Effect.succeed(Redacted.make(`Bearer ${Redacted.value(credentials.token)}`)),
        invalidate: Effect.void,
        refreshable: false
      })
    : Effect.map(oauthTokens(host, credentials.clientId, credentials.clientSecret), (tokens) => ({
        host,
        refreshable: true,
        ...tokens
      }))

/**
 * `DatabricksAuth` for a resolved configuration. OAuth needs an `HttpClient`.
 *
 * @category layers
 */
export const layer = (
  config: Pick<DatabricksConfig.Resolved, "host" | "credentials">
): Layer.Layer<DatabricksAuth, never, HttpClient.HttpClient> =>
  Layer.effect(DatabricksAuth, make(config.host, config.credentials))

/**
 * The core `WorkspaceAuth` (used by the `databricks` LLM provider) from `DatabricksAuth`.
 *
 * @category layers
 */
export const layerWorkspaceAuth: Layer.Layer<Workspace.WorkspaceAuth, never, DatabricksAuth> = Layer.effect(
  Workspace.WorkspaceAuth,
  Effect.map(DatabricksAuth, (auth) => ({ host: auth.host, authorization: auth.authorization }))
)

/**
 * `DatabricksAuth` resolved like the Databricks SDKs: explicit settings > environment > `~/.databrickscfg`
 * (`DatabricksConfig.resolve`). Fails with `AuthFailed` saying what to set.
 *
 * @category layers
 */
export const layerConfig = (
  explicit: DatabricksConfig.Explicit,
  env: Readonly<Record<string, string | undefined>>
): Layer.Layer<DatabricksAuth, Errors.AuthFailed, HttpClient.HttpClient | FileSystem.FileSystem | Path.Path> =>
  Layer.unwrapEffect(Effect.map(DatabricksConfig.resolve(explicit, env), layer))
