import type { FocusWords } from '../knowledge/schemas'
import { stripPunctuation } from './normalise'
import { TermSet } from './term-set'

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

/**
 * Reads a message for its question. Residents write the way they speak: what is settled first and what they ask
 * after ("产业补贴领过了，主要是想贷款"), a greeting in front, a long story with the question at its end. Each clause
 * is weighted by that, and a repeated clause counts once.
 * @example new FocusReader(words).read('孩子上学办好了，主要想问医保') // [{ text: '孩子上学办好了', weight: 0.2 }, { text: '主要想问医保', weight: 1 }]
 */
export class FocusReader {
  readonly #options: typeof FOCUS_DEFAULTS
  readonly #asked: TermSet
  readonly #context: TermSet
  readonly #question: TermSet
  readonly #courtesy: TermSet

  constructor(words: FocusWords, options: Partial<typeof FOCUS_DEFAULTS> = {}) {
    this.#options = { ...FOCUS_DEFAULTS, ...options }
    this.#asked = new TermSet(words.asked)
    this.#context = new TermSet(words.context)
    this.#question = new TermSet(words.question)
    this.#courtesy = new TermSet(words.courtesy)
  }

  /** The clauses of folded text (see `fold`), each with its weight. */
  read(folded: string): WeightedClause[] {
    const { contextWeight, statementWeight, storyClauses } = this.#options
    const texts = [...new Set(folded.split(CLAUSE_BREAK).flatMap((piece) => this.#splitAtAsked(stripPunctuation(piece))))]
    const clauses = texts.filter(Boolean).map((text) => ({ text, weight: 1, courtesy: this.#isCourtesy(text) }))
    const content = clauses.filter((clause) => !clause.courtesy)
    // Courtesy alone ("你好", "谢谢") is what the message says; in front of a question, it says nothing.
    if (content.length === 0) return clauses.map(({ text }) => ({ text, weight: 1 }))
    for (const clause of clauses) if (clause.courtesy) clause.weight = 0

    const lastAsked = content.findLastIndex((clause) => this.#asked.starts(clause.text))
    content.forEach((clause, index) => {
      if (lastAsked >= 0 ? index < lastAsked : this.#context.has(clause.text)) clause.weight = contextWeight
    })
    // Everything said to be settled: then the settled thing is all there is to go on.
    if (content.every((clause) => clause.weight === contextWeight)) for (const clause of content) clause.weight = 1

    const asking = content.filter((clause) => clause.weight === 1 && this.#question.has(clause.text))
    if (content.length >= storyClauses && asking.length > 0) {
      for (const clause of content) if (clause.weight === 1 && !asking.includes(clause)) clause.weight = statementWeight
    }
    return clauses.map(({ text, weight }) => ({ text, weight }))
  }

  /** A clause that is nothing but greetings, thanks and "请问". */
  #isCourtesy(text: string): boolean {
    let covered = 0
    for (const { term } of this.#courtesy.find(text)) covered += term.length
    return covered === text.replace(/\s/g, '').length
  }

  /**
   * "产业补贴我领过了主要是还想贷款" → before and from "主要": a cue inside a clause starts a new one. Cues in a row
   * ("其实就想问") start one clause, at the first of them.
   */
  #splitAtAsked(clause: string): string[] {
    const cues = this.#asked.find(clause)
    let last = cues.length - 1
    if (last < 0) return [clause]
    while (last > 0 && cues[last - 1]!.at + cues[last - 1]!.term.length >= cues[last]!.at - 1) last -= 1
    const at = cues[last]!.at
    return at > 0 ? [clause.slice(0, at).trim(), clause.slice(at)] : [clause]
  }
}
