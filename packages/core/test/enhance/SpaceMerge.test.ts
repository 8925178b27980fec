import { assert, describe, it } from "@effect/vitest"
import type { SerializedSpace } from "../../src/model/Space.js"
import * as SpaceMerge from "../../src/stages/promote/SpaceMerge.js"

const id = (n: number) => n.toString(16).padStart(32, "0")
const base: SerializedSpace = {
  version: 2,
  data_sources: {
    tables: [
      { identifier: "main.r.orders", description: ["Orders\n"], column_configs: [{ column_name: "status" }] },
      { identifier: "main.r.stores" }
    ]
  },
  instructions: { text_instructions: [{ id: id(1), content: ["Be nice.\n"] }] }
}

describe("SpaceMerge", () => {
  it("keeps both sides' changes to different items and to different columns of one table", () => {
    const ours: SerializedSpace = {
      ...base,
      data_sources: {
        tables: [
          {
            identifier: "main.r.orders",
            description: ["Orders\n"],
            column_configs: [{ column_name: "status", synonyms: ["state"] }]
          },
          { identifier: "main.r.stores" }
        ]
      },
      instructions: {
        ...base.instructions,
        join_specs: [
          {
            id: id(2),
            left: { identifier: "main.r.orders", alias: "orders" },
            right: { identifier: "main.r.stores", alias: "stores" },
            sql: ["orders.store_id = stores.store_id", "--rt=FROM_RELATIONSHIP_TYPE_MANY_TO_ONE--"]
          }
        ]
      }
    }
    const theirs: SerializedSpace = {
      ...base,
      data_sources: {
        tables: [
          {
            identifier: "main.r.orders",
            description: ["All orders\n"],
            column_configs: [{ column_name: "status" }, { column_name: "order_date", description: ["When\n"] }]
          },
          { identifier: "main.r.stores" }
        ]
      },
      instructions: { text_instructions: [{ id: id(1), content: ["Be very nice.\n"] }] }
    }
    const merged = SpaceMerge.merge(base, ours, theirs)
    assert.strictEqual(merged._tag, "Merged")
    if (merged._tag !== "Merged") return
    const orders = merged.space.data_sources?.tables?.[0]
    assert.deepStrictEqual(orders?.description, ["All orders\n"])
    assert.deepStrictEqual(orders?.column_configs, [
      { column_name: "order_date", description: ["When\n"] },
      { column_name: "status", synonyms: ["state"] }
    ])
    assert.deepStrictEqual(merged.space.instructions?.text_instructions?.[0]?.content, ["Be very nice.\n"])
    assert.strictEqual(merged.space.instructions?.join_specs?.length, 1)
    assert.includeMembers(
      [...merged.theirsChanged],
      [`instructions.text_instructions[${id(1)}]`, "data_sources.tables[main.r.orders].description"]
    )
  })

  it("reports a conflict when both sides change the same field of the same item, with all three values", () => {
    const edit = (text: string): SerializedSpace => ({
      ...base,
      instructions: { text_instructions: [{ id: id(1), content: [text] }] }
    })
    const merged = SpaceMerge.merge(base, edit("Ours.\n"), edit("Theirs.\n"))
    assert.strictEqual(merged._tag, "Conflicts")
    if (merged._tag !== "Conflicts") return
    assert.deepStrictEqual(
      merged.conflicts.map((c) => c.path),
      [`instructions.text_instructions[${id(1)}].content`]
    )
    const report = SpaceMerge.formatConflicts(merged.conflicts)
    assert.include(report, '"Ours.\\n"')
    assert.include(report, '"Theirs.\\n"')
    assert.include(report, '"Be nice.\\n"')
  })

  it("a deletion on one side and an edit on the other conflict; the same edit on both does not", () => {
    const deleted: SerializedSpace = {
      ...base,
      data_sources: {
        tables: [
          { identifier: "main.r.orders", description: ["Orders\n"], column_configs: [{ column_name: "status" }] }
        ]
      }
    }
    const edited: SerializedSpace = {
      ...base,
      data_sources: { tables: [base.data_sources!.tables![0], { identifier: "main.r.stores", description: ["S\n"] }] }
    }
    assert.strictEqual(SpaceMerge.merge(base, deleted, edited)._tag, "Conflicts")
    const same = SpaceMerge.merge(base, edited, edited)
    assert.strictEqual(same._tag, "Merged")
  })
})
