import { defineProject } from "vitest/config"

// Vite's default server conditions, with our source condition in front (Vite replaces, not merges, the list).
const conditions = ["@genie-enhancer/source", "module", "node", "development|production"]

/**
 * One vitest project per package. Cross-package imports resolve to TypeScript sources through the
 * `@genie-enhancer/source` export condition, so tests never depend on a stale `dist`.
 *
 * `timeoutSeconds` is the project's per-test limit. Time-dependent logic runs on `TestClock`, so a limit only
 * guards against hangs; projects whose tests start DuckDB, the emulator or child processes set a generous one so
 * the suite stays green on a busy 2-core machine (it was measured with two CPU-burning processes beside it).
 */
export const packageProject = (name: string, options: { readonly timeoutSeconds?: number } = {}) => {
  const timeout = (options.timeoutSeconds ?? 15) * 1000
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions } },
    test: {
      name,
      include: ["test/**/*.test.ts"],
      testTimeout: timeout,
      hookTimeout: timeout,
      // See the root config: files may run in any order in CI, tests within a file keep theirs.
      sequence: { shuffle: { files: process.env.CI === "true", tests: false } }
    }
  })
}
