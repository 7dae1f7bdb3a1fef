// `npm run eval -- FILE.jsonl [FILE.jsonl ...]`: how well the matcher routes a labelled question set.
import { readFile } from 'node:fs/promises'
import { loadConfig } from '../config/env'
import { loadKnowledgeBase } from '../knowledge/loader'
import { evaluate, parseEvalLines } from '../matcher/evaluate'
import { IntentMatcher } from '../matcher/matcher'

const files = process.argv.slice(2)
if (files.length === 0) {
  console.error('usage: npm run eval -- FILE.jsonl [FILE.jsonl ...]   (lines: {"text": "...", "intent": "id" | null})')
  process.exit(2)
}
const config = loadConfig()
const kb = await loadKnowledgeBase({ knowledgeDir: config.KNOWLEDGE_DIR, intentsDir: config.INTENTS_DIR })
const matcher = new IntentMatcher(kb.intents, kb.lexicon)
const percent = (value: number) => `${(value * 100).toFixed(1)}%`

for (const file of files) {
  const report = evaluate(matcher, parseEvalLines(await readFile(file, 'utf8'), file))
  console.log(`\n== ${file}`)
  console.log(`in-scope top-1 accuracy: ${percent(report.inScope.accuracy)} (${report.inScope.correct}/${report.inScope.total})`)
  const { outOfScope } = report
  console.log(`out-of-scope refused:    ${percent(outOfScope.refusalRate)} (${outOfScope.refused}/${outOfScope.total} right: no policy answer, or the alternative label; ${outOfScope.nullIntent} by the fallback)`)
  console.log('\nintent                 precision  recall  support')
  for (const row of report.perIntent) {
    console.log(`${row.intent.padEnd(22)} ${percent(row.precision).padStart(9)} ${percent(row.recall).padStart(7)} ${String(row.support).padStart(8)}`)
  }
  console.log(`\nmisses (${report.misses.length}):`)
  for (const miss of report.misses) {
    const why = miss.refusal ? ` [${miss.refusal}]` : ''
    console.log(`  ${JSON.stringify(miss.text)}  expected ${miss.expected.join('|')}  got ${miss.got}${why} (${miss.confidence})`)
  }
}
