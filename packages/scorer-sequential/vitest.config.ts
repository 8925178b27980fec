import { packageProject } from "../../vitest.shared.js"

export default packageProject("scorer-sequential", { timeoutSeconds: 60 })
