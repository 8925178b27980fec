import { packageProject } from "../../vitest.shared.js"

export default packageProject("workspace-emulator", { timeoutSeconds: 120 })
