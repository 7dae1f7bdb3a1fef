import Fastify from 'fastify'
import { Telegraf } from 'telegraf'
import type { UserFromGetMe } from 'telegraf/types'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { TelegramAdapter } from '../../adapters/telegram/telegram-adapter'
import type { Timer } from '../../src/core/clock'
import { useTestAssistant } from '../helpers'
import { ManualTimer } from '../delivery/manual-timer'
import { waitFor } from '../wechat/mock-wechat'
import { BOT_INFO, buttonUpdate, FakeBotApi, textUpdate } from './fake-bot-api'

// Answers as the assistant gives them, to recognise them in what the fake delivered.
const SCHOOL = '孩子上学怎么报名'
const ws = useTestAssistant()

describe('Telegram under a misbehaving Bot API (fault injection, real adapter)', () => {
  let api: FakeBotApi
  let apiRoot: string
  let running: TelegramAdapter[] = []

  const adapter = (options: { timer?: Timer; requestTimeoutMs?: number } = {}) => {
    const bot = new Telegraf('123456:TEST-token', { telegram: { apiRoot } })
    bot.botInfo = BOT_INFO as UserFromGetMe
    const telegram = new TelegramAdapter({
      bot, pipeline: ws.assistant.pipeline, translate: ws.assistant.translate, logger: ws.assistant.logger,
      limits: { requestTimeoutMs: options.requestTimeoutMs ?? 5_000 },
      queue: { minGapMs: 0, backoffBaseMs: 5, backoffMaxMs: 20 },
      timer: options.timer,
    })
    running.push(telegram)
    return telegram
  }
  const answersOf = async (text: string) => (await ws.assistant.pipeline.handle({ channel: 'probe', channelUserId: text, text, receivedAt: new Date() })).replies.map((r) => r.text)

  beforeAll(async () => {
    api = new FakeBotApi()
    apiRoot = await api.start()
  })
  afterAll(async () => { await api.stop() })
  beforeEach(() => api.reset())
  afterEach(async () => {
    for (const telegram of running) {
      await telegram.settled()
      await telegram.stop(0)
    }
    running = []
  })

  it('one resident\'s 429 (retry_after 120) holds only their chat: polling goes on, others are answered, theirs arrives after, in order', async () => {
    const timer = new ManualTimer()
    const telegram = adapter({ timer })
    api.fault('sendMessage', { kind: 'error', code: 429, description: 'Too Many Requests: retry after 120', retryAfter: 120 }, { chatId: 101 })
    expect(await telegram.startPolling()).toBe(true)
    api.pushUpdate(textUpdate(SCHOOL, 101))
    api.pushUpdate(textUpdate('谢谢', 101))
    api.pushUpdate(textUpdate('低保怎么申请', 102))
    api.pushUpdate(buttonUpdate('/topic school_enrolment', 102))
    await waitFor('B answered', () => api.deliveredTo(102).length >= 2)
    expect(api.deliveredTo(101)).toEqual([])
    const polls = api.sent('getUpdates').length
    await waitFor('polling to go on while A is held', () => api.sent('getUpdates').length > polls + 2)
    expect(api.sent('answerCallbackQuery')).toHaveLength(1)

    timer.advance(120_000)
    await waitFor('A answered', () => api.deliveredTo(101).length >= 2)
    // In the order asked, each once: the school answer, then "不客气".
    expect(api.deliveredTo(101)).toEqual([...(await answersOf(SCHOOL)), ...(await answersOf('谢谢'))])
    // Telegram was asked again only after its retry_after.
    expect(api.sent().filter((m) => m.chat_id === '101')).toHaveLength(3)
  })

  it('a 429 lasting longer than the attempts (25 s in 5 s steps) still delivers, once', async () => {
    const timer = new ManualTimer()
    const telegram = adapter({ timer })
    api.fault('sendMessage', { kind: 'error', code: 429, description: 'Too Many Requests', retryAfter: 5 }, { chatId: 103, times: 5 })
    await telegram.bot.handleUpdate(textUpdate('培训补贴怎么领', 103))
    // Each time the queue waits on its hold, five seconds pass.
    while (api.deliveredTo(103).length === 0) {
      await waitFor('the hold or the answer', () => timer.pending > 0 || api.deliveredTo(103).length > 0)
      timer.advance(5_000)
    }
    await waitFor('the answer', () => api.deliveredTo(103).length > 0)
    await telegram.queue.idle()
    expect(api.deliveredTo(103)).toEqual(await answersOf('培训补贴怎么领'))
    expect(api.sent().filter((m) => m.chat_id === '103').length).toBe(5 + api.deliveredTo(103).length)
  })

  it('retries 500, a 502 from a gateway and a dropped connection: the answer arrives once, never "系统出了点问题"', async () => {
    const telegram = adapter()
    api.fault('sendMessage', { kind: 'error', code: 500, description: 'Internal Server Error' }, { chatId: 104 })
    api.fault('sendMessage', { kind: 'html', status: 502 }, { chatId: 105 })
    api.fault('sendMessage', { kind: 'drop' }, { chatId: 106 })
    for (const chat of [104, 105, 106]) await telegram.bot.handleUpdate(textUpdate('低保怎么申请', chat))
    const expected = await answersOf('低保怎么申请')
    for (const chat of [104, 105, 106]) await waitFor(`chat ${chat}`, () => api.deliveredTo(chat).length >= expected.length)
    await telegram.queue.idle()
    for (const chat of [104, 105, 106]) expect(api.deliveredTo(chat)).toEqual(expected)
    expect(api.delivered.some((m) => m.text.includes('系统出了点问题'))).toBe(false)
    expect(telegram.queue.stats()).toMatchObject({ failed: 0, retried: 3 })
  })

  it('refused connections hold the channel, and everything goes out in order once Telegram is back', async () => {
    const telegram = adapter()
    await api.refuse()
    try {
      await telegram.bot.handleUpdate(textUpdate('低保怎么申请', 107))
      await telegram.bot.handleUpdate(textUpdate('谢谢', 107))
      await telegram.settled()
      await new Promise((resolve) => setTimeout(resolve, 50))
    } finally {
      await api.accept()
    }
    await waitFor('both answers', () => api.deliveredTo(107).length >= 2)
    await telegram.queue.idle()
    expect(api.deliveredTo(107)).toEqual([...(await answersOf('低保怎么申请')), ...(await answersOf('谢谢'))])
  })

  it('a slow request to one chat does not delay anyone else', async () => {
    const telegram = adapter()
    api.fault('sendMessage', { kind: 'slow', ms: 1_500 }, { chatId: 108 })
    await telegram.bot.handleUpdate(textUpdate('低保怎么申请', 108))
    // Updates are handled side by side: 109's short answer could go out before 108's is even composed, so the
    // second resident writes once 108's first piece is on the wire (the fake records it, then answers slowly).
    await waitFor('108 on the wire', () => api.deliveredTo(108).length === 1)
    await telegram.bot.handleUpdate(textUpdate('谢谢', 109))
    await waitFor('the other resident', () => api.deliveredTo(109).length === 1)
    // 108's request is still on the wire: its second piece waits for it.
    expect(api.deliveredTo(108).length).toBe(1)
    await telegram.queue.idle()
    expect(api.deliveredTo(108)).toEqual(await answersOf('低保怎么申请'))
  })

  it('webhook: 200 at once while the sends wait, and an update sent twice is answered once', async () => {
    const app = Fastify()
    const telegram = adapter()
    telegram.mountWebhook(app, 'https://anju.example.org/telegram/hook', 'secret-secret-secret')
    api.fault('sendMessage', { kind: 'slow', ms: 2_000 }, { chatId: 110 })
    const update = textUpdate('谢谢', 110)
    const post = () => app.inject({ method: 'POST', url: '/telegram/hook', headers: { 'x-telegram-bot-api-secret-token': 'secret-secret-secret' }, payload: update })
    const first = await post()
    expect(first.statusCode).toBe(200)
    // Answered before the (slow) send has been answered by Telegram.
    expect(telegram.queue.stats().sent).toBe(0)
    expect((await post()).statusCode).toBe(200)
    await telegram.settled()
    await telegram.queue.idle()
    expect(api.deliveredTo(110)).toEqual(await answersOf('谢谢'))
    expect((await app.inject({ method: 'POST', url: '/telegram/hook', headers: { 'x-telegram-bot-api-secret-token': 'secret-secret-secret' }, payload: { hello: 1 } })).statusCode).toBe(400)
    await app.close()
  })
})
