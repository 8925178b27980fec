import { assert, describe, it } from "@effect/vitest"
import { Ajv } from "ajv"
import addFormats from "ajv-formats"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"
import * as Profile from "../src/config/Profile.js"

const configs = (name: string) => fileURLToPath(new URL(`../../../configs/${name}`, import.meta.url))

const compile = () => {
  const ajv = new Ajv({ allErrors: true, strict: true })
  addFormats.default(ajv)
  return ajv.compile(Profile.jsonSchema)
}

interface Node {
  readonly type?: string
  readonly description?: string
  readonly minimum?: number
  readonly maximum?: number
  readonly properties?: Record<string, Node>
  readonly additionalProperties?: boolean | Node
  readonly items?: Node
}

/** Every schema node under `properties`/`items`/`additionalProperties`, with its path. */
const nodes = (node: Node, at = "$"): Array<[string, Node]> => [
  [at, node],
  ...Object.entries(node.properties ?? {}).flatMap(([k, child]) => nodes(child, `${at}.${k}`)),
  ...(node.items ? nodes(node.items, `${at}[]`) : []),
  ...(typeof node.additionalProperties === "object" ? nodes(node.additionalProperties, `${at}.*`) : [])
]

describe("Profile", () => {
  it("compiles in ajv strict mode and accepts the defaults", () => {
    const validate = compile()
    assert.isTrue(validate(Profile.defaults), JSON.stringify(validate.errors))
  })

  it("rejects unknown keys at every level and requires apiVersion 1", () => {
    const validate = compile()
    assert.isFalse(validate({ ...Profile.defaults, extra: 1 }))
    assert.isFalse(validate({ ...Profile.defaults, apiVersion: 2 }))
    const { apiVersion: _apiVersion, ...noVersion } = Profile.defaults
    assert.isFalse(validate(noVersion))
    const deep = {
      ...Profile.defaults,
      safety: { ...Profile.defaults.safety, sql: { ...Profile.defaults.safety.sql, x: 1 } }
    }
    assert.isFalse(validate(deep))
  })

  it("describes every key, bounds every number and closes every object except free options", () => {
    const free = new Set(["$.scorer.options", "$.learn.options", "$.plugins[].options"])
    for (const [path, node] of nodes(Profile.jsonSchema as unknown as Node)) {
      assert.isString(node.description, `${path} has no description`)
      assert.isAbove(node.description!.length, 10, `${path} description too short`)
      if (node.type === "integer" || node.type === "number") {
        if (path === "$.apiVersion") continue
        assert.isNumber(node.minimum, `${path} has no minimum`)
        assert.isNumber(node.maximum, `${path} has no maximum`)
      }
      if (node.type === "object" && !free.has(path) && path !== "$.llm.prices") {
        assert.strictEqual(node.additionalProperties, false, `${path} allows additional properties`)
      }
    }
  })

  it("carries $schema, $id and title for editors", () => {
    assert.strictEqual(Profile.jsonSchema["$schema"], "http://json-schema.org/draft-07/schema#")
    assert.isString(Profile.jsonSchema["$id"])
    assert.isString(Profile.jsonSchema["title"])
  })

  it("configs/profile.schema.json is the generated copy of jsonSchema (run pnpm schema:generate)", () => {
    const checkedIn: unknown = JSON.parse(readFileSync(configs("profile.schema.json"), "utf8"))
    assert.deepStrictEqual(checkedIn, JSON.parse(JSON.stringify(Profile.jsonSchema)))
    assert.strictEqual(
      readFileSync(configs("profile.schema.json"), "utf8"),
      JSON.stringify(Profile.jsonSchema, null, 2) + "\n"
    )
  })

  it("defaults equal configs/default.yaml, which spells out every key", () => {
    const { extends: _extends, ...fromYaml } = parse(readFileSync(configs("default.yaml"), "utf8")) as Record<
      string,
      unknown
    >
    assert.deepStrictEqual<unknown>(fromYaml, Profile.defaults)
  })

  it("the built-in profiles point editors at the schema", () => {
    for (const name of ["default.yaml", "conservative.yaml", "aggressive.yaml"]) {
      const first = readFileSync(configs(name), "utf8").split("\n")[0]
      assert.strictEqual(first, "# yaml-language-server: $schema=./profile.schema.json", name)
    }
  })
})
