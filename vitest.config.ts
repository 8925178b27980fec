import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    projects: ["packages/*"],
    // Shuffle in CI to flush out shared registry state between tests.
    sequence: { shuffle: process.env.CI === "true" }
  }
})
