// `npm run model:build`: trains the matcher on the intents' examples and writes the model the assistant loads at
// start (knowledge/model/matcher.json). Run it after changing intents, the lexicon, focus words or the matcher's code;
// `npm run kb:check` fails while the committed model is stale.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { loadConfig } from '../config/env'
import { loadKnowledgeBase } from '../knowledge/loader'
import { IntentMatcher } from '../matcher/matcher'
import { encodeModel, MODEL_FILE, modelFingerprint } from '../matcher/model'

const config = loadConfig()
const kb = await loadKnowledgeBase({ knowledgeDir: config.KNOWLEDGE_DIR, intentsDir: config.INTENTS_DIR })
const started = performance.now()
const matcher = new IntentMatcher(kb)
const file = path.join(config.KNOWLEDGE_DIR, MODEL_FILE)
await mkdir(path.dirname(file), { recursive: true })
const text = encodeModel(matcher.learnt, await modelFingerprint(kb))
await writeFile(file, text)
console.log(`matcher model: ${matcher.learnt.examples.length} examples, ${matcher.learnt.classifier.features.length} features, trained in ${Math.round(performance.now() - started)} ms → ${path.relative(process.cwd(), file)} (${Math.round(text.length / 1024)} KB)`)
