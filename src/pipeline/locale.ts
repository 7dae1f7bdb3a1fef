import type { Locale } from '../knowledge/schemas'

const HAN = /\p{Script=Han}/u
const LATIN_LETTERS = /[a-z]{2,}/i

/**
 * The locale to answer in: the one the channel gave, else English for text with Latin words and
 * no Chinese characters, else the deployment's default.
 */
export function resolveLocale(text: string, given: Locale | undefined, fallback: Locale): Locale {
  if (given) return given
  if (!HAN.test(text) && LATIN_LETTERS.test(text)) return 'en'
  return fallback
}
