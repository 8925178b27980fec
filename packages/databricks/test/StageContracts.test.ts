import { describe, it } from "@effect/vitest"
import { Stages } from "@genie-enhancer/core"
import { AskerContract, ExecutorContract } from "@genie-enhancer/core/testing"
import { Effect, Layer } from "effect"
import { adapterFor, settings, startEmulator } from "./support.js"

// The Databricks adapter's Asker and Executor run the kits every workspace target runs, against the emulator (live
// clock, short polls: the emulator answers at once).
const fast = {
  ...settings,
  safety: {
    ...settings.safety,
    genie: { ...settings.safety.genie, pollIntervalSeconds: 0.05, maxPollIntervalSeconds: 0.1 }
  }
}

const withAdapter = <A>(
  f: (layers: {
    asker: Layer.Layer<Stages.Asker>
    executor: Layer.Layer<Stages.Executor>
    spaceId: string
  }) => Effect.Effect<A, Error>
) =>
  Effect.scoped(
    Effect.gen(function* () {
      const emulator = yield* startEmulator()
      const adapter = yield* adapterFor(emulator, { settings: fast })
      return yield* f({
        asker: Layer.succeed(Stages.Asker, adapter.asker),
        executor: Layer.succeed(Stages.Executor, adapter.executor),
        spaceId: emulator.spaceIds[0]
      })
    })
  )

describe("AskerContract: GenieAsker against the emulator", () => {
  for (const c of AskerContract.cases) {
    it.live(
      c.name,
      () =>
        withAdapter(({ asker, spaceId }) =>
          c.run(asker, { spaceId, question: "Total sales by region?", unknownSpaceId: "0".repeat(32) })
        ),
      60_000
    )
  }
})

describe("ExecutorContract: StatementExecutor against the emulator", () => {
  for (const c of ExecutorContract.cases) {
    it.live(c.name, () => withAdapter(({ executor }) => c.run(executor)), 60_000)
  }
})
