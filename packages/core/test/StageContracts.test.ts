import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { BenchmarkSplit, Decorator, Evaluator, Plugin, RulesFixer, Stages } from "../src/index.js"
import {
  EvaluatorContract,
  FixerContract,
  LanguageModelContract,
  ScriptedLanguageModel,
  StageDecoratorContract
} from "../src/testing/index.js"

// The built-ins run the kits third parties run: the deterministic evaluator, the scripted model of core's testing
// module, and decorators made with `Decorator.wrap` over the built-in fixer and evaluator.

describe("EvaluatorContract: Evaluator.layerDeterministic", () => {
  for (const c of EvaluatorContract.cases) it.effect(c.name, () => c.run(Evaluator.layerDeterministic()))
})

describe("LanguageModelContract: ScriptedLanguageModel", () => {
  const model = ScriptedLanguageModel.layer((_request, output) =>
    Effect.succeed(
      output === LanguageModelContract.okOutput ? { ok: true } : output === undefined ? "hello" : { ok: "yes" }
    )
  )
  for (const c of LanguageModelContract.cases) it.effect(c.name, () => c.run(model))

  it.effect("the kit fails a provider that hands back undecoded output", () =>
    Effect.gen(function* () {
      const lenient = Layer.succeed(Stages.LanguageModel, {
        complete: () =>
          Effect.succeed({
            text: "x",
            usage: { inputTokens: 0, outputTokens: 0, latencyMs: 0, provider: "p", model: "m" }
          }),
        completeJson: (_request, _output) =>
          Effect.succeed({
            value: { ok: "yes" } as never,
            text: "{}",
            usage: { inputTokens: 0, outputTokens: 0, latencyMs: 0, provider: "p", model: "m" }
          })
      })
      const bad = LanguageModelContract.cases.find((c) => c.name.includes("does not decode"))
      assert.isDefined(bad)
      const exit = yield* Effect.exit(bad.run(lenient))
      assert.isTrue(exit._tag === "Failure")
    })
  )
})

/** A team rule as a decorator: one extra instruction line on every plan. */
const teamRule = Plugin.definePlugin({
  id: "team-rule",
  version: "1.0.0",
  kind: "stage-decorator",
  decorates: "fix",
  description: "Adds the team's instruction.",
  optionsSchema: { type: "object", additionalProperties: false, properties: { line: { type: "string" } } },
  layer: (options: { readonly line?: string }) =>
    Decorator.wrap(Stages.Fixer, (inner) => ({
      propose: (input) =>
        Effect.map(inner.propose(input), (plan) => {
          const fix = new Stages.Fix({
            id: "team-rule:instruction",
            category: "instruction-fix",
            target: "instructions.text_instructions",
            change: { append: [options.line ?? "Amounts are in EUR."] },
            rationale: "team rule",
            sourceBenchmarkIds: [],
            origin: "team-rule"
          })
          return input.excludeFixIds?.has(fix.id) === true
            ? plan
            : new Stages.Plan({ fixes: [...plan.fixes, fix], rejected: plan.rejected })
        })
    }))
})

describe("StageDecoratorContract: a fix decorator over the rules fixer", () => {
  const decorate = StageDecoratorContract.decorating(teamRule, { line: "Revenue means net revenue." })
  for (const c of StageDecoratorContract.keeps(FixerContract.cases, decorate)) {
    it.effect(c.name, () => c.run(RulesFixer.layer()))
  }
  for (const c of StageDecoratorContract.manifestCases) {
    it.effect(c.name, () => c.run(teamRule, { line: "x" }))
  }

  it.effect("the decorated fixer proposes the rules fixer's fixes and the team's", () =>
    Effect.gen(function* () {
      const plan = yield* Effect.flatMap(Stages.Fixer, (f) =>
        f.propose({
          failures: [],
          patterns: FixerContract.patterns,
          space: { version: 2 },
          train: BenchmarkSplit.trainSet([])
        })
      ).pipe(Effect.provide(decorate(RulesFixer.layer())))
      assert.include(
        plan.fixes.map((f) => f.origin),
        "team-rule"
      )
    })
  )

  it.effect("a decorator that breaks its stage's contract fails the kit", () =>
    Effect.gen(function* () {
      const breaking = Plugin.definePlugin({
        ...teamRule,
        id: "breaking",
        layer: () =>
          Decorator.wrap(Stages.Fixer, (inner) => ({
            // Ignores excludeFixIds: proposes a rejected fix again.
            propose: (input) => inner.propose({ ...input, excludeFixIds: new Set() })
          }))
      })
      const keeps = StageDecoratorContract.keeps(FixerContract.cases, StageDecoratorContract.decorating(breaking))
      const excluded = keeps.find((c) => c.name.includes("excluded"))
      assert.isDefined(excluded)
      const exit = yield* Effect.exit(excluded.run(RulesFixer.layer()))
      assert.isTrue(exit._tag === "Failure")
    })
  )

  it.effect("a decorator that needs its stage to build fails the manifest check", () =>
    Effect.gen(function* () {
      const strict = Plugin.definePlugin({
        ...teamRule,
        id: "strict",
        layer: () =>
          Layer.effect(
            Stages.Fixer,
            Effect.map(Stages.Fixer, (inner) => inner)
          )
      })
      const exit = yield* Effect.exit(StageDecoratorContract.manifestCases[1].run(strict))
      assert.isTrue(exit._tag === "Failure")
    })
  )
})

describe("StageDecoratorContract: an evaluate decorator keeps the evaluator's contract", () => {
  const logged: Array<string> = []
  const audit = Plugin.definePlugin({
    id: "audit",
    version: "1.0.0",
    kind: "stage-decorator",
    decorates: "evaluate",
    description: "Logs verdicts.",
    optionsSchema: Plugin.noOptions,
    layer: () =>
      Decorator.wrap(Stages.Evaluator, (inner) => ({
        ...inner,
        evaluate: (b, expected, answer) =>
          Effect.tap(inner.evaluate(b, expected, answer), (v) => Effect.sync(() => logged.push(`${b.id} ${v.outcome}`)))
      }))
  })
  const decorate = StageDecoratorContract.decorating(audit)
  for (const c of StageDecoratorContract.keeps(EvaluatorContract.cases, decorate)) {
    it.effect(c.name, () => c.run(Evaluator.layerDeterministic()))
  }
  it("logged every verdict", () => {
    assert.isAbove(logged.length, 0)
  })
})
