/** Plan validation: the contract that stands between any fixer and a space. Nothing invalid is ever applied. */
import { Context } from "effect"
import type { Effect } from "effect"
import type { Benchmark } from "../../model/Benchmark.js"
import type { SerializedSpace } from "../../model/Space.js"
import type { Plan } from "../fix/Fixer.js"

/**
 * What validation checks a plan against: the space it will be applied to and every benchmark (train and holdout),
 * for the leakage guard.
 *
 * @category models
 */
export interface ValidationContext {
  readonly space: SerializedSpace
  readonly benchmarks: ReadonlyArray<Benchmark>
}

/**
 * Validates a plan: returns the plan with only the fixes that passed in `fixes` and every other one in `rejected`
 * with its reason. Never fails: a check that cannot run rejects the fixes it could not vouch for.
 *
 * @category services
 */
export class PlanValidator extends Context.Tag("@genie-enhancer/core/PlanValidator")<
  PlanValidator,
  {
    readonly validate: (plan: Plan, context: ValidationContext) => Effect.Effect<Plan>
  }
>() {}
