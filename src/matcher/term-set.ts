/** Whether a character of normalised text is a letter or digit: English terms match only as whole words. */
export function isLatin(ch: string | undefined): boolean {
  if (ch === undefined) return false
  const code = ch.charCodeAt(0)
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57)
}

/** Where a term of the set stands in a text. */
export interface TermAt {
  term: string
  at: number
}

/** A node of the terms' trie, by UTF-16 code unit; `end` marks that a term ends here. */
interface TrieNode {
  next: Map<number, TrieNode>
  end: boolean
}

const trieNode = (): TrieNode => ({ next: new Map(), end: false })

/**
 * A list of words found in normalised text in one pass over a trie, longest term first at each position, instead of
 * one search per word (or one regular expression of a thousand alternatives, which tries each of them at each
 * position). An English term counts only as whole words ("fire", not "fired").
 */
export class TermSet {
  readonly #root = trieNode()

  constructor(terms: Iterable<string>) {
    for (const term of terms) {
      if (!term) continue
      let node = this.#root
      for (let i = 0; i < term.length; i += 1) {
        const code = term.charCodeAt(i)
        let next = node.next.get(code)
        if (!next) node.next.set(code, (next = trieNode()))
        node = next
      }
      node.end = true
    }
  }

  /**
   * The length of the longest term at `at` that `accept` takes (every one, by default), or 0. Walking the trie
   * costs the length of the longest term there, whatever the number of terms.
   */
  longestAt(text: string, at: number, accept: (length: number) => boolean = () => true): number {
    let node: TrieNode | undefined = this.#root
    let longest = 0
    for (let i = at; i < text.length; i += 1) {
      node = node.next.get(text.charCodeAt(i))
      if (!node) break
      if (node.end && accept(i + 1 - at)) longest = i + 1 - at
    }
    return longest
  }

  /** Every occurrence, left to right (overlaps resolved in favour of the longer term at the same place). */
  find(text: string): TermAt[] {
    const found: TermAt[] = []
    for (let at = 0; at < text.length;) {
      const length = this.longestAt(text, at)
      if (length === 0) {
        at += 1
        continue
      }
      const term = text.slice(at, at + length)
      // A Latin term inside a longer word is no match, and neither is a shorter term within it.
      if (!(isLatin(term[0]) && (isLatin(text[at - 1]) || isLatin(text[at + length])))) found.push({ term, at })
      at += length
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
