import { Effect } from "effect"
import * as ApiError from "../ApiError.js"
import * as Http from "../Http.js"

/**
 * A list response `{<key>: [...], next_page_token?}` for the `page_size` / `page_token` query parameters; the token
 * is the offset of the next page.
 */
export const paged = (
  key: string,
  items: ReadonlyArray<unknown>,
  query: URLSearchParams,
  defaultSize = 100
): Effect.Effect<Http.Response, ApiError.ApiError> => {
  const sizeText = query.get("page_size")
  const tokenText = query.get("page_token")
  const size = sizeText === null || sizeText === "" ? defaultSize : Number(sizeText)
  const offset = tokenText === null || tokenText === "" ? 0 : Number(tokenText)
  if (!Number.isInteger(size) || size <= 0) {
    return Effect.fail(ApiError.invalidParameter("page_size must be a positive integer."))
  }
  if (!Number.isInteger(offset) || offset < 0) return Effect.fail(ApiError.invalidParameter("Invalid page_token."))
  const end = offset + size
  return Effect.succeed(
    Http.json({
      [key]: items.slice(offset, end),
      ...(end < items.length ? { next_page_token: String(end) } : {})
    })
  )
}
