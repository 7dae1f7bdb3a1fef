import type { DangerWords } from '../knowledge/schemas'
import { TermSet } from './term-set'

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

/**
 * Tells danger happening now from an event that is over, clause by clause: "楼上冒黑烟了，敲门没人应" is now;
 * "上个月家里着火了，火早灭了，能申请临时救助吗" is over. It leans towards care: "now" words beat "over" words in
 * the hazard's own clause, and a hazard with no time said is taken as now.
 */
export class DangerDetector {
  readonly #terms = new Map<string, Term>()
  readonly #all: TermSet
  readonly #negations: TermSet
  readonly #now: TermSet
  readonly #over: TermSet

  constructor(words: DangerWords) {
    // A word listed as a hazard and as a sign is a hazard: hazards are entered last and win.
    for (const [lists, sign] of [[words.signs, true], [words.hazards, false]] as const) {
      for (const [hazard, terms] of Object.entries(lists)) for (const term of terms) this.#terms.set(term, { hazard, term, sign })
    }
    this.#all = new TermSet(this.#terms.keys())
    this.#negations = new TermSet(words.negations)
    this.#now = new TermSet(words.now)
    this.#over = new TermSet(words.over)
  }

  /**
   * The first hazard happening now, else the first one that is over, else undefined. Clauses are normalised.
   * A hazard named twice is one event: "去年起火…这种遭了火灾的" is over in both mentions.
   */
  detect(clauses: readonly string[]): Danger | undefined {
    const mentions = new Map<string, { term: string; over: boolean; now: boolean }>()
    for (const [index, clause] of clauses.entries()) {
      const found = this.#hazardIn(clause)
      if (!found) continue
      const around = [clauses[index - 1] ?? '', clause, clauses[index + 1] ?? '']
      const nowHere = this.#now.has(clause)
      // A sign is danger only when said to be happening now, nearby, and not in a clause that dates it.
      if (found.sign && !(around.some((text) => this.#now.has(text)) && !this.#over.has(clause))) continue
      const seen = mentions.get(found.hazard) ?? { term: found.term, over: false, now: false }
      seen.over ||= !found.sign && around.some((text) => this.#over.has(text))
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

  /** The clause's hazard: a hazard before a sign (叫不醒 says more than 倒在地上), the longer before the shorter. */
  #hazardIn(clause: string): Term | undefined {
    let best: Term | undefined
    for (const { term, at } of this.#all.find(clause)) {
      // 打不着火, 没有着火, 防火: a negation right before the term. Only right before: "是不是着火了" is a resident
      // unsure whether there is a fire, which counts.
      if (this.#negations.ends(clause.slice(0, at).trimEnd())) continue
      const candidate = this.#terms.get(term)!
      if (!best || (best.sign && !candidate.sign) || (best.sign === candidate.sign && candidate.term.length > best.term.length)) best = candidate
    }
    return best
  }
}
