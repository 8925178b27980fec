import { ScorerContract } from "@genie-enhancer/core/testing"
import { describe, it } from "@effect/vitest"
import * as SequentialScorer from "../src/SequentialScorer.js"

describe("SequentialScorer keeps the scorer contract", () => {
  for (const contract of ScorerContract.cases) it.effect(contract.name, () => contract.run(SequentialScorer.layer))
})
