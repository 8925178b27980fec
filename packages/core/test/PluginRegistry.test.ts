import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer } from "effect"
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Profile from "../src/config/Profile.js"
import { ConfigInvalid, PluginNotFound } from "../src/model/Errors.js"
import * as Plugin from "../src/plugins/Plugin.js"
import * as PluginRegistry from "../src/plugins/PluginRegistry.js"

const pluginsDir = fileURLToPath(new URL("fixtures/plugins/", import.meta.url))

class Greeter extends Context.Tag("test/Greeter")<Greeter, { readonly greet: (name: string) => string }>() {}

const greeter = Plugin.definePlugin({
  id: "greeter",
  version: "0.1.0",
  kind: "stage-decorator",
  description: "Greets.",
  optionsSchema: {
    type: "object",
    additionalProperties: false,
    required: ["greeting"],
    properties: { greeting: { type: "string", minLength: 1 }, shout: { type: "boolean" } }
  },
  layer: (options: { readonly greeting: string; readonly shout?: boolean }) =>
    Layer.succeed(Greeter, {
      greet: (name) => {
        const text = `${options.greeting}, ${name}`
        return options.shout === true ? text.toUpperCase() : text
      }
    })
})

const batch = Plugin.definePlugin({
  id: "batch",
  version: "0.1.0",
  kind: "scorer",
  description: "Built-in test scorer.",
  optionsSchema: Plugin.noOptions,
  layer: () => Layer.empty
})

const workspace = (id: string) =>
  Plugin.definePlugin({
    id,
    version: "0.1.0",
    kind: "workspace-target",
    description: "Test target.",
    optionsSchema: Plugin.noOptions,
    layer: () => Layer.empty
  })
const llm = Plugin.definePlugin({
  id: "databricks",
  version: "0.1.0",
  kind: "llm-provider",
  description: "Test provider sharing an id with a target.",
  optionsSchema: Plugin.noOptions,
  layer: () => Layer.empty
})

const registry = PluginRegistry.make([greeter, batch, workspace("local"), workspace("databricks"), llm])
const context: Plugin.Context = { profile: Profile.defaults, env: {}, source: "test", baseDir: pluginsDir }

const failure = <E>(exit: Exit.Exit<unknown, E>): E => {
  if (Exit.isSuccess(exit) || exit.cause._tag !== "Fail") throw new Error(`expected a failure, got ${String(exit)}`)
  return exit.cause.error
}

describe("Plugin manifests", () => {
  it("definePlugin stamps the brand and API version", () => {
    assert.strictEqual(greeter._tag, "GenieEnhancerPlugin")
    assert.strictEqual(greeter.apiVersion, 1)
    assert.isTrue(Plugin.isPlugin(greeter))
  })

  it("the brand check explains what is wrong with a lookalike", () => {
    assert.isFalse(Plugin.isPlugin({ ...greeter, _tag: "Other" }))
    assert.match(Plugin.problemWith(null) ?? "", /not an object/)
    assert.match(Plugin.problemWith({ ...greeter, apiVersion: 2 }) ?? "", /plugin API 2/)
    assert.match(Plugin.problemWith({ ...greeter, kind: "magic" }) ?? "", /kind "magic"; expected one of scorer/)
    assert.match(Plugin.problemWith({ ...greeter, layer: undefined }) ?? "", /no layer function/)
  })

  it.effect("a manifest's layer provides its service with the given options", () =>
    Effect.gen(function* () {
      const g = yield* Greeter
      assert.strictEqual(g.greet("Ada"), "HELLO, ADA")
    }).pipe(Effect.provide(greeter.layer({ greeting: "Hello", shout: true }, context)))
  )

  it("refuses two built-ins of one kind with one id; ids are per kind", () => {
    assert.throws(() => PluginRegistry.make([batch, batch]), /two built-in scorer plugins share the id "batch"/)
    assert.strictEqual(PluginRegistry.available(registry, "workspace-target").join(), "databricks,local")
    assert.strictEqual(PluginRegistry.available(registry, "llm-provider").join(), "databricks")
  })
})

describe("PluginRegistry.load", () => {
  it.effect("resolves built-in ids", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* PluginRegistry.load(registry, "batch"), batch)
    })
  )

  it.effect("an unknown id fails and lists what is available", () =>
    Effect.gen(function* () {
      const error = failure(yield* Effect.exit(PluginRegistry.load(registry, "bacth", { kind: "scorer" })))
      assert.instanceOf(error, PluginNotFound)
      assert.deepStrictEqual(error.available, ["batch"])
      assert.match(error.message, /Plugin "bacth" was not found \(no built-in plugin has this id.*Available: batch\./)
    })
  )

  it.effect("loads a module path relative to the profile's directory and brand-checks its default export", () =>
    Effect.gen(function* () {
      const plugin = yield* PluginRegistry.load(registry, "./strict-scorer.mjs", { baseDir: pluginsDir })
      assert.strictEqual(plugin.id, "strict-scorer")
      assert.strictEqual(plugin.kind, "scorer")
      const absolute = yield* PluginRegistry.load(registry, `${pluginsDir}strict-scorer.mjs`)
      assert.strictEqual(absolute.id, "strict-scorer")
    })
  )

  it.effect("explains modules that are missing, broken, not plugins or from a newer API", () =>
    Effect.gen(function* () {
      const reason = (specifier: string) =>
        Effect.map(
          Effect.exit(PluginRegistry.load(registry, specifier, { baseDir: pluginsDir })),
          (exit) => failure(exit).reason ?? ""
        )
      assert.match(yield* reason("./missing.mjs"), /cannot import file:\/\/.*missing\.mjs/)
      assert.match(yield* reason("./broken.mjs"), /plugin failed to initialise/)
      assert.match(yield* reason("./not-a-plugin.mjs"), /not a Genie Enhancer plugin/)
      assert.match(yield* reason("./future-api.mjs"), /plugin API 2/)
      assert.match(yield* reason("@nobody/no-such-plugin"), /no package of this name is installed/)
      const relative = failure(yield* Effect.exit(PluginRegistry.load(registry, "./strict-scorer.mjs")))
      assert.match(relative.reason ?? "", /needs the directory of the profile/)
    })
  )

  it.effect("a plugin of the wrong kind is refused where a scorer is needed", () =>
    Effect.gen(function* () {
      const error = failure(yield* Effect.exit(PluginRegistry.load(registry, "greeter", { kind: "scorer" })))
      assert.match(error.reason ?? "", /"greeter" is a stage-decorator plugin; a scorer plugin is needed here/)
    })
  )
})

describe("PluginRegistry.validateOptions", () => {
  const where = { source: "team.yaml", at: "$.plugins[0].options" }

  it.effect("returns valid options unchanged", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* PluginRegistry.validateOptions(greeter, { greeting: "Hi" }, where), {
        greeting: "Hi"
      })
    })
  )

  it.effect("locates every problem under the options' path in the profile", () =>
    Effect.gen(function* () {
      const error = failure(
        yield* Effect.exit(PluginRegistry.validateOptions(greeter, { greting: "Hi", shout: "yes" }, where))
      )
      assert.instanceOf(error, ConfigInvalid)
      assert.strictEqual(error.source, "team.yaml")
      const byPath = Object.fromEntries(error.issues.map((i) => [i.path, i]))
      assert.strictEqual(byPath["$.plugins[0].options.greting"]?.suggestion, "greeting")
      assert.match(byPath["$.plugins[0].options.greeting"]?.message ?? "", /missing required key "greeting"/)
      assert.match(
        byPath["$.plugins[0].options.shout"]?.message ?? "",
        /expected a boolean.*options of plugin "greeter"/
      )
    })
  )

  it.effect("reports a plugin schema that cannot be compiled as an issue, not a crash", () =>
    Effect.gen(function* () {
      const bad = { ...greeter, id: "bad-schema", optionsSchema: { type: "object", properties: { x: { type: 5 } } } }
      const error = failure(yield* Effect.exit(PluginRegistry.validateOptions(bad, {}, where)))
      assert.strictEqual(error.issues[0]?.code, "InvalidPluginSchema")
      assert.match(
        error.issues[0]?.message ?? "",
        /plugin "bad-schema" ships an options schema that cannot be compiled/
      )
    })
  )
})

describe("PluginRegistry.resolveProfile", () => {
  it.effect("resolves the scorer and the plugins list, validating each one's options", () =>
    Effect.gen(function* () {
      const resolved = yield* PluginRegistry.resolveProfile(
        registry,
        {
          ...Profile.defaults,
          scorer: { plugin: "./strict-scorer.mjs", options: { tolerance: 0.01 } },
          plugins: [{ module: "greeter", options: { greeting: "Hej" } }]
        },
        { source: "team.yaml", baseDir: pluginsDir }
      )
      assert.strictEqual(resolved.scorer.plugin.id, "strict-scorer")
      assert.deepStrictEqual(resolved.scorer.options, { tolerance: 0.01 })
      assert.deepStrictEqual(
        resolved.plugins.map((p) => [p.plugin.id, p.options]),
        [["greeter", { greeting: "Hej" }]]
      )
    })
  )

  it.effect("bad scorer options point at $.scorer.options", () =>
    Effect.gen(function* () {
      const error = failure(
        yield* Effect.exit(
          PluginRegistry.resolveProfile(
            registry,
            { ...Profile.defaults, scorer: { plugin: "./strict-scorer.mjs", options: { mode: "fuzzy" } } },
            { source: "team.yaml", baseDir: pluginsDir }
          )
        )
      )
      assert.instanceOf(error, ConfigInvalid)
      assert.strictEqual(error.issues[0]?.path, "$.scorer.options.mode")
      assert.match(error.issues[0]?.message ?? "", /one of "exact", "loose"/)
    })
  )
})

describe("PluginRegistry: lazy built-ins and installed packages", () => {
  it.effect("a lazy built-in is imported only when a profile names it", () =>
    Effect.gen(function* () {
      let loads = 0
      const lazy = PluginRegistry.make([
        Plugin.lazy("later", "scorer", () => {
          loads++
          return Promise.resolve(batch as Plugin.AnyPlugin)
        })
      ])
      assert.deepStrictEqual(PluginRegistry.available(lazy, "scorer"), ["later"])
      assert.strictEqual(loads, 0)
      const plugin = yield* PluginRegistry.load(lazy, "later", { kind: "scorer" })
      assert.strictEqual(plugin.id, "batch")
      assert.strictEqual(loads, 1)
    })
  )

  it.effect("a package is found in node_modules of the profile's folder, then of the working directory", () =>
    Effect.gen(function* () {
      const project = mkdtempSync(join(tmpdir(), "plugin-project-"))
      const pkg = join(project, "node_modules", "@acme", "genie-greeter")
      mkdirSync(pkg, { recursive: true })
      writeFileSync(
        join(pkg, "package.json"),
        JSON.stringify({ name: "@acme/genie-greeter", type: "module", exports: "./main.mjs" })
      )
      writeFileSync(
        join(pkg, "main.mjs"),
        'export default { _tag: "GenieEnhancerPlugin", apiVersion: 1, id: "acme-greeter", version: "1.0.0", kind: "stage-decorator", description: "d", optionsSchema: {}, layer: () => undefined }\n'
      )
      const profiles = join(project, "profiles")
      mkdirSync(profiles)
      // From a profile in a sub-folder: node_modules is found up the tree, as Node finds it.
      const fromProfile = yield* PluginRegistry.load(registry, "@acme/genie-greeter", { baseDir: profiles })
      assert.strictEqual(fromProfile.id, "acme-greeter")
      // A profile elsewhere: the working directory is the second place looked in.
      const elsewhere = mkdtempSync(join(tmpdir(), "profile-elsewhere-"))
      const fromCwd = yield* PluginRegistry.load(registry, "@acme/genie-greeter", { baseDir: elsewhere, cwd: project })
      assert.strictEqual(fromCwd.id, "acme-greeter")
      const missing = failure(
        yield* Effect.exit(PluginRegistry.load(registry, "@acme/absent", { baseDir: elsewhere, cwd: project }))
      )
      assert.instanceOf(missing, PluginNotFound)
      assert.include(missing.message, elsewhere)
      assert.include(missing.message, project)
    })
  )

  it.effect("a slot's missing plugin names the key that named it and the file that set the key", () =>
    Effect.gen(function* () {
      const error = failure(
        yield* Effect.exit(
          PluginRegistry.resolveProfile(
            registry,
            { ...Profile.defaults, workspace: { ...Profile.defaults.workspace, target: "nowhere" } },
            { source: "team.yaml", baseDir: pluginsDir, origin: () => "/team/ci.yaml" }
          )
        )
      )
      assert.instanceOf(error, PluginNotFound)
      assert.strictEqual(error.path, "$.workspace.target")
      assert.strictEqual(error.source, "/team/ci.yaml")
      assert.deepStrictEqual(error.available, ["databricks", "local"])
    })
  )
})
