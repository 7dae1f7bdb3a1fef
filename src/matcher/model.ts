import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import type { Logger } from '../core/logger'
import { CLASSIFIER_DEFAULTS } from './classifier'
import { FOCUS_DEFAULTS } from './focus'
import { IntentMatcher, MATCHER_DEFAULTS, type LearntMatcher, type MatcherKnowledge } from './matcher'

/** Bumped when the file's layout changes; a file of another format is stale. */
export const MODEL_FORMAT = 1
/** Where the pre-built model lives, inside the knowledge folder. */
export const MODEL_FILE = path.join('model', 'matcher.json')

/**
 * The modules whose code decides what is learnt from an example: a change to any of them makes the model stale,
 * just as a changed example does.
 */
const READING_MODULES = ['matcher.ts', 'tokenizer.ts', 'focus.ts', 'normalise.ts', 'pinyin-input.ts', 'term-set.ts', 'classifier.ts', 'nearest.ts']

/** The model file: numbers as base64 typed arrays (float32), which is a quarter the size of JSON numbers. */
const modelFileSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  fingerprint: z.string(),
  /** Every feature of the examples, in the classifier's order. */
  features: z.array(z.string()),
  idf: z.string(),
  unknownIdf: z.number(),
  bias: z.array(z.number()),
  weights: z.string(),
  /** For each example: its intent's index and how many features it has; then all their indexes and values. */
  exampleLabels: z.array(z.number().int()),
  exampleLengths: z.array(z.number().int()),
  exampleFeatures: z.string(),
  exampleValues: z.string(),
})
type ModelFile = z.infer<typeof modelFileSchema>

let readingSource: Promise<string[]> | undefined
/** The reading modules' source, read once per process; line ends as git stores them, whatever the checkout made of them. */
const sourceOfReading = () => (readingSource ??= Promise.all(READING_MODULES.map(async (name) =>
  (await readFile(path.join(import.meta.dirname, name), 'utf8')).replace(/\r\n/g, '\n'))))

/**
 * What the model is learnt from: the intents, the lexicon and focus words, every option of reading and
 * training, and the code that reads. The same fingerprint means training would give the same model.
 */
export async function modelFingerprint(knowledge: MatcherKnowledge): Promise<string> {
  const { intents, lexicon, focus } = knowledge
  const options = [MATCHER_DEFAULTS, CLASSIFIER_DEFAULTS, FOCUS_DEFAULTS]
  return createHash('sha256').update(JSON.stringify([MODEL_FORMAT, intents, lexicon, focus, options, await sourceOfReading()])).digest('hex')
}

const float32 = (values: ArrayLike<number>) => Buffer.from(Float32Array.from(values).buffer).toString('base64')
const int32 = (values: ArrayLike<number>) => Buffer.from(Int32Array.from(values).buffer).toString('base64')
function fromBase64<T>(text: string, make: (buffer: ArrayBuffer, offset: number, length: number) => T, bytes: number): T {
  const buffer = Buffer.from(text, 'base64')
  // A copy, aligned: Buffer.from may hand out a slice of a shared pool at any offset.
  const copy = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength)
  return make(copy, 0, buffer.byteLength / bytes)
}
const readFloat32 = (text: string) => Float64Array.from(fromBase64(text, (b, o, l) => new Float32Array(b, o, l), 4))
const readInt32 = (text: string) => fromBase64(text, (b, o, l) => new Int32Array(b, o, l), 4)

/** The model file's text for what a matcher learnt. */
export function encodeModel(learnt: LearntMatcher, fingerprint: string): string {
  const { features } = learnt.classifier
  const index = new Map(features.map((feature, i) => [feature, i]))
  const model: ModelFile = {
    format: MODEL_FORMAT,
    fingerprint,
    features,
    idf: float32(features.map((feature) => learnt.idf.get(feature)!)),
    unknownIdf: learnt.unknownIdf,
    bias: Array.from(learnt.classifier.bias),
    weights: float32(learnt.classifier.weights),
    exampleLabels: learnt.examples.map(({ label }) => label),
    exampleLengths: learnt.examples.map(({ x }) => x.size),
    exampleFeatures: int32(learnt.examples.flatMap(({ x }) => [...x.keys()].map((feature) => index.get(feature)!))),
    exampleValues: float32(learnt.examples.flatMap(({ x }) => [...x.values()])),
  }
  return `${JSON.stringify(model)}\n`
}

function decodeModel(model: ModelFile): LearntMatcher {
  const { features } = model
  const idf = readFloat32(model.idf)
  const exampleFeatures = readInt32(model.exampleFeatures)
  const exampleValues = readFloat32(model.exampleValues)
  let at = 0
  const examples = model.exampleLabels.map((label, i) => {
    const x = new Map<string, number>()
    for (const end = at + model.exampleLengths[i]!; at < end; at += 1) x.set(features[exampleFeatures[at]!]!, exampleValues[at]!)
    return { label, x }
  })
  return {
    idf: new Map(features.map((feature, i) => [feature, idf[i]!])),
    unknownIdf: model.unknownIdf,
    classifier: { features, weights: readFloat32(model.weights), bias: Float64Array.from(model.bias) },
    examples,
  }
}

/** The model in `file` if it was built from this knowledge, else why not. */
export async function readModel(file: string, knowledge: MatcherKnowledge): Promise<{ learnt: LearntMatcher } | { stale: string }> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return { stale: 'no model file' }
  }
  const parsed = modelFileSchema.safeParse(JSON.parse(text))
  if (!parsed.success) return { stale: `not a model file of format ${MODEL_FORMAT}` }
  if (parsed.data.fingerprint !== (await modelFingerprint(knowledge))) return { stale: 'built from other intents, lexicon, options or code' }
  return { learnt: decodeModel(parsed.data) }
}

const MATCHERS_KEPT = 2
const matchers = new Map<string, IntentMatcher>()

/**
 * The matcher for this knowledge: from the pre-built model `file` when it matches the knowledge, else trained here
 * (a second or two of CPU), with a warning, so that edited intents (a reload, a test's copy) still work.
 * One matcher per knowledge per process: a second assistant or a reload with unchanged intents costs nothing.
 */
export async function loadMatcher(knowledge: MatcherKnowledge, file: string, logger: Logger): Promise<IntentMatcher> {
  const key = createHash('sha256').update(JSON.stringify([await modelFingerprint(knowledge), knowledge.danger])).digest('hex')
  let matcher = matchers.get(key)
  if (matcher) return matcher
  const model = await readModel(file, knowledge)
  if ('stale' in model) logger.warn({ file, reason: model.stale }, 'matcher model does not match the intents: training at start (npm run model:build rebuilds it)')
  matcher = new IntentMatcher(knowledge, {}, 'learnt' in model ? model.learnt : undefined)
  matchers.set(key, matcher)
  // One or two knowledge versions live at a time; an old one is let go.
  if (matchers.size > MATCHERS_KEPT) matchers.delete(matchers.keys().next().value!)
  return matcher
}
