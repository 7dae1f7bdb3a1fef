import type { AnswerWords } from '../knowledge/answer-words-schema'
import { normaliseAnswer } from '../knowledge/answer-words-schema'
import type { Question } from '../knowledge/check-schema'
import { findFigures } from './figures'

/** A short message: a word or two around the phrase ("算了吧", "好，继续"). */
const SHORT = 8

const compact = (plain: string) => plain.replace(/[\s,]+/g, '')
const hasWord = (plain: string, word: string) => (/[a-z]/.test(word) ? ` ${plain} `.includes(` ${word} `) : compact(plain).includes(word))

/**
 * "能报销吗", "孩子上学找谁？": a message that asks something itself. `strong` signs (a question mark, 吗 at the
 * end) count before the message is tried as an answer; the weak ones (question words, 呢/不 at the end) only after
 * it is not one, since "啥也没有" and "还没呢" are answers.
 */
export function asksQuestion(plain: string, words: AnswerWords, strength: 'strong' | 'weak'): boolean {
  const text = compact(plain.replace(/\?/g, ''))
  if (strength === 'strong') {
    return (plain.includes('?') && text.length > 3) || words.questionEndings.some((e) => text.endsWith(e) && text.length > e.length)
  }
  return words.questionWords.some((w) => hasWord(plain, w)) || words.questionTails.some((e) => text.endsWith(e) && text.length > e.length + 1)
}

/** "算了，不测了", "取消", "stop": the resident ends the pre-check. */
export function meansCancel(plain: string, words: AnswerWords, exact: readonly string[]): boolean {
  const text = compact(plain)
  return exact.includes(plain) || words.cancel.some((w) => hasWord(plain, w) && text.length <= SHORT + w.length)
}

/** "接着做", "继续", "好": the resident goes on with a paused pre-check. */
export function meansResume(plain: string, words: AnswerWords): boolean {
  const text = compact(plain)
  return words.resume.some((w) => (/[a-z]/.test(w) ? plain === w || plain.startsWith(`${w} `) : text.startsWith(w)) && text.length <= SHORT)
}

/**
 * "不对，说错了，是五口人": a correction, and what is left once the correction words (and a leading 是) are
 * taken out ("五口人"); undefined when the message is no correction.
 */
export function correctionOf(plain: string, words: AnswerWords): { rest: string } | undefined {
  if (!words.corrections.some((w) => hasWord(plain, w))) return undefined
  let rest = plain
  for (const w of words.corrections) rest = rest.replaceAll(w, ' ')
  rest = rest.replace(/^[\s,]*(是|应该是|其实是|is|it is|it's)?[\s,]*/u, '').trim()
  return { rest }
}

/**
 * Whether a correction's words name this question: a figure in the unit it asks for ("五口人" the household
 * size, "一年三万" the income, "85年的" an age), or a word of what it is about (车, 户口) or of one of its options.
 */
export function namesQuestion(question: Question, rest: string, words: AnswerWords): boolean {
  const plain = normaliseAnswer(rest)
  if (question.about.some((w) => hasWord(plain, normaliseAnswer(w)))) return true
  const figures = findFigures(plain, words, { periods: question.type === 'amount_yuan' })
  switch (question.type) {
    case 'number':
      return figures.some((f) => f.unit === 'people')
    case 'amount_yuan':
      return figures.some((f) => f.unit === 'money' || f.months !== undefined)
    case 'age':
      return figures.some((f) => f.unit === 'years' || f.unit === 'months' || f.unit === 'birthYear' || f.yearMark)
    case 'yes_no':
      return false
    case 'choice':
      return question.options!.some((o) => o.words.some((w) => hasWord(plain, normaliseAnswer(w))))
  }
}
