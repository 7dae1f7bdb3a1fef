import type { FocusWords } from '../knowledge/schemas'
import { stripPunctuation } from './normalise'

/** How much each kind of clause counts; tuned on the development sets (README: "Tuning the matcher"). */
export const FOCUS_DEFAULTS = {
  /** Before the last "主要/其实/就想问", or with "问过了/办好了/先不说": context, not the question. */
  contextWeight: 0.2,
  /** In a story of three clauses or more, a clause that asks nothing, when another one asks. */
  statementWeight: 0.5,
  /** Clauses that make a story: from this many on, statements count less than questions. */
  storyClauses: 3,
}

/** A clause of a message (normalised) and how much it says about what is asked. */
export interface WeightedClause {
  text: string
  weight: number
}

// Punctuation, symbols and emoji end a clause; so does a space between two Chinese words (voice input's comma).
const CLAUSE_BREAK = /[\p{P}\p{S}\n\r\t]+|(?<=\p{Script=Han})\s+(?=\p{Script=Han})/u

const includesAny = (text: string, words: readonly string[]) => words.some((word) => text.includes(word))

/**
 * Reads a message for its question. Residents write the way they speak: what is settled first and what they ask
 * after ("产业补贴领过了，主要是想贷款"), a greeting in front, a long story with the question at its end. Each clause
 * is weighted by that, and a repeated clause counts once.
 * @example new FocusReader(words).read('孩子上学办好了，主要想问医保') // [{ text: '孩子上学办好了', weight: 0.2 }, { text: '主要想问医保', weight: 1 }]
 */
export class FocusReader {
  readonly #words: FocusWords
  readonly #options: typeof FOCUS_DEFAULTS
  /** Longest first, so that 谢谢你 is taken whole before 谢谢. */
  readonly #courtesy: string[]

  constructor(words: FocusWords, options: Partial<typeof FOCUS_DEFAULTS> = {}) {
    this.#words = words
    this.#options = { ...FOCUS_DEFAULTS, ...options }
    this.#courtesy = [...words.courtesy].sort((a, b) => b.length - a.length)
  }

  /** The clauses of folded text (see `fold`), each with its weight. */
  read(folded: string): WeightedClause[] {
    const { asked, context, question } = this.#words
    const { contextWeight, statementWeight, storyClauses } = this.#options
    const texts = [...new Set(folded.split(CLAUSE_BREAK).flatMap((piece) => splitAtAsked(stripPunctuation(piece), asked)))]
    const clauses = texts.filter(Boolean).map((text) => ({ text, weight: 1, courtesy: this.#isCourtesy(text) }))
    const content = clauses.filter((clause) => !clause.courtesy)
    // Courtesy alone ("你好", "谢谢") is what the message says; in front of a question, it says nothing.
    if (content.length === 0) return clauses.map(({ text }) => ({ text, weight: 1 }))
    for (const clause of clauses) if (clause.courtesy) clause.weight = 0

    const lastAsked = content.findLastIndex((clause) => startsWithAny(clause.text, asked))
    content.forEach((clause, index) => {
      if (lastAsked >= 0 ? index < lastAsked : includesAny(clause.text, context)) clause.weight = contextWeight
    })
    // Everything said to be settled: then the settled thing is all there is to go on.
    if (content.every((clause) => clause.weight === contextWeight)) for (const clause of content) clause.weight = 1

    const asking = content.filter((clause) => clause.weight === 1 && includesAny(clause.text, question))
    if (content.length >= storyClauses && asking.length > 0) {
      for (const clause of content) if (clause.weight === 1 && !asking.includes(clause)) clause.weight = statementWeight
    }
    return clauses.map(({ text, weight }) => ({ text, weight }))
  }

  /** A clause that is nothing but greetings, thanks and "请问". */
  #isCourtesy(text: string): boolean {
    let rest = text
    for (const word of this.#courtesy) if (rest.includes(word)) rest = rest.split(word).join(' ')
    return rest.trim() === ''
  }
}

/** "产业补贴我领过了主要是还想贷款" → before and from "主要": a cue inside a clause starts a new one. */
function splitAtAsked(clause: string, asked: readonly string[]): string[] {
  let at = -1
  for (const word of asked) {
    const index = clause.lastIndexOf(word)
    if (index > at) at = index
  }
  // Cues in a row ("其实就想问") start one clause, at the first of them.
  for (let before = at; before > 0; at = before) {
    const cue = asked.find((word) => clause.slice(0, at).trimEnd().endsWith(word))
    before = cue ? clause.slice(0, at).trimEnd().length - cue.length : 0
  }
  return at > 0 ? [clause.slice(0, at).trim(), clause.slice(at)] : [clause]
}

const startsWithAny = (text: string, words: readonly string[]) => words.some((word) => text.startsWith(word))
