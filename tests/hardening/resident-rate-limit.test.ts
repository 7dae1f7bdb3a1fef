import type { FastifyInstance } from 'fastify'
import { Telegraf } from 'telegraf'
import type { UserFromGetMe } from 'telegraf/types'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildHttpServer } from '../../adapters/http/server'
import { TelegramAdapter } from '../../adapters/telegram/telegram-adapter'
import type { Assistant } from '../../src/assistant'
import { TestClock } from '../escalation/desk-fixture'
import { BOT_INFO, FakeBotApi, textUpdate } from '../telegram/fake-bot-api'
import { createTestAssistant, makeTempDir, removeDir } from '../helpers'

const SECOND = 1000
// A burst of 5, then one message every 10 seconds.
const LIMITS = { CHAT_RATE_BURST: '5', CHAT_RATE_PER_MINUTE: '6' }
const WAIT = '请稍等'

describe('per-resident message rate limit, in the pipeline, on every channel', () => {
  let dir: string
  let assistant: Assistant
  let clock: TestClock
  const say = (userId: string, text: string, channel = 'cli') =>
    assistant.pipeline.handle({ channel, channelUserId: userId, text, receivedAt: clock.now() })
  const turnsOf = async (userId: string) => (await assistant.conversations.listTurns()).filter((t) => t.channelUserId === userId)

  beforeAll(async () => {
    dir = await makeTempDir()
    clock = new TestClock('2026-11-23T01:00:00.000Z')
    assistant = await createTestAssistant(dir, LIMITS, { clock, desk: false })
  })
  afterAll(async () => { await removeDir(dir) })

  it('answers the burst, asks once to wait, then neither answers nor records until the allowance refills', async () => {
    const answers = []
    for (let n = 0; n < 12; n += 1) answers.push(await say('r1', '低保怎么申请'))
    expect(answers.slice(0, 5).every((ctx) => ctx.outcome.intent === 'dibao_eligibility')).toBe(true)
    expect(answers[5]!.replies.map((r) => r.text)).toEqual([expect.stringContaining(WAIT)])
    expect(answers[5]!.replies[0]!.text).toContain('10 秒')
    expect(answers.slice(6).every((ctx) => ctx.throttled && ctx.replies.length === 0)).toBe(true)
    expect(await turnsOf('r1')).toHaveLength(5)

    // Another resident, and the same id on another channel, have their own allowance.
    expect((await say('r2', '低保怎么申请')).outcome.intent).toBe('dibao_eligibility')
    expect((await say('r1', '低保怎么申请', 'telegram')).outcome.intent).toBe('dibao_eligibility')

    // Ten seconds refill one message; the wait notice is not repeated within the minute.
    clock.advance(10 * SECOND)
    expect((await say('r1', '低保怎么申请')).outcome.intent).toBe('dibao_eligibility')
    expect((await say('r1', '低保怎么申请')).replies).toEqual([])
    clock.advance(60 * SECOND)
    for (let n = 0; n < 5; n += 1) expect((await say('r1', '低保怎么申请')).throttled).toBe(false)
    expect((await say('r1', '低保怎么申请')).replies[0]!.text).toContain(WAIT)
  })

  it('tells an English-speaking resident in English', async () => {
    await say('r3', '/lang en')
    for (let n = 0; n < 4; n += 1) await say('r3', 'how do I apply for dibao')
    expect((await say('r3', 'hello?')).replies[0]!.text).toMatch(/wait a moment/)
  })

  it('keeps what the resident was offered: a number after the flood still picks from the last real answer', async () => {
    for (let n = 0; n < 4; n += 1) await say('r4', '你好')
    const offered = await say('r4', '/lang')
    expect(offered.replies.flatMap((r) => r.choices ?? []).map((c) => c.value)).toEqual(['/lang zh-CN', '/lang en'])
    for (let n = 0; n < 10; n += 1) expect((await say('r4', '在吗')).throttled).toBe(true)
    clock.advance(10 * SECOND)
    expect((await say('r4', '2')).resident.locale).toBe('en')
  })

  describe('over HTTP', () => {
    let app: FastifyInstance
    beforeAll(async () => { app = await buildHttpServer({ ...assistant }) })
    afterAll(async () => { await app.close() })

    it('a flood from one userId: 200s with the burst answered, one wait reply, the rest empty', async () => {
      clock.advance(10 * 60 * SECOND)
      const responses = await Promise.all(Array.from({ length: 40 }, (_, n) =>
        app.inject({ method: 'POST', url: '/api/chat', payload: { userId: 'flooder', text: '培训补贴怎么领' }, remoteAddress: `10.1.0.${n}` })))
      expect(responses.every((r) => r.statusCode === 200)).toBe(true)
      const bodies = responses.map((r) => r.json() as { intent: string | null; replies: { text: string }[] })
      expect(bodies.filter((b) => b.intent === 'training_subsidy')).toHaveLength(5)
      expect(bodies.filter((b) => b.replies.some((r) => r.text.includes(WAIT)))).toHaveLength(1)
      expect(bodies.filter((b) => b.replies.length === 0)).toHaveLength(34)
      expect(await turnsOf('flooder')).toHaveLength(5)
    })
  })

  describe('on Telegram (telegraf against the fake Bot API)', () => {
    let api: FakeBotApi
    let apiRoot: string
    beforeAll(async () => {
      api = new FakeBotApi()
      apiRoot = await api.start()
    })
    afterAll(async () => { await api.stop() })

    it('a flood from one chat gets the burst and one wait message; a resident writing at the same time is answered', async () => {
      clock.advance(10 * 60 * SECOND)
      const bot = new Telegraf('123456:TEST-token', { telegram: { apiRoot } })
      bot.botInfo = BOT_INFO as UserFromGetMe
      const telegram = new TelegramAdapter({ bot, pipeline: assistant.pipeline, translate: assistant.translate, logger: assistant.logger, queue: { minGapMs: 0 } })
      const flood = Array.from({ length: 30 }, () => bot.handleUpdate(textUpdate('低保怎么申请', 7001)))
      const neighbour = [bot.handleUpdate(textUpdate('孩子上学怎么办', 7002)), bot.handleUpdate(textUpdate('低保怎么申请', 7002))]
      await Promise.all([...flood, ...neighbour])
      // Replies go out through the adapter's send queue.
      await telegram.settled()
      await telegram.queue.idle()
      const to = (chat: number) => api.sent().filter((body) => String(body.chat_id) === String(chat)).map((body) => String(body.text))
      expect(to(7001)).toHaveLength(6)
      expect(to(7001).filter((text) => text.includes(WAIT))).toHaveLength(1)
      expect(to(7002)).toHaveLength(2)
      expect(to(7002).some((text) => text.includes(WAIT))).toBe(false)
    })
  })
})
