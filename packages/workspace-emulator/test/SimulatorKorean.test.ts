import { describe, expect, it } from "@effect/vitest"
import type { Space } from "@genie-enhancer/core"
import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import type { Warehouse } from "../src/index.js"
import * as Compose from "../src/simulator/Compose.js"
import * as Hangul from "../src/simulator/Hangul.js"
import * as Model from "../src/simulator/Model.js"
import * as Query from "../src/simulator/Query.js"
import * as Text from "../src/simulator/Text.js"
import * as TimeWindows from "../src/simulator/TimeWindows.js"
import * as Vocabulary from "../src/simulator/Vocabulary.js"

// The simulator's Korean rules on a small bookshop space (not the gamekpi example, so that nothing here passes
// because of that example's words): particles, Korean synonyms and entity values, and time expressions.

const column = (name: string, typeName: string): Warehouse.CatalogColumn => ({
  name,
  typeName,
  typeText: typeName,
  nullable: true
})
const table = (name: string, columns: ReadonlyArray<Warehouse.CatalogColumn>): Warehouse.CatalogTable => ({
  identifier: `main.shop.${name}`,
  catalog: "main",
  schema: "shop",
  name,
  columns
})
const catalog = [
  table("orders", [
    column("order_id", "LONG"),
    column("customer_id", "LONG"),
    column("amount", "DECIMAL"),
    column("order_date", "DATE")
  ]),
  table("customers", [
    column("customer_id", "LONG"),
    column("customer_name", "STRING"),
    column("region", "STRING"),
    column("signup_date", "DATE")
  ]),
  table("books", [column("book_id", "LONG"), column("title", "STRING"), column("format", "STRING")])
]
const space: Space.SerializedSpace = {
  version: 2,
  data_sources: {
    tables: [
      { identifier: "main.shop.books", column_configs: [{ column_name: "format", synonyms: ["형태"] }] },
      {
        identifier: "main.shop.customers",
        column_configs: [
          { column_name: "region", synonyms: ["지역", "판매 지역"], enable_entity_matching: true },
          { column_name: "signup_date", synonyms: ["가입일"] }
        ]
      },
      { identifier: "main.shop.orders", column_configs: [{ column_name: "amount", synonyms: ["주문 금액"] }] }
    ]
  },
  instructions: {
    join_specs: [
      {
        id: "01000000000000000000000000000001",
        left: { identifier: "main.shop.orders", alias: "orders" },
        right: { identifier: "main.shop.customers", alias: "customers" },
        sql: ["`orders`.`customer_id` = `customers`.`customer_id`"]
      }
    ],
    sql_snippets: {
      measures: [
        {
          id: "02000000000000000000000000000001",
          alias: "sales",
          display_name: "Sales",
          sql: ["SUM(orders.amount)"],
          synonyms: ["매출"]
        },
        {
          id: "02000000000000000000000000000002",
          alias: "customer_count",
          display_name: "Customers",
          sql: ["COUNT(DISTINCT customers.customer_id)"],
          synonyms: ["고객 수"]
        }
      ]
    }
  }
}
const model = Model.make(space, catalog)
// Entity values: Korean region names, one of them a single syllable (동), and a Latin one.
const values: Vocabulary.Values = new Map([["customers.region", ["수도권", "동", "Jeju Island"]]])
const vocabulary = Vocabulary.make(model, values)

const stems = (text: string) =>
  Text.tokenize(text).map((t) => `${t.stem}${t.particles === undefined ? "" : `+${t.particles}`}`)
const windows = (question: string) => {
  const time = TimeWindows.parse(Text.tokenize(question))
  return { conditions: time.windows.map((w) => w.condition("d")), grain: time.grain }
}
const sql = (question: string): string => {
  const tokens = Text.tokenize(question)
  const mentions = vocabulary.tag(tokens)
  const covered = new Set(mentions.flatMap((m) => Array.from({ length: m.end - m.start }, (_, k) => m.start + k)))
  const composed = Compose.compose(model, tokens, mentions, TimeWindows.parse(tokens, covered))
  return composed._tag === "Query" ? Query.render(composed.query).replace(/\n/g, " ") : `TEXT ${composed.text}`
}

describe("Korean words", () => {
  it("strips particles while two syllables remain, on questions and configured phrases alike", () => {
    expect(stems("매출은 매출을 매출의 매출이 지역별로 지역에서는 고객들의")).toEqual([
      "매출+은",
      "매출+을",
      "매출+의",
      "매출+이",
      "지역+별로",
      "지역+에서는",
      "고객+들의"
    ])
    // 평가 ends in a particle's syllable but is two syllables: it stays whole.
    expect(stems("평가 평가는")).toEqual(["평가", "평가+는"])
    expect(Text.phrase("판매 지역은")).toEqual(["판매", "지역"])
    expect(Hangul.isParticleChain("별로는")).toBe(true)
    expect(Hangul.isParticleChain("간")).toBe(false)
    expect(Hangul.bases("동의")).toEqual(["동의", "동"])
  })

  it("splits Hangul from digits and Latin words, and attaches particles written right after them", () => {
    expect(stems("SKU와 API의 7일간 Jeju Island의")).toEqual(["sku+와", "api+의", "7", "day", "jeju", "island+의"])
    expect(Text.tokenize("7일간").map((t) => t.raw)).toEqual(["7", "일간"])
  })

  it("reads function words as their English counterparts and drops question endings and counters", () => {
    expect(Text.tokenize("지역별 평균 주문 금액은 얼마인가요?").map((t) => t.lower)).toEqual([
      "지역별",
      "average",
      "주문",
      "금액은"
    ])
    expect(Text.tokenize("상위 3개 형태를 보여주세요").map((t) => t.lower)).toEqual(["top", "3", "형태를"])
    expect(Text.tokenize("어떤 지역의 고객 수가 가장 많나요").map((t) => [t.lower, t.cue])).toEqual([
      ["which", "after"],
      ["지역의", undefined],
      ["고객", undefined],
      ["number", "before"],
      ["most", undefined]
    ])
  })

  it("leaves English text exactly as before", () => {
    expect(stems("Top 5 customers by revenue in the last 30 days")).toEqual([
      "top",
      "5",
      "customer",
      "by",
      "revenue",
      "in",
      "the",
      "last",
      "30",
      "day"
    ])
  })
})

describe("Korean phrases of a space", () => {
  const tag = (question: string) => {
    const tokens = Text.tokenize(question)
    return vocabulary.tag(tokens).map((m) => ({
      words: tokens
        .slice(m.start, m.end)
        .map((t) => t.raw)
        .join(" "),
      concept: Vocabulary.conceptKey(m.candidates[0]),
      particles: m.particles
    }))
  }

  it("matches synonyms and snippet names with particles attached", () => {
    expect(tag("판매 지역별 매출을")).toEqual([
      { words: "판매 지역별", concept: "c:customers.region", particles: "별" },
      { words: "매출을", concept: "s:02000000000000000000000000000001", particles: "을" }
    ])
    expect(tag("가입일이 형태는")).toEqual([
      { words: "가입일이", concept: "c:customers.signup_date", particles: "이" },
      { words: "형태는", concept: "c:books.format", particles: "는" }
    ])
  })

  it("matches Korean and Latin entity values, one-syllable ones too", () => {
    expect(tag("수도권의 동에서 Jeju Island의")).toEqual([
      { words: "수도권의", concept: "v:customers.region", particles: "의" },
      { words: "동에서", concept: "v:customers.region", particles: "에서" },
      { words: "Jeju Island", concept: "v:customers.region", particles: "의" }
    ])
  })
})

describe("Korean time expressions", () => {
  it("become the same windows as their English counterparts", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["최근 7일간", "d >= current_date() - INTERVAL 7 DAYS"],
      ["지난 7일", "d >= current_date() - INTERVAL 7 DAYS"],
      ["최근 30일 동안", "d >= current_date() - INTERVAL 30 DAYS"],
      ["최근 2주", "d >= current_date() - INTERVAL 14 DAYS"],
      ["최근 3개월간", "d >= current_date() - INTERVAL 3 MONTHS"],
      ["최근 한 달", "d >= current_date() - INTERVAL 1 MONTHS"],
      ["최근 1년", "d >= current_date() - INTERVAL 1 YEARS"],
      ["지난달", "date_trunc('MONTH', d) = date_trunc('MONTH', current_date() - INTERVAL 1 MONTHS)"],
      ["지난 달의", "date_trunc('MONTH', d) = date_trunc('MONTH', current_date() - INTERVAL 1 MONTHS)"],
      ["지난주", "date_trunc('WEEK', d) = date_trunc('WEEK', current_date() - INTERVAL 7 DAYS)"],
      ["이번 달", "date_trunc('MONTH', d) = date_trunc('MONTH', current_date())"],
      ["이번달에", "date_trunc('MONTH', d) = date_trunc('MONTH', current_date())"],
      ["이번 주", "date_trunc('WEEK', d) = date_trunc('WEEK', current_date())"],
      ["이번 분기", "date_trunc('QUARTER', d) = date_trunc('QUARTER', current_date())"],
      ["올해", "year(d) = year(current_date())"],
      ["작년", "year(d) = year(current_date()) - 1"],
      ["지난해", "year(d) = year(current_date()) - 1"],
      ["어제", "d = current_date() - INTERVAL 1 DAYS"],
      ["오늘", "date_trunc('DAY', d) = date_trunc('DAY', current_date())"],
      ["2024년", "year(d) = 2024"],
      ["2024년에", "year(d) = 2024"],
      ["2024년 3분기", "year(d) = 2024 AND quarter(d) = 3"],
      ["2024년 3분기의", "year(d) = 2024 AND quarter(d) = 3"],
      ["2024년 3월", "year(d) = 2024 AND month(d) = 3"],
      ["2024년 12월 25일", "d = DATE'2024-12-25'"],
      ["2024년부터", "d >= DATE'2024-01-01'"],
      ["2024년 이후", "d >= DATE'2025-01-01'"],
      ["2024년 이전", "d < DATE'2024-01-01'"],
      ["2023년부터 2024년까지", "year(d) BETWEEN 2023 AND 2024"]
    ]
    for (const [question, condition] of cases) expect(windows(question).conditions, question).toEqual([condition])
  })

  it("reads grains from 일별, 주별, 월별, 분기별 and 연도별", () => {
    expect(["일별", "주별", "월별로", "분기별", "연도별"].map((w) => windows(`${w} 매출`).grain)).toEqual([
      "day",
      "week",
      "month",
      "quarter",
      "year"
    ])
  })

  it("leaves month names without a year and halves of a year alone, as in English", () => {
    expect(windows("3월 매출").conditions).toEqual([])
    expect(windows("상반기 매출").conditions).toEqual([])
  })
})

describe("Korean questions composed", () => {
  it("groups by a phrase followed by 별 or 마다", () => {
    expect(sql("지역별 매출")).toBe(
      "SELECT customers.region AS region, SUM(orders.amount) AS sales FROM main.shop.orders AS orders " +
        "JOIN main.shop.customers AS customers ON orders.`customer_id` = customers.`customer_id` GROUP BY customers.region"
    )
    expect(sql("지역마다 매출")).toBe(sql("지역별 매출"))
    expect(sql("Sales by region")).toBe(sql("지역별 매출"))
  })

  it("counts the phrase before 수, filters by entity values and applies windows", () => {
    expect(sql("2024년 수도권의 고객 수는?")).toBe(
      "SELECT COUNT(DISTINCT customers.customer_id) AS customer_count FROM main.shop.customers AS customers " +
        "WHERE (customers.region = '수도권') AND (year(customers.signup_date) = 2024)"
    )
    // The table's own (English) noun, counted Korean-style; 책 itself is no phrase of the space.
    expect(sql("형태별 books 수")).toBe(
      "SELECT books.format AS format, COUNT(*) AS books_count FROM main.shop.books AS books GROUP BY books.format"
    )
  })

  it("reads 평균 before or after its phrase, and 상위 N as a top N", () => {
    expect(sql("평균 주문 금액")).toBe("SELECT AVG(orders.amount) AS avg_amount FROM main.shop.orders AS orders")
    expect(sql("주문 금액 평균")).toBe(sql("평균 주문 금액"))
    expect(sql("매출 상위 2개 지역")).toContain("ORDER BY sales DESC LIMIT 2")
  })

  it("asks for one row for a singular noun after a superlative, several for 들", () => {
    expect(sql("어떤 지역의 매출이 가장 높았나요?")).toContain("ORDER BY sales DESC LIMIT 1")
    expect(sql("어떤 지역들의 매출이 가장 높았나요?")).not.toContain("LIMIT")
  })

  it("cannot answer Korean words the space does not configure", () => {
    expect(sql("지난달 배송 건수는?")).toMatch(/^TEXT /)
    expect(sql("형태별 책 수")).toMatch(/^TEXT /)
  })
})

describe("simulator sources", () => {
  it("hold no word of the gamekpi example: Korean is handled by rules of the language", () => {
    const dir = fileURLToPath(new URL("../src/simulator/", import.meta.url))
    const source = readdirSync(dir)
      .map((f) => readFileSync(`${dir}${f}`, "utf8"))
      .join("\n")
    const example = fileURLToPath(new URL("../../../examples/gamekpi/", import.meta.url))
    const curated = JSON.parse(readFileSync(`${example}space.curated.json`, "utf8")) as Space.SerializedSpace
    const tables = curated.data_sources?.tables ?? []
    const snippets = curated.instructions?.sql_snippets
    // Date synonyms (날짜, 일자) are the language's time words, which the rules know; everything else is the domain's.
    const phrases = [
      ...tables.flatMap((t) =>
        (t.column_configs ?? []).filter((c) => !c.column_name.endsWith("_date")).flatMap((c) => c.synonyms ?? [])
      ),
      ...[...(snippets?.measures ?? []), ...(snippets?.filters ?? [])].flatMap((s) => [
        s.display_name ?? "",
        ...(s.synonyms ?? [])
      ]),
      "엠버 사가",
      "스타 레이더스",
      "픽셀 팜",
      "미씩 아레나",
      "네온 드리프트"
    ].filter((p) => Hangul.isHangul(p))
    expect(phrases.length).toBeGreaterThan(40)
    expect(phrases.filter((p) => source.includes(p))).toEqual([])
    const identifiers = [
      ...tables.map((t) => t.identifier.split(".").at(-1)!),
      ...tables.flatMap((t) => (t.column_configs ?? []).map((c) => c.column_name))
    ].filter((name) => name.includes("_") || name.length <= 3)
    expect(identifiers.filter((name) => new RegExp(`\\b${name}\\b`, "i").test(source))).toEqual([])
  })
})
