/**
 * Stage decorators: wrap a stage's service without replacing it (a fixer decorator that adds a team's rule, an
 * evaluator decorator that logs verdicts to an observability tool).
 *
 * **Details**
 * The composition root applies `stage-decorator` plugins in profile order, each over what the previous ones left:
 * a decorator's layer receives the service it wraps and provides the wrapped one. A decorator made with {@link wrap}
 * contributes nothing when its stage is not part of the run (a `fix` decorator while only scoring), so one profile
 * serves every command.
 */
import { Context, Effect, Layer, Option } from "effect"
import type { Scope } from "effect"

/**
 * A decorator layer: when the run has the service of `tag`, provides `f(service)` in its place; otherwise nothing.
 *
 * @example
 * ```ts
 * layer: (options) => Decorator.wrap(Stages.Fixer, (inner) => ({
 *   propose: (input) => Effect.map(inner.propose(input), (plan) => withTeamRule(plan, input, options))
 * }))
 * ```
 *
 * @category constructors
 */
export const wrap = <I, S>(tag: Context.Tag<I, S>, f: (inner: S) => S): Layer.Layer<I> =>
  wrapEffect(tag, (inner) => Effect.succeed(f(inner)))

/**
 * {@link wrap} with an effectful constructor (state in a `Ref`, a scoped resource).
 *
 * @category constructors
 */
export const wrapEffect = <I, S, E, R>(
  tag: Context.Tag<I, S>,
  f: (inner: S) => Effect.Effect<S, E, R>
): Layer.Layer<I, E, Exclude<R, Scope.Scope>> =>
  Layer.scopedContext<I, E, R>(
    Effect.flatMap(Effect.serviceOption(tag), (inner) =>
      Option.match(inner, {
        // Typed as providing `I`: the composition root merges what a decorator built over the services it wraps,
        // so an absent stage stays absent.
        onNone: () => Effect.succeed(Context.empty() as Context.Context<I>),
        onSome: (service) => Effect.map(f(service), (wrapped) => Context.make(tag, wrapped))
      })
    )
  )
