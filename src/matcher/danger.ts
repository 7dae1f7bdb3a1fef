import type { DangerWords } from '../knowledge/schemas'

/** A hazard found in a message, and whether it is happening now. */
export interface Danger {
  /** The hazard's id in `knowledge/danger.yaml` (fire, gas, trapped ...). */
  hazard: string
  /** The words that named it. */
  term: string
  now: boolean
}

interface Term {
  hazard: string
  term: string
  /** A sign counts only when said to be happening now. */
  sign: boolean
}

const isLatin = (ch: string | undefined) => ch !== undefined && /[a-z0-9]/.test(ch)

/** Where `term` stands in `text` from `from` on; an English term only as whole words ("fire", not "fired"). */
function indexOfTerm(text: string, term: string, from = 0): number {
  for (let at = text.indexOf(term, from); at >= 0; at = text.indexOf(term, at + 1)) {
    if (!isLatin(term[0]) || (!isLatin(text[at - 1]) && !isLatin(text[at + term.length]))) return at
  }
  return -1
}

const includesAny = (text: string, words: readonly string[]) => words.some((word) => indexOfTerm(text, word) >= 0)

/**
 * Tells danger happening now from an event that is over, clause by clause: "楼上冒黑烟了，敲门没人应" is now;
 * "上个月家里着火了，火早灭了，能申请临时救助吗" is over. It leans towards care: "now" words beat "over" words in
 * the hazard's own clause, and a hazard with no time said is taken as now.
 */
export class DangerDetector {
  readonly #words: DangerWords
  readonly #terms: Term[]

  constructor(words: DangerWords) {
    this.#words = words
    const terms = (lists: Record<string, string[]>, sign: boolean) =>
      Object.entries(lists).flatMap(([hazard, list]) => list.map((term) => ({ hazard, term, sign })))
    // Hazards before signs (叫不醒 says more than 倒在地上), each longest first (煤气泄漏 before 泄漏).
    const longestFirst = (a: Term, b: Term) => b.term.length - a.term.length
    this.#terms = [...terms(words.hazards, false).sort(longestFirst), ...terms(words.signs, true).sort(longestFirst)]
  }

  /**
   * The first hazard happening now, else the first one that is over, else undefined. Clauses are normalised.
   * A hazard named twice is one event: "去年起火…这种遭了火灾的" is over in both mentions.
   */
  detect(clauses: readonly string[]): Danger | undefined {
    const { now, over } = this.#words
    const mentions = new Map<string, { term: string; over: boolean; now: boolean }>()
    for (const [index, clause] of clauses.entries()) {
      const found = this.#hazardIn(clause)
      if (!found) continue
      const around = [clauses[index - 1] ?? '', clause, clauses[index + 1] ?? '']
      const nowHere = includesAny(clause, now)
      // A sign is danger only when said to be happening now, nearby, and not in a clause that dates it.
      if (found.sign && !(around.some((text) => includesAny(text, now)) && !includesAny(clause, over))) continue
      const seen = mentions.get(found.hazard) ?? { term: found.term, over: false, now: false }
      seen.over ||= !found.sign && around.some((text) => includesAny(text, over))
      seen.now ||= nowHere || found.sign
      mentions.set(found.hazard, seen)
    }
    let past: Danger | undefined
    for (const [hazard, mention] of mentions) {
      if (!mention.over || mention.now) return { hazard, term: mention.term, now: true }
      past ??= { hazard, term: mention.term, now: false }
    }
    return past
  }

  #hazardIn(clause: string): Term | undefined {
    for (const candidate of this.#terms) {
      for (let at = indexOfTerm(clause, candidate.term); at >= 0; at = indexOfTerm(clause, candidate.term, at + 1)) {
        if (!this.#negated(clause, at)) return candidate
      }
    }
    return undefined
  }

  /**
   * 打不着火, 没有着火, 防火: a negation right before the term. Only right before: "是不是着火了" is a resident
   * unsure whether there is a fire, which counts.
   */
  #negated(clause: string, at: number): boolean {
    const before = clause.slice(0, at).trimEnd()
    return this.#words.negations.some((word) => before.endsWith(word) && !(isLatin(word[0]) && isLatin(before[before.length - word.length - 1])))
  }
}
