/**
 * Time in questions: windows ("in 2024", "March 2025", "Q1 2024", "last 30 days", "last month", "this year",
 * "since 2024", "between 2023 and 2024"; two or more years compare them) and grains ("monthly", "by quarter", "each
 * year"). Windows become conditions on a date column the composer chooses.
 */
import * as Text from "./Text.js"

export type Grain = "day" | "week" | "month" | "quarter" | "year"

export interface Window {
  /** For descriptions, e.g. "in 2024". */
  readonly label: string
  readonly condition: (column: string) => string
}

export interface Time {
  readonly windows: ReadonlyArray<Window>
  readonly grain?: Grain
  /** Indexes of the tokens the windows and grain consumed (their numbers are not limits or literals). */
  readonly used: ReadonlySet<number>
}

const grains: ReadonlyArray<Grain> = ["day", "week", "month", "quarter", "year"]
const grainOf = (t: Text.Token | undefined): Grain | undefined =>
  t === undefined ? undefined : grains.find((g) => g === t.stem)
const adjectives: Readonly<Record<string, Grain>> = {
  daily: "day",
  weekly: "week",
  monthly: "month",
  quarterly: "quarter",
  yearly: "year",
  annual: "year",
  annually: "year"
}
const grainCues = new Set(["by", "per", "each", "every", "which", "a"])
const months = "january february march april may june july august september october november december".split(" ")
const ordinals: Readonly<Record<string, number>> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  q1: 1,
  q2: 2,
  q3: 3,
  q4: 4
}

const unitSql = (grain: Grain): string => grain.toUpperCase()
const interval = (n: number, grain: Grain): string =>
  grain === "week"
    ? `INTERVAL ${n * 7} DAYS`
    : grain === "quarter"
      ? `INTERVAL ${n * 3} MONTHS`
      : `INTERVAL ${n} ${unitSql(grain)}S`

/** The expression a grain groups a date column by. */
export const bucket = (grain: Grain, column: string): string =>
  grain === "year" ? `year(${column})` : `date_trunc('${unitSql(grain)}', ${column})`

const yearStart = (year: string) => `DATE'${year}-01-01'`

/**
 * Finds the time windows and the grain of a question. Grain words inside `reserved` tokens (phrases the space
 * configures, such as an expression snippet "day of the week") are left to them.
 */
export const parse = (tokens: ReadonlyArray<Text.Token>, reserved: ReadonlySet<number> = new Set()): Time => {
  const windows: Array<Window> = []
  const used = new Set<number>()
  let grain: Grain | undefined
  const take = (from: number, to: number) => {
    for (let k = from; k < to; k++) used.add(k)
  }
  const at = (i: number) => tokens[i]?.lower

  for (let i = 0; i < tokens.length; i++) {
    if (used.has(i)) continue
    const word = at(i)
    const n = Text.numberOf(tokens[i + 1])
    if (["last", "past", "previous", "trailing"].includes(word)) {
      const unit = grainOf(tokens[i + 2])
      if (n !== undefined && unit !== undefined) {
        windows.push({
          label: `${word} ${n} ${unit}s`,
          condition: (c) => `${c} >= current_date() - ${interval(n, unit)}`
        })
        take(i, i + 3)
        continue
      }
      const single = grainOf(tokens[i + 1])
      if (single !== undefined) {
        const calendar = word !== "past" && word !== "trailing"
        windows.push({
          label: `${word} ${single}`,
          condition: !calendar
            ? (c) => `${c} >= current_date() - ${interval(1, single)}`
            : single === "year"
              ? (c) => `year(${c}) = year(current_date()) - 1`
              : single === "day"
                ? (c) => `${c} = current_date() - INTERVAL 1 DAYS`
                : (c) =>
                    `date_trunc('${unitSql(single)}', ${c}) = date_trunc('${unitSql(single)}', current_date() - ${interval(1, single)})`
        })
        take(i, i + 2)
        continue
      }
    }
    if ((word === "this" || word === "current") && grainOf(tokens[i + 1]) !== undefined) {
      const unit = grainOf(tokens[i + 1])!
      windows.push({
        label: `${word} ${unit}`,
        condition:
          unit === "year"
            ? (c) => `year(${c}) = year(current_date())`
            : (c) => `date_trunc('${unitSql(unit)}', ${c}) = date_trunc('${unitSql(unit)}', current_date())`
      })
      take(i, i + 2)
      continue
    }
    const month = months.indexOf(word) + 1
    if (month > 0) {
      const y = at(i + 1) === "of" ? i + 2 : i + 1
      if (Text.isYear(tokens[y])) {
        const year = at(y)
        windows.push({
          label: `${tokens[i].raw} ${year}`,
          condition: (c) => `year(${c}) = ${year} AND month(${c}) = ${month}`
        })
        take(i, y + 1)
        continue
      }
    }
    const quarter = ordinals[word]
    if (quarter !== undefined) {
      const q = word.startsWith("q") ? i : at(i + 1) === "quarter" ? i + 1 : -1
      const y = at(q + 1) === "of" ? q + 2 : q + 1
      if (q >= 0 && Text.isYear(tokens[y])) {
        const year = at(y)
        windows.push({
          label: `Q${quarter} ${year}`,
          condition: (c) => `year(${c}) = ${year} AND quarter(${c}) = ${quarter}`
        })
        take(i, y + 1)
        continue
      }
    }
    if (
      ["since", "after", "from", "before", "until"].includes(word) &&
      (Text.isYear(tokens[i + 1]) || Text.isDate(tokens[i + 1]))
    ) {
      const value = at(i + 1)
      const start = Text.isYear(tokens[i + 1]) ? yearStart(value) : `DATE'${value}'`
      const op = word === "before" || word === "until" ? "<" : ">="
      const bound = word === "after" && Text.isYear(tokens[i + 1]) ? yearStart(String(Number(value) + 1)) : start
      windows.push({ label: `${word} ${value}`, condition: (c) => `${c} ${op} ${bound}` })
      take(i, i + 2)
      continue
    }
    if (word === "between" && Text.isYear(tokens[i + 1]) && at(i + 2) === "and" && Text.isYear(tokens[i + 3])) {
      const [from, to] = [at(i + 1), at(i + 3)]
      windows.push({ label: `between ${from} and ${to}`, condition: (c) => `year(${c}) BETWEEN ${from} AND ${to}` })
      take(i, i + 4)
      continue
    }
    if (adjectives[word] !== undefined && !reserved.has(i)) {
      grain ??= adjectives[word]
      take(i, i + 1)
      continue
    }
    if (grainCues.has(word) && grainOf(tokens[i + 1]) !== undefined && !reserved.has(i + 1)) {
      grain ??= grainOf(tokens[i + 1])
      take(i, i + 2)
    }
  }

  const years = tokens.flatMap((t, i) => (!used.has(i) && Text.isYear(t) ? [{ i, year: t.lower }] : []))
  const distinct = [...new Set(years.map((y) => y.year))]
  for (const y of years) used.add(y.i)
  if (distinct.length === 1) {
    windows.push({ label: `in ${distinct[0]}`, condition: (c) => `year(${c}) = ${distinct[0]}` })
  } else if (distinct.length > 1) {
    // Two or more years: the question compares them.
    windows.push({ label: `in ${distinct.join(", ")}`, condition: (c) => `year(${c}) IN (${distinct.join(", ")})` })
    grain ??= "year"
  }
  const dates = tokens.flatMap((t, i) => (!used.has(i) && Text.isDate(t) ? [{ i, date: t.lower }] : []))
  for (const d of dates) {
    used.add(d.i)
    windows.push({ label: `on ${d.date}`, condition: (c) => `${c} = DATE'${d.date}'` })
  }
  return { windows, used, ...(grain === undefined ? {} : { grain }) }
}
