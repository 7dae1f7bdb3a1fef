import type { AnswerWords } from '../knowledge/answer-words-schema'
import { normaliseAnswer } from '../knowledge/answer-words-schema'
import type { Question } from '../knowledge/check-schema'
import { findFigures, type Figure, type FigureUnit } from './figures'

/** A slot's value: a number (sizes, amounts, ages), yes/no, or a choice option's value. */
export type SlotValue = number | boolean | string

const NOT_PEOPLE: FigureUnit[] = ['money', 'years', 'months', 'birthYear', 'other']
const NOT_MONEY: FigureUnit[] = ['people', 'years', 'months', 'birthYear', 'other']
const AGE_UNITS: FigureUnit[] = ['years', 'months', 'birthYear']

/**
 * Reads one answer for one question, by what the question asks; undefined when it is not a clear answer (the
 * resident is then asked again). `text` is the message as the resident wrote it.
 * @example parseAnswer(incomeQuestion, '一个月两千五左右', words, now) // 2500
 * @example parseAnswer(ageQuestion, '我85年的', words, new Date('2025-06-01')) // 40
 */
export function parseAnswer(question: Question, text: string, words: AnswerWords, now: Date): SlotValue | undefined {
  const plain = normaliseAnswer(text)
  if (!plain) return undefined
  switch (question.type) {
    case 'yes_no':
      return readYesNo(plain, words, question)
    case 'choice':
      return readChoice(plain, text.trim(), question)
    case 'age':
      return inRange(question, readAge(plain, words, now))
    case 'amount_yuan':
      return inRange(question, readMoney(plain, words))
    case 'number':
      return inRange(question, readPeople(plain, words))
  }
}

/** How many people: "五口人", "三个大人两个小孩" (5), "一家五口，三个大人两个小孩" (5), "就我自己" (1). */
export function readPeople(plain: string, words: AnswerWords): number | undefined {
  const figures = findFigures(plain, words, { periods: false }).filter((f) => !f.unit || !NOT_PEOPLE.includes(f.unit))
  if (figures.length === 0) return words.alone.some((w) => plain.includes(w)) ? 1 : undefined
  if (figures.some((f) => f.range || !Number.isInteger(f.value))) return undefined
  return oneOf(figures, (f) => f.value, (all) => all.every((f) => f.unit === 'people'))
}

/**
 * Money per month: "两千五" , "一年三万" (2,500 a month), "两三千" (the middle), "我三千，老伴一千" (the sum),
 * "没有收入" (0). A day's or a week's pay, or "几百", is not clear enough.
 */
export function readMoney(plain: string, words: AnswerWords): number | undefined {
  const figures = findFigures(plain, words, { periods: true }).filter((f) => !f.unit || !NOT_MONEY.includes(f.unit))
  if (figures.some((f) => f.unclearPeriod)) return undefined
  if (figures.length === 0) {
    if (words.vague.some((w) => plain.includes(w)) || words.unsure.some((w) => plain.includes(w))) return undefined
    // "没有收入", "冇得", "一分钱都没有": nothing at all.
    const compact = plain.replace(/\s+/g, '')
    return readYesNo(plain, words) === false || words.no.some((w) => w.length > 1 && compact.includes(w)) ? 0 : undefined
  }
  const amount = oneOf(figures, (f) => f.value / (f.months ?? 1), () => true)
  return amount === undefined ? undefined : Math.round(amount)
}

/** An age in whole years: "七岁", "才8个月大" (0), "我85年的", "2018年3月", "1990", "虚岁九岁" (8). */
export function readAge(plain: string, words: AnswerWords, now: Date): number | undefined {
  const figures = findFigures(plain, words, { periods: false })
  const year = now.getUTCFullYear()
  const ages: number[] = []
  for (let i = 0; i < figures.length; i++) {
    const figure = figures[i]!
    const born = birthYear(figure, year)
    if (born !== undefined) {
      // "2018年3月", "2018-09": the month that follows, when it is there.
      const next = figures[i + 1]
      const joined = next && (plain.slice(next.end).trimStart().startsWith('月') || ['-', '.', ''].includes(plain.slice(figure.end, next.start).trim()))
      const month = next && joined && next.value >= 1 && next.value <= 12 ? figures[++i]!.value : 1
      ages.push(year - born - (now.getUTCMonth() + 1 < month ? 1 : 0))
    } else if (figure.unit === 'months') ages.push(figure.value / 12)
    else if (!figure.unit || figure.unit === 'years') {
      if (figure.range) return undefined
      const nominal = words.nominalAge.some((w) => plain.includes(w))
      ages.push(figure.value - (nominal ? 1 : 0))
    }
  }
  const marked = figures.filter((f) => f.unit && AGE_UNITS.includes(f.unit) || f.yearMark).length
  // Two ages in one answer ("大的十岁小的六岁") do not say which child is meant.
  if (ages.length !== 1 && !(marked === 1 && ages.length > 1)) return undefined
  const age = ages.length === 1 ? ages[0]! : ages[figures.findIndex((f) => f.unit && AGE_UNITS.includes(f.unit) || f.yearMark)]
  return age === undefined || age < 0 ? undefined : Math.floor(age)
}

/** A year of birth: "1985", "85年的", "八五年生", "2018年"; two digits are read in the last hundred years. */
function birthYear(figure: Figure, thisYear: number): number | undefined {
  const { value } = figure
  if (!Number.isInteger(value)) return undefined
  const marked = figure.unit === 'birthYear' || figure.yearMark
  if (value >= 1900 && value <= thisYear && (marked || figure.digitString)) return value
  if (marked && figure.digitString && value < 100) {
    const century = value <= thisYear % 100 ? 2000 : 1900
    return century + value
  }
  return undefined
}

/**
 * The figure meant among several: one after a total word, one that is the sum of the others ("五口，三个大人两个
 * 小孩"), or the sum of them all when `summable` ("我三千，老伴一千"); else unclear.
 */
function oneOf(figures: Figure[], valueOf: (f: Figure) => number, summable: (all: Figure[]) => boolean): number | undefined {
  if (figures.length === 1) return valueOf(figures[0]!)
  const total = figures.filter((f) => f.afterTotal).at(-1)
  if (total) return valueOf(total)
  const values = figures.map(valueOf)
  const sum = values.reduce((a, b) => a + b, 0)
  const whole = values.find((v) => Math.abs(v * 2 - sum) < 1e-6)
  if (whole !== undefined) return whole
  return summable(figures) ? sum : undefined
}

/**
 * Yes or no by meaning: a yes/no word that answers the question, negation (including dialect: 冇, 莫得, 没得,
 * 不得) over the question's subject, and "有/是" only when what follows is short or names what was asked
 * ("有个老人残疾了" does not answer "家里有没有小汽车").
 */
export function readYesNo(plain: string, words: AnswerWords, question?: Pick<Question, 'about' | 'doesNotCount'>): boolean | undefined {
  if (words.unsure.some((w) => plain.includes(w))) return undefined
  const clauses = plain.split(/\s*,\s*/).map((c) => c.trim()).filter(Boolean)
  let weak: boolean | undefined
  for (const clause of clauses) {
    // "对了，…" opens a new thought: the answer, if any, is in what follows.
    const opener = words.discourse.find((d) => clause === d || clause.startsWith(/[a-z]$/.test(d) ? `${d} ` : d))
    const rest = opener ? clause.slice(opener.length).trim() : clause
    if (!rest) continue
    // A clause that is a yes or a no decides; one that only names the subject ("老伴走了") counts if none does.
    const read = clauseYesNo(rest, words, question)
    if (read?.strong) return read.value
    weak ??= read?.value
  }
  return weak
}

interface Reading { value: boolean; strong: boolean }

function clauseYesNo(clause: string, words: AnswerWords, question?: Pick<Question, 'about' | 'doesNotCount'>): Reading | undefined {
  const strong = (value: boolean | undefined) => (value === undefined ? undefined : { value, strong: true })
  if (!/\p{Script=Han}/u.test(clause)) return strong(englishYesNo(clause, words))
  const core = strip(clause.replace(/\s+/g, ''), words)
  if (!core) return undefined
  if (words.yesPhrases.some((w) => core.includes(w))) return strong(true)
  if (words.no.includes(core)) return strong(false)
  if (words.yes.includes(core)) return strong(true)
  const negated = (text: string) => words.no.some((w) => text.includes(w))
  if (words.no.some((w) => core.startsWith(w))) return strong(false)
  const about = (question?.about ?? []).map(normaliseAnswer)
  const doesNotCount = (question?.doesNotCount ?? []).map(normaliseAnswer)
  const counted = doesNotCount.reduce((text, w) => text.replaceAll(w, ' '), core)
  if (about.some((w) => core.includes(w))) {
    // "有辆三轮车": the only vehicle named is one that does not count.
    if (doesNotCount.some((w) => core.includes(w)) && !about.some((w) => counted.includes(w))) return strong(false)
    return { value: !negated(core), strong: false }
  }
  const yes = words.yes.find((w) => core.startsWith(w))
  if (yes && core.length - yes.length <= 4 && !negated(core.slice(yes.length))) return strong(true)
  return undefined
}

/** English: a negation anywhere ("we do not have one") says no; otherwise a yes word says yes. */
function englishYesNo(clause: string, words: AnswerWords): boolean | undefined {
  const text = ` ${clause.replace(/\s+/g, ' ').trim()} `
  const has = (list: string[]) => list.some((w) => !/\p{Script=Han}/u.test(w) && text.includes(` ${w} `))
  if (has(words.yesPhrases)) return true
  if (has(words.no)) return false
  if (has(words.yes)) return true
  return undefined
}

/** Drops what says nothing about the answer: "我家", "还", trailing particles ("有的呀" → "有"). */
function strip(clause: string, words: AnswerWords): string {
  let text = clause
  for (let changed = true; changed;) {
    changed = false
    for (const list of [words.subjects, words.adverbs]) {
      const lead = list.find((w) => !/[a-z]/.test(w) && text.startsWith(w) && text.length > w.length)
      if (lead) {
        text = text.slice(lead.length)
        changed = true
      }
    }
  }
  for (let trail = words.particles.find((p) => text.endsWith(p) && text.length > p.length); trail; trail = words.particles.find((p) => text.endsWith(p) && text.length > p.length)) {
    text = text.slice(0, -trail.length)
  }
  return text
}

/**
 * A choice by its value (a button), its label, or the words residents use for it; the longest word found wins,
 * so "七年级" is middle school although "年级" alone would not be.
 */
export function readChoice(plain: string, raw: string, question: Question): string | undefined {
  const options = question.options!
  const exact = options.find((o) => o.value === raw)
  if (exact) return exact.value
  let best: { value: string; length: number } | undefined
  let tie = false
  const compact = plain.replace(/\s+/g, '')
  for (const option of options) {
    for (const word of [option.label['zh-CN'], option.label.en, ...option.words]) {
      const w = normaliseAnswer(word).replace(/\s+/g, '')
      if (!w || !(/[a-z]/.test(w) ? plain.includes(normaliseAnswer(word)) : compact.includes(w))) continue
      if (!best || w.length > best.length) {
        best = { value: option.value, length: w.length }
        tie = false
      } else if (w.length === best.length && best.value !== option.value) tie = true
    }
  }
  return best && !tie ? best.value : undefined
}

function inRange(question: Question, value: number | undefined): number | undefined {
  if (value === undefined || Number.isNaN(value)) return undefined
  if (question.min !== undefined && value < question.min) return undefined
  if (question.max !== undefined && value > question.max) return undefined
  return value
}
