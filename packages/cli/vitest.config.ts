import { mergeConfig } from "vitest/config"
import { packageProject } from "../../vitest.shared.js"

// The CLI is tested as users run it: the built binary in a child process. globalSetup builds it first.
export default mergeConfig(packageProject("cli", { timeoutSeconds: 180 }), {
  test: { globalSetup: ["test/globalSetup.ts"] }
})
