/** The one place where `@anthropic-ai/sdk` errors become `ProviderError`s. */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "@anthropic-ai/sdk"
import type { Errors } from "@genie-enhancer/core"
import * as HttpErrors from "../httpErrors.js"

/** Maps anything the SDK throws; `now` resolves `Retry-After` dates. */
export const toProviderError = (
  error: unknown,
  context: { readonly provider: string; readonly credentials: string; readonly now: number }
): Errors.ProviderError => {
  const { provider } = context
  if (error instanceof APIConnectionTimeoutError || error instanceof APIUserAbortError) {
    return HttpErrors.timeout(provider)
  }
  if (error instanceof APIConnectionError) return HttpErrors.network(provider, error.cause ?? error)
  if (error instanceof APIError && typeof error.status === "number") {
    return HttpErrors.fromStatus({
      ...context,
      status: error.status,
      headers: error.headers as Headers | undefined,
      detail: error.apiMessage ?? error.message
    })
  }
  return HttpErrors.network(provider, error)
}
