import type { AnswerWords } from '../knowledge/answer-words-schema'

/** What a figure counts, from the word after it: "五口人" people, "两千块" money, "8个月" months ... */
export type FigureUnit = keyof AnswerWords['units']

/** One figure in a message, with what is around it. */
export interface Figure {
  /** The figure, or the middle of its range. */
  value: number
  /** "两三千", "2000到3000". */
  range?: [number, number]
  unit?: FigureUnit
  /** Written digit by digit with no unit ("85", "八五", "二零一八"): how years are written. */
  digitString: boolean
  /** Followed by 年 (and not 年级): a year, when an age is asked. */
  yearMark: boolean
  /** Preceded by a word such as 加起来 or 一共: the figure meant when there are several. */
  afterTotal: boolean
  /** For money: how many months the amount covers ("一年三万": 12), or undefined when no period is said. */
  months?: number
  /** For money: the period said is a day or a week, too uncertain to turn into a month. */
  unclearPeriod: boolean
  start: number
  end: number
}

export interface FigureOptions {
  /** Read 月/年 phrases as the period of an amount (money questions), instead of as units of age. */
  periods: boolean
}

interface Token { kind: 'digit' | 'unit' | 'myriad'; value: number; start: number; end: number; arabic: boolean }
interface Span { start: number; end: number; months?: number; unclear?: boolean }

const ARABIC = /^\d+(?:[.,]\d+)*/
const LATIN = /[a-z]/

/**
 * Every figure in a normalised answer (see `normaliseAnswer`), each with its unit, period and context: the readers
 * then take the one that answers the question ("一个月两千五左右" → 2,500 a month, "老二六岁" → 6 years).
 */
export function findFigures(text: string, words: AnswerWords, options: FigureOptions): Figure[] {
  // "几百" is no figure at all, and 老二 not a figure of people.
  const masked: Span[] = spansOf(text, [...words.vague, ...words.notNumbers].sort((a, b) => b.length - a.length))
  const periods: Span[] = []
  if (options.periods) {
    for (const period of words.periods) periods.push(...spansOf(text, period.words, masked).map((s) => ({ ...s, months: period.months })))
    periods.push(...spansOf(text, words.unclearPeriods, masked).map((s) => ({ ...s, unclear: true })))
    masked.push(...periods)
  }
  const runs = numeralRuns(text, words, masked)
  const figures: Figure[] = []
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i]!
    let value = evaluate(run.tokens)
    if (value === undefined) continue
    let end = run.end
    let range: [number, number] | undefined = adjacentRange(run.tokens)
    // "两千到三千", "2-3千": a range between two figures.
    const next = runs[i + 1]
    const between = next && text.slice(end, next.start).trim()
    if (next && between && words.rangeSeparators.includes(between)) {
      const upper = evaluate(next.tokens)
      if (upper !== undefined) {
        let lower = value
        const multiplier = next.tokens.at(-1)!
        if (lower * 10 <= upper && run.tokens.every((t) => t.kind === 'digit') && multiplier.kind !== 'digit') lower *= multiplier.value
        if (lower <= upper) {
          range = [lower, upper]
          end = next.end
          i += 1
        }
      }
    }
    if (range) value = (range[0] + range[1]) / 2
    const after = skipWords(text, end, words.approximate)
    const unit = unitAt(text, after, words)
    figures.push({
      value,
      ...(range ? { range } : {}),
      ...(unit ? { unit } : {}),
      digitString: run.tokens.length > 1 ? run.tokens.every((t) => t.kind === 'digit' && t.value < 10 && !t.arabic) : run.tokens[0]!.arabic && !/[.,]/.test(text.slice(run.start, run.end)),
      yearMark: text.startsWith('年', after) && !text.startsWith('年级', after),
      afterTotal: words.totals.some((total) => endsNear(text, run.start, total)),
      ...periodOf(run.start, text, periods),
      start: run.start,
      end,
    })
  }
  return figures
}

/** Where the words occur, longest first, not overlapping each other or what is already taken. */
function spansOf(text: string, list: readonly string[], taken: readonly Span[] = []): Span[] {
  const spans: Span[] = []
  const free = (start: number, end: number) => ![...taken, ...spans].some((s) => start < s.end && end > s.start)
  for (const word of list) {
    for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + 1)) {
      const end = at + word.length
      if (LATIN.test(word) && (LATIN.test(text[at - 1] ?? '') || LATIN.test(text[end] ?? ''))) continue
      if (free(at, end)) spans.push({ start: at, end })
    }
  }
  return spans
}

/** Runs of numeral tokens (digits, 十百千, 万, Arabic figures, English number words), outside the masked spans. */
function numeralRuns(text: string, words: AnswerWords, masked: readonly Span[]) {
  const { digits, units, myriads } = words.numerals
  const table: [string, Token['kind'], number][] = [
    ...Object.entries(digits).map(([k, v]) => [k, 'digit', v] as [string, Token['kind'], number]),
    ...Object.entries(units).map(([k, v]) => [k, 'unit', v] as [string, Token['kind'], number]),
    ...Object.entries(myriads).map(([k, v]) => [k, 'myriad', v] as [string, Token['kind'], number]),
  ].sort((a, b) => b[0].length - a[0].length)
  const runs: { tokens: Token[]; start: number; end: number }[] = []
  let current: Token[] = []
  const close = () => {
    if (current.some((t) => t.kind === 'digit') || current.some((t) => t.kind === 'unit' && !LATIN.test(text.slice(t.start, t.end)))) {
      runs.push({ tokens: current, start: current[0]!.start, end: current.at(-1)!.end })
    }
    current = []
  }
  let i = 0
  while (i < text.length) {
    if (masked.some((s) => i >= s.start && i < s.end)) {
      close()
      i = masked.find((s) => i >= s.start && i < s.end)!.end
      continue
    }
    const token = tokenAt(text, i, table, current.at(-1))
    if (token) {
      current.push(token)
      i = token.end
      continue
    }
    // English number words may stand apart ("two thousand"); Chinese ones may not.
    if (text[i] === ' ' && current.length && LATIN.test(text[i + 1] ?? '') && LATIN.test(text[i - 1] ?? '')) {
      i += 1
      continue
    }
    close()
    i += 1
  }
  close()
  return runs
}

function tokenAt(text: string, at: number, table: [string, Token['kind'], number][], previous: Token | undefined): Token | undefined {
  const arabic = ARABIC.exec(text.slice(at))?.[0]
  if (arabic) {
    // "2,500" is digit grouping; "3,2000" is two figures.
    const grouped = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(arabic)
    const figure = grouped ? arabic : arabic.split(',')[0]!
    const value = Number(figure.replaceAll(',', ''))
    return Number.isFinite(value) ? { kind: 'digit', value, start: at, end: at + figure.length, arabic: true } : undefined
  }
  for (const [word, kind, value] of table) {
    if (!text.startsWith(word, at)) continue
    if (LATIN.test(word)) {
      const glued = previous && previous.end === at
      // "k" only right after a figure ("2k"); other words stand alone ("ten", not "often").
      if (word.length === 1 ? !glued : LATIN.test(text[at - 1] ?? '') || LATIN.test(text[at + word.length] ?? '')) continue
    }
    return { kind, value, start: at, end: at + word.length, arabic: false }
  }
  return undefined
}

/**
 * A run's value: sections of 十/百/千 under 万, with the spoken shortening of a last digit ("两千五" = 2,500,
 * "一万五" = 15,000) and digit strings ("八五" = 85). Undefined for a run that is not a figure.
 */
function evaluate(tokens: Token[]): number | undefined {
  if (tokens.length > 1 && tokens.every((t) => t.kind === 'digit' && t.value < 10 && !t.arabic)) {
    return Number(tokens.map((t) => t.value).join(''))
  }
  let total = 0
  let section = 0
  let digit: number | undefined
  let lastUnit = 1
  let zeroSeen = false
  for (const token of tokens) {
    if (token.kind === 'digit') {
      if (token.value === 0 && !token.arabic) zeroSeen = true
      // "twenty five": the ones join the tens.
      digit = digit !== undefined && digit >= 20 && digit % 10 === 0 && token.value < 10 ? digit + token.value : token.value
    } else if (token.kind === 'unit') {
      section += (digit ?? 1) * token.value
      lastUnit = token.value
      digit = undefined
    } else {
      total += (section + (digit ?? (section === 0 ? 1 : 0))) * token.value
      section = 0
      digit = undefined
      lastUnit = token.value
    }
  }
  if (digit !== undefined && lastUnit >= 100 && !zeroSeen && digit < 10 && Number.isInteger(digit)) digit *= lastUnit / 10
  return total + section + (digit ?? 0)
}

/** "两三千", "三四口", "三十五六", "一千五六": two neighbouring digits, one apart, are a range. */
function adjacentRange(tokens: Token[]): [number, number] | undefined {
  const digit = (t: Token | undefined) => t !== undefined && t.kind === 'digit' && !t.arabic
  const pairs = tokens.map((_, k) => k).filter((k) => digit(tokens[k]) && digit(tokens[k + 1]) && !digit(tokens[k - 1]) && !digit(tokens[k + 2])
    && tokens[k + 1]!.value === tokens[k]!.value + 1 && tokens[k]!.value > 0)
  if (pairs.length !== 1) return undefined
  const k = pairs[0]!
  const lower = evaluate(tokens.filter((_, i) => i !== k + 1))
  const upper = evaluate(tokens.filter((_, i) => i !== k))
  return lower !== undefined && upper !== undefined ? [lower, upper] : undefined
}

function skipWords(text: string, at: number, list: readonly string[]): number {
  let position = at
  for (;;) {
    while (text[position] === ' ') position += 1
    const word = list.find((w) => text.startsWith(w, position))
    if (!word) return position
    position += word.length
  }
}

function unitAt(text: string, at: number, words: AnswerWords): FigureUnit | undefined {
  let best: { unit: FigureUnit; length: number } | undefined
  for (const [unit, list] of Object.entries(words.units) as [FigureUnit, string[]][]) {
    const word = list.find((w) => text.startsWith(w, at) && !(LATIN.test(w) && LATIN.test(text[at + w.length] ?? '')))
    if (word && (!best || word.length > best.length)) best = { unit, length: word.length }
  }
  return best?.unit
}

/** A total word ending just before the figure (a few characters of slack: "加起来大概有两千"). */
function endsNear(text: string, at: number, word: string): boolean {
  const index = text.lastIndexOf(word, at)
  return index !== -1 && index + word.length <= at && at - (index + word.length) <= 4 && !text.slice(index + word.length, at).includes(',')
}

/** The period said nearest the figure, in its clause if there is one there, else anywhere in the message. */
function periodOf(at: number, text: string, periods: Span[]): Pick<Figure, 'months' | 'unclearPeriod'> {
  const clauseOf = (position: number) => text.slice(0, position).split(',').length
  const near = (list: Span[]) => [...list].sort((a, b) => Math.abs(a.start - at) - Math.abs(b.start - at))[0]
  const period = near(periods.filter((p) => clauseOf(p.start) === clauseOf(at))) ?? near(periods)
  if (!period) return { unclearPeriod: false }
  return period.unclear ? { unclearPeriod: true } : { months: period.months, unclearPeriod: false }
}
