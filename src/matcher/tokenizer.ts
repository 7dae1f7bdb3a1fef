import Fuse from 'fuse.js'
import type { Lexicon } from '../knowledge/schemas'
import { RecentMap } from '../core/recent-map'
import { normalise } from './normalise'
import { PinyinReader, toPinyin } from './pinyin-input'
import { isLatin, TermSet } from './term-set'

/** A feature is a string with a kind prefix: `c:` concept, `w:` word, `b:` Chinese character bigram. */
export type Features = Map<string, number>
type Add = (feature: string, count?: number) => void

const HAN = /\p{Script=Han}/u
const HAN_RUN = /\p{Script=Han}+/gu
const LATIN_WORD = /[a-z0-9]+/g

// Homophone matching needs at least two syllables: single syllables collide far too often.
const MIN_PINYIN_SYLLABLES = 2
// Only fairly long English words are looked up fuzzily, so that short words do not turn into others.
const MIN_FUZZY_WORD_LENGTH = 5
const FUZZY_THRESHOLD = 0.25
const FUZZY_WORDS_KEPT = 20_000
// A two-syllable concept guessed from its sound counts half: 点呀 (dian ya) may be 电压, or just "how is it, eh".
// Three syllables or more rarely sound alike by chance (有儿园, you er yuan, is 幼儿园).
const homophoneCount = (syllables: number) => (syllables === 2 ? 0.5 : 1)


/** Crude English stemming: enough to let "doctors", "training", "subsidies" meet their lexicon forms. */
function stem(word: string): string {
  if (word.length > 5 && word.endsWith('ies')) return `${word.slice(0, -3)}y`
  if (word.length > 5 && word.endsWith('ing')) return word.slice(0, -3)
  if (word.length > 4 && word.endsWith('ed')) return word.slice(0, -2)
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1)
  return word
}

const stemPhrase = (phrase: string) => phrase.split(' ').map(stem).join(' ')

/**
 * Turns a question into weighted features, in the order that makes Chinese work:
 * lexicon terms (longest first) become concepts; homophone typos of lexicon terms are caught by pinyin;
 * the rest of the Chinese is segmented into words and character bigrams; English words are stemmed and,
 * when unknown, looked up fuzzily (fuse.js) among the lexicon's English and pinyin terms.
 */
export class Tokenizer {
  readonly #termToConcept = new Map<string, string>()
  readonly #terms: TermSet
  readonly #pinyinToConcept = new Map<string, string>()
  readonly #maxPinyinSyllables: number
  readonly #stopwords: Set<string>
  /** Fuzzy indexes of English and pinyin words by first letter: typos rarely hit the first letter, and it keeps each search small. */
  readonly #fuzzyByFirstLetter = new Map<string, Fuse<{ term: string; concept: string }>>()
  readonly #segmenter = new Intl.Segmenter('zh', { granularity: 'word' })
  readonly #pinyin: PinyinReader
  readonly #fuzzyFound = new RecentMap<string, string | null>(FUZZY_WORDS_KEPT)
  /** The features of clauses read lately: residents repeat themselves (谢谢, 低保怎么申请), and reading costs. */
  readonly #clausesRead: RecentMap<string, ReadonlyMap<string, number>> | undefined

  /**
   * `examples`: the intents' example questions, whose Chinese words (with the lexicon's) are what pinyin is read
   * back into, and whose English words tell English from pinyin.
   * `clausesKept`: how many clauses' features are remembered (0: none).
   */
  constructor(lexicon: Lexicon, examples: { zh: readonly string[]; en: readonly string[] } = { zh: [], en: [] }, clausesKept = 0) {
    this.#clausesRead = clausesKept > 0 ? new RecentMap(clausesKept) : undefined
    this.#stopwords = new Set(lexicon.stopwords.map((word) => stemPhrase(normalise(word))))
    const ambiguousPinyin = new Set<string>()
    const exactOnly = new Set(lexicon.exactOnly)
    const latinWords: { term: string; concept: string }[] = []
    for (const [concept, terms] of Object.entries(lexicon.concepts)) {
      for (const raw of terms) {
        const term = HAN.test(raw) ? normalise(raw) : stemPhrase(normalise(raw))
        if (!term) continue
        this.#termToConcept.set(term, concept)
        if (/^\p{Script=Han}+$/u.test(term) && term.length >= MIN_PINYIN_SYLLABLES && !exactOnly.has(concept)) {
          const key = toPinyin(term).join(' ')
          const known = this.#pinyinToConcept.get(key)
          if (known !== undefined && known !== concept) ambiguousPinyin.add(key)
          this.#pinyinToConcept.set(key, concept)
        }
        if (/^[a-z]+$/.test(term) && term.length >= MIN_FUZZY_WORD_LENGTH) latinWords.push({ term, concept })
      }
    }
    this.#terms = new TermSet(this.#termToConcept.keys())
    // A sound shared by two concepts' terms says nothing about which one was meant.
    for (const key of ambiguousPinyin) this.#pinyinToConcept.delete(key)
    this.#maxPinyinSyllables = Math.max(0, ...[...this.#pinyinToConcept.keys()].map((key) => key.split(' ').length))
    for (const letter of new Set(latinWords.map(({ term }) => term[0]!))) {
      const words = latinWords.filter(({ term }) => term[0] === letter)
      this.#fuzzyByFirstLetter.set(letter, new Fuse(words, { keys: ['term'], threshold: FUZZY_THRESHOLD }))
    }
    const lexiconHan = Object.values(lexicon.concepts).flat().map(normalise).filter((term) => HAN.test(term))
    const english = new Set(examples.en.flatMap((text) => normalise(text).match(LATIN_WORD) ?? []))
    for (const word of this.#stopwords) if (/^[a-z]+$/.test(word)) english.add(word)
    const latinTerms = new Set([...this.#termToConcept.keys()].filter((term) => /^[a-z]+$/.test(term)))
    // The examples' words are counted on the first message typed in pinyin, not at start-up: most never see one.
    const vocabulary = { [Symbol.iterator]: () => [...lexiconHan, ...this.#wordsByFrequency(examples.zh)][Symbol.iterator]() }
    this.#pinyin = new PinyinReader(vocabulary, english, latinTerms)
  }

  /**
   * Features of each normalised clause. A map may be shared with the next caller of the same clause: read it, never
   * change it. The clauses not remembered are segmented in one call: a call costs about as much as a short clause,
   * and a line break between clauses is a hard break, so each is cut as it would be alone.
   */
  featuresOfClauses(clauses: readonly string[]): ReadonlyMap<string, number>[] {
    const found = clauses.map((clause) => this.#clausesRead?.get(clause))
    const unread = clauses.filter((_, i) => found[i] === undefined)
    if (unread.length === 0) return found as ReadonlyMap<string, number>[]
    // English is compared stemmed on both sides, so "minimum living allowances" meets its lexicon phrase.
    const stemmed = unread.map((clause) => this.#fromPinyin(clause).replace(LATIN_WORD, stem))
    const wordStarts = this.#wordStartsOfEach(stemmed)
    let next = 0
    return clauses.map((clause, i) => {
      if (found[i] !== undefined) return found[i]
      const features = this.#read(stemmed[next]!, wordStarts[next]!)
      next += 1
      this.#clausesRead?.set(clause, features)
      return features
    })
  }

  /** `text` stemmed; `wordStarts`: where the segmenter starts its words, which serve every step: terms, homophones, words. */
  #read(text: string, wordStarts: ReadonlySet<number>): Features {
    const features: Features = new Map()
    const add = (feature: string, count = 1) => features.set(feature, (features.get(feature) ?? 0) + count)
    const rest = this.#replaceTerms(text, wordStarts, add)
    for (const { 0: run, index } of rest.matchAll(HAN_RUN)) {
      const boundaries = new Set([0, run.length])
      for (const start of wordStarts) if (start > index && start < index + run.length) boundaries.add(start - index)
      this.#hanFeatures(run, [...boundaries].sort((a, b) => a - b), add)
    }
    for (const word of rest.match(LATIN_WORD) ?? []) this.#latinFeature(word, add)
    return features
  }

  /** A message typed all in pinyin ("dibao zenme shenqing") is read as the Chinese it spells. */
  #fromPinyin(text: string): string {
    if (HAN.test(text)) return text
    const words = text.match(LATIN_WORD)
    return (words && this.#pinyin.read(words)) ?? text
  }

  /** The Chinese words of the examples, most frequent first. */
  #wordsByFrequency(texts: readonly string[]): string[] {
    const counts = new Map<string, number>()
    for (const text of texts) {
      for (const { segment, isWordLike } of this.#segmenter.segment(normalise(text))) {
        if (isWordLike && HAN.test(segment)) counts.set(segment, (counts.get(segment) ?? 0) + 1)
      }
    }
    return [...counts].sort((a, b) => b[1] - a[1]).map(([word]) => word)
  }

  /** Where the segmenter starts words in each text (the segmenter costs more than the rest of reading). */
  #wordStartsOfEach(texts: readonly string[]): Set<number>[] {
    const starts = texts.map(() => new Set<number>())
    let text = 0
    let offset = 0
    for (const { index } of this.#segmenter.segment(texts.join('\n'))) {
      // The line break after a text ends it: a start past it belongs to the next text.
      while (text < texts.length && index > offset + texts[text]!.length) {
        offset += texts[text]!.length + 1
        text += 1
      }
      if (text < texts.length && index < offset + texts[text]!.length) starts[text]!.add(index - offset)
    }
    return starts
  }

  /** Emits a concept for every lexicon term (longest match first) and blanks it out, keeping every other position. */
  #replaceTerms(text: string, wordStarts: ReadonlySet<number>, add: Add): string {
    let rest = ''
    // The text since the last term, copied in one piece.
    let kept = 0
    let i = 0
    while (i < text.length) {
      const length = this.#termLengthAt(text, i, wordStarts)
      if (length > 0) {
        add(`c:${this.#termToConcept.get(text.slice(i, i + length))}`)
        rest += text.slice(kept, i) + ' '.repeat(length)
        i += length
        kept = i
      } else i += 1
    }
    return rest + text.slice(kept)
  }

  /**
   * The length of the longest term at `i`, or 0. Where two terms overlap, the one that starts a word wins:
   * 今天天气 is 今天/天气, so 天天 must yield to 天气. A term inside an unknown word (楚通驾校) still counts.
   */
  #termLengthAt(text: string, i: number, wordStarts: ReadonlySet<number>): number {
    const length = this.#longestTermAt(text, i)
    if (length === 0 || wordStarts.has(i)) return length
    for (let j = i + 1; j < i + length; j += 1) {
      if (wordStarts.has(j) && j + this.#longestTermAt(text, j) > i + length) return 0
    }
    return length
  }

  #longestTermAt(text: string, i: number): number {
    // A Latin term must start and end on word boundaries: "aid" is not inside "said".
    if (isLatin(text[i]) && isLatin(text[i - 1])) return 0
    return this.#terms.longestAt(text, i, (length) => !(isLatin(text[i + length - 1]) && isLatin(text[i + length])))
  }

  /** Words and bigrams of a Chinese run, cut where the segmenter cut it (`boundaries`, sorted, 0 to its length). */
  #hanFeatures(run: string, boundaries: readonly number[], add: Add): void {
    const remaining = this.#replaceHomophones(run, new Set(boundaries), add)
    // Bigrams run over stretches of meaningful words only, never across 的/了/什么 or a term found.
    let stretch = ''
    for (let k = 0; k + 1 < boundaries.length; k += 1) {
      const segment = remaining.slice(boundaries[k], boundaries[k + 1])
      const meaningful = !segment.includes(' ') && !this.#stopwords.has(segment)
      // A single character alone says little (村, 组, 县 in place names); it still counts inside bigrams.
      if (meaningful && segment.length > 1) add(`w:${segment}`)
      if (meaningful) stretch += segment
      else stretch = this.#addBigrams(stretch, add)
    }
    this.#addBigrams(stretch, add)
  }

  #addBigrams(stretch: string, add: Add): string {
    for (let k = 0; k + 1 < stretch.length; k += 1) add(`b:${stretch.slice(k, k + 2)}`)
    return ''
  }

  /**
   * Voice input writes the right sound with the wrong characters (底保 for 低保): match lexicon terms by pinyin.
   * A match must start and end on word boundaries, or 可以真正 would hide 义诊 (yi zhen) across two words, and be
   * made of single-character segments.
   */
  #replaceHomophones(run: string, boundaries: ReadonlySet<number>, add: Add): string {
    if (run.length < MIN_PINYIN_SYLLABLES || this.#maxPinyinSyllables === 0) return run
    // Pinyin costs more than the rest of reading: only where two single characters stand side by side.
    const single = (at: number) => boundaries.has(at) && boundaries.has(at + 1) && !this.#stopwords.has(run[at]!)
    if (!Array.from(run, (_, at) => single(at) && single(at + 1)).some(Boolean)) return run
    const syllables = toPinyin(run)
    if (syllables.length !== run.length) return run
    let rest = ''
    let i = 0
    while (i < run.length) {
      let matched = 0
      for (let length = Math.min(this.#maxPinyinSyllables, run.length - i); length >= MIN_PINYIN_SYLLABLES && boundaries.has(i); length -= 1) {
        if (!boundaries.has(i + length)) continue
        // A span the segmenter reads as a real word (范围, 住在) is not a typo of a sound-alike term (反味, 猪崽):
        // only runs of single characters, which the segmenter could not make sense of, are.
        if (!Array.from({ length: length - 1 }, (_, k) => i + k + 1).every((inner) => boundaries.has(inner))) continue
        // A particle or pronoun (呀, 了, 我) is itself, not the sound of a term's syllable.
        if ([...run.slice(i, i + length)].some((ch) => this.#stopwords.has(ch))) continue
        const concept = this.#pinyinToConcept.get(syllables.slice(i, i + length).join(' '))
        if (concept !== undefined) {
          add(`c:${concept}`, homophoneCount(length))
          matched = length
          break
        }
      }
      rest += matched ? ' '.repeat(matched) : run[i]
      i += matched || 1
    }
    return rest
  }

  /** A Latin word that is no lexicon term (it arrives stemmed): a fuzzy concept, else a word feature. */
  #latinFeature(word: string, add: Add): void {
    // Numbers, single letters and codes such as "a7" (anonymised places, house numbers) carry no topic.
    if (word.length < 2 || /\d/.test(word) || this.#stopwords.has(word)) return
    const concept = this.#fuzzyConcept(word)
    add(concept === undefined ? `w:${word}` : `c:${concept}`)
  }

  #fuzzyConcept(word: string): string | undefined {
    if (word.length < MIN_FUZZY_WORD_LENGTH) return undefined
    // English words repeat across messages, and a fuzzy search costs more than the rest of a message: remember them.
    const known = this.#fuzzyFound.get(word)
    if (known !== undefined) return known ?? undefined
    const concept = this.#fuzzyByFirstLetter.get(word[0]!)?.search(word, { limit: 1 })[0]?.item.concept
    this.#fuzzyFound.set(word, concept ?? null)
    return concept
  }
}
