import type { SparseVector } from './classifier'

/** Named defaults, tuned on the development sets. */
export const NEAREST_DEFAULTS = {
  /** Score = share of the nearest examples' similarity + share of the intent centroid's. */
  nearestWeight: 0.6,
  /** How many nearest examples of an intent are averaged: one or two. */
  nearestCount: 2,
}

export function normalised(vector: SparseVector): SparseVector {
  let sum = 0
  for (const value of vector.values()) sum += value * value
  const length = Math.sqrt(sum) || 1
  return new Map([...vector].map(([key, value]) => [key, value / length]))
}

/**
 * Cosine similarity of a question to each intent's nearest examples and to its centroid. It answers "is this like
 * something we have seen?", which the classifier, that only separates intents, cannot.
 */
export class NearestExamples {
  readonly #options: typeof NEAREST_DEFAULTS
  readonly #exampleIntent: Int32Array
  /** feature → the examples that have it, and its weight in each. */
  readonly #postings = new Map<string, { examples: Int32Array; weights: Float64Array }>()
  /** feature → its weight in each intent's centroid. */
  readonly #centroids = new Map<string, Float64Array>()
  readonly #intentCount: number
  /** Scratch space for one query's similarities, reused: matching allocates nothing per example. */
  readonly #similarity: Float64Array
  readonly #touched: Int32Array

  /** `examples` are L2-normalised vectors with the index of their intent. */
  constructor(intentCount: number, examples: readonly { x: SparseVector; label: number }[], options: Partial<typeof NEAREST_DEFAULTS> = {}) {
    this.#options = { ...NEAREST_DEFAULTS, ...options }
    this.#exampleIntent = Int32Array.from(examples, ({ label }) => label)
    this.#similarity = new Float64Array(examples.length)
    this.#touched = new Int32Array(examples.length)
    const sums = Array.from({ length: intentCount }, () => new Map<string, number>())
    const lists = new Map<string, { examples: number[]; weights: number[] }>()
    examples.forEach(({ x, label }, index) => {
      for (const [feature, weight] of x) {
        let list = lists.get(feature)
        if (!list) lists.set(feature, (list = { examples: [], weights: [] }))
        list.examples.push(index)
        list.weights.push(weight)
        sums[label]!.set(feature, (sums[label]!.get(feature) ?? 0) + weight)
      }
    })
    for (const [feature, list] of lists) this.#postings.set(feature, { examples: Int32Array.from(list.examples), weights: Float64Array.from(list.weights) })
    this.#intentCount = intentCount
    sums.map(normalised).forEach((centroid, intent) => {
      for (const [feature, weight] of centroid) {
        let weights = this.#centroids.get(feature)
        if (!weights) this.#centroids.set(feature, (weights = new Float64Array(intentCount)))
        weights[intent] = weight
      }
    })
  }

  /** A score in [0, 1] per intent, in the intents' order. */
  scores(query: SparseVector): Float64Array {
    const similarity = this.#similarity
    let touched = 0
    for (const [feature, weight] of query) {
      const postings = this.#postings.get(feature)
      if (!postings) continue
      for (let i = 0; i < postings.examples.length; i += 1) {
        const example = postings.examples[i]!
        if (similarity[example] === 0) this.#touched[touched++] = example
        similarity[example]! += weight * postings.weights[i]!
      }
    }
    // The best two similarities of each intent, found in one pass; the scratch space is cleared as it is read.
    const intents = this.#intentCount
    const first = new Float64Array(intents)
    const second = new Float64Array(intents)
    for (let i = 0; i < touched; i += 1) {
      const example = this.#touched[i]!
      const score = similarity[example]!
      similarity[example] = 0
      const intent = this.#exampleIntent[example]!
      if (score > first[intent]!) {
        second[intent] = first[intent]!
        first[intent] = score
      } else if (score > second[intent]!) second[intent] = score
    }
    const centroidScores = new Float64Array(intents)
    for (const [feature, weight] of query) {
      const weights = this.#centroids.get(feature)
      if (weights) for (let k = 0; k < intents; k += 1) centroidScores[k]! += weight * weights[k]!
    }
    const { nearestWeight, nearestCount } = this.#options
    return Float64Array.from(centroidScores, (centroidScore, k) => {
      const nearestScore = (nearestCount >= 2 ? first[k]! + second[k]! : first[k]!) / Math.min(nearestCount, 2)
      return nearestWeight * nearestScore + (1 - nearestWeight) * centroidScore
    })
  }
}
