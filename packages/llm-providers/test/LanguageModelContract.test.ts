import { describe, it } from "@effect/vitest"
import { LanguageModelContract } from "@genie-enhancer/core/testing"
import { Scripted } from "../src/index.js"

// The scripted provider runs the kit every provider runs (through the shared decoding and repair of Provider).
describe("LanguageModelContract: the scripted provider", () => {
  const model = Scripted.layer({
    text: "hello",
    [LanguageModelContract.okOutput]: { json: { ok: true } },
    [LanguageModelContract.badOutput]: { json: { ok: "yes" } }
  })
  for (const c of LanguageModelContract.cases) it.effect(c.name, () => c.run(model))
})
