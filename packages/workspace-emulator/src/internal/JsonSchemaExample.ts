/**
 * A small JSON value that fits a JSON Schema: what the emulated serving endpoint answers when a request asks for
 * `response_format: {type: "json_schema"}` and no scripted completion matches.
 */

type Schema = Record<string, unknown>
const isSchema = (u: unknown): u is Schema => typeof u === "object" && u !== null && !Array.isArray(u)

const resolve = (root: unknown, ref: string): unknown =>
  ref
    .replace(/^#\/?/, "")
    .split("/")
    .filter((s) => s !== "")
    .reduce<unknown>(
      (node, key) => (isSchema(node) ? node[key.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined),
      root
    )

const stringFor = (schema: Schema): string => {
  switch (schema.format) {
    case "date":
      return "2025-01-01"
    case "date-time":
      return "2025-01-01T00:00:00Z"
    case "uri":
      return "https://example.com"
    default: {
      const min = typeof schema.minLength === "number" ? schema.minLength : 0
      return "example".padEnd(min, "x")
    }
  }
}

const numberFor = (schema: Schema, integer: boolean): number => {
  const min = typeof schema.minimum === "number" ? schema.minimum : undefined
  const exclusive = typeof schema.exclusiveMinimum === "number" ? schema.exclusiveMinimum : undefined
  const base = exclusive !== undefined ? exclusive + (integer ? 1 : 0.5) : (min ?? 0)
  return integer ? Math.ceil(base) : base
}

/** An example value for `schema`; `$ref`s resolve against `root`. */
export const example = (schema: unknown, root: unknown = schema, depth = 0): unknown => {
  if (!isSchema(schema) || depth > 32) return null
  if ("const" in schema) return schema.const
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0]
  if (typeof schema.$ref === "string") return example(resolve(root, schema.$ref), root, depth + 1)
  for (const key of ["anyOf", "oneOf", "allOf"] as const) {
    const options: unknown = schema[key]
    if (Array.isArray(options) && options.length > 0) {
      const usable: unknown =
        (options as ReadonlyArray<unknown>).find((o) => !(isSchema(o) && o.type === "null")) ?? options[0]
      return example(usable, root, depth + 1)
    }
  }
  if (schema.default !== undefined) return schema.default
  const types: ReadonlyArray<unknown> = Array.isArray(schema.type) ? schema.type : [schema.type]
  const type = types.find((t) => t !== "null") ?? types[0] ?? (isSchema(schema.properties) ? "object" : undefined)
  switch (type) {
    case "object": {
      const properties = isSchema(schema.properties) ? schema.properties : {}
      return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, example(v, root, depth + 1)]))
    }
    case "array": {
      const min = typeof schema.minItems === "number" ? schema.minItems : 0
      const max = typeof schema.maxItems === "number" ? schema.maxItems : Infinity
      const count = Math.min(Math.max(min, 1), max)
      return Array.from({ length: count }, () => example(schema.items, root, depth + 1))
    }
    case "string":
      return stringFor(schema)
    case "integer":
      return numberFor(schema, true)
    case "number":
      return numberFor(schema, false)
    case "boolean":
      return false
    default:
      return null
  }
}
