/**
 * @genie-enhancer/scorer-sequential — One benchmark at a time; the fallback scorer (`--no-batch`).
 *
 * The implementation lands with issue #6; until then the package holds only its public identity.
 */

/** The id profiles use to choose this scorer (`scorer.plugin: sequential`). */
export const pluginId = "sequential"
