import { z } from 'zod'
import { normalise } from '../matcher/normalise'
import { LOCALES } from './schemas'

// Kept as they are while the rest is normalised: figures with their decimal point or digit grouping, the question
// mark, the dash of a range, and the punctuation that ends a clause (all turned into ",").
const KEPT = /(\d+(?:[.,]\d+)*|\?|[-~〜—–]|[,、;。!\n])/u

/**
 * An answer in the one form the readers compare: NFKC, simplified Chinese, lower case, like the matcher's
 * `normalise`, but keeping the symbols that mean something in an answer, which `normalise` drops.
 * @example normaliseAnswer('兩千五，對嗎？') // '两千五 , 对吗 ?'
 */
export function normaliseAnswer(text: string): string {
  return text.normalize('NFKC').split(KEPT)
    .map((part, index) => {
      if (index % 2 === 1) return /\d/.test(part) ? part : ` ${part === '?' ? '?' : /[-~〜—–]/.test(part) ? '-' : ','} `
      // A figure stays glued to what is glued to it ("1.5万", "2k"); a space or a symbol stays a space.
      const lead = /^[^\p{L}\p{N}]/u.test(part) ? ' ' : ''
      const trail = /[^\p{L}\p{N}]$/u.test(part) ? ' ' : ''
      return `${lead}${normalise(part)}${trail}`
    })
    .join('').replace(/\s+/g, ' ').trim()
}

const word = z.string().trim().min(1)
const numberTable = z.record(word, z.number().nonnegative())

/** One locale's way of writing numbers, units, yes and no, corrections, side questions (`answer-words.yaml`). */
export const answerWordsLocaleSchema = z.strictObject({
  numerals: z.strictObject({ digits: numberTable, units: numberTable, myriads: numberTable }),
  notNumbers: z.array(word),
  approximate: z.array(word),
  rangeSeparators: z.array(word),
  vague: z.array(word),
  alone: z.array(word),
  totals: z.array(word),
  units: z.strictObject({
    people: z.array(word), money: z.array(word), years: z.array(word), months: z.array(word), birthYear: z.array(word), other: z.array(word),
  }),
  periods: z.array(z.strictObject({ months: z.number().positive(), words: z.array(word).min(1) })),
  unclearPeriods: z.array(word),
  nominalAge: z.array(word),
  subjects: z.array(word),
  adverbs: z.array(word),
  particles: z.array(word),
  discourse: z.array(word),
  yes: z.array(word).min(1),
  no: z.array(word).min(1),
  yesPhrases: z.array(word),
  unsure: z.array(word),
  questionMarks: z.array(word),
  questionEndings: z.array(word),
  questionTails: z.array(word),
  questionWords: z.array(word),
  corrections: z.array(word),
  resume: z.array(word),
  cancel: z.array(word),
})
export type AnswerWords = z.infer<typeof answerWordsLocaleSchema>

/**
 * The file: one entry per locale. The readers use every locale's words together (a resident who chose English may
 * still write "两千", one who writes Chinese may say "ok"), normalised and longest first, so that "没有" is tried
 * before "没" and "一个月" before "月".
 */
export const answerWordsFileSchema = z.strictObject({ 'zh-CN': answerWordsLocaleSchema, en: answerWordsLocaleSchema })
  .transform((file) => merge(LOCALES.map((locale) => file[locale])) as AnswerWords)

function merge(parts: unknown[]): unknown {
  const [first] = parts
  if (Array.isArray(first)) {
    const all = parts.flatMap((p) => p as unknown[])
    if (all.every((item) => typeof item === 'string')) {
      return [...new Set((all as string[]).map(normaliseAnswer).filter(Boolean))].sort((a, b) => b.length - a.length)
    }
    return all.map((item) => merge([item]))
  }
  if (first && typeof first === 'object') {
    const keys = new Set(parts.flatMap((p) => Object.keys(p as object)))
    const values = [...keys].map((key) => [key, parts.map((p) => (p as Record<string, unknown>)[key]).filter((v) => v !== undefined)] as const)
    // A table of numbers (digits, units) merges by key; anything else merges field by field.
    if (values.every(([, vs]) => typeof vs[0] === 'number')) return Object.fromEntries(values.map(([key, vs]) => [normaliseAnswer(key), vs[0]]))
    return Object.fromEntries(values.map(([key, vs]) => [key, merge(vs)]))
  }
  return first
}
