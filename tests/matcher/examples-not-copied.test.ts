import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadKnowledgeBase } from '../../src/knowledge/loader'
import { parseEvalLines } from '../../src/matcher/evaluate'
import { normalise } from '../../src/matcher/normalise'
import { ROOT } from '../helpers'

// Examples are written in the project's own words. One that copies a line of an evaluation set makes that set
// measure memory instead of understanding: a hard-coded answer to a known question.
const SHARED_EVAL = path.join(ROOT, '../shared/eval')
const PROJECT_SETS = ['tests/matcher/blind-questions.jsonl', 'tests/matcher/urgent.jsonl'].map((file) => path.join(ROOT, file))
/** Shorter lines ("低保怎么办", "thanks a lot") are common phrases anyone writes, not copies. */
const MIN_COPY_CHARS = 10
/** A line found inside a longer example is a copy from this length on. */
const MIN_INSIDE_CHARS = 16

const compact = (text: string) => normalise(text).replace(/\s/g, '')

describe('intent examples', () => {
  it('copy no line of an evaluation set, wholly or inside a longer one', async () => {
    const kb = await loadKnowledgeBase({ knowledgeDir: path.join(ROOT, 'knowledge'), intentsDir: path.join(ROOT, 'intents') })
    const shared = (await readdir(SHARED_EVAL)).filter((file) => file.endsWith('.jsonl')).map((file) => path.join(SHARED_EVAL, file))
    const lines = new Map<string, string>()
    for (const file of [...shared, ...PROJECT_SETS]) {
      for (const line of parseEvalLines(await readFile(file, 'utf8'), file)) {
        const text = compact(line.text)
        if (text.length >= MIN_COPY_CHARS) lines.set(text, path.basename(file))
      }
    }
    const copies = kb.intents.flatMap((intent) => [...intent.examples['zh-CN'], ...intent.examples.en].flatMap((example) => {
      const text = compact(example)
      const copied = [...lines].find(([line]) => text === line || (line.length >= MIN_INSIDE_CHARS && text.includes(line)))
      return copied ? [`${intent.id}: "${example}" copies ${copied[1]}`] : []
    }))
    expect(copies).toEqual([])
  }, 30_000)
})
