import type { Intent, Lexicon } from '../knowledge/schemas'
import { normalise } from './normalise'
import { Tokenizer, type Features } from './tokenizer'

/** Named defaults, tuned on the development sets (see README: "Tuning the matcher"). */
export const MATCHER_DEFAULTS = {
  /** Below this confidence the assistant says honestly that it does not know. */
  threshold: 0.3,
  /** When the best two intents are closer than this, the question is ambiguous: ask, don't guess. */
  margin: 0.02,
  /** Long messages are matched on their beginning: that is where residents say what they want. */
  maxChars: 300,
  /** How much each kind of feature counts: lexicon concepts say most, bigrams least. */
  kindWeights: { c: 2.5, w: 1, b: 0.6 } as Record<string, number>,
  /** Score = share of the nearest examples' similarity + share of the intent centroid's. */
  nearestWeight: 0.6,
  /** How many nearest examples of an intent are averaged. */
  nearestCount: 2,
  /**
   * How much a feature no example has counts, relative to a known one. Above zero, so that a question
   * full of unknown words is less sure; well below one, so place names in formal petitions do not drown the topic.
   */
  unknownWeight: 0.3,
}

export type MatcherOptions = Partial<typeof MATCHER_DEFAULTS>

export interface RankedIntent {
  intent: string
  score: number
}

export interface MatchResult {
  /** The matched intent id; null when nothing matched well enough or the question is out of scope. */
  intent: string | null
  confidence: number
  /** Why there is no intent, when there is none. */
  refusal?: 'out_of_scope' | 'low_confidence' | 'ambiguous' | 'empty'
  /** The best candidates, best first (out-of-scope included), for diagnostics and tuning. */
  ranking: RankedIntent[]
}

type Vector = Map<string, number>

interface Posting {
  example: number
  weight: number
}

function norm(vector: Vector): number {
  let sum = 0
  for (const value of vector.values()) sum += value * value
  return Math.sqrt(sum)
}

function normalised(vector: Vector): Vector {
  const length = norm(vector) || 1
  return new Map([...vector].map(([key, value]) => [key, value / length]))
}

/**
 * Routes a question to an intent: TF-IDF over lexicon concepts, Chinese words and bigrams,
 * scored against each intent's nearest examples and its centroid. Intents whose handler is
 * `out_of_scope` are learnt like the others but, when they win, the answer is a refusal.
 */
export class IntentMatcher {
  readonly #options: typeof MATCHER_DEFAULTS
  readonly #tokenizer: Tokenizer
  readonly #idf = new Map<string, number>()
  readonly #unknownIdf: number
  readonly #exampleIntent: number[] = []
  readonly #postings = new Map<string, Posting[]>()
  readonly #centroids = new Map<string, Vector>()
  readonly #intentIds: string[]
  readonly #refused: Set<string>

  constructor(intents: readonly Intent[], lexicon: Lexicon, options: MatcherOptions = {}) {
    this.#options = { ...MATCHER_DEFAULTS, ...options }
    this.#tokenizer = new Tokenizer(lexicon)
    this.#intentIds = intents.map((intent) => intent.id)
    this.#refused = new Set(intents.filter((intent) => intent.handler === 'out_of_scope').map((intent) => intent.id))

    const examples: { intent: number; features: Features }[] = []
    intents.forEach((intent, index) => {
      for (const text of [...intent.examples['zh-CN'], ...intent.examples.en]) {
        examples.push({ intent: index, features: this.#tokenizer.features(text) })
      }
    })
    const documentFrequency = new Map<string, number>()
    for (const { features } of examples) {
      for (const feature of features.keys()) documentFrequency.set(feature, (documentFrequency.get(feature) ?? 0) + 1)
    }
    for (const [feature, df] of documentFrequency) this.#idf.set(feature, Math.log((examples.length + 1) / (df + 1)) + 1)
    // A word no example has is rare by definition: it gets the highest idf, damped by `unknownWeight`.
    this.#unknownIdf = Math.log(examples.length + 1) + 1

    const sums = intents.map(() => new Map<string, number>())
    examples.forEach(({ intent, features }, index) => {
      const vector = this.#vector(features)
      this.#exampleIntent.push(intent)
      for (const [feature, weight] of vector) {
        let list = this.#postings.get(feature)
        if (!list) this.#postings.set(feature, (list = []))
        list.push({ example: index, weight })
        sums[intent]!.set(feature, (sums[intent]!.get(feature) ?? 0) + weight)
      }
    })
    intents.forEach((intent, index) => this.#centroids.set(intent.id, normalised(sums[index]!)))
  }

  /** Matches one question. */
  match(text: string): MatchResult {
    const clipped = normalise(text).slice(0, this.#options.maxChars)
    const features = this.#tokenizer.featuresOfNormalised(clipped)
    if (features.size === 0) return { intent: null, confidence: 0, refusal: 'empty', ranking: [] }
    const query = this.#vector(features)
    const ranking = this.#rank(query)
    const [best, second] = ranking
    if (!best || best.score <= 0) return { intent: null, confidence: 0, refusal: 'low_confidence', ranking }
    const confidence = Math.round(best.score * 1000) / 1000
    if (this.#refused.has(best.intent)) return { intent: null, confidence, refusal: 'out_of_scope', ranking }
    if (best.score < this.#options.threshold) return { intent: null, confidence, refusal: 'low_confidence', ranking }
    if (second && !this.#refused.has(second.intent) && best.score - second.score < this.#options.margin) {
      return { intent: null, confidence, refusal: 'ambiguous', ranking }
    }
    return { intent: best.intent, confidence, ranking }
  }

  #vector(features: Features): Vector {
    const vector: Vector = new Map()
    for (const [feature, count] of features) {
      const kindWeight = this.#options.kindWeights[feature[0]!] ?? 1
      const idf = this.#idf.get(feature) ?? this.#unknownIdf * this.#options.unknownWeight
      vector.set(feature, (1 + Math.log(count)) * kindWeight * idf)
    }
    return normalised(vector)
  }

  #rank(query: Vector): RankedIntent[] {
    const similarity = new Map<number, number>()
    for (const [feature, weight] of query) {
      for (const posting of this.#postings.get(feature) ?? []) {
        similarity.set(posting.example, (similarity.get(posting.example) ?? 0) + weight * posting.weight)
      }
    }
    const nearest = this.#intentIds.map(() => [] as number[])
    for (const [example, score] of similarity) nearest[this.#exampleIntent[example]!]!.push(score)

    const { nearestWeight, nearestCount } = this.#options
    const ranking = this.#intentIds.map((intent, index) => {
      const top = nearest[index]!.sort((a, b) => b - a).slice(0, nearestCount)
      const nearestScore = top.length ? top.reduce((sum, s) => sum + s, 0) / nearestCount : 0
      let centroidScore = 0
      const centroid = this.#centroids.get(intent)!
      for (const [feature, weight] of query) centroidScore += weight * (centroid.get(feature) ?? 0)
      return { intent, score: nearestWeight * nearestScore + (1 - nearestWeight) * centroidScore }
    })
    return ranking.sort((a, b) => b.score - a.score)
  }
}
