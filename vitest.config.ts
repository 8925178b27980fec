import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    projects: ["packages/*"],
    // Shuffle test files in CI to flush out state shared between files. Tests inside a file keep their order: some
    // CLI files run one command and assert on its output in the tests that follow.
    sequence: { shuffle: { files: process.env.CI === "true", tests: false } }
  }
})
