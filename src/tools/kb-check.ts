// `npm run kb:check`: validates every knowledge and intent file without starting anything.
import path from 'node:path'
import { loadConfig } from '../config/env'
import { isAnjuError } from '../core/errors'
import { loadKnowledgeBase } from '../knowledge/loader'
import { MODEL_FILE, readModel } from '../matcher/model'

const config = loadConfig()
try {
  const kb = await loadKnowledgeBase({ knowledgeDir: config.KNOWLEDGE_DIR, intentsDir: config.INTENTS_DIR })
  const examples = kb.intents.reduce((sum, intent) => sum + intent.examples['zh-CN'].length + intent.examples.en.length, 0)
  console.log(
    `knowledge base OK: ${kb.intents.length} intents (${examples} examples), ${kb.topics.size} topics, ` +
      `${kb.settlements.length} settlements, ${Object.keys(kb.lexicon.concepts).length} lexicon concepts`,
  )
  const samples = kb.settlements.filter((settlement) => settlement.sample).map((settlement) => settlement.id)
  if (samples.length) console.log(`note: settlements marked as sample data (replace before deployment): ${samples.join(', ')}`)
  // A forgotten rebuild would make every start train for a second or two: CI catches it here.
  const modelFile = path.join(config.KNOWLEDGE_DIR, MODEL_FILE)
  const model = await readModel(modelFile, kb)
  if ('stale' in model) {
    console.error(`${modelFile} is stale (${model.stale}): run npm run model:build and commit it`)
    process.exitCode = 1
  } else console.log(`matcher model OK: ${model.learnt.examples.length} examples, ${model.learnt.classifier.features.length} features`)
} catch (error) {
  console.error(isAnjuError(error) ? `${error.code}: ${error.message}` : error)
  process.exitCode = 1
}
