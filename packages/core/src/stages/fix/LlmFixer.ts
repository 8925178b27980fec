/**
 * The `llm` fixer: asks a language model for typed fixes where SQL evidence alone cannot decide: text instructions
 * (business rules, calendars, conventions), descriptions, naming, and judgement calls on deletes.
 *
 * **Details**
 * Two steps, as the original tool intended: every call's system prompt (`fix/context`) carries what was learnt
 * from all train benchmarks (the `PatternBook`, so the model does not re-derive it), the space, the warehouse
 * columns of its tables and what earlier fixers proposed; the user prompt (one per group of categories:
 * `fix/metadata`, `fix/sql-objects`, `fix/instruction`, `fix/examples`) carries the failures to fix. Output is
 * structured (the provider's native JSON schema / tool use) with each category's `Changes` schema; an answer
 * that does not decode gets the provider's one repair turn, then the fixes that do decode are salvaged and the rest
 * reported as `InvalidOutput` — never fatal. A `fix.budget` (tokens or dollars) stops it cleanly with what it has
 * (`Budget`). Its fixes go through plan validation like any other fixer's.
 */
import type { FileSystem } from "@effect/platform"
import { Path } from "@effect/platform"
import { Effect, Either, JSONSchema, Layer, ParseResult, Ref, Schema } from "effect"
import type { Profile } from "../../config/Profile.js"
import * as PromptTemplate from "../../llm/PromptTemplate.js"
import { ConfigInvalid } from "../../model/Errors.js"
import type { ProviderError } from "../../model/Errors.js"
import * as Issue from "../../model/Issue.js"
import * as SpaceId from "../../model/SpaceId.js"
import { definePlugin } from "../../plugins/Plugin.js"
import type * as Plugin from "../../plugins/Plugin.js"
import * as Safety from "../../safety/Safety.js"
import { Executor } from "../execute/Executor.js"
import * as Catalog from "../learn-patterns/Catalog.js"
import { LanguageModel } from "../../llm/LanguageModel.js"
import type { Usage } from "../../llm/LanguageModel.js"
import { StageFailed } from "../StageFailed.js"
import * as Changes from "./Changes.js"
import type { FixCategory, FixInput } from "./Fixer.js"
import { Fix, FixCategory as FixCategorySchema, Fixer, FixRisk, Plan, RejectedFix } from "./Fixer.js"
import * as LlmFixPrompt from "./LlmFixPrompt.js"

/** Options of the LLM fixer; the plugin reads them from the profile. @category configuration */
export interface Options {
  /** Language of generated text (`fix.language`), a BCP 47 tag. */
  readonly language: string
  /** Fixes per plan at most (`fix.maxFixes`), counting what earlier fixers proposed. */
  readonly maxFixes: number
  /** `fix.budget`: tokens (input + output) and US dollars at most, over one `propose`. */
  readonly budget: { readonly maxTokens?: number; readonly maxCostUsd?: number }
  /** `evaluate.sendRows`: with `false` no result value appears in any prompt. */
  readonly sendRows: boolean
  /** Rows per result set in a prompt when rows may be sent (`evaluate.sampleRows`, at most 5 used). */
  readonly sampleRows: number
  /** The categories to ask for (default: all nine). */
  readonly categories: ReadonlyArray<FixCategory>
  /** Failures per call; more are split over several calls. */
  readonly maxFailuresPerCall: number
  /** Patterns in the context at most, those explaining most failures first. */
  readonly maxPatterns: number
  readonly temperature?: number
  /** Output tokens per call (the provider's `maxTokens`); also what the budget reserves for each answer. */
  readonly maxOutputTokens?: number
}

/** @category configuration */
export const defaultOptions: Options = {
  language: "en",
  maxFixes: 50,
  budget: {},
  sendRows: true,
  sampleRows: 5,
  categories: FixCategorySchema.literals,
  maxFailuresPerCall: 25,
  maxPatterns: 200
}

/** A prompt of step 2 and the categories it asks for. @category models */
export interface Group {
  readonly name: "metadata" | "sql-objects" | "instruction" | "examples"
  readonly categories: ReadonlyArray<FixCategory>
}

/**
 * The four step-2 prompts, in lever order (the most general first). Grouped rather than one per category: the
 * context is most of each request, so four calls cost less than half of nine (see `prompts/README.md`).
 *
 * @category models
 */
export const groups: ReadonlyArray<Group> = [
  { name: "metadata", categories: ["metadata-add", "metadata-delete"] },
  {
    name: "sql-objects",
    categories: ["join-spec-add", "join-spec-delete", "sql-snippet-add", "sql-snippet-delete"]
  },
  { name: "instruction", categories: ["instruction-fix"] },
  { name: "examples", categories: ["example-query-add", "example-query-delete"] }
]

/** The prompt files, relative to the prompts directory. @category configuration */
export const promptFiles = {
  context: "fix/context.v1.md",
  metadata: "fix/metadata.v1.md",
  "sql-objects": "fix/sql-objects.v1.md",
  instruction: "fix/instruction.v1.md",
  examples: "fix/examples.v1.md"
} as const

/** The parsed templates. @category models */
export type Prompts = { readonly [K in keyof typeof promptFiles]: PromptTemplate.PromptTemplate }

/**
 * Loads the five templates from a prompts directory.
 *
 * @category constructors
 */
export const loadPrompts = Effect.fn("LlmFixer.loadPrompts")(function* (dir: string) {
  const path = yield* Path.Path
  const entries = yield* Effect.forEach(Object.entries(promptFiles), ([key, file]) =>
    Effect.map(PromptTemplate.load(path.join(dir, file)), (template) => [key, template] as const)
  )
  return Object.fromEntries(entries) as unknown as Prompts
})

// --- structured output -------------------------------------------------------------------------------------------

/** One fix as the model writes it. @category models */
export interface Proposal {
  readonly category: FixCategory
  readonly target: string
  readonly change: unknown
  readonly rationale: string
  readonly sourceBenchmarkIds: ReadonlyArray<string>
  readonly targetsFailures: ReadonlyArray<string>
  readonly risk: FixRisk
}

const proposalOf = (category: FixCategory) =>
  Schema.Struct({
    category: Schema.Literal(category),
    target: Schema.String,
    change: Changes.schemas[category] as Schema.Schema<unknown, unknown>,
    rationale: Schema.String,
    sourceBenchmarkIds: Schema.Array(Schema.String),
    targetsFailures: Schema.Array(Schema.String),
    risk: FixRisk
  }) as unknown as Schema.Schema<Proposal, unknown>

/** The item schema of a group: a union of its categories' proposals. */
const itemOf = (categories: ReadonlyArray<FixCategory>): Schema.Schema<Proposal, unknown> =>
  categories.length === 1 ? proposalOf(categories[0]) : Schema.Union(...categories.map(proposalOf))

/**
 * The output schema of a group's call: `{ fixes: [...] }`, each fix typed by its category's `Changes` schema.
 *
 * @category models
 */
export const outputSchema = (
  categories: ReadonlyArray<FixCategory>
): Schema.Schema<{ readonly fixes: ReadonlyArray<Proposal> }, unknown> =>
  Schema.Struct({ fixes: Schema.Array(itemOf(categories)) }) as unknown as Schema.Schema<
    { readonly fixes: ReadonlyArray<Proposal> },
    unknown
  >

/** The JSON Schema sent for a group (what providers derive from {@link outputSchema}). @category models */
export const jsonSchema = (categories: ReadonlyArray<FixCategory>) => JSONSchema.make(outputSchema(categories))

const unfence = (text: string): string => /^```[a-zA-Z]*\s*\n([\s\S]*?)\n?```$/.exec(text.trim())?.[1] ?? text

const parseJson = (text: string): unknown =>
  Either.getOrUndefined(Either.try(() => JSON.parse(unfence(text)) as unknown))

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** The items of an answer that failed to decode as a whole, each decoded on its own. */
const salvage = (raw: string | undefined, categories: ReadonlyArray<FixCategory>) => {
  const parsed = raw === undefined ? undefined : parseJson(raw)
  const root = isRecord(parsed) && isRecord(parsed["value"]) ? parsed["value"] : parsed
  const list = isRecord(root) ? root["fixes"] : Array.isArray(root) ? root : undefined
  if (!Array.isArray(list)) return undefined
  const decode = Schema.decodeUnknownEither(itemOf(categories))
  return list.map((item: unknown) =>
    Either.mapLeft(decode(item), (error) => ({ item, message: ParseResult.TreeFormatter.formatErrorSync(error) }))
  )
}

// --- budget ------------------------------------------------------------------------------------------------------

/** Tokens of a text, erring high: a token per non-ASCII character (Korean, CJK), four ASCII characters per token. */
export const estimateTokens = (text: string): number => {
  let ascii = 0
  let other = 0
  for (const ch of text) {
    if (ch.charCodeAt(0) < 128) ascii++
    else other++
  }
  return Math.ceil(ascii / 4) + other
}

interface Spent {
  readonly calls: number
  readonly tokens: number
  readonly costUsd: number
  readonly outputTokens: number
}

const noneSpent: Spent = { calls: 0, tokens: 0, costUsd: 0, outputTokens: 0 }

/** Why the next call would go over the budget, or `undefined`. */
const overBudget = (budget: Options["budget"], spent: Spent, nextInputTokens: number, reserve: number) => {
  if (budget.maxTokens !== undefined && spent.tokens + nextInputTokens + reserve > budget.maxTokens)
    return `fix.budget.maxTokens (${budget.maxTokens}) would be exceeded: ${spent.tokens} tokens spent in ${spent.calls} call(s), the next needs about ${nextInputTokens + reserve}`
  if (budget.maxCostUsd !== undefined) {
    const perCall = spent.calls === 0 ? 0 : spent.costUsd / spent.calls
    if (spent.costUsd >= budget.maxCostUsd || spent.costUsd + perCall > budget.maxCostUsd)
      return `fix.budget.maxCostUsd ($${budget.maxCostUsd}) would be exceeded: $${spent.costUsd.toFixed(4)} spent in ${spent.calls} call(s)`
  }
  return undefined
}

// --- the fixer ---------------------------------------------------------------------------------------------------

/** Canonical JSON (sorted keys): the same change spelled in another key order has the same id. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown) =>
    isRecord(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v
  )

/**
 * A fix's id from its category and change (not the model's wording of `target`), so a change rejected once is
 * recognised when the model proposes it again.
 *
 * @category constructors
 */
export const fixId = (category: FixCategory, change: unknown): string =>
  SpaceId.fromSeed(`${category}\u0000llm\u0000${canonical(change)}`)

const note = (group: Group, label: string, code: string, reason: string, target: string) =>
  new RejectedFix({
    fix: new Fix({
      id: SpaceId.fromSeed(`llm-note\u0000${label}\u0000${code}\u0000${target}`),
      category: group.categories[0],
      target,
      change: null,
      rationale: "",
      sourceBenchmarkIds: [],
      origin: "llm"
    }),
    code,
    reason: reason.length > 600 ? `${reason.slice(0, 600)}…` : reason
  })

const chunks = <A>(items: ReadonlyArray<A>, size: number): ReadonlyArray<ReadonlyArray<A>> => {
  if (items.length === 0) return [[]]
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/**
 * Builds the fixer from options and loaded prompts; needs a `LanguageModel` (the safety layer applied by whoever
 * provides it) and an `Executor` (the columns of the space's tables, so the model sees what exists).
 *
 * @category constructors
 */
export const make = Effect.fn("LlmFixer.make")(function* (options: Partial<Options>, prompts: Prompts) {
  const model = yield* LanguageModel
  const executor = yield* Executor
  const opts: Options = { ...defaultOptions, ...options }
  const egress: LlmFixPrompt.Egress = { sendRows: opts.sendRows, sampleRows: Math.min(opts.sampleRows, 5) }

  const propose = (input: FixInput) =>
    Effect.gen(function* () {
      const earlier = input.proposed ?? []
      const room = opts.maxFixes - earlier.length
      const wanted = groups
        .map((g) => ({ ...g, categories: g.categories.filter((c) => opts.categories.includes(c)) }))
        .filter((g) => g.categories.length > 0)
      if (room <= 0 || wanted.length === 0) return new Plan({ fixes: [], rejected: [] })

      const trainIds = new Set(input.train.map((b) => b.id))
      const failures = LlmFixPrompt.failures(input.failures, input.train, egress)
      const tables = [
        ...(input.space.data_sources?.tables ?? []),
        ...(input.space.data_sources?.metric_views ?? [])
      ].map((t) => t.identifier)
      const catalog = yield* Catalog.describe(executor, tables)
      const system = yield* PromptTemplate.render(prompts.context, {
        language: LlmFixPrompt.languageName(opts.language),
        train_count: String(input.train.length),
        space: LlmFixPrompt.space(input.space),
        catalog: LlmFixPrompt.catalog(catalog),
        patterns: LlmFixPrompt.patterns(input.patterns, egress, opts.maxPatterns),
        proposed: LlmFixPrompt.proposed(earlier)
      })
      const existingInstruction = LlmFixPrompt.instruction(input.space)
      const earlierChanges = new Set(earlier.map((f) => `${f.category}\u0000${canonical(f.change)}`))
      const exclude = input.excludeFixIds ?? new Set<string>()

      const spent = yield* Ref.make<Spent>(noneSpent)
      const fixes: Array<Fix> = []
      const rejected: Array<RejectedFix> = []
      const skipped: Array<string> = []
      let stoppedBecause: string | undefined

      const accept = (proposal: Proposal) => {
        const decoded = Changes.decode(proposal.category, proposal.change)
        if (decoded._tag === "Left") return
        let change: unknown = decoded.right.change
        if (decoded.right.category === "instruction-fix") {
          // Merge, never replace: lines the instruction already has are dropped (all of them: validation says so).
          const fresh = decoded.right.change.append.filter(
            (l) => l.trim() !== "" && !existingInstruction.includes(l.trim())
          )
          if (fresh.length > 0) change = { append: fresh.map((l) => (l.endsWith("\n") ? l : `${l}\n`)) }
        }
        const id = fixId(proposal.category, change)
        if (exclude.has(id) || fixes.some((f) => f.id === id) || earlier.some((f) => f.id === id)) return
        if (earlierChanges.has(`${proposal.category}\u0000${canonical(change)}`)) return
        fixes.push(
          new Fix({
            id,
            category: proposal.category,
            target: proposal.target,
            change,
            rationale: proposal.rationale,
            sourceBenchmarkIds: [...new Set(proposal.sourceBenchmarkIds.filter((x) => trainIds.has(x)))].sort(),
            targetsFailures: [...new Set(proposal.targetsFailures.filter((x) => trainIds.has(x)))].sort(),
            risk: proposal.category.endsWith("-delete") ? "high" : proposal.risk,
            origin: "llm"
          })
        )
      }

      for (const group of wanted) {
        const parts = chunks(failures, opts.maxFailuresPerCall)
        for (const [index, part] of parts.entries()) {
          const template = prompts[group.name]
          const label = `${PromptTemplate.label(template)}${parts.length > 1 ? ` (part ${index + 1}/${parts.length})` : ""}`
          if (stoppedBecause !== undefined) {
            skipped.push(label)
            continue
          }
          const user = yield* PromptTemplate.render(template, {
            failure_count: String(part.length),
            failures: LlmFixPrompt.failureLines(part),
            max_fixes: String(room),
            current_instruction: existingInstruction
          })
          const inputTokens = estimateTokens(system) + estimateTokens(user)
          const before = yield* Ref.get(spent)
          const reserve =
            opts.maxOutputTokens ?? (before.calls === 0 ? 0 : Math.ceil(before.outputTokens / before.calls))
          const over = overBudget(opts.budget, before, inputTokens, reserve)
          if (over !== undefined) {
            stoppedBecause = over
            skipped.push(label)
            continue
          }
          const answer = yield* model
            .completeJson(
              {
                system,
                messages: [{ role: "user", content: user }],
                stage: "fix",
                ...(opts.temperature === undefined ? {} : { temperature: opts.temperature }),
                ...(opts.maxOutputTokens === undefined ? {} : { maxTokens: opts.maxOutputTokens })
              },
              {
                name: `fix_${group.name.replace(/-/g, "_")}`,
                description: `Typed fixes of the categories ${group.categories.join(", ")}.`,
                schema: outputSchema(group.categories)
              }
            )
            .pipe(Effect.either)
          if (Either.isRight(answer)) {
            yield* Ref.update(spent, (s) => add(s, answer.right.usage))
            for (const proposal of answer.right.value.fixes) accept(proposal)
            continue
          }
          const error: ProviderError = answer.left
          if (error.reason !== "InvalidOutput") {
            return yield* new StageFailed({
              stage: "fix",
              message: `the llm fixer's call ${label} failed: ${error.message}`,
              retryable: error.retryable
            })
          }
          // Two attempts were billed but their usage is lost with the error: count an estimate.
          yield* Ref.update(spent, (s) => ({
            calls: s.calls + 2,
            tokens: s.tokens + 2 * inputTokens + estimateTokens(error.rawOutput ?? ""),
            costUsd: s.costUsd + (s.calls === 0 ? 0 : (2 * s.costUsd) / s.calls),
            outputTokens: s.outputTokens + estimateTokens(error.rawOutput ?? "")
          }))
          const items = salvage(error.rawOutput, group.categories)
          if (items === undefined) {
            rejected.push(note(group, label, "InvalidOutput", error.message, `the model's answer to ${label}`))
            continue
          }
          for (const item of items) {
            if (Either.isRight(item)) {
              accept(item.right)
              continue
            }
            const raw = isRecord(item.left.item) ? item.left.item : {}
            const category = group.categories.find((c) => c === raw["category"]) ?? group.categories[0]
            rejected.push(
              new RejectedFix({
                fix: new Fix({
                  id: SpaceId.fromSeed(`llm-invalid\u0000${canonical(item.left.item)}`),
                  category,
                  target: typeof raw["target"] === "string" ? raw["target"] : `a fix in the answer to ${label}`,
                  change: raw["change"] ?? null,
                  rationale: typeof raw["rationale"] === "string" ? raw["rationale"] : "",
                  sourceBenchmarkIds: [],
                  origin: "llm"
                }),
                code: "InvalidOutput",
                reason: `the model's fix does not match the ${category} schema: ${item.left.message}`.slice(0, 600)
              })
            )
          }
        }
      }
      const total = yield* Ref.get(spent)
      if (stoppedBecause !== undefined) {
        rejected.push(
          note(
            wanted[0],
            skipped.join(", "),
            "Budget",
            `${stoppedBecause}; stopped with the ${fixes.length} fix(es) so far, ${skipped.length} call(s) not made`,
            `LLM calls not made: ${skipped.join(", ")}`
          )
        )
        yield* Effect.logWarning(`llm fixer stopped by its budget: ${stoppedBecause}`)
      }
      yield* Effect.annotateCurrentSpan({ calls: total.calls, tokens: total.tokens, costUsd: total.costUsd })
      return new Plan({ fixes: fixes.slice(0, room), rejected })
    }).pipe(
      Effect.catchTag("PromptInputMissing", (e) =>
        Effect.fail(new StageFailed({ stage: "fix", message: e.message, retryable: false }))
      ),
      Effect.withSpan("LlmFixer.propose")
    )

  return Fixer.of({ propose })
})

const add = (s: Spent, usage: Usage): Spent => ({
  calls: s.calls + 1,
  tokens: s.tokens + (usage.cached === true ? 0 : usage.inputTokens + usage.outputTokens),
  costUsd: s.costUsd + (usage.cached === true ? 0 : (usage.costUsd ?? 0)),
  outputTokens: s.outputTokens + usage.outputTokens
})

/**
 * The fixer as a layer, with prompts already loaded.
 *
 * @category layers
 */
export const layer = (
  options: Partial<Options>,
  prompts: Prompts
): Layer.Layer<Fixer, never, LanguageModel | Executor> => Layer.effect(Fixer, make(options, prompts))

/**
 * The fixer with its prompts read from a prompts directory (`<promptsDir>/fix/*.v1.md`).
 *
 * @category layers
 */
export const layerFromPrompts = (
  options: Partial<Options> & { readonly promptsDir: string }
): Layer.Layer<Fixer, ConfigInvalid, LanguageModel | Executor | FileSystem.FileSystem | Path.Path> =>
  Layer.unwrapEffect(Effect.map(loadPrompts(options.promptsDir), (prompts) => layer(options, prompts)))

/**
 * The fixer's options from a profile: `fix.language`, `fix.maxFixes`, `fix.budget`, `evaluate.sendRows` and
 * `evaluate.sampleRows`, `llm.temperature` and `llm.maxTokens`.
 *
 * @category configuration
 */
export const optionsFromProfile = (profile: Profile): Partial<Options> => ({
  language: profile.fix.language,
  maxFixes: profile.fix.maxFixes,
  budget: {
    ...(profile.fix.budget.maxTokens == null ? {} : { maxTokens: profile.fix.budget.maxTokens }),
    ...(profile.fix.budget.maxCostUsd == null ? {} : { maxCostUsd: profile.fix.budget.maxCostUsd })
  },
  sendRows: profile.evaluate.sendRows,
  sampleRows: profile.evaluate.sampleRows,
  ...(profile.llm.temperature === undefined ? {} : { temperature: profile.llm.temperature }),
  ...(profile.llm.maxTokens === undefined ? {} : { maxOutputTokens: profile.llm.maxTokens })
})

/** Options a profile can give the plugin on top of the `fix` keys. @category configuration */
export interface PluginOptions {
  readonly categories?: ReadonlyArray<FixCategory>
  readonly maxFailuresPerCall?: number
  readonly maxPatterns?: number
  /** Prompts directory (default: the host's, `Plugin.Context.promptsDir`), relative to the profile. */
  readonly promptsDir?: string
}

/** JSON Schema of the plugin's options. @category configuration */
export const optionsSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    categories: { type: "array", items: { type: "string", enum: [...FixCategorySchema.literals] }, minItems: 1 },
    maxFailuresPerCall: { type: "integer", minimum: 1, maximum: 500 },
    maxPatterns: { type: "integer", minimum: 1, maximum: 10000 },
    promptsDir: { type: "string", minLength: 1 }
  }
} as const

/**
 * The plugin manifest (`fix.fixers: [rules, llm]`): options from the profile, prompts from the host's prompts
 * directory, and the profile's safety layer (retry, breaker, rate limit) around every call.
 *
 * @category layers
 */
export const plugin = definePlugin({
  id: "llm",
  version: "1.0.0",
  kind: "fixer",
  description:
    "Asks the profile's language model for typed fixes in all nine categories, grounded in the pattern book; every fix is validated.",
  optionsSchema,
  layer: (options: PluginOptions, context: Plugin.Context) => {
    const { promptsDir: own, ...rest } = options
    const promptsDir =
      own === undefined
        ? context.promptsDir
        : own.startsWith("/")
          ? own
          : `${context.baseDir.replace(/\/$/, "")}/${own}`
    if (promptsDir === undefined)
      return Layer.fail(
        new ConfigInvalid({
          source: context.source,
          issues: [
            Issue.error(
              "PromptsNotFound",
              "$.fix.fixers",
              "the llm fixer needs the prompts directory: run it through the CLI or set the plugin option promptsDir"
            )
          ]
        })
      )
    return layerFromPrompts({ ...optionsFromProfile(context.profile), ...rest, promptsDir }).pipe(
      Layer.provide(Safety.languageModel)
    )
  }
})
