/**
 * @genie-enhancer/databricks — The real workspace adapter: auth, Genie asker, spaces store, SQL executors and the read-only guard.
 *
 * The implementation lands with issue #5; until then the package holds only its public identity.
 */

/** The package name, for diagnostics and plugin manifests. */
export const packageName = "@genie-enhancer/databricks"
