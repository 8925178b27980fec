import { packageProject } from "../../vitest.shared.js"

export default packageProject("scorer-batch", { timeoutSeconds: 60 })
