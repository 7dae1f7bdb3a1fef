import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/core/logger'
import { loadKnowledgeBase, type KnowledgeBase } from '../../src/knowledge/loader'
import { parseEvalLines } from '../../src/matcher/evaluate'
import { IntentMatcher } from '../../src/matcher/matcher'
import { encodeModel, loadMatcher, MODEL_FILE, modelFingerprint, readModel } from '../../src/matcher/model'
import { makeTempDir, ROOT } from '../helpers'

const COMMITTED_MODEL = path.join(ROOT, 'knowledge', MODEL_FILE)

/** A logger whose warnings the test can read. */
function recordingLogger() {
  const lines: { msg: string; reason?: string }[] = []
  const stream = new Writable({ write(chunk, _encoding, done) { lines.push(JSON.parse(String(chunk))); done() } })
  return { logger: createLogger('warn', stream), lines }
}

let kb: KnowledgeBase
let dir: string
beforeAll(async () => {
  kb = await loadKnowledgeBase({ knowledgeDir: path.join(ROOT, 'knowledge'), intentsDir: path.join(ROOT, 'intents') })
  dir = await makeTempDir('anju-model-')
}, 60_000)
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('the pre-built matcher model (knowledge/model/matcher.json)', () => {
  it('is built from the committed intents, lexicon and matcher code (else: npm run model:build)', async () => {
    const model = await readModel(COMMITTED_MODEL, kb)
    expect('stale' in model ? model.stale : 'fresh').toBe('fresh')
  })

  it('routes every project question as a matcher trained on the examples does', { timeout: 60_000 }, async () => {
    const { logger, lines } = recordingLogger()
    const loaded = await loadMatcher(kb, COMMITTED_MODEL, logger)
    const trained = new IntentMatcher(kb)
    const file = path.join(ROOT, 'tests/matcher/questions.jsonl')
    const texts = parseEvalLines(await readFile(file, 'utf8'), file).map((line) => line.text)
    expect(texts.map((text) => loaded.match(text).intent)).toEqual(texts.map((text) => trained.match(text).intent))
    expect(lines).toEqual([])
  })

  it('is found stale when an intent changed, and the matcher is then trained at start, with a warning', { timeout: 60_000 }, async () => {
    // An intent edited after the last build: a new way of asking about the minimum living allowance.
    const edited = structuredClone(kb)
    const dibao = edited.intents.find((intent) => intent.id === 'dibao_eligibility')!
    dibao.examples['zh-CN'].push('屋里头揭不开锅了政府兜底的钱咋个领')
    expect(await modelFingerprint(edited)).not.toBe(await modelFingerprint(kb))
    const { logger, lines } = recordingLogger()
    const matcher = await loadMatcher(edited, COMMITTED_MODEL, logger)
    expect(lines).toMatchObject([{ reason: expect.stringContaining('other intents') }])
    expect(matcher.learnt.examples).toHaveLength(kb.intents.reduce((n, i) => n + i.examples['zh-CN'].length + i.examples.en.length, 0) + 1)
  })

  it('is found stale when missing or not a model file, and read back as written', { timeout: 60_000 }, async () => {
    expect(await readModel(path.join(dir, 'none.json'), kb)).toEqual({ stale: 'no model file' })
    const broken = path.join(dir, 'broken.json')
    await writeFile(broken, JSON.stringify({ format: 0 }))
    expect(await readModel(broken, kb)).toMatchObject({ stale: expect.stringContaining('format') })

    const trained = new IntentMatcher(kb)
    const written = path.join(dir, 'model', 'matcher.json')
    await mkdir(path.dirname(written), { recursive: true })
    await writeFile(written, encodeModel(trained.learnt, await modelFingerprint(kb)))
    const model = await readModel(written, kb)
    if ('stale' in model) throw new Error(model.stale)
    expect(model.learnt.classifier.features).toEqual(trained.learnt.classifier.features)
    expect(model.learnt.examples.map(({ label }) => label)).toEqual(trained.learnt.examples.map(({ label }) => label))
    // Stored as float32: close to the trained float64 weights, not equal.
    const [first] = model.learnt.examples
    for (const [feature, value] of first!.x) expect(value).toBeCloseTo(trained.learnt.examples[0]!.x.get(feature)!, 6)
  })
})
