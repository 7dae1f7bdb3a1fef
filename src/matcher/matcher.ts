import { createHash } from 'node:crypto'
import type { DangerWords, FocusWords, Intent, Lexicon } from '../knowledge/schemas'
import { SoftmaxClassifier, type ClassifierOptions, type SparseVector } from './classifier'
import { DangerDetector, type Danger } from './danger'
import { FocusReader, type WeightedClause } from './focus'
import { NEAREST_DEFAULTS, NearestExamples, normalised } from './nearest'
import { fold } from './normalise'
import { Tokenizer, type Features } from './tokenizer'

/** Named defaults, tuned on the development sets (see README: "Tuning the matcher"). */
export const MATCHER_DEFAULTS = {
  /** Below this confidence the assistant says honestly that it does not know. */
  threshold: 0.3,
  /** When the best two intents are closer than this, the question is ambiguous: ask, don't guess. */
  margin: 0.02,
  /** Longer messages are read at their start and their end, where residents say what they want. */
  maxChars: 900,
  /** How much each kind of feature counts: lexicon concepts say most, bigrams least. */
  kindWeights: { c: 2.5, w: 1, b: 0.6 } as Record<string, number>,
  /**
   * How much a feature no example has counts, relative to a known one. Above zero, so that a question
   * full of unknown words is less sure; well below one, so place names in formal petitions do not drown the topic.
   */
  unknownWeight: 0.3,
  /** Confidence = this share of the classifier's probability + the rest of the nearest examples' similarity. */
  classifierWeight: 0.7,
}

export type MatcherOptions = Partial<typeof MATCHER_DEFAULTS> & { classifier?: ClassifierOptions; nearest?: Partial<typeof NEAREST_DEFAULTS> }

/** What the matcher learns from: the intents with their examples, and the words that shape reading. */
export interface MatcherKnowledge {
  intents: readonly Intent[]
  lexicon: Lexicon
  focus: FocusWords
  danger: DangerWords
}

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
  /** Danger to life or home in the message; `now: true` makes the message an urgent demand. */
  danger?: Danger
}

/** Why the matcher decided as it did: the features that pushed towards the best two intents. */
export interface MatchExplanation extends MatchResult {
  clauses: WeightedClause[]
  why: { intent: string; features: { feature: string; value: number }[] }[]
}

/** A message as the matcher read it. */
interface Reading {
  clauses: WeightedClause[]
  features: Features
  query: SparseVector
  danger?: Danger
}

const TRAINED_KEPT = 2
const trainedMatchers = new Map<string, IntentMatcher>()

/** The intent urgent danger is routed to: a demand for a person, now. */
const URGENT_INTENT = 'escalation'

/**
 * Routes a question to an intent. The message is read clause by clause for what is asked (FocusReader); its
 * lexicon concepts, Chinese words and bigrams are weighted by TF-IDF; a softmax classifier trained on the intents'
 * examples gives each intent a probability, blended with the similarity to its nearest examples. Intents whose
 * handler is `out_of_scope` are learnt like the others but, when they win, the answer is a refusal.
 * Danger happening now (DangerDetector) makes any message an urgent escalation.
 */
export class IntentMatcher {
  readonly #options: typeof MATCHER_DEFAULTS
  readonly #tokenizer: Tokenizer
  readonly #focus: FocusReader
  readonly #danger: DangerDetector
  readonly #idf = new Map<string, number>()
  readonly #unknownIdf: number
  readonly #intentIds: string[]
  readonly #refused: Set<string>
  readonly #classifier: SoftmaxClassifier
  readonly #nearest: NearestExamples
  /** Concept features that weigh more than their kind (`lexicon.emphasis`). */
  readonly #emphasis: Map<string, number>

  constructor(knowledge: MatcherKnowledge, options: MatcherOptions = {}) {
    const { classifier: classifierOptions, nearest: nearestOptions, ...matcherOptions } = options
    this.#options = { ...MATCHER_DEFAULTS, ...matcherOptions }
    this.#emphasis = new Map(Object.entries(knowledge.lexicon.emphasis).map(([concept, factor]) => [`c:${concept}`, factor]))
    this.#tokenizer = new Tokenizer(knowledge.lexicon, {
      zh: knowledge.intents.flatMap((intent) => intent.examples['zh-CN']),
      en: knowledge.intents.flatMap((intent) => intent.examples.en),
    })
    this.#focus = new FocusReader(knowledge.focus)
    this.#danger = new DangerDetector(knowledge.danger)
    const { intents } = knowledge
    this.#intentIds = intents.map((intent) => intent.id)
    this.#refused = new Set(intents.filter((intent) => intent.handler === 'out_of_scope').map((intent) => intent.id))

    const examples = intents.flatMap((intent, label) =>
      [...intent.examples['zh-CN'], ...intent.examples.en].map((text) => ({ label, features: this.#features(this.#focus.read(fold(text))) })))
    const documentFrequency = new Map<string, number>()
    for (const { features } of examples) {
      for (const feature of features.keys()) documentFrequency.set(feature, (documentFrequency.get(feature) ?? 0) + 1)
    }
    for (const [feature, df] of documentFrequency) this.#idf.set(feature, Math.log((examples.length + 1) / (df + 1)) + 1)
    // A word no example has is rare by definition: it gets the highest idf, damped by `unknownWeight`.
    this.#unknownIdf = Math.log(examples.length + 1) + 1
    const vectors = examples.map(({ label, features }) => ({ label, x: this.#vector(features) }))
    this.#classifier = new SoftmaxClassifier(intents.length, vectors, classifierOptions)
    this.#nearest = new NearestExamples(intents.length, vectors, nearestOptions)
  }

  /**
   * A matcher for this knowledge, trained once per process: training is deterministic, so the same intents and
   * words give the same model, and a second assistant or a knowledge reload with unchanged intents costs nothing.
   */
  static trained(knowledge: MatcherKnowledge): IntentMatcher {
    const { intents, lexicon, focus, danger } = knowledge
    const key = createHash('sha256').update(JSON.stringify([intents, lexicon, focus, danger])).digest('hex')
    let matcher = trainedMatchers.get(key)
    if (!matcher) {
      matcher = new IntentMatcher(knowledge)
      trainedMatchers.set(key, matcher)
      // One or two knowledge versions live at a time; an old one is let go.
      if (trainedMatchers.size > TRAINED_KEPT) trainedMatchers.delete(trainedMatchers.keys().next().value!)
    }
    return matcher
  }

  /** Matches one question. */
  match(text: string): MatchResult {
    return this.#decide(this.#read(text))
  }

  /** Matches one question and says why: the clauses as weighted, and the features behind the best two intents. */
  explain(text: string, featureCount = 5): MatchExplanation {
    const reading = this.#read(text)
    const result = this.#decide(reading)
    const why = result.ranking.slice(0, 2).map(({ intent }) => ({
      intent,
      features: this.#classifier.contributions(reading.query, this.#intentIds.indexOf(intent), featureCount),
    }))
    return { ...result, clauses: reading.clauses, why }
  }

  #read(text: string): Reading {
    const folded = fold(text)
    const { maxChars } = this.#options
    // A story's start says who is asking, its end what they ask; the middle of a very long one is let go.
    const clipped = folded.length <= maxChars ? folded : `${folded.slice(0, maxChars / 3)}。${folded.slice(-(2 * maxChars) / 3)}`
    const clauses = this.#focus.read(clipped)
    const features = this.#features(clauses)
    return { clauses, features, query: this.#vector(features), danger: this.#danger.detect(clauses.map((clause) => clause.text)) }
  }

  #decide({ features, query, danger }: Reading): MatchResult {
    const urgent = danger?.now && this.#intentIds.includes(URGENT_INTENT)
    const known = [...features.keys()].some((feature) => this.#classifier.knows(feature))
    if (!known && !urgent) return { intent: null, confidence: 0, refusal: features.size === 0 ? 'empty' : 'low_confidence', ranking: [], danger }
    const probabilities = this.#classifier.probabilities(query)
    const similarity = this.#nearest.scores(query)
    const { classifierWeight, threshold, margin } = this.#options
    const ranking = this.#intentIds
      .map((intent, k) => ({ intent, score: round(classifierWeight * probabilities[k]! + (1 - classifierWeight) * similarity[k]!) }))
      .sort((a, b) => b.score - a.score)
    if (urgent) return { intent: URGENT_INTENT, confidence: 1, ranking, danger }
    const [best, second] = ranking
    const confidence = best!.score
    const refuse = (refusal: MatchResult['refusal']): MatchResult => ({ intent: null, confidence, refusal, ranking, danger })
    if (this.#refused.has(best!.intent)) return refuse('out_of_scope')
    if (confidence < threshold) return refuse('low_confidence')
    if (second && !this.#refused.has(second.intent) && confidence - second.score < margin) return refuse('ambiguous')
    return { intent: best!.intent, confidence, ranking, danger }
  }

  /** The features of every clause, each counted by its clause's weight. */
  #features(clauses: readonly WeightedClause[]): Features {
    const features: Features = new Map()
    for (const { text, weight } of clauses) {
      if (weight === 0) continue
      for (const [feature, count] of this.#tokenizer.featuresOfNormalised(text)) features.set(feature, (features.get(feature) ?? 0) + weight * count)
    }
    return features
  }

  #vector(features: Features): SparseVector {
    const vector: SparseVector = new Map()
    for (const [feature, count] of features) {
      const kindWeight = (this.#options.kindWeights[feature[0]!] ?? 1) * (this.#emphasis.get(feature) ?? 1)
      const idf = this.#idf.get(feature) ?? this.#unknownIdf * this.#options.unknownWeight
      // Counts are weighted by clause: a context clause's single mention counts a fifth of an asked one.
      const tf = count < 1 ? count : 1 + Math.log(count)
      vector.set(feature, tf * kindWeight * idf)
    }
    return normalised(vector)
  }
}

const round = (score: number) => Math.round(score * 1000) / 1000
