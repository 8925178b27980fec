import { defineProject } from "vitest/config"

// Vite's default server conditions, with our source condition in front (Vite replaces, not merges, the list).
const conditions = ["@genie-enhancer/source", "module", "node", "development|production"]

/**
 * One vitest project per package. Cross-package imports resolve to TypeScript sources through the
 * `@genie-enhancer/source` export condition, so tests never depend on a stale `dist`.
 */
export const packageProject = (name: string) =>
  defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions } },
    test: { name, include: ["test/**/*.test.ts"] }
  })
