import { packageProject } from "../../vitest.shared.js"

export default packageProject("databricks", { timeoutSeconds: 90 })
