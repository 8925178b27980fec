import { assert } from "@effect/vitest"
import { Errors } from "@genie-enhancer/core"
import { Exit } from "effect"

/** The typed failure of an exit; fails the test on success or on a defect. */
export const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit) || exit.cause._tag !== "Fail")
    return assert.fail(`expected a typed failure, got ${String(exit)}`)
  return exit.cause.error
}

/** The `ProviderError` an exit failed with. */
export const providerError = <A, E>(exit: Exit.Exit<A, E>): Errors.ProviderError => {
  const error = failureOf(exit)
  assert.instanceOf(error, Errors.ProviderError)
  return error
}
