/**
 * The profile model: what a `configs/*.yaml` file may say, its JSON Schema and the built-in defaults.
 *
 * **Details**
 * `Profile` and `jsonSchema` are checked against each other by ajv's `JSONSchemaType`, so the type and the schema
 * cannot drift. `configs/profile.schema.json` is generated from `jsonSchema` (`pnpm schema:generate`) and a test
 * fails when the checked-in copy differs. Loading, `extends` and overrides live in `ProfileLoader`.
 *
 * Optional keys accept `null` (ajv's `nullable`), which clears a value inherited through `extends`; the loader
 * removes nulls after validation, so a resolved `Profile` never holds one.
 */
import type { JSONSchemaType } from "ajv"

/**
 * Circuit breaker settings for one kind of external call.
 *
 * @category models
 */
export interface CircuitSettings {
  readonly threshold: number
  readonly cooldownSeconds: number
}

/**
 * Safety settings for calls to the Genie conversation API.
 *
 * @category models
 */
export interface GenieSafety {
  readonly concurrency: number
  readonly attempts: number
  readonly timeoutSeconds: number
  readonly questionsPerMinute: number
  readonly pollIntervalSeconds: number
  readonly maxPollIntervalSeconds: number
  /** fixed: 1.5x backoff from pollIntervalSeconds to maxPollIntervalSeconds; adaptive: follows the run's observed latency. */
  readonly pollSchedule: "fixed" | "adaptive"
  readonly circuit: CircuitSettings
}

/**
 * Safety settings for SQL statements run on the warehouse.
 *
 * @category models
 */
export interface SqlSafety {
  readonly concurrency: number
  readonly attempts: number
  readonly timeoutSeconds: number
  readonly rowLimit: number
  readonly circuit: CircuitSettings
}

/**
 * Safety settings for LLM calls.
 *
 * @category models
 */
export interface LlmSafety {
  readonly concurrency: number
  readonly attempts: number
  readonly timeoutSeconds: number
  readonly circuit: CircuitSettings
}

/**
 * Where Genie questions, SQL and space reads/writes go.
 *
 * @category models
 */
export interface WorkspaceSettings {
  /** `local`, `databricks`, or a workspace-target plugin (module specifier). */
  readonly target: string
  readonly example: string
  readonly host?: string
  readonly configProfile?: string
  readonly warehouseId?: string
  readonly sqlExecutor: "statements" | "driver"
  readonly httpPath?: string
  readonly deleteConversations: boolean
}

/**
 * Which scorer plugin runs the benchmarks, and its options (validated by the plugin's own schema).
 *
 * @category models
 */
export interface ScorerSettings {
  readonly plugin: string
  readonly options: Readonly<Record<string, unknown>>
}

/**
 * Per-dependency safety policies (concurrency, retries, timeouts, rate limits, circuit breakers).
 *
 * @category models
 */
export interface SafetySettings {
  readonly genie: GenieSafety
  readonly sql: SqlSafety
  readonly llm: LlmSafety
}

/**
 * How answers are judged.
 *
 * @category models
 */
export interface EvaluateSettings {
  readonly chunkSize: number
  readonly judge: { readonly enabled: boolean }
  readonly sendRows: boolean
  readonly sampleRows: number
}

/**
 * Price of one model, in US dollars per million tokens.
 *
 * @category models
 */
export interface ModelPrice {
  readonly inputPerMillion: number
  readonly outputPerMillion: number
}

/**
 * Recording and replaying LLM calls.
 *
 * @category models
 */
export interface CassetteSettings {
  readonly mode: "off" | "record" | "replay"
  readonly dir: string
}

/**
 * The LLM used for judging, pattern learning and fixes.
 *
 * @category models
 */
export interface LlmSettings {
  /** A built-in provider id or an llm-provider plugin (module specifier). */
  readonly provider: string
  readonly model: string
  readonly baseUrl?: string
  readonly temperature?: number
  readonly maxTokens?: number
  readonly cassette: CassetteSettings
  readonly prices?: Readonly<Record<string, ModelPrice>>
}

/**
 * When a candidate configuration is accepted.
 *
 * @category models
 */
export interface GateSettings {
  readonly minImprovement: number
  readonly maxNewFailures: number
  readonly holdoutMustNotDrop: boolean
}

/**
 * The enhancement loop policy.
 *
 * @category models
 */
export interface LoopSettings {
  readonly maxIterations: number
  readonly targetScore: number
  readonly scoreSplit: "train" | "holdout" | "all"
  readonly repeats: number
  readonly indexingWaitSeconds: number
  readonly gates: GateSettings
  /** Stop after this many iterations in a row without an accepted candidate. */
  readonly plateauIterations: number
  readonly acceptance: AcceptanceSettings
  readonly budget: BudgetSettings
  /** A question asked once after an update, to check the space answers, before re-scoring. */
  readonly canaryQuestion?: string
}

/**
 * How a candidate is judged better than the current best on paired per-benchmark outcomes.
 *
 * @category models
 */
export interface AcceptanceSettings {
  readonly test: "mcnemar" | "sign"
  /** Significance level of the one-sided paired test. */
  readonly alpha: number
}

/**
 * Limits of one enhancement run; each is optional (no limit).
 *
 * @category models
 */
export interface BudgetSettings {
  readonly genieQuestions?: number
  readonly llmTokens?: number
  readonly llmCostUsd?: number
  readonly wallSeconds?: number
}

/**
 * The learn-patterns stage.
 *
 * @category models
 */
export interface LearnSettings {
  /** Pattern learner: a built-in id (`sql-grounded`) or a plugin module. */
  readonly learner: string
  readonly options: Readonly<Record<string, unknown>>
}

/**
 * The fix stage.
 *
 * @category models
 */
export interface FixSettings {
  /** Fixers in order (`rules`, `llm`, or plugin modules); later ones see what earlier ones proposed. */
  readonly fixers: ReadonlyArray<string>
  /** Also reject example SQL or snippets that contain a train benchmark's expected SQL (holdout always). */
  readonly guardTrainLeakage: boolean
  /** Language of generated text (descriptions, instructions), as a BCP 47 tag. */
  readonly language: string
  /** Fixes per plan at most. */
  readonly maxFixes: number
  /** LLM fixer limits; it stops cleanly with what it has. */
  readonly budget: { readonly maxTokens?: number; readonly maxCostUsd?: number }
}

/**
 * A plugin module to load, with its options.
 *
 * @category models
 */
export interface PluginEntry {
  readonly module: string
  readonly options?: Readonly<Record<string, unknown>>
}

/**
 * Where run journals, reports and history are written.
 *
 * @category models
 */
export interface RunsSettings {
  readonly dir: string
}

/**
 * A profile: every setting of a Genie Enhancer run except secrets.
 *
 * @category models
 */
export interface Profile {
  readonly apiVersion: 1
  readonly description?: string
  readonly extends?: string
  readonly workspace: WorkspaceSettings
  readonly scorer: ScorerSettings
  readonly safety: SafetySettings
  readonly evaluate: EvaluateSettings
  readonly llm: LlmSettings
  readonly learn: LearnSettings
  readonly fix: FixSettings
  readonly loop: LoopSettings
  readonly plugins?: ReadonlyArray<PluginEntry>
  readonly runs: RunsSettings
}

const integer = (description: string, minimum: number, maximum: number) =>
  ({ type: "integer", minimum, maximum, description }) as const

const number = (description: string, minimum: number, maximum: number) =>
  ({ type: "number", minimum, maximum, description }) as const

const circuit = (call: string): JSONSchemaType<CircuitSettings> => ({
  type: "object",
  description: `Circuit breaker for ${call}: after \`threshold\` consecutive failed calls it rejects calls for \`cooldownSeconds\`, then lets one trial call through.`,
  additionalProperties: false,
  required: ["threshold", "cooldownSeconds"],
  properties: {
    threshold: integer("Consecutive failed calls (after retries) that open the circuit.", 1, 100),
    cooldownSeconds: integer("Seconds the circuit stays open before a trial call (half-open).", 1, 3600)
  }
})

const freeObject = (description: string) =>
  ({ type: "object", description, required: [], additionalProperties: true }) as const

/**
 * The JSON Schema of a profile (draft-07, ajv 8). Source of `configs/profile.schema.json`.
 *
 * @category configuration
 */
export const jsonSchema: JSONSchemaType<Profile> = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "urn:genie-enhancer:schema:profile:1",
  title: "Genie Enhancer profile",
  description:
    "Settings for a Genie Enhancer run: workspace target, scorer, safety limits, evaluation, LLM, loop policy and plugins. Secrets are never part of a profile; they come from the environment or ~/.databrickscfg.",
  type: "object",
  additionalProperties: false,
  required: ["apiVersion", "workspace", "scorer", "safety", "evaluate", "llm", "loop", "runs"],
  properties: {
    apiVersion: { type: "integer", const: 1, description: "Profile format version. Must be 1." },
    description: { type: "string", nullable: true, description: "One line about what this profile is for." },
    extends: {
      type: "string",
      nullable: true,
      description:
        "Profile to inherit from: a built-in name (default, conservative, aggressive) or a path relative to this file. Objects are merged key by key; lists are replaced."
    },
    workspace: {
      type: "object",
      description: "Where Genie questions, SQL statements and space reads/writes go.",
      additionalProperties: false,
      required: ["target", "example", "sqlExecutor", "deleteConversations"],
      properties: {
        target: {
          type: "string",
          minLength: 1,
          description:
            "local: an embedded workspace emulator serving a bundled example (no credentials needed). databricks: a real workspace. Or a workspace-target plugin: a package name or a path relative to this file. Left at the built-in default, a configured Databricks workspace (DATABRICKS_HOST, ~/.databrickscfg) wins over local."
        },
        example: {
          type: "string",
          minLength: 1,
          description: "Bundled example the local emulator serves (target local only)."
        },
        host: {
          type: "string",
          nullable: true,
          format: "uri",
          description:
            "Workspace URL, e.g. https://adb-123.4.azuredatabricks.net. Not a secret. When unset: DATABRICKS_HOST, then ~/.databrickscfg."
        },
        configProfile: {
          type: "string",
          nullable: true,
          minLength: 1,
          description: "Section of ~/.databrickscfg to read host and credentials from (e.g. DEFAULT)."
        },
        warehouseId: {
          type: "string",
          nullable: true,
          minLength: 1,
          description: "SQL warehouse that runs the expected SQL. When unset, the space's own warehouse is used."
        },
        sqlExecutor: {
          type: "string",
          enum: ["statements", "driver"],
          description: "statements: the SQL Statement Execution REST API. driver: @databricks/sql over Thrift."
        },
        httpPath: {
          type: "string",
          nullable: true,
          minLength: 1,
          description:
            "Warehouse HTTP path for the driver executor (/sql/1.0/warehouses/<id>). Derived from warehouseId when unset."
        },
        deleteConversations: {
          type: "boolean",
          description: "Delete the Genie conversations a run created once their answers are recorded."
        }
      }
    },
    scorer: {
      type: "object",
      description: "The scorer plugin that asks Genie every benchmark question and judges the answers.",
      additionalProperties: false,
      required: ["plugin", "options"],
      properties: {
        plugin: {
          type: "string",
          minLength: 1,
          description:
            "Built-in scorer id (batch, sequential) or a module specifier (package name, or a path relative to this file)."
        },
        options: freeObject("Options for the scorer plugin; validated against the plugin's own options schema.")
      }
    },
    safety: {
      type: "object",
      description: "Limits for every external call: concurrency, attempts, timeouts, rate limits, circuit breakers.",
      additionalProperties: false,
      required: ["genie", "sql", "llm"],
      properties: {
        genie: {
          type: "object",
          description: "Genie conversation API calls (one call = ask a question and poll for its answer).",
          additionalProperties: false,
          required: [
            "concurrency",
            "attempts",
            "timeoutSeconds",
            "questionsPerMinute",
            "pollIntervalSeconds",
            "maxPollIntervalSeconds",
            "pollSchedule",
            "circuit"
          ],
          properties: {
            concurrency: integer("Questions in flight at once.", 1, 64),
            attempts: integer(
              "Total attempts per question (1 = no retry). A timed-out message is polled again, not re-asked.",
              1,
              10
            ),
            timeoutSeconds: integer("Seconds to wait for one answer before the attempt times out.", 1, 3600),
            questionsPerMinute: integer(
              "Questions started per minute across the run (token bucket). Genie's API answers 429 above its limit.",
              1,
              1000
            ),
            pollIntervalSeconds: number("First wait between polls of a pending message, in seconds.", 0.1, 60),
            maxPollIntervalSeconds: number(
              "Longest wait between polls, in seconds (the interval backs off).",
              0.1,
              600
            ),
            pollSchedule: {
              type: "string",
              enum: ["fixed", "adaptive"],
              description:
                "fixed: back off x1.5 from pollIntervalSeconds to maxPollIntervalSeconds. adaptive: poll densely around the answer time observed so far in the run, with a cap on polls per question."
            },
            circuit: circuit("Genie")
          }
        },
        sql: {
          type: "object",
          description: "SQL statements on the warehouse (expected SQL and Genie's SQL).",
          additionalProperties: false,
          required: ["concurrency", "attempts", "timeoutSeconds", "rowLimit", "circuit"],
          properties: {
            concurrency: integer("Statements in flight at once.", 1, 100),
            attempts: integer("Total attempts per statement (1 = no retry).", 1, 10),
            timeoutSeconds: integer("Seconds one statement may run before it is cancelled.", 1, 3600),
            rowLimit: integer("Rows fetched per result; larger results are truncated and marked so.", 1, 1000000),
            circuit: circuit("the SQL warehouse")
          }
        },
        llm: {
          type: "object",
          description: "LLM calls (judge, pattern learning, fixes).",
          additionalProperties: false,
          required: ["concurrency", "attempts", "timeoutSeconds", "circuit"],
          properties: {
            concurrency: integer("LLM requests in flight at once.", 1, 64),
            attempts: integer("Total attempts per request (1 = no retry).", 1, 10),
            timeoutSeconds: integer("Seconds one request may take.", 1, 3600),
            circuit: circuit("the LLM provider")
          }
        }
      }
    },
    evaluate: {
      type: "object",
      description: "How Genie's answers are compared with the expected results.",
      additionalProperties: false,
      required: ["chunkSize", "judge", "sendRows", "sampleRows"],
      properties: {
        chunkSize: integer("Inconclusive results sent to the LLM judge per request.", 1, 100),
        judge: {
          type: "object",
          description: "The LLM judge for results the deterministic comparator cannot decide.",
          additionalProperties: false,
          required: ["enabled"],
          properties: {
            enabled: {
              type: "boolean",
              description:
                "Ask the LLM judge about inconclusive results. When false they stay inconclusive (never counted as a pass)."
            }
          }
        },
        sendRows: {
          type: "boolean",
          description: "Include result rows in LLM prompts. Turn off when result data must not leave the workspace."
        },
        sampleRows: integer("Rows per result set included in LLM prompts when sendRows is true.", 0, 1000)
      }
    },
    llm: {
      type: "object",
      description: "The LLM used for judging, pattern learning and fixes. API keys come from the environment.",
      additionalProperties: false,
      required: ["provider", "model", "cassette"],
      properties: {
        provider: {
          type: "string",
          minLength: 1,
          description:
            "databricks (a model-serving endpoint of the workspace), openai, anthropic, openai-compatible (needs baseUrl), scripted (canned answers for tests), or an llm-provider plugin: a package name or a path relative to this file."
        },
        model: {
          type: "string",
          minLength: 1,
          description: "Model name, or the serving endpoint name for provider databricks."
        },
        baseUrl: {
          type: "string",
          nullable: true,
          format: "uri",
          description: "API base URL (required for openai-compatible; overrides the provider's default)."
        },
        temperature: {
          type: "number",
          nullable: true,
          minimum: 0,
          maximum: 2,
          description: "Sampling temperature. When unset the provider's default applies."
        },
        maxTokens: {
          type: "integer",
          nullable: true,
          minimum: 1,
          maximum: 200000,
          description: "Maximum output tokens per request."
        },
        cassette: {
          type: "object",
          description: "Record LLM calls to files, or replay them instead of calling the provider.",
          additionalProperties: false,
          required: ["mode", "dir"],
          properties: {
            mode: {
              type: "string",
              enum: ["off", "record", "replay"],
              description: "off: call the provider. record: call it and save each exchange. replay: answer from files."
            },
            dir: { type: "string", minLength: 1, description: "Directory of cassette files." }
          }
        },
        prices: {
          type: "object",
          nullable: true,
          description: "Token prices per model, used to report run cost. Keys are model names.",
          required: [],
          additionalProperties: {
            type: "object",
            description: "Price of one model in US dollars.",
            additionalProperties: false,
            required: ["inputPerMillion", "outputPerMillion"],
            properties: {
              inputPerMillion: number("US dollars per million input tokens.", 0, 10000),
              outputPerMillion: number("US dollars per million output tokens.", 0, 10000)
            }
          }
        }
      }
    },
    learn: {
      type: "object",
      description: "The learn-patterns stage: what is mined from the train benchmarks.",
      additionalProperties: false,
      required: ["learner", "options"],
      properties: {
        learner: {
          type: "string",
          minLength: 1,
          description: "Pattern learner: a built-in id (sql-grounded) or a plugin module."
        },
        options: freeObject("Options, validated by the learner's own options schema.")
      }
    },
    fix: {
      type: "object",
      description: "The fix stage: which fixers propose configuration changes, and their limits.",
      additionalProperties: false,
      required: ["fixers", "guardTrainLeakage", "language", "maxFixes", "budget"],
      properties: {
        fixers: {
          type: "array",
          minItems: 1,
          items: { type: "string", minLength: 1, description: "A built-in fixer id (rules, llm) or a plugin module." },
          description: "Fixers in order; each later fixer sees what the earlier ones proposed."
        },
        guardTrainLeakage: {
          type: "boolean",
          description:
            "Reject example SQL or snippets equal to or containing a train benchmark's expected SQL (holdout benchmarks are always guarded)."
        },
        language: {
          type: "string",
          minLength: 2,
          description: "Language of generated text (descriptions, instructions), e.g. en or ko."
        },
        maxFixes: integer("Fixes per plan at most.", 1, 1000),
        budget: {
          type: "object",
          description: "Limits for the LLM fixer; it stops cleanly with the fixes it has.",
          additionalProperties: false,
          required: [],
          properties: {
            maxTokens: {
              type: "integer",
              nullable: true,
              minimum: 1,
              maximum: 100000000,
              description: "Tokens (input + output) at most."
            },
            maxCostUsd: {
              type: "number",
              nullable: true,
              minimum: 0,
              maximum: 100000,
              description: "US dollars at most (needs llm.prices)."
            }
          }
        }
      }
    },
    loop: {
      type: "object",
      description: "The score → fix → re-score loop.",
      additionalProperties: false,
      required: [
        "maxIterations",
        "targetScore",
        "scoreSplit",
        "repeats",
        "indexingWaitSeconds",
        "gates",
        "plateauIterations",
        "acceptance",
        "budget"
      ],
      properties: {
        maxIterations: integer("Enhancement iterations at most.", 1, 50),
        targetScore: number("Stop once the score on scoreSplit reaches this fraction (0-1).", 0, 1),
        scoreSplit: {
          type: "string",
          enum: ["train", "holdout", "all"],
          description: "Benchmarks whose score is compared with targetScore."
        },
        repeats: integer("Times each benchmark is asked per scoring; more repeats smooth out Genie's variance.", 1, 10),
        indexingWaitSeconds: integer(
          "Longest wait, in seconds, for an updated space to serve its new configuration before re-scoring (it is polled, not slept).",
          0,
          3600
        ),
        plateauIterations: integer("Stop after this many iterations in a row without an accepted candidate.", 1, 50),
        acceptance: {
          type: "object",
          description: "How a candidate is judged better than the best so far, on paired per-benchmark outcomes.",
          additionalProperties: false,
          required: ["test", "alpha"],
          properties: {
            test: {
              type: "string",
              enum: ["mcnemar", "sign"],
              description: "Paired test over benchmarks that changed outcome (exact one-sided)."
            },
            alpha: number("Significance level of the one-sided paired test.", 0.0001, 0.5)
          }
        },
        budget: {
          type: "object",
          description: "Limits of one enhancement run; the loop stops when one is reached.",
          additionalProperties: false,
          required: [],
          properties: {
            genieQuestions: {
              type: "integer",
              nullable: true,
              minimum: 1,
              maximum: 10000000,
              description: "Genie questions at most."
            },
            llmTokens: {
              type: "integer",
              nullable: true,
              minimum: 1,
              maximum: 1000000000,
              description: "LLM tokens at most."
            },
            llmCostUsd: {
              type: "number",
              nullable: true,
              minimum: 0,
              maximum: 100000,
              description: "LLM US dollars at most."
            },
            wallSeconds: {
              type: "integer",
              nullable: true,
              minimum: 1,
              maximum: 604800,
              description: "Wall-clock seconds at most."
            }
          }
        },
        canaryQuestion: {
          type: "string",
          nullable: true,
          minLength: 1,
          description: "Asked once after each update, before re-scoring, to check the space answers."
        },
        gates: {
          type: "object",
          description: "Conditions a candidate configuration must meet to be accepted.",
          additionalProperties: false,
          required: ["minImprovement", "maxNewFailures", "holdoutMustNotDrop"],
          properties: {
            minImprovement: number("Smallest score gain (fraction 0-1) that accepts a candidate.", 0, 1),
            maxNewFailures: integer("Benchmarks that passed before and fail now, at most.", 0, 100000),
            holdoutMustNotDrop: {
              type: "boolean",
              description: "Reject a candidate whose holdout score is lower than the current one."
            }
          }
        }
      }
    },
    plugins: {
      type: "array",
      nullable: true,
      description: "Extra plugin modules to load (LLM providers, stage decorators, workspace targets).",
      items: {
        type: "object",
        description: "One plugin module and its options.",
        additionalProperties: false,
        required: ["module"],
        properties: {
          module: {
            type: "string",
            minLength: 1,
            description: "Package name, or a path relative to this file, whose default export is a plugin."
          },
          options: { ...freeObject("Options, validated against the plugin's own options schema."), nullable: true }
        }
      }
    },
    runs: {
      type: "object",
      description: "Where runs are recorded.",
      additionalProperties: false,
      required: ["dir"],
      properties: {
        dir: {
          type: "string",
          minLength: 1,
          description: "Directory for run journals, reports and history, relative to the working directory."
        }
      }
    }
  }
}

/**
 * The built-in defaults: exactly what `configs/default.yaml` resolves to (a test keeps them equal).
 *
 * **Details**
 * Numbers come from the original tool (the "seed") where it had one; see the comments in `configs/default.yaml`.
 *
 * @category configuration
 */
export const defaults: Profile = {
  apiVersion: 1,
  description: "Balanced settings: the original tool's batch scorer numbers, against the bundled retail example.",
  workspace: {
    target: "local",
    example: "retail",
    sqlExecutor: "statements",
    deleteConversations: true
  },
  scorer: { plugin: "batch", options: {} },
  safety: {
    genie: {
      concurrency: 3,
      attempts: 2,
      timeoutSeconds: 120,
      questionsPerMinute: 20,
      pollIntervalSeconds: 1,
      maxPollIntervalSeconds: 10,
      pollSchedule: "adaptive",
      circuit: { threshold: 5, cooldownSeconds: 60 }
    },
    sql: {
      concurrency: 10,
      attempts: 2,
      timeoutSeconds: 60,
      rowLimit: 10000,
      circuit: { threshold: 5, cooldownSeconds: 60 }
    },
    llm: { concurrency: 4, attempts: 3, timeoutSeconds: 120, circuit: { threshold: 5, cooldownSeconds: 60 } }
  },
  evaluate: { chunkSize: 10, judge: { enabled: true }, sendRows: true, sampleRows: 20 },
  llm: {
    provider: "databricks",
    model: "databricks-claude-sonnet-4",
    temperature: 0.1,
    maxTokens: 4000,
    cassette: { mode: "off", dir: ".genie-enhancer/cassettes" }
  },
  learn: { learner: "sql-grounded", options: {} },
  fix: { fixers: ["rules"], guardTrainLeakage: true, language: "en", maxFixes: 50, budget: {} },
  loop: {
    maxIterations: 3,
    targetScore: 0.9,
    scoreSplit: "train",
    repeats: 1,
    indexingWaitSeconds: 60,
    gates: { minImprovement: 0, maxNewFailures: 0, holdoutMustNotDrop: true },
    plateauIterations: 2,
    acceptance: { test: "mcnemar", alpha: 0.1 },
    budget: {}
  },
  plugins: [],
  runs: { dir: ".genie-enhancer" }
}
