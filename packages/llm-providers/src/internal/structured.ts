/**
 * Structured output helpers: the JSON Schema sent to providers (derived from the caller's Effect Schema) and the
 * decoding of what comes back.
 */
import { Effect, JSONSchema, Schema } from "effect"

type JsonObject = Record<string, unknown>

/** The JSON Schema to send, and whether the caller's value was wrapped under `value` to get an object root. */
export interface PreparedSchema {
  readonly jsonSchema: JsonObject
  readonly wrapped: boolean
  /** Every object closed and fully required: what OpenAI's `strict: true` accepts. */
  readonly strict: boolean
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Derives the JSON Schema for an Effect Schema, shaped for tools and `response_format`: no `$schema`, a top-level
 * `$ref` (Schema classes) inlined, and a non-object root (a list, a union) wrapped as `{ value: … }`, because both
 * OpenAI structured outputs and Anthropic tool input require an object root.
 */
export const prepare = <A, I>(schema: Schema.Schema<A, I>): PreparedSchema => {
  const { $schema: _, $defs, ...root } = JSONSchema.make(schema) as unknown as JsonObject
  const defs = isObject($defs) ? $defs : undefined
  const ref = typeof root["$ref"] === "string" ? root["$ref"].replace("#/$defs/", "") : undefined
  const inlined = ref !== undefined && isObject(defs?.[ref]) ? defs[ref] : root
  const withDefs = (node: JsonObject): JsonObject => (defs === undefined ? node : { ...node, $defs: defs })
  const jsonSchema =
    inlined["type"] === "object"
      ? withDefs(inlined)
      : withDefs({ type: "object", required: ["value"], properties: { value: inlined }, additionalProperties: false })
  return { jsonSchema, wrapped: inlined["type"] !== "object", strict: isStrict(jsonSchema) }
}

const isStrict = (node: unknown): boolean => {
  if (Array.isArray(node)) return node.every(isStrict)
  if (!isObject(node)) return true
  if (node["type"] === "object") {
    const required = Array.isArray(node["required"]) ? (node["required"] as ReadonlyArray<unknown>) : []
    const keys = isObject(node["properties"]) ? Object.keys(node["properties"]) : []
    if (node["additionalProperties"] !== false || !keys.every((key) => required.includes(key))) return false
  }
  return Object.values(node).every(isStrict)
}

/** Models often fence JSON in Markdown even when asked not to. */
const unfence = (text: string): string => {
  const fenced = /^```[a-zA-Z]*\s*\n([\s\S]*?)\n?```$/.exec(text.trim())
  return fenced?.[1] ?? text
}

/** Parses and decodes a reply; fails with a one-paragraph explanation fit to show the model in a repair turn. */
export const decode = <A, I>(
  text: string,
  schema: Schema.Schema<A, I>,
  prepared: PreparedSchema
): Effect.Effect<A, string> =>
  Effect.try({
    try: () => JSON.parse(unfence(text)) as unknown,
    catch: (error) => `the reply is not valid JSON (${error instanceof Error ? error.message : String(error)})`
  }).pipe(
    Effect.map((json) => (prepared.wrapped && isObject(json) && "value" in json ? json["value"] : json)),
    Effect.flatMap((json) => Schema.decodeUnknown(schema)(json, { errors: "all" })),
    Effect.mapError((error) =>
      typeof error === "string" ? error : `the JSON does not match the schema: ${error.message}`
    )
  )
