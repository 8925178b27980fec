/**
 * The one place where `openai` SDK errors become `ProviderError`s (providers `openai`, `openai-compatible` and
 * `databricks`, which all speak OpenAI chat completions through this SDK).
 */
import type { Errors } from "@genie-enhancer/core"
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai"
import * as HttpErrors from "../httpErrors.js"

/** Maps anything the SDK throws; `now` resolves `Retry-After` dates. */
export const toProviderError = (
  error: unknown,
  context: { readonly provider: string; readonly credentials: string; readonly now: number }
): Errors.ProviderError => {
  const { provider } = context
  // An aborted call only fails this way when the fiber was interrupted, so nobody sees the error.
  if (error instanceof APIConnectionTimeoutError || error instanceof APIUserAbortError) {
    return HttpErrors.timeout(provider)
  }
  if (error instanceof APIConnectionError) return HttpErrors.network(provider, error.cause ?? error)
  if (error instanceof APIError && typeof error.status === "number") {
    return HttpErrors.fromStatus({
      ...context,
      status: error.status,
      headers: error.headers as Headers | undefined,
      detail: detailOf(error as { readonly error: unknown; readonly message: string })
    })
  }
  return HttpErrors.network(provider, error)
}

const detailOf = (error: { readonly error: unknown; readonly message: string }): string => {
  const body = error.error as { readonly message?: unknown } | undefined
  return typeof body?.message === "string" ? body.message : error.message
}
