/**
 * Language-level tokenisation of questions and configuration phrases, shared by the learner and the fixer: Unicode
 * letters and digits, Hangul particles stripped from the end of a word, a light English plural stemmer, function
 * words of English and Korean (question words, articles, auxiliaries, aggregate and ranking cues) and calendar words.
 * Nothing here names a domain: only words of the languages themselves.
 */

/** One word of a question. @category models */
export interface Token {
  /** As written. */
  readonly raw: string
  readonly lower: string
  /** The lower-case word without Hangul particles and plural endings: what phrases are compared on. */
  readonly stem: string
  /** Position in the question's token list. */
  readonly index: number
  /** Hangul particles written after the word (지역별로: `별로`; `KPI는`: `는`). */
  readonly particles?: string
}

const hangul = /\p{Script=Hangul}/u

/** True for a word written in Hangul. @category constructors */
export const isHangul = (word: string): boolean => hangul.test(word)

/** Korean particles (postpositions) that attach to the end of a word, longest first. */
const particles = [
  "에서는",
  "에서",
  "에게",
  "으로",
  "까지",
  "부터",
  "보다",
  "마다",
  "처럼",
  "이나",
  "이랑",
  "은",
  "는",
  "이",
  "가",
  "을",
  "를",
  "의",
  "에",
  "와",
  "과",
  "로",
  "도",
  "만",
  "들",
  "별",
  "랑",
  "나"
].sort((a, b) => b.length - a.length)

/** True for a non-empty string made only of particles (별로는 = 별 + 로 + 는). @category constructors */
export const isParticleChain = (text: string): boolean => {
  if (text === "" || !isHangul(text)) return false
  const from = (i: number): boolean =>
    i === text.length || particles.some((p) => text.startsWith(p, i) && from(i + p.length))
  return from(0)
}

/** The ways a Hangul word can be read as a base followed by particles, the word itself first (수를: 수를, 수). */
export const bases = (word: string): ReadonlyArray<string> => {
  const out = [word]
  if (!isHangul(word)) return out
  for (let k = word.length - 1; k >= 1; k--) if (isParticleChain(word.slice(k))) out.push(word.slice(0, k))
  return out
}

/**
 * Strips particles off a Hangul word while at least two syllables remain (주문을 → 주문, 지역별로 → 지역); other words
 * are kept as they are.
 *
 * @category constructors
 */
export const stripParticles = (word: string): string => {
  if (!isHangul(word)) return word
  let base = word
  for (;;) {
    const p = particles.find((x) => base.endsWith(x) && base.length - x.length >= 2)
    if (p === undefined) return base
    base = base.slice(0, -p.length)
  }
}

// Words whose plural rule would break them.
const keepS = new Set(["this", "is", "was", "has", "its", "his", "less", "plus", "yes", "bus", "gas", "us"])

/** The stem of a lower-case word: Hangul particles stripped; English plural endings removed. @category constructors */
export const stem = (word: string): string => {
  if (isHangul(word)) return stripParticles(word)
  if (keepS.has(word) || word.length <= 3 || !word.endsWith("s")) return word
  if (word.endsWith("ies") && word.length > 4) return `${word.slice(0, -3)}y`
  if (/(ch|sh|x|zz)es$/.test(word)) return word.slice(0, -2)
  if (/(ss|us|is)$/.test(word)) return word
  return word.slice(0, -1)
}

const wordPattern = /\d{4}-\d{2}-\d{2}|\p{Script=Hangul}+|(?:(?!\p{Script=Hangul})[\p{L}\p{N}])+/gu

/**
 * Splits text into words: ISO dates stay whole, runs of letters or digits of one script are a word (so `walk-in`
 * is two words and `7일간` is `7` + `일간`); underscores separate words (`unit_cost` → `unit`, `cost`). Particles
 * written right after a word of another script attach to it (`KPI는` is one word `kpi` with particle `는`).
 *
 * @category constructors
 */
export const tokenize = (text: string): ReadonlyArray<Token> => {
  const out: Array<Token> = []
  let end = -1
  for (const m of text.replace(/_/g, " ").matchAll(wordPattern)) {
    const previous = out.at(-1)
    const attached = m.index === end && previous !== undefined && !isHangul(previous.lower)
    end = m.index + m[0].length
    if (attached && isParticleChain(m[0])) {
      out[out.length - 1] = { ...previous, particles: `${previous.particles ?? ""}${m[0]}` }
      continue
    }
    const lower = m[0].toLowerCase()
    const base = stem(lower)
    const particles = isHangul(lower) ? lower.slice(base.length) : ""
    out.push({ raw: m[0], lower, stem: base, index: out.length, ...(particles === "" ? {} : { particles }) })
  }
  return out
}

/**
 * True when the particles after a word make it a grouping ("by"): 별 and 마다 (지역별: grouped by 지역).
 *
 * @category constructors
 */
export const groupsBy = (t: Token): boolean => t.particles !== undefined && /^(별|마다)/.test(t.particles)

/** The stems of a phrase (a column name, a synonym, a value). @category constructors */
export const stems = (text: string): ReadonlyArray<string> => tokenize(text).map((t) => t.stem)

/**
 * Function words: question words, articles, pronouns, auxiliaries, prepositions, and the cues of aggregation and
 * ranking ("how many", "average", "top", 평균, 상위). They never carry a domain term.
 */
const functionWords: ReadonlySet<string> = new Set(
  [
    // English
    "a an the of in on at for to from with by per each every and or vs versus is are was were be been being do does",
    "did done what which who whom whose how when where why me my we our us you your i it its this that these those",
    "there their they them show give tell list display please can could would should will shall may might must have",
    "has had get got ever all any some than into over across as about many much more most less least fewest top",
    "bottom highest lowest largest smallest biggest best worst greatest number count total sum average avg mean",
    "maximum max minimum min distinct unique different overall compare compared comparison break down between",
    "see find one two three four five six",
    "seven eight nine ten twenty hundred first second third fourth last past previous next current so far up out",
    "not no yes only also just very here than then both either neither own same other another such",
    // Korean: question endings, pronouns, auxiliaries, aggregate and ranking cues (particles are stripped first)
    "무엇 뭐 어떤 어느 무슨 얼마 얼마나 몇 누구 언제 어디 어떻게 왜 알려줘 알려 주세요 보여줘 보여 줘 해줘 해주세요 해 주세요",
    "나열 나열해 비교 비교해 각각 각 모든 전체 총 총합 합계 합 총계 평균 수 개수 건수 최대 최소 상위 하위 가장 제일",
    "많은 많이 적은 높은 낮은 큰 작은 이 그 저 우리 있는 있나요 인가요 였나요 했나요 됐나요 되나요 얼마였나요",
    "입니까 인지 대비 기준 대한 대해 대해서 및 또는 그리고 에서 동안 관련 중 추이 현황 분포 변화 데이터 정보 결과",
    "명 개 건 곳 개국 가지 위 좀 줘 횟수 인원 인원수 총액 최고 최저 최고치 최저치 최댓값 최솟값 평균값 비율 얼마나"
  ]
    .join(" ")
    .split(/\s+/)
)

/** Korean predicate endings: a word ending so is a verb or adjective of the question (보여주세요, 되나요, 입니까). */
const predicateEnding = /(요|까|줘|니다|냐)$/

/** True for a function word (or its stem), or a Korean question ending. @category constructors */
export const isFunctionWord = (t: Token): boolean =>
  inWords(t, functionWords) || (isHangul(t.lower) && predicateEnding.test(t.lower))

/** The word, its stem, or (Hangul) a base of it that only particles follow, is in `words` (수를 → 수). */
const inWords = (t: Token, words: ReadonlySet<string>): boolean =>
  words.has(t.lower) || words.has(t.stem) || bases(t.lower).some((b) => words.has(b))

/** Aggregate functions and the words of English and Korean that ask for them. */
const aggregateCues: Readonly<Record<string, ReadonlySet<string>>> = {
  sum: new Set("total sum overall 총 총합 합계 합 총계 총액".split(" ")),
  avg: new Set("average avg mean 평균 평균값".split(" ")),
  count: new Set("many number count 수 개수 건수 횟수 몇 인원 인원수".split(" ")),
  max: new Set("maximum max highest peak 최대 최고 최고치 최댓값".split(" ")),
  min: new Set("minimum min lowest 최소 최저 최저치 최솟값".split(" "))
}

/**
 * True when the question asks for the aggregate `fn` (`sum`, `avg`, `count`, `max`, `min`) in words: "total",
 * "how many", 평균, 수 … A question that does not needs a named measure to be computed.
 *
 * @category constructors
 */
export const asksFor = (tokens: ReadonlyArray<Token>, fn: string): boolean => {
  const cues = aggregateCues[fn.toLowerCase()]
  return cues !== undefined && tokens.some((t) => inWords(t, cues))
}

/**
 * Calendar words (English and Korean): grains, relative windows and period words. They are explained by a query's
 * date filter or time grain, never by a domain element.
 */
const calendarWords: ReadonlySet<string> = new Set(
  [
    "day days daily week weeks weekly month months monthly quarter quarters quarterly year years yearly annual",
    "annually today yesterday ytd mtd qtd date dates period periods time since before after during recent recently",
    "january february march april may june july august september october november december q1 q2 q3 q4",
    "일 일간 일별 주 주간 주별 월 월간 월별 달 분기 분기별 년 년도 연도 연간 연도별 년별 해 올해 작년 지난해 전년",
    "지난달 이번달 이번 지난 최근 오늘 어제 기간 동안 상반기 하반기 현재 지금 하루 매일 개월 개월간 년간 주별 일자 날짜",
    "지난주 이번주 저번달 저번주 전월 전주 전일 금년 금월 금주 금일 당월 말 초 now latest"
  ]
    .join(" ")
    .split(/\s+/)
)

/** True for a calendar word. @category constructors */
export const isCalendarWord = (t: Token): boolean => inWords(t, calendarWords)

/** True for a number or a Korean number with its counter (2024년, 7일간 splits to 7 + 일간). @category constructors */
export const isNumeric = (t: Token): boolean => /^\d+([.,]\d+)?$/.test(t.lower) || /^\d{4}-\d{2}-\d{2}$/.test(t.lower)

/**
 * True when a question token and a phrase stem are the same word: equal stems, or (Hangul) the token starts with
 * the stem and the rest is particles, or (other scripts) one is a prefix of the other of at least five letters
 * (`checkout`/`checkouts`, `varieties`/`variety`).
 *
 * @category constructors
 */
export const sameWord = (token: string, phrase: string): boolean => {
  if (token === phrase) return true
  if (isHangul(token) || isHangul(phrase)) return token.startsWith(phrase) && stripParticles(token) === phrase
  const [short, long] = token.length <= phrase.length ? [token, phrase] : [phrase, token]
  return short.length >= 5 && long.startsWith(short) && long.length - short.length <= 3
}

/** Word n-grams (1..max) of consecutive tokens, as stem lists with their token span. @category constructors */
export const ngrams = (
  tokens: ReadonlyArray<Token>,
  max: number
): ReadonlyArray<{ readonly stems: ReadonlyArray<string>; readonly start: number; readonly end: number }> => {
  const out: Array<{ stems: ReadonlyArray<string>; start: number; end: number }> = []
  for (let i = 0; i < tokens.length; i++) {
    for (let n = 1; n <= max && i + n <= tokens.length; n++) {
      const span = tokens.slice(i, i + n)
      // A gram is consecutive in the question (no skipped word between).
      if (span.some((t, k) => k > 0 && t.index !== span[k - 1].index + 1)) break
      out.push({ stems: span.map((t) => t.stem), start: span[0].index, end: span[n - 1].index + 1 })
    }
  }
  return out
}
