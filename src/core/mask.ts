// Residents' ID-card, phone and bank card numbers must never reach a log or the audit log, however they are written:
// "+86 138-1234-5678", "１３８１２３４５６７８", "340102 19900101 123X", "(0551) 6234 5678", "6222 0212 3456 7890 123",
// and read out in Chinese numerals as voice input writes them: "幺三八一二三四五六七八".

/**
 * Runs of digits joined by at most two separator characters (spaces, dashes, dots, brackets, in ASCII or full
 * width), with an optional final X (ID cards). Matched on a copy with full-width characters and Chinese numerals
 * made ASCII: every one of them is a single UTF-16 unit, so positions in the copy are positions in the original text.
 */
const DIGIT_RUN = /(?<!\d)\d+(?:[ \-.()]{1,3}\d+)*(?:[Xx](?![A-Za-z]))?/g
const GROUP = /\d+[Xx]?/g
// 幺 is how "1" is read out in a number, so that it is not heard as 七.
const NUMERALS = '〇零幺一二三四五六七八九'
const NUMERAL_DIGITS = '001123456789'
const FULL_WIDTH = new RegExp(`[\\uFF10-\\uFF19\\uFF38\\uFF58\\u3000\\u00A0\\uFF0D\\u2010-\\u2014\\u2212\\uFF0E\\uFF08\\uFF09${NUMERALS}]`, 'g')
/** Any digit a personal number can be written in: without one, a text has nothing to mask. */
const ANY_DIGIT = new RegExp(`[\\d\\uFF10-\\uFF19${NUMERALS}]`)
const ASCII_OF: Record<string, string> = {
  '\uFF38': 'X', '\uFF58': 'x', '\u3000': ' ', '\u00A0': ' ', '\uFF0E': '.', '\uFF08': '(', '\uFF09': ')',
  ...Object.fromEntries([...NUMERALS].map((numeral, i) => [numeral, NUMERAL_DIGITS[i]!])),
}
/** Full-width digits and letters, spaces, dashes and brackets, and Chinese numerals, as their one ASCII character. */
const asAscii = (c: string) => {
  const code = c.charCodeAt(0)
  if (code >= 0xff10 && code <= 0xff19) return String(code - 0xff10)
  return ASCII_OF[c] ?? '-'
}

/**
 * The positions (within the number's digits) to hide; undefined when the digits are not a personal number.
 * `groups` are the digits as written, between separators.
 */
type Classifier = (digits: string, groups: string[]) => [from: number, to: number] | undefined

const validDate = (year: number, month: number, day: number) => {
  const date = new Date(Date.UTC(year, month - 1, day))
  return year >= 1900 && year <= 2100 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

/** Luhn's check digit, which every bank card number carries. */
const luhn = (digits: string) => {
  let sum = 0
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i])
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2
    sum += d
  }
  return sum % 10 === 0
}

// A mainland number written internationally: 86 or 0086 before it.
const COUNTRY = /^(?:0086|86)/
const MOBILE = /^1[3-9]\d{9}$/
// Area codes: 010 and 02X have three digits, the others four; the local number has seven or eight.
const LANDLINE = /^0(?:10|2\d|[3-9]\d{2})\d{7,8}$/

/** Tried in order; the first that recognises the digits decides how they are masked. */
const CLASSIFIERS: Classifier[] = [
  // ID card, 18: region (6), birth date (8), sequence (3), check digit or X. The birth date is hidden.
  (d) => (/^[1-9]\d{16}[\dXx]$/.test(d) && validDate(Number(d.slice(6, 10)), Number(d.slice(10, 12)), Number(d.slice(12, 14))) ? [6, 14] : undefined),
  // ID card of the first generation, 15: region (6), birth date without the century (6), sequence (3).
  (d) => (/^[1-9]\d{14}$/.test(d) && validDate(1900 + Number(d.slice(6, 8)), Number(d.slice(8, 10)), Number(d.slice(10, 12))) ? [6, 12] : undefined),
  // Mobile, optionally after the country code: the four digits after the operator's prefix are hidden.
  (d) => {
    const country = COUNTRY.exec(d)?.[0].length ?? 0
    if (MOBILE.test(d)) return [3, 7]
    return country && MOBILE.test(d.slice(country)) ? [country + 3, country + 7] : undefined
  },
  // Landline with its area code (0551 6234 5678), or after the country code without the 0 (+86 551 6234 5678).
  (d) => {
    const country = COUNTRY.exec(d)?.[0].length ?? 0
    const national = LANDLINE.test(d) ? d : country && LANDLINE.test(`0${d.slice(country)}`) ? `0${d.slice(country)}` : undefined
    if (!national) return undefined
    const offset = d.length - national.length
    const area = /^0(?:10|2\d)/.test(national) ? 3 : 4
    return [offset + area, d.length - 4]
  },
  // Bank card, 16 to 19 digits: all but the first and last four hidden. Written in groups, they are groups of
  // four and pass Luhn's check, so that a row of amounts ("1200 1500 1800 2000") is not taken for a card.
  (d, groups) => (/^\d{16,19}$/.test(d) && (groups.length === 1 || (groups.slice(0, -1).every((g) => g.length === 4) && luhn(d))) ? [4, d.length - 4] : undefined),
]

/**
 * Masks personal numbers in free text, keeping how they were written:
 * 340102199001011234 → 340102********1234, +86 138-1234-5678 → +86 138-****-5678, 0551-62345678 → 0551-****5678.
 * Amounts, dates, times and ticket ids are left alone.
 */
export function maskPersonalData(text: string): string {
  if (!ANY_DIGIT.test(text)) return text
  const ascii = text.replace(FULL_WIDTH, asAscii)
  const hidden: number[] = []
  for (const run of ascii.matchAll(DIGIT_RUN)) {
    const groups = [...run[0].matchAll(GROUP)].map((g) => ({ start: run.index + g.index, text: g[0] }))
    hidden.push(...hiddenPositions(groups))
  }
  if (hidden.length === 0) return text
  const chars = text.split('')
  for (const position of hidden) chars[position] = '*'
  return chars.join('')
}

/**
 * Which characters of a run to hide. The run may hold several numbers side by side ("13812345678 13987654321"):
 * from the left, the longest span of whole groups that is a personal number is masked, then the rest is tried.
 */
function hiddenPositions(groups: { start: number; text: string }[]): number[] {
  const hidden: number[] = []
  let first = 0
  while (first < groups.length) {
    let matched = false
    for (let last = groups.length - 1; last >= first && !matched; last -= 1) {
      const span = groups.slice(first, last + 1)
      const range = classify(span.map((g) => g.text))
      if (!range) continue
      const positions = span.flatMap((g) => [...g.text].map((_, i) => g.start + i))
      hidden.push(...positions.slice(range[0], range[1]))
      first = last + 1
      matched = true
    }
    if (!matched) first += 1
  }
  return hidden
}

function classify(groups: string[]): [number, number] | undefined {
  const digits = groups.join('')
  if (digits.length < 10) return undefined
  for (const classifier of CLASSIFIERS) {
    const range = classifier(digits, groups)
    if (range) return range
  }
  return undefined
}
