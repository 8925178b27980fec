/** OAuth endpoints of the workspace (databricks-api.md §6): discovery and client-credentials tokens. */
import { Effect } from "effect"
import type { Auth } from "../Auth.js"
import * as Http from "../Http.js"

const oauthError = (status: number, error: string, description: string) =>
  Http.json({ error, error_description: description }, status)

const basicCredentials = (header: string | undefined): readonly [string, string] | undefined => {
  const m = header === undefined ? null : /^Basic\s+(\S+)$/i.exec(header.trim())
  if (m === null) return undefined
  const decoded = Buffer.from(m[1], "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  return colon < 0
    ? undefined
    : [decodeURIComponent(decoded.slice(0, colon)), decodeURIComponent(decoded.slice(colon + 1))]
}

/** The OIDC endpoints (no bearer token needed). */
export const routes = (auth: Auth): ReadonlyArray<Http.Route> => [
  Http.route(
    "GET",
    "/oidc/.well-known/oauth-authorization-server",
    "oidc",
    (request) => {
      const host = `http://${request.headers.host ?? "127.0.0.1"}`
      return Effect.succeed(
        Http.json({
          issuer: `${host}/oidc`,
          authorization_endpoint: `${host}/oidc/v1/authorize`,
          token_endpoint: `${host}/oidc/v1/token`,
          grant_types_supported: ["client_credentials"],
          token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
          scopes_supported: ["all-apis", "sql", "dashboards.genie", "serving.serving-endpoints"]
        })
      )
    },
    { auth: false }
  ),
  Http.route(
    "POST",
    "/oidc/v1/token",
    "oidc",
    (request) => {
      const form = new URLSearchParams(request.body)
      if (form.get("grant_type") !== "client_credentials") {
        return Effect.succeed(
          oauthError(
            400,
            "unsupported_grant_type",
            `grant_type ${JSON.stringify(form.get("grant_type"))} is not supported`
          )
        )
      }
      const basic = basicCredentials(request.headers.authorization)
      const clientId = basic?.[0] ?? form.get("client_id")
      const clientSecret = basic?.[1] ?? form.get("client_secret")
      if (clientId === null || clientSecret === null) {
        return Effect.succeed(oauthError(401, "invalid_client", "Client authentication failed"))
      }
      return auth.issue(clientId, clientSecret, form.get("scope") ?? "all-apis").pipe(
        Effect.map((token) => Http.json(token)),
        Effect.catchAll((e) => Effect.succeed(oauthError(e.status, e.error, e.error_description)))
      )
    },
    { auth: false }
  )
]
