/**
 * @genie-enhancer/scorer-batch — Streaming concurrent scorer, the default: each benchmark flows ask → execute → evaluate as soon as it can.
 *
 * The implementation lands with issue #6; until then the package holds only its public identity.
 */

/** The id profiles use to choose this scorer (`scorer.plugin: batch`). */
export const pluginId = "batch"
