import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { parse as parseYaml } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildHttpServer } from '../../../adapters/http/server'
import type { Assistant } from '../../../src/assistant'
import { loadKnowledgeBase, type KnowledgeBase } from '../../../src/knowledge/loader'
import { createTestAssistant, makeTempDir, removeDir, ROOT } from '../../helpers'
import { copyKnowledge, editFile } from '../fixture'
import { converse, resultMarker, type ChatBody, type Household } from './household-client'

const households = parseYaml(await readFile(path.join(import.meta.dirname, 'households.yaml'), 'utf8')) as Household[]

/** The seed of each province, by the county the settlement is in: the clauses a settlement must be cited. */
const PROVINCE_SEEDS: [RegExp, string][] = [[/安徽/, '000_fb8fc8bf4a60a192.txt'], [/娄底/, '001_63a5e3f08039ae1e.txt']]

/**
 * Households answering the three pre-checks in their own words, through the public chat API on a real server.
 * The sample settlements get local 低保 standards here (幸福家园 780, 和谐新村 650 元 per person per month);
 * 安乐新居 keeps none, so its income condition cannot be decided.
 */
describe('households answering the pre-checks in their own words', () => {
  let dir: string
  let assistant: Assistant
  let app: FastifyInstance
  let base: string
  let kb: KnowledgeBase

  beforeAll(async () => {
    dir = await makeTempDir()
    const knowledgeDir = await copyKnowledge(dir)
    const standards = ['780', 'null', '650']
    await editFile(path.join(knowledgeDir, 'settlements.yaml'), (text) => text.replace(/dibaoStandardYuanPerMonth: null/g, () => `dibaoStandardYuanPerMonth: ${standards.shift()}`))
    kb = await loadKnowledgeBase({ knowledgeDir, intentsDir: path.join(ROOT, 'intents') })
    // A household answers a dozen questions or more in a row, faster than anyone types; the rate limit has its own tests.
    assistant = await createTestAssistant(path.join(dir, 'data'), { KNOWLEDGE_DIR: knowledgeDir, CHAT_RATE_BURST: '1000' })
    app = await buildHttpServer({ ...assistant, desk: undefined })
    base = await app.listen({ port: 0, host: '127.0.0.1' })
  }, 60_000)
  afterAll(async () => {
    await app.close()
    await removeDir(dir)
  })

  it('has at least 40 households, over every check and every settlement', () => {
    expect(households.length).toBeGreaterThanOrEqual(40)
    expect(new Set(households.map((h) => h.check))).toEqual(new Set(['dibao', 'training', 'school']))
    expect(new Set(households.map((h) => h.settlement)).size).toBe(3)
    expect(new Set(households.map((h) => h.id)).size).toBe(households.length)
  })

  it.each(households.map((h) => [`${h.id} (${h.check}): ${h.about}`, h] as const))('%s', async (_, household) => {
    const check = kb.checks.get(household.check)!
    const settlement = kb.settlements.find((s) => s.id === household.settlement)!
    const seed = PROVINCE_SEEDS.find(([county]) => county.test(settlement.county['zh-CN']))![1]
    const locale = household.locale ?? 'zh-CN'
    const userId = `persona-${household.id}`
    const send = async (body: object): Promise<ChatBody> => {
      const response = await fetch(`${base}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId, ...(household.locale ? { locale } : {}), ...body }),
      })
      expect(response.status).toBe(200)
      return response.json() as Promise<ChatBody>
    }
    // Only the province's own plan is cited, and something is cited.
    const sourceCheck = (body: ChatBody) => [
      ...(body.sources.length === 0 ? ['no sources'] : []),
      ...body.sources.filter((s) => s.file !== seed).map((s) => `cites ${s.file} ${s.clause}, not the settlement's own plan`),
    ]
    await send({ text: `/settlement ${household.settlement}` })
    const conversation = await converse(household, check, send, sourceCheck)
    const problems = [...conversation.problems]
    const expected = household.expect
    if (expected.cancelled) {
      if (!conversation.cancelled || conversation.result) problems.push('was not cancelled')
    } else if (!conversation.result) {
      problems.push('no result')
    } else {
      const { result } = conversation
      const text = result.replies.map((r) => r.text).join('\n')
      if (!text.includes(resultMarker(locale))) problems.push('the result does not say it is a pre-check')
      problems.push(...sourceCheck(result))
      const programmes = check.programmes
      for (const programme of programmes) {
        const outcomeId = expected.outcomes?.[programme.id]
        for (const outcome of programme.outcomes) {
          const shown = text.includes(outcome.text[locale])
          if (outcome.id === outcomeId && !shown) problems.push(`${programme.id}: expected "${outcome.id}"`)
          if (outcome.id !== outcomeId && shown) problems.push(`${programme.id}: got "${outcome.id}"${outcomeId ? `, expected "${outcomeId}"` : ', expected no result for it'}`)
        }
      }
      for (const [slot, value] of Object.entries(expected.answers ?? {})) {
        const question = check.questions.find((q) => q.slot === slot)!
        const shown = question.options?.find((o) => o.value === value)?.label[locale] ?? String(value)
        const item = assistant.translate(locale, 'check.answer_item', { label: question.label[locale], value: shown })
        if (!text.includes(item)) problems.push(`the answers do not show "${item}"`)
      }
      for (const clause of expected.clauses ?? []) {
        if (!result.sources.some((s) => s.clause === clause)) problems.push(`does not cite ${clause}`)
      }
      for (const words of expected.shows ?? []) if (!text.includes(words)) problems.push(`does not show "${words}"`)
      for (const words of expected.hides ?? []) if (text.includes(words)) problems.push(`shows "${words}"`)
    }
    expect(problems, conversation.transcript.join('\n')).toEqual([])
  })
})
