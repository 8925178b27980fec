/**
 * Tokenizing and normalising questions and configuration phrases for the Genie simulator: lower case, words and
 * numbers, a light plural stemmer, and the filler words that carry no meaning for matching. Hangul words follow the
 * rules of `Hangul.ts` (particles, Korean function words and time expressions).
 */
import * as Hangul from "./Hangul.js"

/** A word of a question: its text as written, lower-cased, and its stem. */
export interface Token {
  /** As written (original case), for literals the simulator copies into SQL. */
  readonly raw: string
  readonly lower: string
  readonly stem: string
  /** Korean particles after the word (주문을: 을; SKU와: 와), stripped from its stem. */
  readonly particles?: string
  /**
   * Where the phrase a Korean function word applies to is: "after" it (평균 주문액), "before" it (고객 수) or
   * "either". English words always apply to what follows.
   */
  readonly cue?: "after" | "before" | "either"
}

// Words whose plural rule would break them ("status" → "statu").
const keep = new Set(["status", "this", "business", "less", "plus", "bus", "gas", "its", "his", "was", "has"])
const irregular: Readonly<Record<string, string>> = {
  people: "person",
  sales: "sale",
  sold: "sell",
  bought: "buy",
  spent: "spend",
  paid: "pay",
  placed: "place",
  made: "make",
  got: "get"
}

/** The stem of a lower-case word: irregular forms, then plural endings (categories → category, boxes → box). */
export const stem = (word: string): string => {
  const irregularStem = irregular[word]
  if (irregularStem !== undefined) return irregularStem
  if (keep.has(word) || word.length <= 3 || !word.endsWith("s")) return word
  if (word.endsWith("ies") && word.length > 4) return `${word.slice(0, -3)}y`
  if (/(ch|sh|x|ss|zz)es$/.test(word)) return word.slice(0, -2)
  if (/(ss|us|is)$/.test(word)) return word
  return word.slice(0, -1)
}

// ISO dates stay one token; otherwise runs of letters or digits (so "in-store" is "in store", "gift_card" two words);
// Hangul and other scripts are separate words (7일간 is 7 + 일간, SKU와 is SKU + 와).
const wordPattern = /\d{4}-\d{2}-\d{2}|\p{Script=Hangul}+|(?:(?!\p{Script=Hangul})[\p{L}\p{N}])+/gu

/**
 * Splits text into tokens. Particles written right after a word of another script attach to it (SKU와, API의),
 * particles of Hangul words are split off their stems, and Korean function words and time expressions are read as
 * English ones (see `Hangul.ts`).
 */
export const tokenize = (text: string): ReadonlyArray<Token> => {
  const tokens: Array<Token> = []
  let end = -1
  for (const m of text.replace(/_/g, " ").matchAll(wordPattern)) {
    const lower = m[0].toLowerCase()
    const previous = tokens.at(-1)
    const korean = Hangul.isHangul(lower)
    if (korean && previous !== undefined && m.index === end && !Hangul.isHangul(previous.lower)) {
      if (Hangul.isParticleChain(lower)) {
        tokens[tokens.length - 1] = { ...previous, particles: `${previous.particles ?? ""}${lower}` }
        end = m.index + m[0].length
        continue
      }
    }
    end = m.index + m[0].length
    if (korean) {
      const { base, particles } = Hangul.strip(lower)
      tokens.push({ raw: m[0], lower, stem: base, ...(particles === "" ? {} : { particles }) })
    } else {
      tokens.push({ raw: m[0], lower, stem: stem(lower) })
    }
  }
  return Hangul.normalize(tokens)
}

/**
 * The stems a token can stand for in a configured phrase: its stem, and for a Hangul word also each base that only
 * particles follow (책의: 책).
 */
export const forms = (t: Token): ReadonlyArray<string> =>
  Hangul.isHangul(t.lower) ? [...new Set([t.stem, ...Hangul.bases(t.lower)])] : [t.stem]

/** The particles after `base` in a token that stands for it (see `forms`). */
export const particlesAfter = (t: Token, base: string): string | undefined =>
  t.stem === base ? t.particles : t.lower.startsWith(base) ? t.lower.slice(base.length) : undefined

/** True when a noun is singular: English by its stem, Korean unless the plural particle 들 follows it. */
export const isSingular = (t: Token): boolean =>
  Hangul.isHangul(t.lower) ? !(t.particles ?? "").startsWith("들") : t.lower === t.stem

/** The stems of a configuration phrase (a synonym, a column name, a value), as questions are tokenized. */
export const phrase = (text: string): ReadonlyArray<string> => tokenize(text).map((t) => t.stem)

/** Words that carry no meaning for similarity (question words, articles, auxiliaries, prepositions). */
export const fillers: ReadonlySet<string> = new Set(
  (
    "a an the of in on at for to from with by per each every and or vs versus is are was were be been do does did " +
    "what which who whom whose how when where why me my we our us you your i it its this that these those there " +
    "show give tell list display please can could would should will have has had get got ever all any some than " +
    "into over across as about"
  ).split(" ")
)

const counting = new Set(["count", "number"])
const averaging = new Set(["average", "avg", "mean"])
const summing = new Set(["total", "sum"])

/**
 * The signature word of a token for similarity: question words that mean the same aggregate are one word
 * (how many / number of / count), fillers are dropped (undefined).
 */
export const signatureWord = (tokens: ReadonlyArray<Token>, i: number): string | undefined => {
  const t = tokens[i]
  if (t.lower === "many" && tokens[i - 1]?.lower === "how") return "@count"
  if (counting.has(t.stem)) return "@count"
  if (averaging.has(t.stem)) return "@avg"
  if (summing.has(t.stem)) return "@sum"
  return fillers.has(t.lower) ? undefined : t.stem
}

/** True for a plain whole number such as 5 or 2024. */
export const isInteger = (t: Token | undefined): boolean => t !== undefined && /^\d+$/.test(t.lower)

/** True for a year the dataset could hold (1900–2099). */
export const isYear = (t: Token | undefined): boolean => t !== undefined && /^(19|20)\d\d$/.test(t.lower)

/** True for an ISO date (2025-03-01). */
export const isDate = (t: Token | undefined): boolean => t !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(t.lower)

/** Number words up to twenty, for "top five". */
export const numberWord: Readonly<Record<string, number>> = Object.fromEntries(
  "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty"
    .split(" ")
    .map((w, i) => [w, i + 1])
)

/** The whole number a token stands for (digits or a number word), if any. */
export const numberOf = (t: Token | undefined): number | undefined =>
  t === undefined ? undefined : isInteger(t) ? Number(t.lower) : numberWord[t.lower]

/** A SQL string literal. */
export const sqlString = (value: string): string => `'${value.replace(/'/g, "''")}'`

/** 32-bit FNV-1a of a string: a hash that is the same on every run and platform. */
export const hash = (text: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** A fraction in [0, 1) derived from a string. */
export const fraction = (text: string): number => hash(text) / 2 ** 32
