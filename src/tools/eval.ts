// `npm run eval -- FILE.jsonl [FILE.jsonl ...]`: how well the matcher routes a labelled question set.
import { readFile } from 'node:fs/promises'
import { loadConfig } from '../config/env'
import { loadKnowledgeBase } from '../knowledge/loader'
import { evaluate, parseEvalLines } from '../matcher/evaluate'
import path from 'node:path'
import { createLogger } from '../core/logger'
import { loadMatcher, MODEL_FILE } from '../matcher/model'

const files = process.argv.slice(2).filter((arg) => !arg.startsWith('--'))
if (files.length === 0) {
  console.error('usage: npm run eval -- FILE.jsonl [FILE.jsonl ...] [--verbose]   (lines: {"text": "...", "intent": "id" | null})')
  process.exit(2)
}
const config = loadConfig()
const kb = await loadKnowledgeBase({ knowledgeDir: config.KNOWLEDGE_DIR, intentsDir: config.INTENTS_DIR })
// The matcher the assistant runs: the pre-built model, or trained here when it is stale (with a warning).
const matcher = await loadMatcher(kb, path.join(config.KNOWLEDGE_DIR, MODEL_FILE), createLogger('warn'))
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
  if (report.perKind.length > 0) {
    console.log('\nkind          right  total')
    for (const row of report.perKind) console.log(`${row.kind.padEnd(12)} ${percent(row.correct / row.total).padStart(6)} ${String(row.total).padStart(6)}`)
  }
  const { urgent } = report
  console.log(`\nurgent danger flagged: ${urgent.flagged.length}`)
  if (urgent.labelled > 0) {
    console.log(`  on ${urgent.labelled} lines labelled urgent or not: ${urgent.missed.length} missed, ${urgent.falseAlarms.length} false alarms`)
    for (const text of urgent.missed) console.log(`  missed: ${JSON.stringify(text)}`)
    for (const text of urgent.falseAlarms) console.log(`  false alarm: ${JSON.stringify(text)}`)
  } else if (process.argv.includes('--verbose')) for (const text of urgent.flagged) console.log(`  ${JSON.stringify(text)}`)
  console.log(`\nmisses (${report.misses.length}):`)
  for (const miss of report.misses) {
    const why = miss.refusal ? ` [${miss.refusal}]` : ''
    const kind = miss.kind ? ` (${miss.kind})` : ''
    console.log(`  ${JSON.stringify(miss.text)}${kind}  expected ${miss.expected.join('|')}  got ${miss.got}${why} (${miss.confidence})`)
    for (const { intent, features } of miss.why) {
      console.log(`      ${intent.padEnd(18)} ${features.filter((f) => f.value > 0).map((f) => `${f.feature} ${f.value.toFixed(2)}`).join(', ')}`)
    }
  }
}
