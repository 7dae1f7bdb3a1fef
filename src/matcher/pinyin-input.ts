import { pinyin } from 'pinyin-pro'

/** Toneless pinyin, one syllable per character, ü written v as people type it. */
export const toPinyin = (han: string): string[] => pinyin(han, { toneType: 'none', type: 'array' }).map((s) => s.replace(/ü/g, 'v'))
const HAN_WORD = /^\p{Script=Han}{2,}$/u
/** Words of more syllables than this are not looked up whole. */
const MAX_WORD_SYLLABLES = 6
/** Longer "words" are not pinyin: nobody types a sentence without a space, and splitting them costs. */
const MAX_WORD_LETTERS = 30
/** Below this share of pinyin words, Latin text is English (or a code), not pinyin. */
const MIN_PINYIN_SHARE = 0.6

/**
 * Reads Chinese typed as toneless pinyin ("xiao e xindai zenme banli") back into the characters the matcher
 * knows (小额信贷怎么办理). The syllables and words are those of the lexicon and the intents' examples, so a
 * word the assistant has never seen stays Latin. English is told apart by its share of English words.
 */
export class PinyinReader {
  readonly #syllables = new Set<string>()
  #maxSyllableLength = 0
  readonly #vocabulary: Iterable<string>
  /** Syllables joined by spaces → the Chinese word. */
  readonly #words = new Map<string, string>()
  readonly #english: ReadonlySet<string>
  /** Pinyin the lexicon lists as it is (dibao, butie): kept, so that its concept is found, not a sound-alike's. */
  readonly #keep: ReadonlySet<string>

  /**
   * `hanWords`: the vocabulary, most important first (a sound shared by two words keeps the first). It is read into
   * pinyin on the first message typed in Latin letters, not at start-up: most assistants never see one.
   */
  constructor(hanWords: Iterable<string>, english: ReadonlySet<string>, keep: ReadonlySet<string> = new Set()) {
    this.#vocabulary = hanWords
    this.#english = english
    this.#keep = keep
  }

  #index(): void {
    if (this.#maxSyllableLength > 0) return
    for (const word of this.#vocabulary) {
      if (!HAN_WORD.test(word)) continue
      const syllables = toPinyin(word)
      if (syllables.length !== word.length || syllables.length > MAX_WORD_SYLLABLES) continue
      for (const syllable of syllables) this.#syllables.add(syllable)
      const key = syllables.join(' ')
      if (!this.#words.has(key)) this.#words.set(key, word)
    }
    this.#maxSyllableLength = Math.max(1, ...[...this.#syllables].map((s) => s.length))
  }

  /** The Chinese for Latin words that are pinyin, else undefined. */
  read(words: readonly string[]): string | undefined {
    // English is told apart before the syllables are indexed: an English message never pays for the index.
    const english = words.filter((word) => this.#english.has(word)).length
    if (english / words.length > 1 - MIN_PINYIN_SHARE) return undefined
    this.#index()
    const split = words.map((word) => (this.#english.has(word) || this.#keep.has(word) ? undefined : this.#split(word)))
    const pinyinWords = split.filter((syllables) => syllables !== undefined).length + words.filter((word) => this.#keep.has(word)).length
    if (pinyinWords === 0 || pinyinWords / words.length < MIN_PINYIN_SHARE) return undefined
    const syllables = split.flatMap((s, i) => s ?? [` ${words[i]} `])
    let han = ''
    for (let i = 0; i < syllables.length;) {
      // A word that is not pinyin (English, or a lexicon term kept as it is) goes through as it is.
      if (syllables[i]!.startsWith(' ')) {
        han += syllables[i]
        i += 1
        continue
      }
      let taken = 0
      for (let n = Math.min(MAX_WORD_SYLLABLES, syllables.length - i); n >= 1 && taken === 0; n -= 1) {
        const word = this.#words.get(syllables.slice(i, i + n).join(' '))
        if (word !== undefined) {
          han += word
          taken = n
        }
      }
      // A syllable no known word has: a space, so that it joins nothing it does not belong to.
      if (taken === 0) han += ' '
      i += taken || 1
    }
    return han
  }

  /** A word cut into known syllables, longest first with backtracking ("xindai" → xin dai), or undefined. */
  #split(word: string): string[] | undefined {
    if (word.length === 0) return []
    if (word.length > MAX_WORD_LETTERS) return undefined
    for (let length = Math.min(this.#maxSyllableLength, word.length); length >= 1; length -= 1) {
      const head = word.slice(0, length)
      if (!this.#syllables.has(head)) continue
      const rest = this.#split(word.slice(length))
      if (rest) return [head, ...rest]
    }
    return undefined
  }
}
