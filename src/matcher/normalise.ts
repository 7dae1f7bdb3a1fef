import * as OpenCC from 'opencc-js'

// Taiwan/Hong Kong phrasing and characters both map to mainland simplified (申請 → 申请, 資料 → 资料).
const toSimplified = OpenCC.Converter({ from: 'tw', to: 'cn' })

// Anything that is not a letter or a digit (punctuation, emoji, symbols) separates words.
const NON_WORD = /[^\p{L}\p{N}]+/gu

/**
 * Puts text in the one form the matcher compares:
 * full-width → half-width (NFKC), traditional → simplified, lower case, punctuation and emoji → single spaces.
 * @example normalise('申請低保？？😊') // '申请低保'
 */
export function normalise(text: string): string {
  return toSimplified(text.normalize('NFKC')).toLowerCase().replace(NON_WORD, ' ').trim()
}
