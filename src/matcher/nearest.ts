import type { SparseVector } from './classifier'

interface Posting {
  example: number
  weight: number
}

/** Named defaults, tuned on the development sets. */
export const NEAREST_DEFAULTS = {
  /** Score = share of the nearest examples' similarity + share of the intent centroid's. */
  nearestWeight: 0.6,
  /** How many nearest examples of an intent are averaged. */
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
  readonly #exampleIntent: number[] = []
  readonly #postings = new Map<string, Posting[]>()
  readonly #centroids: SparseVector[]

  /** `examples` are L2-normalised vectors with the index of their intent. */
  constructor(intentCount: number, examples: readonly { x: SparseVector; label: number }[], options: Partial<typeof NEAREST_DEFAULTS> = {}) {
    this.#options = { ...NEAREST_DEFAULTS, ...options }
    const sums = Array.from({ length: intentCount }, () => new Map<string, number>())
    examples.forEach(({ x, label }, index) => {
      this.#exampleIntent.push(label)
      for (const [feature, weight] of x) {
        let list = this.#postings.get(feature)
        if (!list) this.#postings.set(feature, (list = []))
        list.push({ example: index, weight })
        sums[label]!.set(feature, (sums[label]!.get(feature) ?? 0) + weight)
      }
    })
    this.#centroids = sums.map(normalised)
  }

  /** A score in [0, 1] per intent, in the intents' order. */
  scores(query: SparseVector): Float64Array {
    const similarity = new Map<number, number>()
    for (const [feature, weight] of query) {
      for (const posting of this.#postings.get(feature) ?? []) {
        similarity.set(posting.example, (similarity.get(posting.example) ?? 0) + weight * posting.weight)
      }
    }
    const nearest = this.#centroids.map(() => [] as number[])
    for (const [example, score] of similarity) nearest[this.#exampleIntent[example]!]!.push(score)
    const { nearestWeight, nearestCount } = this.#options
    return Float64Array.from(this.#centroids, (centroid, index) => {
      const top = nearest[index]!.sort((a, b) => b - a).slice(0, nearestCount)
      const nearestScore = top.reduce((sum, s) => sum + s, 0) / nearestCount
      let centroidScore = 0
      for (const [feature, weight] of query) centroidScore += weight * (centroid.get(feature) ?? 0)
      return nearestWeight * nearestScore + (1 - nearestWeight) * centroidScore
    })
  }
}
