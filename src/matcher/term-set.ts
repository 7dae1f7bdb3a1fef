/** A letter or digit of normalised text: English terms match only as whole words. */
export const isLatin = (ch: string | undefined) => ch !== undefined && /[a-z0-9]/.test(ch)
const escape = (term: string) => term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Where a term of the set stands in a text. */
export interface TermAt {
  term: string
  at: number
}

/**
 * A list of words found in normalised text in one pass (one regular expression, longest term first at each
 * position), instead of one search per word. An English term counts only as whole words ("fire", not "fired").
 */
export class TermSet {
  readonly #pattern: RegExp | undefined

  constructor(terms: Iterable<string>) {
    const sorted = [...new Set(terms)].filter(Boolean).sort((a, b) => b.length - a.length)
    this.#pattern = sorted.length ? new RegExp(sorted.map(escape).join('|'), 'g') : undefined
  }

  /** Every occurrence, left to right (overlaps resolved in favour of the longer term at the same place). */
  find(text: string): TermAt[] {
    if (!this.#pattern) return []
    const found: TermAt[] = []
    for (const { 0: term, index: at } of text.matchAll(this.#pattern)) {
      if (isLatin(term[0]) && (isLatin(text[at - 1]) || isLatin(text[at + term.length]))) continue
      found.push({ term, at })
    }
    return found
  }

  has(text: string): boolean {
    return this.find(text).length > 0
  }

  /** Whether `text` starts with a term of the set. */
  starts(text: string): boolean {
    return this.find(text).some(({ at }) => at === 0)
  }

  /** Whether `text` ends with a term of the set. */
  ends(text: string): boolean {
    return this.find(text).some(({ term, at }) => at + term.length === text.length)
  }
}
