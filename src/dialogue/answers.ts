import type { Question } from '../knowledge/check-schema'
import type { DialogueWords } from '../knowledge/schemas'
import { normalise } from '../matcher/normalise'

type YesNoWords = Pick<DialogueWords, 'yes' | 'no' | 'unsure'>
const NO_INCOME = /^(没有?|无)(收入|进项|钱)?$|^(none|nothing|no income|zero)$/u

/** A slot's value: a number (sizes, amounts, ages), yes/no, or a choice option's value. */
export type SlotValue = number | boolean | string

const DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 幺: 1, 二: 2, 两: 2, 俩: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 }
const UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000, k: 1000 }
const NUMBER_RUN = /[0-9.零〇一幺二两俩三四五六七八九十百千万k]+/gu
const HAS_DIGIT = /[0-9零〇一幺二两俩三四五六七八九十]/u
// Trailing particles and leading "我家" say nothing about the answer: "有的呀", "我家没有".
const PARTICLES = /[啊呀的哦吧呢了嘛哈啦喔]+$/u
const SUBJECT = /^(我们家|我家|家里|我们|我)\s*/u

/**
 * A number in the forms residents type: Arabic or Chinese numerals, 十/百/千/万, and the spoken shortening
 * where a last digit counts in the next smaller unit ("两千五" = 2500, "一万五" = 15000).
 * @example parseNumber('两千五百块') // 2500
 * @example parseNumber('1.5万') // 15000
 */
export function parseNumber(text: string): number | undefined {
  // The first run with a digit in it: "ok" has a k, but no number.
  const run = [...text.toLowerCase().matchAll(NUMBER_RUN)].map((m) => m[0]).find((r) => HAS_DIGIT.test(r))
  if (!run) return undefined
  let total = 0
  let section = 0
  let digit: number | undefined
  let lastUnit = 1
  let zeroSeen = false
  for (let i = 0; i < run.length; i++) {
    const char = run[i]!
    const arabic = /^[0-9.]+/.exec(run.slice(i))?.[0]
    if (arabic) {
      digit = Number(arabic)
      if (Number.isNaN(digit)) return undefined
      i += arabic.length - 1
    } else if (char in DIGITS) {
      if (DIGITS[char] === 0) zeroSeen = true
      digit = DIGITS[char]
    } else if (char in UNITS) {
      section += (digit ?? 1) * UNITS[char]!
      lastUnit = UNITS[char]!
      digit = undefined
    } else if (char === '万') {
      total += (section + (digit ?? (section === 0 ? 1 : 0))) * 10_000
      section = 0
      digit = undefined
      lastUnit = 10_000
    }
  }
  // "两千五": a lone digit after a unit (with no 零 between) means the next smaller unit.
  if (digit !== undefined && lastUnit >= 100 && !zeroSeen && digit < 10 && Number.isInteger(digit)) digit *= lastUnit / 10
  return total + section + (digit ?? 0)
}

/** Yes or no in many colloquial forms: an exact word, or an answer that starts with one ("没有车"). */
export function parseYesNo(text: string, words: YesNoWords): boolean | undefined {
  const plain = normalise(text).replace(SUBJECT, '').replace(PARTICLES, '').trim()
  // The word lists arrive normalised from the knowledge base.
  if (!plain || words.unsure.some((w) => plain.includes(w))) return undefined
  const { yes, no } = words
  if (no.includes(plain)) return false
  if (yes.includes(plain)) return true
  // Negations first: "没有" starts with 没, "不是" with 不; longer words before shorter ones.
  const starts = (list: string[]) => [...list].sort((a, b) => b.length - a.length).some((w) => plain.startsWith(w) && (w.length > 1 || !/[a-z]/.test(w)))
  if (starts(no)) return false
  if (starts(yes)) return true
  return undefined
}

/** An age from "7", "七岁", "7岁半", or a birth date ("2018年3月", "2018-03-05") on the day of the message. */
export function parseAge(text: string, today: Date): number | undefined {
  const born = /((?:19|20)\d{2})\s*[年\-/.]\s*(\d{1,2})?/u.exec(text)
  if (born) {
    const year = Number(born[1])
    const month = born[2] ? Number(born[2]) : 1
    let age = today.getUTCFullYear() - year
    if (today.getUTCMonth() + 1 < month) age -= 1
    return age >= 0 ? age : undefined
  }
  const age = parseNumber(text)
  return age === undefined ? undefined : Math.floor(age)
}

/**
 * Reads one answer for one question; undefined when it is not an answer (the resident is then asked again).
 * @example parseAnswer({ type: 'amount_yuan', ... }, '两千块', words, now) // 2000
 */
export function parseAnswer(question: Question, text: string, words: YesNoWords, now: Date): SlotValue | undefined {
  switch (question.type) {
    case 'yes_no':
      return parseYesNo(text, words)
    case 'choice': {
      const plain = normalise(text)
      const option = question.options!.find((o) => o.value === text.trim()
        || [o.label['zh-CN'], o.label.en, ...o.words].some((w) => plain.includes(normalise(w))))
      return option?.value
    }
    case 'age':
      return inRange(question, parseAge(text, now))
    case 'amount_yuan': {
      const amount = parseNumber(text)
      // "没有收入", "没": nothing at all (but "不知道" is not a zero).
      if (amount === undefined) return NO_INCOME.test(normalise(text).replace(SUBJECT, '').replace(PARTICLES, '')) ? 0 : undefined
      return inRange(question, amount)
    }
    case 'number':
      return inRange(question, parseNumber(text))
  }
}

function inRange(question: Question, value: number | undefined): number | undefined {
  if (value === undefined || Number.isNaN(value)) return undefined
  if (question.min !== undefined && value < question.min) return undefined
  if (question.max !== undefined && value > question.max) return undefined
  return value
}
