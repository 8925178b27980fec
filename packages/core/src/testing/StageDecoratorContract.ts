/**
 * The contract of a stage decorator: it keeps the contract of the stage it wraps. A decorator is checked by running
 * the wrapped stage's own kit against the decorated stage, plus checks of its manifest:
 *
 * ```ts
 * const decorated = StageDecoratorContract.decorating(plugin, { glossary })
 * for (const c of StageDecoratorContract.keeps(FixerContract.cases, decorated)) it.effect(c.name, () => c.run(RulesFixer.layer()))
 * for (const c of StageDecoratorContract.manifestCases) it.effect(c.name, () => c.run(plugin, { glossary }))
 * ```
 */
import { Context, Effect, Layer } from "effect"
import { defaults } from "../config/Profile.js"
import type { AnyPlugin, Context as PluginContext, Stage } from "../plugins/Plugin.js"
import { problemWith } from "../plugins/Plugin.js"
import * as PluginRegistry from "../plugins/PluginRegistry.js"

/** One check of the wrapped stage's contract, on any layer type. @category models */
export interface StageCase<L> {
  readonly name: string
  readonly run: (layer: L) => Effect.Effect<void, Error>
}

/** One check of a decorator manifest. @category models */
export interface Case {
  readonly name: string
  readonly run: (plugin: AnyPlugin, options?: unknown) => Effect.Effect<void, Error>
}

/** The stages a decorator may wrap. @category models */
export const stages: ReadonlyArray<Stage> = [
  "ask",
  "execute",
  "llm",
  "evaluate",
  "score",
  "learn-patterns",
  "fix",
  "validate",
  "promote"
]

/**
 * A plugin context for tests: the built-in default profile, an empty environment.
 *
 * @category testing
 */
export const testContext: PluginContext = { profile: defaults, env: {}, source: "contract", baseDir: process.cwd() }

/**
 * Applies a decorator layer over a base layer as the composition root does: the decorator is built with the base's
 * services and its services replace the ones it wraps.
 *
 * @category testing
 */
export const apply = <A, E, R, E2 = never>(
  base: Layer.Layer<A, E, R>,
  decorator: Layer.Layer<unknown, E2, unknown>
): Layer.Layer<A, E | E2, R> =>
  Layer.scopedContext(
    Effect.gen(function* () {
      const services = yield* Layer.build(base)
      const wrapped = yield* Layer.build(decorator as Layer.Layer<unknown, E2>).pipe(Effect.provide(services))
      return Context.merge(services, wrapped as Context.Context<never>)
    })
  )

/**
 * A function that decorates a stage layer with a decorator plugin (options validated first, as in a run).
 *
 * @category testing
 */
export const decorating =
  (plugin: AnyPlugin, options: unknown = {}, context: PluginContext = testContext) =>
  <A, E, R>(base: Layer.Layer<A, E, R>): Layer.Layer<A, E, R> =>
    Layer.unwrapEffect(
      Effect.map(
        PluginRegistry.validateOptions(plugin, options, { source: "contract", at: "$.options" }).pipe(Effect.orDie),
        (valid) =>
          apply(
            base,
            // A decorator that cannot be built is a failed check (a defect here), whatever its error type.
            Layer.orDie(
              (plugin.layer as (o: unknown, c: PluginContext) => Layer.Layer<unknown, unknown, unknown>)(valid, context)
            )
          )
      )
    )

/**
 * The wrapped stage's checks, run against the decorated stage (`decorate(inner)`): a decorator keeps its stage's
 * contract.
 *
 * @category testing
 */
export const keeps = <L>(
  contract: ReadonlyArray<StageCase<L>>,
  decorate: (inner: L) => L
): ReadonlyArray<StageCase<L>> =>
  contract.map((c) => ({ name: `decorated: ${c.name}`, run: (inner: L) => c.run(decorate(inner)) }))

const check = (condition: boolean, message: string): Effect.Effect<void, Error> =>
  condition ? Effect.void : Effect.fail(new Error(message))

/** The checks of a decorator's manifest. @category testing */
export const manifestCases: ReadonlyArray<Case> = [
  {
    name: "is a stage-decorator manifest naming the stage it wraps",
    run: (plugin) =>
      Effect.gen(function* () {
        const problem = problemWith(plugin)
        yield* check(problem === undefined, problem ?? "")
        yield* check(plugin.kind === "stage-decorator", `kind is ${plugin.kind}`)
        yield* check(
          plugin.decorates !== undefined && stages.includes(plugin.decorates),
          `decorates ${JSON.stringify(plugin.decorates)}; expected one of ${stages.join(", ")}`
        )
      })
  },
  {
    name: "builds in a run without its stage (a fix decorator while scoring) and adds nothing",
    run: (plugin, options = {}) =>
      Effect.gen(function* () {
        const valid = yield* PluginRegistry.validateOptions(plugin, options, { source: "contract", at: "$.options" })
        const layer = (plugin.layer as (o: unknown, c: PluginContext) => Layer.Layer<unknown, unknown, unknown>)(
          valid,
          testContext
        )
        const built = yield* Effect.scoped(Layer.build(layer as Layer.Layer<unknown, unknown>)).pipe(
          Effect.catchAllCause((cause) =>
            Effect.fail(new Error(`the decorator needs its stage to build (use Decorator.wrap): ${String(cause)}`))
          )
        )
        yield* check(built.unsafeMap.size === 0, `it provided ${[...built.unsafeMap.keys()].join(", ")} from nothing`)
      }).pipe(Effect.mapError((e) => (e instanceof Error ? e : new Error(String(e)))))
  }
]
