import type { DangerWords, FocusWords, Intent, Lexicon } from '../knowledge/schemas'
import { SoftmaxClassifier, type ClassifierOptions, type ClassifierWeights, type LabelledVector, type SparseVector } from './classifier'
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
  /** Clauses whose features are remembered (a few hundred bytes each): a clause residents repeat is read once. */
  clausesKept: 5_000,
}

export type MatcherOptions = Partial<typeof MATCHER_DEFAULTS> & { classifier?: ClassifierOptions; nearest?: Partial<typeof NEAREST_DEFAULTS> }

/** What the matcher learns from: the intents with their examples, and the words that shape reading. */
export interface MatcherKnowledge {
  intents: readonly Intent[]
  lexicon: Lexicon
  focus: FocusWords
  danger: DangerWords
}

/** What training makes of the examples: the pre-built model file holds exactly this (model.ts). */
export interface LearntMatcher {
  /** Inverse document frequency of every feature the examples have. */
  idf: Map<string, number>
  /** The idf of a feature no example has. */
  unknownIdf: number
  classifier: ClassifierWeights
  /** The examples as weighted vectors, with their intent's index: what the nearest-example scores compare with. */
  examples: LabelledVector[]
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
  readonly #learnt: LearntMatcher
  readonly #intentIds: string[]
  readonly #refused: Set<string>
  readonly #classifier: SoftmaxClassifier
  readonly #nearest: NearestExamples
  /** Concept features that weigh more than their kind (`lexicon.emphasis`). */
  readonly #emphasis: Map<string, number>

  /** `learnt`: a pre-built model of this knowledge and these options (model.ts); without it, the examples are learnt here. */
  constructor(knowledge: MatcherKnowledge, options: MatcherOptions = {}, learnt?: LearntMatcher) {
    const { classifier: classifierOptions, nearest: nearestOptions, ...matcherOptions } = options
    this.#options = { ...MATCHER_DEFAULTS, ...matcherOptions }
    this.#emphasis = new Map(Object.entries(knowledge.lexicon.emphasis).map(([concept, factor]) => [`c:${concept}`, factor]))
    this.#tokenizer = new Tokenizer(knowledge.lexicon, {
      zh: knowledge.intents.flatMap((intent) => intent.examples['zh-CN']),
      en: knowledge.intents.flatMap((intent) => intent.examples.en),
    }, this.#options.clausesKept)
    this.#focus = new FocusReader(knowledge.focus)
    this.#danger = new DangerDetector(knowledge.danger)
    const { intents } = knowledge
    this.#intentIds = intents.map((intent) => intent.id)
    this.#refused = new Set(intents.filter((intent) => intent.handler === 'out_of_scope').map((intent) => intent.id))
    this.#learnt = learnt ?? this.#learn(intents, classifierOptions)
    this.#classifier = new SoftmaxClassifier(this.#learnt.classifier)
    this.#nearest = new NearestExamples(intents.length, this.#learnt.examples, nearestOptions)
  }

  /** What was learnt from the examples, for `npm run model:build`. */
  get learnt(): LearntMatcher {
    return this.#learnt
  }

  #learn(intents: readonly Intent[], classifierOptions?: ClassifierOptions): LearntMatcher {
    const examples = intents.flatMap((intent, label) =>
      [...intent.examples['zh-CN'], ...intent.examples.en].map((text) => ({ label, features: this.#features(this.#focus.read(fold(text))) })))
    const documentFrequency = new Map<string, number>()
    for (const { features } of examples) {
      for (const feature of features.keys()) documentFrequency.set(feature, (documentFrequency.get(feature) ?? 0) + 1)
    }
    const idf = new Map<string, number>()
    for (const [feature, df] of documentFrequency) idf.set(feature, Math.log((examples.length + 1) / (df + 1)) + 1)
    // A word no example has is rare by definition: it gets the highest idf, damped by `unknownWeight`.
    const unknownIdf = Math.log(examples.length + 1) + 1
    const vectors = examples.map(({ label, features }) => ({ label, x: vectorOf(features, idf, unknownIdf, this.#options, this.#emphasis) }))
    return { idf, unknownIdf, classifier: SoftmaxClassifier.train(intents.length, vectors, classifierOptions).learnt, examples: vectors }
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
    const read = clauses.filter(({ weight }) => weight > 0)
    const features: Features = new Map()
    this.#tokenizer.featuresOfClauses(read.map(({ text }) => text)).forEach((clauseFeatures, i) => {
      const { weight } = read[i]!
      for (const [feature, count] of clauseFeatures) features.set(feature, (features.get(feature) ?? 0) + weight * count)
    })
    return features
  }

  #vector(features: Features): SparseVector {
    return vectorOf(features, this.#learnt.idf, this.#learnt.unknownIdf, this.#options, this.#emphasis)
  }
}

/** A message's features weighted by kind, idf and clause, L2-normalised. */
function vectorOf(features: Features, idf: ReadonlyMap<string, number>, unknownIdf: number, options: typeof MATCHER_DEFAULTS, emphasis: ReadonlyMap<string, number>): SparseVector {
  const vector: SparseVector = new Map()
  for (const [feature, count] of features) {
    const kindWeight = (options.kindWeights[feature[0]!] ?? 1) * (emphasis.get(feature) ?? 1)
    const weight = idf.get(feature) ?? unknownIdf * options.unknownWeight
    // Counts are weighted by clause: a context clause's single mention counts a fifth of an asked one.
    const tf = count < 1 ? count : 1 + Math.log(count)
    vector.set(feature, tf * kindWeight * weight)
  }
  return normalised(vector)
}

const round = (score: number) => Math.round(score * 1000) / 1000
