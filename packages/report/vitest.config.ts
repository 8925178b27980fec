import { packageProject } from "../../vitest.shared.js"

export default packageProject("report", { timeoutSeconds: 90 })
