import { mergeConfig } from "vitest/config"
import { packageProject } from "../../vitest.shared.js"
export default mergeConfig(packageProject("cli"), { test: { testTimeout: 30_000 } })
