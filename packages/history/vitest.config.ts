import { packageProject } from "../../vitest.shared.js"

export default packageProject("history", { timeoutSeconds: 90 })
