/**
 * @genie-enhancer/cli — the `genie-enhancer` command line. Commands live in `src/commands/<topic>/<name>.ts`;
 * this entry exposes the pieces a plugin author needs to write commands that behave like the built-in ones.
 */
export { BaseCommand, TaggedFailure } from "./BaseCommand.js"
export { ExitCode, forTag as exitCodeForTag } from "./ExitCode.js"
export { builtinConfigDir, examplesDir } from "./Locations.js"
export { registry } from "./Plugins.js"
export { emulatorAdapter } from "./targets/LocalTarget.js"
