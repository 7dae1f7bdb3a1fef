/** A sparse feature vector: feature → value. */
export type SparseVector = Map<string, number>

export interface LabelledVector {
  x: SparseVector
  label: number
}

/** Named defaults, tuned on the development sets (README: "Tuning the matcher"). */
export const CLASSIFIER_DEFAULTS = {
  epochs: 30,
  learningRate: 0.8,
  /** L2 regularisation: keeps any one feature from deciding alone, so unseen combinations degrade gently. */
  l2: 2e-4,
  /** The order examples are visited in is shuffled from this seed: the same data always trains the same model. */
  seed: 20261201,
}

export type ClassifierOptions = Partial<typeof CLASSIFIER_DEFAULTS>

/** A small deterministic PRNG (mulberry32): training must give the same model on every start. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Multinomial logistic regression over sparse features, trained by stochastic gradient descent at start-up
 * (a second or less for a few thousand examples). Its probabilities are what the matcher's confidence is made of.
 * Classes are weighted by their size, so that an intent with many examples does not win by number alone.
 */
export class SoftmaxClassifier {
  readonly #classes: number
  readonly #weights = new Map<string, Float64Array>()
  readonly #bias: Float64Array

  constructor(classes: number, examples: readonly LabelledVector[], options: ClassifierOptions = {}) {
    const { epochs, learningRate, l2, seed } = { ...CLASSIFIER_DEFAULTS, ...options }
    this.#classes = classes
    this.#bias = new Float64Array(classes)
    const counts = new Float64Array(classes)
    for (const { label } of examples) counts[label]! += 1
    const classWeight = Array.from(counts, (count) => (count === 0 ? 0 : examples.length / (classes * count)))
    const order = examples.map((_, index) => index)
    const next = random(seed)
    const gradient = new Float64Array(classes)
    for (let epoch = 0; epoch < epochs; epoch += 1) {
      for (let i = order.length - 1; i > 0; i -= 1) {
        const j = Math.floor(next() * (i + 1))
        ;[order[i], order[j]] = [order[j]!, order[i]!]
      }
      const rate = learningRate / (1 + epoch / 5)
      for (const index of order) {
        const { x, label } = examples[index]!
        const p = this.probabilities(x)
        for (let k = 0; k < classes; k += 1) gradient[k] = (p[k]! - (k === label ? 1 : 0)) * classWeight[label]!
        for (let k = 0; k < classes; k += 1) this.#bias[k]! -= rate * gradient[k]!
        for (const [feature, value] of x) {
          const w = this.#weightsOf(feature)
          for (let k = 0; k < classes; k += 1) w[k]! -= rate * (gradient[k]! * value + l2 * w[k]!)
        }
      }
    }
  }

  /** Whether any training example had this feature. */
  knows(feature: string): boolean {
    return this.#weights.has(feature)
  }

  /** The probability of each class. */
  probabilities(x: SparseVector): Float64Array {
    const scores = Float64Array.from(this.#bias)
    for (const [feature, value] of x) {
      const w = this.#weights.get(feature)
      if (w) for (let k = 0; k < this.#classes; k += 1) scores[k]! += w[k]! * value
    }
    const max = Math.max(...scores)
    let sum = 0
    for (let k = 0; k < this.#classes; k += 1) sum += scores[k] = Math.exp(scores[k]! - max)
    for (let k = 0; k < this.#classes; k += 1) scores[k]! /= sum
    return scores
  }

  /** What pushed `x` towards class `k`, strongest first: for `npm run eval` and whoever edits the lexicon. */
  contributions(x: SparseVector, k: number, count = 5): { feature: string; value: number }[] {
    return [...x]
      .map(([feature, value]) => ({ feature, value: (this.#weights.get(feature)?.[k] ?? 0) * value }))
      .sort((a, b) => b.value - a.value)
      .slice(0, count)
  }

  #weightsOf(feature: string): Float64Array {
    let w = this.#weights.get(feature)
    if (!w) this.#weights.set(feature, (w = new Float64Array(this.#classes)))
    return w
  }
}
