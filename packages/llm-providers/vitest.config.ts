import { packageProject } from "../../vitest.shared.js"

export default packageProject("llm-providers", { timeoutSeconds: 30 })
