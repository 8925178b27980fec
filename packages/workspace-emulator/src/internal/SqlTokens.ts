/**
 * A minimal SQL tokenizer for the text-level rewrites of transpiled DuckDB SQL (catalog names, clock functions,
 * parameter markers) and for splitting scripts into statements. It only needs to tell identifiers, string literals,
 * comments and punctuation apart; it never interprets SQL.
 *
 * Polyglot's own tokenizer and parser return their output as JSON across the WebAssembly boundary, which costs
 * about a second per thousand rows of an INSERT; this scanner is linear and cheap.
 */

export type TokenKind = "word" | "quoted" | "string" | "number" | "comment" | "space" | "punct"

export interface Token {
  readonly kind: TokenKind
  readonly start: number
  readonly end: number
  readonly text: string
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57
const isWordStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95
const isWordPart = (c: number): boolean => isWordStart(c) || isDigit(c) || c === 36
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13)

/** Splits SQL text into tokens; the concatenation of all token texts is the input. */
export const tokenize = (sql: string): ReadonlyArray<Token> => {
  const tokens: Array<Token> = []
  let i = 0
  const push = (kind: TokenKind, end: number) => {
    tokens.push({ kind, start: i, end, text: sql.slice(i, end) })
    i = end
  }
  const until = (close: string, from: number): number => {
    // Quotes are escaped by doubling them ('' or ""); backslashes are literal in DuckDB.
    let j = from
    for (;;) {
      const k = sql.indexOf(close, j)
      if (k < 0) return sql.length
      if (sql[k + 1] === close) j = k + 2
      else return k + 1
    }
  }
  while (i < sql.length) {
    const c = sql[i]
    const code = sql.charCodeAt(i)
    if (isSpace(code)) {
      let j = i + 1
      while (j < sql.length && isSpace(sql.charCodeAt(j))) j++
      push("space", j)
    } else if (c === "-" && sql[i + 1] === "-") {
      const k = sql.indexOf("\n", i)
      push("comment", k < 0 ? sql.length : k)
    } else if (c === "/" && sql[i + 1] === "*") {
      const k = sql.indexOf("*/", i + 2)
      push("comment", k < 0 ? sql.length : k + 2)
    } else if (c === "'") {
      push("string", until("'", i + 1))
    } else if ((c === "E" || c === "e") && sql[i + 1] === "'") {
      // E'…' allows backslash escapes.
      let j = i + 2
      while (j < sql.length && sql[j] !== "'") j += sql[j] === "\\" ? 2 : 1
      push("string", Math.min(j + 1, sql.length))
    } else if (c === '"') {
      push("quoted", until('"', i + 1))
    } else if (c === "`") {
      push("quoted", until("`", i + 1))
    } else if (isWordStart(code)) {
      let j = i + 1
      while (j < sql.length && isWordPart(sql.charCodeAt(j))) j++
      push("word", j)
    } else if (isDigit(code)) {
      let j = i + 1
      while (j < sql.length && (isDigit(sql.charCodeAt(j)) || ".eE".includes(sql[j]))) j++
      push("number", j)
    } else if (c === ":" && sql[i + 1] === ":") {
      push("punct", i + 2)
    } else {
      push("punct", i + 1)
    }
  }
  return tokens
}

/** The identifier a word or quoted token names (quotes removed), or undefined for other tokens. */
export const identifier = (token: Token | undefined): string | undefined => {
  if (token === undefined) return undefined
  if (token.kind === "word") return token.text
  if (token.kind === "quoted") {
    const q = token.text[0]
    return token.text.slice(1, -1).split(`${q}${q}`).join(q)
  }
  return undefined
}

/** Splits a script into statements at top-level semicolons, dropping empty ones. */
export const statements = (sql: string): ReadonlyArray<string> => {
  const out: Array<string> = []
  let current = ""
  for (const token of tokenize(sql)) {
    if (token.kind === "punct" && token.text === ";") {
      out.push(current)
      current = ""
    } else current += token.text
  }
  out.push(current)
  return out.filter((s) => tokenize(s).some((t) => t.kind !== "space" && t.kind !== "comment"))
}
