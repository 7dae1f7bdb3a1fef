import { cp, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { KnowledgeInvalidError, loadKnowledgeBase } from '../../src/knowledge/loader'
import { POLICY_INTENT_IDS } from '../../src/knowledge/schemas'
import { makeTempDir, removeDir, ROOT } from '../helpers'

describe('loadKnowledgeBase', () => {
  let dir: string
  let dirs: { knowledgeDir: string; intentsDir: string }
  beforeEach(async () => {
    dir = await makeTempDir()
    dirs = { knowledgeDir: path.join(dir, 'knowledge'), intentsDir: path.join(dir, 'intents') }
    await cp(path.join(ROOT, 'knowledge'), dirs.knowledgeDir, { recursive: true })
    await cp(path.join(ROOT, 'intents'), dirs.intentsDir, { recursive: true })
  })
  afterEach(async () => { await removeDir(dir) })

  const problemsOf = async () => {
    const error = await loadKnowledgeBase(dirs).then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(KnowledgeInvalidError)
    expect(error).toMatchObject({ code: 'ANJU_ERR_KB_INVALID' })
    return (error as KnowledgeInvalidError).problems
  }
  const edit = async (relative: string, change: (text: string) => string) => {
    const file = path.join(dir, relative)
    await writeFile(file, change(await readFile(file, 'utf8')))
    return file
  }

  it('loads the built-in knowledge base: every fixed policy intent has an intent and a sourced topic', async () => {
    const kb = await loadKnowledgeBase(dirs)
    for (const id of POLICY_INTENT_IDS) {
      expect(kb.intents.find((intent) => intent.id === id)?.handler).toBe('policy')
      expect(kb.topics.get(id)?.sources.length).toBeGreaterThan(0)
    }
    expect(kb.settlements.every((settlement) => settlement.sample)).toBe(true)
  })

  it('names the file, the path inside it and the reason for a missing field', async () => {
    const file = await edit('knowledge/topics/dibao_eligibility.yaml', (text) => text.replace(/^offices:/m, 'offices_typo:'))
    const problems = await problemsOf()
    expect(problems).toContainEqual(expect.objectContaining({ file, path: 'offices' }))
    expect(problems).toContainEqual(expect.objectContaining({ file, reason: expect.stringContaining('offices_typo') }))
  })

  it('rejects a topic without sources and a source with a malformed clause', async () => {
    const file = await edit('knowledge/topics/training_subsidy.yaml', (text) => text.replace(/clause: task 3/, 'clause: article three'))
    const problems = await problemsOf()
    expect(problems).toContainEqual({ file, path: 'sources.0.clause', reason: expect.stringContaining('task 3') })
  })

  it('reports YAML syntax errors with the file', async () => {
    const file = await edit('intents/greeting.yaml', (text) => `${text}\n  bad: [unclosed`)
    expect(await problemsOf()).toContainEqual(expect.objectContaining({ file, reason: expect.stringContaining('not valid YAML') }))
  })

  it('requires every fixed policy intent', async () => {
    await rm(path.join(dirs.intentsDir, 'loans_credit.yaml'))
    expect(await problemsOf()).toContainEqual(expect.objectContaining({ reason: 'policy intent "loans_credit" has no intent file' }))
  })

  it('rejects a message intent whose message key is missing from a catalogue', async () => {
    await edit('knowledge/messages/en.yaml', (text) => text.replace(/^thanks:.*$/m, ''))
    const problems = await problemsOf()
    expect(problems).toContainEqual(expect.objectContaining({ path: 'message', reason: expect.stringContaining('"thanks" is missing from the en messages') }))
  })

  it('rejects a lexicon term listed under two concepts', async () => {
    const file = await edit('knowledge/lexicon.yaml', (text) => text.replace(/^  weather: \[/m, '  weather: [低保, '))
    expect(await problemsOf()).toContainEqual(expect.objectContaining({ file, path: 'concepts.weather.0', reason: expect.stringContaining('"dibao"') }))
  })

  it('lists every problem at once, not only the first', async () => {
    await edit('knowledge/topics/elderly_care.yaml', (text) => text.replace(/^title:/m, 'titel:'))
    await edit('knowledge/settlements.yaml', (text) => text.replace('sample: true', 'sample: "yes"'))
    const files = (await problemsOf()).map((problem) => path.basename(problem.file))
    expect(files).toEqual(expect.arrayContaining(['elderly_care.yaml', 'settlements.yaml']))
  })

  it('loads the eligibility checks and rejects a rule naming a slot no question fills, with file and path', async () => {
    expect([...(await loadKnowledgeBase(dirs)).checks.keys()].sort()).toEqual(['dibao', 'school', 'training'])
    const file = await edit('knowledge/eligibility/dibao.yaml', (text) => text.replace('{ slot: car, op: eq, value: false }', '{ slot: cars, op: eq, value: false }'))
    expect(await problemsOf()).toContainEqual({ file, path: 'rules.1.when', reason: 'no question fills slot "cars"' })
  })

  it('rejects an eligibility rule without a source clause', async () => {
    const file = await edit('knowledge/eligibility/school.yaml', (text) => text.replace('clause: measure 5', 'clause: five'))
    expect(await problemsOf()).toContainEqual(expect.objectContaining({ file, path: 'rules.0.sources.1.clause' }))
  })

  it('rejects a settlement whose policy document no pre-check rule cites', async () => {
    const file = await edit('knowledge/settlements.yaml', (text) => text.replace('policyDocuments: [001_63a5e3f08039ae1e.txt]', 'policyDocuments: [009_0000000000000000.txt]'))
    expect(await problemsOf()).toContainEqual(expect.objectContaining({ file, path: 'settlements.2.policyDocuments.0', reason: expect.stringContaining('no pre-check rule cites') }))
  })
})
