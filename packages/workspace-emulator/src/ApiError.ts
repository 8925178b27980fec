/**
 * Errors the emulated REST APIs answer with, in the Databricks envelope `{error_code, message}`
 * (databricks-api.md §1).
 */
import { Data } from "effect"

/**
 * A non-2xx answer of an emulated endpoint.
 *
 * @category errors
 */
export class ApiError extends Data.TaggedError("ApiError")<{
  readonly status: number
  readonly errorCode: string
  readonly message: string
  readonly headers?: Readonly<Record<string, string>>
}> {}

/** The JSON body of an error answer. @category constructors */
export const envelope = (error: ApiError): { readonly error_code: string; readonly message: string } => ({
  error_code: error.errorCode,
  message: error.message
})

/** 400 `INVALID_PARAMETER_VALUE`. @category constructors */
export const invalidParameter = (message: string): ApiError =>
  new ApiError({ status: 400, errorCode: "INVALID_PARAMETER_VALUE", message })

/** 400 `MALFORMED_REQUEST`: a body that is not the JSON object the endpoint expects. @category constructors */
export const malformed = (message: string): ApiError =>
  new ApiError({ status: 400, errorCode: "MALFORMED_REQUEST", message })

/** 404 `RESOURCE_DOES_NOT_EXIST`. @category constructors */
export const notFound = (message: string): ApiError =>
  new ApiError({ status: 404, errorCode: "RESOURCE_DOES_NOT_EXIST", message })

/** 401 `UNAUTHENTICATED`. @category constructors */
export const unauthenticated = (message: string): ApiError =>
  new ApiError({ status: 401, errorCode: "UNAUTHENTICATED", message })

/** 429 `RESOURCE_EXHAUSTED` with an integer `Retry-After`, as Databricks throttles. @category constructors */
export const rateLimited = (message: string, retryAfterSeconds: number): ApiError =>
  new ApiError({
    status: 429,
    errorCode: "RESOURCE_EXHAUSTED",
    message,
    headers: { "retry-after": String(Math.max(1, Math.ceil(retryAfterSeconds))) }
  })

const serverErrorCodes: Readonly<Record<number, string>> = {
  500: "INTERNAL_ERROR",
  502: "BAD_GATEWAY",
  503: "TEMPORARILY_UNAVAILABLE",
  504: "DEADLINE_EXCEEDED"
}

/** A 5xx answer with the error code Databricks uses for that status. @category constructors */
export const serverError = (status: number, message: string): ApiError =>
  new ApiError({ status, errorCode: serverErrorCodes[status] ?? "INTERNAL_ERROR", message })
