import * as OpenCC from 'opencc-js'

// OpenCC's standard traditional → mainland simplified (申請 → 申请, 資料 → 资料). Not the Taiwan table:
// it reads already-simplified text as Taiwanese and turns 么 into 幺.
const toSimplified = OpenCC.Converter({ from: 't', to: 'cn' })

// Anything that is not a letter or a digit (punctuation, emoji, symbols) separates words.
const NON_WORD = /[^\p{L}\p{N}]+/gu

/**
 * Folds the forms of writing without losing punctuation: full-width → half-width (NFKC), traditional →
 * simplified, lower case. Clause splitting needs the punctuation that `normalise` removes.
 */
export function fold(text: string): string {
  return toSimplified(text.normalize('NFKC')).toLowerCase()
}

/** Punctuation and emoji of folded text → single spaces. */
export function stripPunctuation(folded: string): string {
  return folded.replace(NON_WORD, ' ').trim()
}

/**
 * Puts text in the one form the matcher compares:
 * full-width → half-width (NFKC), traditional → simplified, lower case, punctuation and emoji → single spaces.
 * @example normalise('申請低保？？😊') // '申请低保'
 */
export function normalise(text: string): string {
  return stripPunctuation(fold(text))
}
