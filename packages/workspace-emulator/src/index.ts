/**
 * @genie-enhancer/workspace-emulator — A Databricks-compatible workspace on loopback, backed by DuckDB, for offline runs and tests.
 *
 * The implementation lands with issue #3; until then the package holds only its public identity.
 */

/** The package name, for diagnostics and plugin manifests. */
export const packageName = "@genie-enhancer/workspace-emulator"
