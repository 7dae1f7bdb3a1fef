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

/** A trained classifier: its features in index order, their weights (row-major, a row per feature) and the biases. */
export interface ClassifierWeights {
  features: string[]
  weights: Float64Array
  bias: Float64Array
}

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
 * Multinomial logistic regression over sparse features, trained by stochastic gradient descent (`train`: about
 * a second of CPU for a few thousand examples, so the assistant loads a pre-built model instead, see model.ts). Its probabilities are what the matcher's confidence is made of.
 * Classes are weighted by their size, so that an intent with many examples does not win by number alone.
 */
export class SoftmaxClassifier {
  readonly #classes: number
  readonly #featureIndex: Map<string, number>
  /** Row-major: the weights of feature f are [f * classes, (f + 1) * classes). */
  readonly #weights: Float64Array
  readonly #bias: Float64Array

  /** A classifier with known weights (`train`, or a pre-built model file: see model.ts). */
  constructor(weights: ClassifierWeights) {
    this.#classes = weights.bias.length
    this.#featureIndex = new Map(weights.features.map((feature, index) => [feature, index]))
    this.#weights = weights.weights
    this.#bias = weights.bias
  }

  static train(classes: number, examples: readonly LabelledVector[], options: ClassifierOptions = {}): SoftmaxClassifier {
    const { epochs, learningRate, l2, seed } = { ...CLASSIFIER_DEFAULTS, ...options }
    const bias = new Float64Array(classes)
    const featureIndex = new Map<string, number>()
    // Features as indexes and values in typed arrays: training visits every example many times, allocating nothing.
    const rows = examples.map(({ x, label }) => {
      const features = Int32Array.from(x.keys(), (feature) => {
        let index = featureIndex.get(feature)
        if (index === undefined) featureIndex.set(feature, (index = featureIndex.size))
        return index
      })
      return { features, values: Float64Array.from(x.values()), label }
    })
    const weights = new Float64Array(featureIndex.size * classes)
    const counts = new Float64Array(classes)
    for (const { label } of examples) counts[label]! += 1
    const classWeight = Array.from(counts, (count) => (count === 0 ? 0 : examples.length / (classes * count)))
    const order = rows.map((_, index) => index)
    const next = random(seed)
    const p = new Float64Array(classes)
    for (let epoch = 0; epoch < epochs; epoch += 1) {
      for (let i = order.length - 1; i > 0; i -= 1) {
        const j = Math.floor(next() * (i + 1))
        ;[order[i], order[j]] = [order[j]!, order[i]!]
      }
      const rate = learningRate / (1 + epoch / 5)
      for (const index of order) {
        const { features, values, label } = rows[index]!
        softmax(weights, bias, features, values, p)
        for (let k = 0; k < classes; k += 1) {
          const gradient = (p[k]! - (k === label ? 1 : 0)) * classWeight[label]!
          bias[k]! -= rate * gradient
          for (let f = 0; f < features.length; f += 1) {
            const at = features[f]! * classes + k
            weights[at]! -= rate * (gradient * values[f]! + l2 * weights[at]!)
          }
        }
      }
    }
    return new SoftmaxClassifier({ features: [...featureIndex.keys()], weights, bias })
  }

  /** What the classifier learnt, to be written to a model file. */
  get learnt(): ClassifierWeights {
    return { features: [...this.#featureIndex.keys()], weights: this.#weights, bias: this.#bias }
  }

  /** Whether any training example had this feature. */
  knows(feature: string): boolean {
    return this.#featureIndex.has(feature)
  }

  /** The probability of each class. */
  probabilities(x: SparseVector): Float64Array {
    const features: number[] = []
    const values: number[] = []
    for (const [feature, value] of x) {
      const index = this.#featureIndex.get(feature)
      if (index === undefined) continue
      features.push(index)
      values.push(value)
    }
    const p = new Float64Array(this.#classes)
    softmax(this.#weights, this.#bias, features, values, p)
    return p
  }

  /** What pushed `x` towards class `k`, strongest first: for `npm run eval` and whoever edits the lexicon. */
  contributions(x: SparseVector, k: number, count = 5): { feature: string; value: number }[] {
    return [...x]
      .map(([feature, value]) => {
        const index = this.#featureIndex.get(feature)
        return { feature, value: index === undefined ? 0 : this.#weights[index * this.#classes + k]! * value }
      })
      .sort((a, b) => b.value - a.value)
      .slice(0, count)
  }
}

/** Softmax of bias + weights · x into `p` (weights row-major, one row of `p.length` per feature). */
function softmax(weights: Float64Array, bias: Float64Array, features: ArrayLike<number>, values: ArrayLike<number>, p: Float64Array): void {
  const classes = p.length
  p.set(bias)
  for (let f = 0; f < features.length; f += 1) {
    const row = features[f]! * classes
    const value = values[f]!
    for (let k = 0; k < classes; k += 1) p[k]! += weights[row + k]! * value
  }
  let max = -Infinity
  for (let k = 0; k < classes; k += 1) if (p[k]! > max) max = p[k]!
  let sum = 0
  for (let k = 0; k < classes; k += 1) sum += p[k] = Math.exp(p[k]! - max)
  for (let k = 0; k < classes; k += 1) p[k]! /= sum
}
