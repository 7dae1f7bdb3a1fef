import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildHttpServer } from '../../adapters/http/server'
import type { Assistant } from '../../src/assistant'
import { POLICY_INTENT_IDS } from '../../src/knowledge/schemas'
import { createTestAssistant, makeTempDir, readJson, removeDir } from '../helpers'

describe('HTTP API on a real server', () => {
  let dir: string
  let assistant: Assistant
  let app: FastifyInstance
  let base: string

  beforeAll(async () => {
    dir = await makeTempDir()
    // Crowds of a dozen messages per resident at once here; the rate limits have their own tests.
    assistant = await createTestAssistant(dir, { CHAT_RATE_BURST: '1000' })
    app = await buildHttpServer({ ...assistant, desk: undefined })
    base = await app.listen({ port: 0, host: '127.0.0.1' })
  })
  afterAll(async () => {
    await app.close()
    await removeDir(dir)
  })

  const chat = (body: unknown, init: RequestInit = {}) =>
    fetch(`${base}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...init,
    })

  it('GET /healthz answers 200 once ready', async () => {
    const response = await fetch(`${base}/healthz`)
    expect(response.status).toBe(200)
    expect(await readJson(response)).toEqual({ status: 'ok' })
  })

  it('answers a policy question with the exact contract and its sources', async () => {
    const response = await chat({ userId: 'resident-1', text: '我家想申请低保，要什么条件？' })
    expect(response.status).toBe(200)
    const body = await readJson(response)
    expect(Object.keys(body).sort()).toEqual(['confidence', 'intent', 'replies', 'sources'])
    expect(body.intent).toBe('dibao_eligibility')
    expect(body.confidence).toBeGreaterThan(0)
    expect(body.confidence).toBeLessThanOrEqual(1)
    expect(body.replies[0].text).toContain('民政')
    expect(body.sources.length).toBeGreaterThan(0)
    for (const source of body.sources) {
      expect(source.file).toMatch(/^00[01]_[0-9a-f]{16}\.txt$/)
      expect(source.clause).toMatch(/^(task|measure) \d+$/)
      // And as residents read it: the document's title and the clause.
      expect(source.document).toMatch(/^《.+》$/)
      expect(source.text).toMatch(/^《.+》第\d+(项任务|条措施)$/)
    }
  })

  it('carries the prompt id of a question, takes a button press with it, and never switches language on a button value', async () => {
    await chat({ userId: 'buttons', text: '/settlement xingfu_jiayuan_sample' })
    const first = await readJson(await chat({ userId: 'buttons', text: '孩子能在这里上学吗' }))
    const stage = first.replies.at(-1)
    expect(stage.promptId).toMatch(/^check:school:currentStage:\d+$/)
    const pressed = await readJson(await chat({ userId: 'buttons', button: { value: 'junior', promptId: stage.promptId } }))
    expect(pressed.replies.at(-1).text).toContain('第2问：孩子的户口迁到安置地了吗')
    expect(pressed.replies.at(-1).promptId).toMatch(/^check:school:hukouMoved:\d+$/)
    const stale = await readJson(await chat({ userId: 'buttons', button: { value: 'primary', promptId: stage.promptId } }))
    expect(stale.replies.map((r: { text: string }) => r.text).join('\n')).toContain('那个问题已经答过了')
    expect(stale.replies.at(-1).text).toContain('户口')
  })

  it('answers in English when asked in English', async () => {
    const body = await readJson(await chat({ userId: 'resident-2', text: 'Where can I see a doctor?', locale: 'en' }))
    expect(body.intent).toBe('medical_access')
    expect(body.replies[0].text).toMatch(/doctor|clinic|hospital/i)
    expect(body.replies[0].text).not.toMatch(/\p{Script=Han}{6,}/u)
  })

  it('refuses out-of-scope questions with null intent, no sources and an offer of a caseworker', async () => {
    const body = await readJson(await chat({ userId: 'resident-3', text: '明天天气怎么样，要不要带伞' }))
    expect(body.intent).toBeNull()
    expect(body.sources).toEqual([])
    expect(body.replies[0].text).toContain('转人工')
  })

  it('gives every policy intent at least one source', async () => {
    const questions: Record<string, string> = {
      training_subsidy: '参加技能培训有没有补贴',
      medical_access: '生病了去哪里看医生',
      dibao_eligibility: '低保怎么申请',
      school_enrolment: '孩子上学怎么报名',
      employment_help: '我想找工作',
      housing_services: '房子漏水找谁修',
      loans_credit: '小额贷款怎么申请',
      elderly_care: '家里老人没人照顾怎么办',
      industry_support: '搞养殖有补贴吗',
      escalation: '我要投诉',
    }
    for (const intent of POLICY_INTENT_IDS) {
      const body = await readJson(await chat({ userId: 'resident-4', text: questions[intent] }))
      expect(body.intent, questions[intent]).toBe(intent)
      expect(body.sources.length, intent).toBeGreaterThan(0)
    }
  })

  it.each([
    ['invalid JSON', '{"userId": "a", "text": ', /JSON/i],
    ['a body that is not an object', '[1, 2]', /object/],
    ['missing userId', { text: '你好' }, /userId/],
    ['non-string text', { userId: 'a', text: 42 }, /text must be a string/],
    ['empty text', { userId: 'a', text: '' }, /text must not be empty/],
    ['whitespace-only text', { userId: 'a', text: ' \n\t　' }, /text must not be empty/],
    ['text over 2,000 characters', { userId: 'a', text: '低'.repeat(2001) }, /at most 2000/],
    ['an unknown locale', { userId: 'a', text: '你好', locale: 'fr' }, /locale/],
    ['an empty userId', { userId: '  ', text: '你好' }, /userId/],
    ['neither text nor a button', { userId: 'a' }, /text must be a string/],
    ['a button without a value', { userId: 'a', button: { promptId: 'check:dibao:car:1' } }, /button\.value/],
    ['a button that is not an object', { userId: 'a', text: '否', button: '否' }, /button must be an object/],
  ])('rejects %s with 400 and a clear JSON message', async (_name, body, message) => {
    const response = await chat(body)
    expect(response.status).toBe(400)
    const error = await readJson(response)
    expect(error).toMatchObject({ statusCode: 400, error: 'Bad Request' })
    expect(typeof error.code).toBe('string')
    expect(error.message).toMatch(message)
  })

  it('accepts exactly 2,000 characters, counting emoji once', async () => {
    const response = await chat({ userId: 'a', text: `${'低保'.repeat(999)}😊😊` })
    expect(response.status).toBe(200)
  })

  it('answers an unknown route with a JSON 404', async () => {
    const response = await fetch(`${base}/api/nothing`)
    expect(response.status).toBe(404)
    expect(await readJson(response)).toMatchObject({ code: 'ANJU_ERR_NOT_FOUND' })
  })

  it('serves the web chat page', async () => {
    const response = await fetch(`${base}/`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/html')
    const html = await response.text()
    expect(html).toContain('/chat.js')
    expect(html).toContain('安居助手')
    // Its own script and style only, and no other site may frame it.
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self'.*frame-ancestors 'none'/)
    expect(response.headers.get('x-frame-options')).toBe('DENY')
    expect(html).not.toMatch(/<script>(?!<)/)
    for (const asset of ['/chat.js', '/chat.css', '/favicon.svg', '/favicon.ico']) expect((await fetch(`${base}${asset}`)).status, asset).toBe(200)
  })

  it('loses nothing under 200 concurrent messages', async () => {
    const before = (await assistant.conversations.listTurns()).length
    const responses = await Promise.all(Array.from({ length: 200 }, (_, n) => chat({ userId: `crowd-${n % 17}`, text: n % 2 ? '低保怎么申请' : '今天天气怎么样' })))
    expect(responses.every((response) => response.status === 200)).toBe(true)
    const turns = await assistant.conversations.listTurns()
    expect(turns.length).toBe(before + 200)
    expect(new Set(turns.map((turn) => turn.id)).size).toBe(turns.length)
  })

  it('records every answered message and keeps fallbacks as unanswered, bad requests change nothing', async () => {
    const before = (await assistant.conversations.listTurns()).length
    await chat({ userId: 'recorder', text: '培训补贴怎么领' })
    await chat({ userId: 'recorder', text: '彩票中奖号码是多少' })
    await chat({ userId: 'recorder', text: '' })
    const turns = (await assistant.conversations.listTurns()).filter((turn) => turn.channelUserId === 'recorder')
    expect((await assistant.conversations.listTurns()).length).toBe(before + 2)
    expect(turns.map((turn) => [turn.text, turn.intent, turn.fallback])).toEqual([
      ['培训补贴怎么领', 'training_subsidy', false],
      ['彩票中奖号码是多少', null, true],
    ])
    expect(turns[0]!.replies[0]).toContain('补贴')
    const unanswered = await assistant.conversations.listUnanswered()
    expect(unanswered.some((turn) => turn.text === '彩票中奖号码是多少')).toBe(true)
  })
})
