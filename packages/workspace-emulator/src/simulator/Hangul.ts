/**
 * Korean (Hangul) questions and configuration phrases for the Genie simulator. Korean attaches particles to words
 * (주문은, 주문을, 지역별) and puts time words and aggregates in its own order (2024년 3분기, 고객 수), so Hangul words
 * are read by rules of the language, never by words of a domain:
 *
 * - particles (은 는 이 가 을 를 의 에 에서 에게 와 과 로 으로 도 만 까지 부터 보다 들 별 마다) are stripped from the end of
 *   a word while at least two syllables remain, on both sides (questions and configured phrases); phrase matching
 *   also accepts a configured word followed by particles (책 + 의), so one-syllable words match too;
 * - 별 and 마다 after a phrase group by it (지역별 = "by region");
 * - function words are read as their English counterparts (평균 → average, 상위 → top, 어떤 → which, 수 → number of
 *   the phrase before it), question endings and counters are dropped;
 * - time expressions become the English ones the time-window parser knows (최근 7일간 → last 7 days, 지난달 → last
 *   month, 2024년 3분기 → Q3 2024, 2024년 3월 → March 2024, 일별 → daily).
 */
import type { Token } from "./Text.js"

const hangul = /\p{Script=Hangul}/u

/** True for a word written in Hangul. */
export const isHangul = (word: string): boolean => hangul.test(word)

/** Particles that attach to the end of a word. */
const particles = [
  "은",
  "는",
  "이",
  "가",
  "을",
  "를",
  "의",
  "에",
  "에서",
  "에게",
  "와",
  "과",
  "로",
  "으로",
  "도",
  "만",
  "까지",
  "부터",
  "보다",
  "들",
  "별",
  "마다"
].sort((a, b) => b.length - a.length)

/** True for a non-empty string made only of particles (별로는 = 별 + 로 + 는). */
export const isParticleChain = (text: string): boolean => {
  if (text === "") return false
  const from = (i: number): boolean =>
    i === text.length || particles.some((p) => text.startsWith(p, i) && from(i + p.length))
  return from(0)
}

/**
 * Splits the particles off a Hangul word while at least two syllables remain (주문을 → 주문 + 을, 지역별로 → 지역 +
 * 별로, but 평가 stays 평가).
 */
export const strip = (word: string): { readonly base: string; readonly particles: string } => {
  let base = word
  for (;;) {
    const p = particles.find((x) => base.endsWith(x) && base.length - x.length >= 2)
    if (p === undefined) return { base, particles: word.slice(base.length) }
    base = base.slice(0, -p.length)
  }
}

/** The ways a word can be read as a base followed by particles (longest base first), the word itself included. */
export const bases = (word: string): ReadonlyArray<string> => {
  const out = [word]
  for (let k = word.length - 1; k >= 1; k--) if (isParticleChain(word.slice(k))) out.push(word.slice(0, k))
  return out
}

/** True when particles after a phrase group by it: 별 ("by"), 마다 ("every"). */
export const groupsBy = (attached: string | undefined): boolean =>
  attached !== undefined && (attached.startsWith("별") || attached.startsWith("마다"))

/** The first entry of `words` the word is, with or without particles after it. */
const lookup = <A>(word: string, words: Readonly<Record<string, A>>): { key: string; value: A } | undefined => {
  for (const b of bases(word)) if (Object.hasOwn(words, b)) return { key: b, value: words[b] }
  return undefined
}

type Cue = "after" | "before" | "either"

/** Function words and the English word they stand for; `cue` says where the phrase they apply to is. */
const functionWords: Readonly<Record<string, { readonly en: string; readonly cue?: Cue }>> = {
  평균: { en: "average", cue: "either" },
  총: { en: "total" },
  총합: { en: "total", cue: "before" },
  합계: { en: "total", cue: "before" },
  합: { en: "total", cue: "before" },
  총계: { en: "total", cue: "before" },
  총액: { en: "total", cue: "before" },
  수: { en: "number", cue: "before" },
  개수: { en: "number", cue: "before" },
  건수: { en: "number", cue: "before" },
  횟수: { en: "number", cue: "before" },
  인원: { en: "number", cue: "before" },
  인원수: { en: "number", cue: "before" },
  몇: { en: "number", cue: "either" },
  최대: { en: "maximum", cue: "either" },
  최댓값: { en: "maximum", cue: "before" },
  최소: { en: "minimum", cue: "either" },
  최솟값: { en: "minimum", cue: "before" },
  상위: { en: "top" },
  하위: { en: "bottom" },
  어떤: { en: "which" },
  어느: { en: "which" },
  무슨: { en: "which" }
}

/** After 가장 / 제일 ("the most"): the adjective's first syllable gives the direction. */
const superlatives: Readonly<Record<string, string>> = {
  많: "most",
  높: "highest",
  크: "highest",
  큰: "highest",
  적: "fewest",
  낮: "lowest",
  작: "lowest"
}

/** Words that carry no meaning for matching: question words, conjunctions, counters and the like. */
const dropped = new Set(
  (
    "가장 제일 어떻게 얼마 얼마나 무엇 뭐 및 그리고 각 각각 대한 대해 대해서 관련 동안 기간 중 기준 전체 모든 " +
    "추이 현황 변화 데이터 정보 결과 명 개 건 곳 개국 가지 위 알려줘 보여줘 해줘 줘 좀"
  ).split(" ")
)

/** Predicate endings: a word ending so is a verb or adjective of the question (보여주세요, 되나요, 입니까). */
const predicate = /(요|까|줘|니다|냐)$/

/** Time units after a number or a time word. */
const units: Readonly<Record<string, string>> = {
  일: "day",
  일간: "day",
  주: "week",
  주간: "week",
  개월: "month",
  개월간: "month",
  달: "month",
  달간: "month",
  분기: "quarter",
  년: "year",
  년간: "year",
  해: "year"
}

/** One-word time expressions. */
const timeWords: Readonly<Record<string, ReadonlyArray<string>>> = {
  지난달: ["last", "month"],
  저번달: ["last", "month"],
  전월: ["last", "month"],
  지난주: ["last", "week"],
  저번주: ["last", "week"],
  전주: ["last", "week"],
  지난해: ["last", "year"],
  작년: ["last", "year"],
  전년: ["last", "year"],
  어제: ["last", "day"],
  전일: ["last", "day"],
  이번달: ["this", "month"],
  당월: ["this", "month"],
  금월: ["this", "month"],
  이번주: ["this", "week"],
  금주: ["this", "week"],
  올해: ["this", "year"],
  금년: ["this", "year"],
  오늘: ["this", "day"],
  금일: ["this", "day"]
}

/** Words that make the next time unit relative: 최근 / 지난 (the last …), 이번 (this …). */
const relative: Readonly<Record<string, string>> = {
  최근: "last",
  지난: "last",
  저번: "last",
  과거: "last",
  직전: "last",
  이번: "this"
}

/** Grains: a time unit followed by 별 / 마다, and words that name a grain. */
const grainWords: Readonly<Record<string, string>> = {
  일별: "daily",
  날짜별: "daily",
  일자별: "daily",
  주별: "weekly",
  주간별: "weekly",
  월별: "monthly",
  월간: "monthly",
  분기별: "quarterly",
  연도별: "yearly",
  년도별: "yearly",
  연별: "yearly",
  년별: "yearly",
  연간: "yearly"
}

const numberWords: Readonly<Record<string, number>> = {
  한: 1,
  하나: 1,
  두: 2,
  둘: 2,
  세: 3,
  셋: 3,
  네: 4,
  넷: 4,
  다섯: 5,
  여섯: 6,
  일곱: 7,
  여덟: 8,
  아홉: 9,
  열: 10
}

const monthNames = "january february march april may june july august september october november december".split(" ")

const isDigits = (t: Token | undefined): boolean => t !== undefined && /^\d+$/.test(t.lower)
const isYearToken = (t: Token | undefined): boolean => t !== undefined && /^(19|20)\d\d$/.test(t.lower)

/** A token standing for an English word, keeping the Korean as written. */
const english = (source: Token, word: string, stem: string = word, cue?: Cue): Token => ({
  raw: source.raw,
  lower: word,
  stem,
  ...(cue === undefined ? {} : { cue })
})

const unitOf = (t: Token | undefined): { key: string; value: string } | undefined =>
  t !== undefined && isHangul(t.lower) ? lookup(t.lower, units) : undefined

/** The Korean word the next token is, if it is one of `words` (particles allowed). */
const is = (t: Token | undefined, ...words: ReadonlyArray<string>): boolean =>
  t !== undefined && isHangul(t.lower) && words.some((w) => bases(t.lower).includes(w))

/** The particles after a looked-up word. */
const after = (t: Token, key: string): string => t.lower.slice(key.length)

/**
 * Rewrites the Hangul words of a tokenized text: time expressions and function words become English tokens,
 * question endings and counters are dropped, and everything else keeps its stem (particles stripped).
 */
export const normalize = (tokens: ReadonlyArray<Token>): ReadonlyArray<Token> => {
  if (!tokens.some((t) => isHangul(t.lower))) return tokens
  const out: Array<Token> = []
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]
    const next = tokens[i + 1]
    // 2024년 …: a year, then 3분기 (Q3 2024), 3월 (March 2024), 3월 5일 (an ISO date), 부터 / 이후 / 이전 / 까지.
    if (isYearToken(t) && is(next, "년", "년도")) {
      const year = t.lower
      const yearWord = lookup(next.lower, { 년: 1, 년도: 1 })!
      const attached = after(next, yearWord.key)
      const [n, unit] = [tokens[i + 2], tokens[i + 3]]
      if (attached === "" && isDigits(n) && is(unit, "분기") && Number(n.lower) >= 1 && Number(n.lower) <= 4) {
        out.push(english(n, `q${n.lower}`), english(t, year))
        i += 3
        continue
      }
      if (attached === "" && isDigits(n) && is(unit, "월") && Number(n.lower) >= 1 && Number(n.lower) <= 12) {
        const month = Number(n.lower)
        const [d, day] = [tokens[i + 4], tokens[i + 5]]
        if (isDigits(d) && is(day, "일") && Number(d.lower) >= 1 && Number(d.lower) <= 31) {
          const iso = `${year}-${String(month).padStart(2, "0")}-${d.lower.padStart(2, "0")}`
          out.push(english(t, iso))
          i += 5
          continue
        }
        out.push(english(unit, monthNames[month - 1]), english(t, year))
        i += 3
        continue
      }
      // 2023년부터 2024년까지: between; 2024년부터 / 이후: since / after; 2024년 이전 / 까지: before / until.
      const following = tokens[i + 2]
      if (attached.startsWith("부터") && isYearToken(following) && is(tokens[i + 3], "년", "년도")) {
        const end = after(tokens[i + 3], lookup(tokens[i + 3].lower, { 년: 1, 년도: 1 })!.key)
        if (end.startsWith("까지")) {
          out.push(english(t, "between"), english(t, year), english(t, "and"), english(following, following.lower))
          i += 3
          continue
        }
      }
      if (attached.startsWith("부터") || is(following, "이후")) {
        out.push(english(t, attached.startsWith("부터") ? "since" : "after"), english(t, year))
        i += attached.startsWith("부터") ? 1 : 2
        continue
      }
      if (attached.startsWith("까지") || is(following, "이전")) {
        out.push(english(t, attached.startsWith("까지") ? "until" : "before"), english(t, year))
        i += attached.startsWith("까지") ? 1 : 2
        continue
      }
      out.push(t)
      i += 1
      continue
    }
    if (!isHangul(t.lower)) {
      out.push(t)
      continue
    }
    const number = lookup(t.lower, numberWords)
    if (number !== undefined && number.key === t.lower && unitOf(next) !== undefined) {
      out.push(english(t, String(number.value)))
      continue
    }
    const unit = unitOf(t)
    const previous = out.at(-1)
    if (unit !== undefined && previous !== undefined && (isDigits(previous) || previous.lower === "last")) {
      // 7일간 → 7 days; 지난 달 → last month
      out.push(isDigits(previous) ? english(t, `${unit.value}s`, unit.value) : english(t, unit.value))
      continue
    }
    if (unit !== undefined && previous?.lower === "this") {
      out.push(english(t, unit.value))
      continue
    }
    const time = lookup(t.lower, timeWords)
    if (time !== undefined) {
      for (const word of time.value) out.push(english(t, word))
      continue
    }
    const rel = lookup(t.lower, relative)
    const counted = isDigits(next) || lookup(next?.lower ?? "", numberWords) !== undefined
    if (rel !== undefined && (counted || unitOf(next) !== undefined)) {
      out.push(english(t, rel.value))
      continue
    }
    const grain = lookup(t.lower, grainWords)
    if (grain !== undefined) {
      out.push(english(t, grain.value))
      continue
    }
    const fn = lookup(t.lower, functionWords)
    if (fn !== undefined) {
      out.push(english(t, fn.value.en, fn.value.en, fn.value.cue ?? "after"))
      continue
    }
    if (is(tokens[i - 1], "가장", "제일")) {
      const direction = superlatives[t.lower.charAt(0)]
      if (direction !== undefined) {
        out.push(english(t, direction))
        continue
      }
    }
    if (bases(t.lower).some((b) => dropped.has(b)) || predicate.test(t.lower)) continue
    out.push(t)
  }
  return out
}
