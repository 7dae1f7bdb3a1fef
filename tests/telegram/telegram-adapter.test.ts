import Fastify from 'fastify'
import { Telegraf } from 'telegraf'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { buttonFromCallback, callbackData, TelegramAdapter } from '../../adapters/telegram/telegram-adapter'
import type { Assistant } from '../../src/assistant'
import { createTestAssistant, makeTempDir, removeDir } from '../helpers'
import type { UserFromGetMe } from 'telegraf/types'
import { BOT_INFO, buttonUpdate, FakeBotApi, photoUpdate, textUpdate } from './fake-bot-api'

describe('Telegram adapter (telegraf against a local fake Bot API)', () => {
  let dir: string
  let assistant: Assistant
  let api: FakeBotApi
  let apiRoot: string
  let adapters: TelegramAdapter[]

  const adapter = (limits = {}, queue = {}) => {
    const bot = new Telegraf('123456:TEST-token', { telegram: { apiRoot } })
    bot.botInfo = BOT_INFO as UserFromGetMe
    const telegram = new TelegramAdapter({
      bot,
      pipeline: assistant.pipeline,
      translate: assistant.translate,
      logger: assistant.logger,
      limits,
      queue: { minGapMs: 0, backoffBaseMs: 5, ...queue },
    })
    adapters.push(telegram)
    return telegram
  }
  /** Feeds an update, then waits until its replies have gone out. */
  const feed = async (telegram: TelegramAdapter, update: Parameters<Telegraf['handleUpdate']>[0]) => {
    await telegram.bot.handleUpdate(update)
    await telegram.settled()
    await telegram.queue.idle()
  }
  const texts = () => api.sent().map((body) => String(body.text))

  beforeAll(async () => {
    dir = await makeTempDir()
    assistant = await createTestAssistant(dir)
    api = new FakeBotApi()
    apiRoot = await api.start()
  })
  afterAll(async () => {
    await api.stop()
    await removeDir(dir)
  })
  beforeEach(() => {
    api.reset()
    adapters = []
  })
  // What a test left in its adapters' queues (a test that failed half-way) goes out before the next test begins.
  afterEach(async () => {
    for (const telegram of adapters) {
      await telegram.settled()
      await telegram.queue.idle()
    }
  })

  it('answers a text question in the chat it came from', async () => {
    await feed(adapter(), textUpdate('低保怎么申请', 42))
    const [sent] = api.sent()
    expect(String(sent!.chat_id)).toBe('42')
    expect(String(sent!.text)).toContain('民政')
    expect(sent).not.toHaveProperty('parse_mode')
  })

  it('greets on /start and asks for the settlement with buttons; a button press saves it', async () => {
    const bot = adapter()
    await feed(bot, textUpdate('/start', 43))
    const [greeting, question] = api.sent()
    expect(String(greeting!.text)).toContain('安居助手')
    expect(String(question!.text)).toContain('请问您住在哪个安置区')
    const buttons = (question!.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard.flat()
    expect(buttons).toContainEqual({ text: '幸福家园安置区（示例）', callback_data: '/settlement xingfu_jiayuan_sample' })

    api.calls.length = 0
    await feed(bot, buttonUpdate('/settlement xingfu_jiayuan_sample', 43, [[{ text: '幸福家园安置区（示例）', callback_data: '/settlement xingfu_jiayuan_sample' }]]))
    // A short toast names the choice, and the pressed keyboard is removed so that it is not pressed twice.
    expect(api.sent('answerCallbackQuery')).toEqual([expect.objectContaining({ text: '已选：幸福家园安置区（示例）' })])
    expect(api.sent('editMessageReplyMarkup')).toEqual([expect.objectContaining({ chat_id: 43, message_id: 1, reply_markup: { inline_keyboard: [] } })])
    expect(texts()[0]).toContain('已记下：您住在幸福家园安置区（示例）')
    expect(await assistant.residents.get('telegram:43')).toMatchObject({ settlementId: 'xingfu_jiayuan_sample', displayName: '张 阿姨' })
  })

  it('lists the topics as buttons on /help, and a topic button answers it', async () => {
    const bot = adapter()
    await feed(bot, textUpdate('/help', 44))
    const buttons = (api.sent()[0]!.reply_markup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard.flat()
    expect(buttons.map((b) => b.callback_data)).toContain('/topic school_enrolment')
    api.calls.length = 0
    await feed(bot, buttonUpdate('/topic school_enrolment', 44))
    expect(texts()[0]).toContain('教育')
  })

  it("answers in English for an English-speaking resident's Telegram", async () => {
    await feed(adapter(), textUpdate('Where can I see a doctor?', 45, 'en-GB'))
    expect(texts()[0]).toMatch(/Policy basis/)
  })

  it('splits a long answer under the limit, keeping every character', async () => {
    await feed(adapter({ maxChars: 120 }), textUpdate('低保怎么申请', 46))
    const pieces = texts()
    expect(pieces.length).toBeGreaterThan(2)
    for (const piece of pieces) expect([...piece].length).toBeLessThanOrEqual(120)
    expect(pieces.join('').replace(/\s/g, '')).toContain('负责部门')
    expect(pieces.join('').replace(/\s/g, '')).toContain('政策依据')
  })

  it('marks a resident who blocked the bot, without retrying, until they write again', async () => {
    const bot = adapter()
    api.answerNext('sendMessage', { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' })
    await feed(bot, textUpdate('小额贷款怎么申请', 49))
    await bot.settled()
    expect(api.sent().filter((m) => m.chat_id === '49')).toHaveLength(1)
    expect(await assistant.residents.get('telegram:49')).toMatchObject({ blocked: true })
    await feed(bot, textUpdate('谢谢', 49))
    expect(await assistant.residents.get('telegram:49')).toMatchObject({ blocked: false })
  })

  it('binds pre-check buttons to their question: a press answers it, in the resident\'s language; an old press is stale', async () => {
    // Replies go out through the send queue: each step waits until they have been sent.
    const telegram = adapter()
    await feed(telegram, textUpdate('/settlement xingfu_jiayuan_sample', 47))
    api.reset()
    await feed(telegram, textUpdate('我能领培训补贴吗', 47))
    const keyboard = (api.sent().at(-1)!.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard.flat()
    const myself = keyboard.find((b) => b.text === '我自己想参加培训')!
    expect(myself.callback_data).toMatch(/^!p:check:training:role:\d+\|resident$/)
    for (const button of keyboard) expect(Buffer.byteLength(button.callback_data)).toBeLessThanOrEqual(64)
    api.reset()
    await feed(telegram, buttonUpdate(myself.callback_data, 47))
    expect(texts().join('\n')).toContain('第2问：您家是建档立卡脱贫户')
    api.reset()
    await feed(telegram, buttonUpdate(myself.callback_data, 47))
    expect(texts().join('\n')).toContain('那个问题已经答过了')
    expect(texts().join('\n')).toContain('第2问：您家是建档立卡脱贫户')
    expect((await assistant.residents.get('telegram:47'))?.dialogue?.answers).toEqual({ role: 'resident' })
  })

  it('keeps callback data within 64 bytes: a long value goes as its number, an overlong prompt id is dropped', () => {
    expect(callbackData('check:dibao:car:3', '否', 1, 64)).toBe('!p:check:dibao:car:3|否')
    expect(buttonFromCallback('!p:check:dibao:car:3|否')).toEqual({ value: '否', promptId: 'check:dibao:car:3' })
    const long = '选'.repeat(30)
    expect(callbackData('check:dibao:car:3', long, 1, 64)).toBe('!p:check:dibao:car:3|#2')
    expect(buttonFromCallback('!p:check:dibao:car:3|#2')).toEqual({ value: '2', promptId: 'check:dibao:car:3' })
    expect(callbackData('x'.repeat(70), '否', 0, 64)).toBe('否')
    expect(buttonFromCallback('/topic school_enrolment')).toEqual({ value: '/topic school_enrolment' })
  })

  it('replies politely to a photo, saying what is supported', async () => {
    await feed(adapter(), photoUpdate(50))
    expect(texts()).toEqual([expect.stringContaining('只能看懂文字')])
  })

  it('stays off with a clear log when Telegram refuses the token, without throwing', async () => {
    api.answerNext('getMe', { ok: false, error_code: 401, description: 'Unauthorized' })
    expect(await adapter().startPolling()).toBe(false)
  })

  it('in webhook mode, accepts updates only with the secret token header', async () => {
    const app = Fastify()
    const telegram = adapter()
    telegram.mountWebhook(app, 'https://anju.example.org/telegram/hook', 'secret-secret-secret')
    expect(await telegram.startWebhook('https://anju.example.org/telegram/hook', 'secret-secret-secret')).toBe(true)
    expect(api.sent('setWebhook')).toEqual([expect.objectContaining({
      url: 'https://anju.example.org/telegram/hook', secret_token: 'secret-secret-secret', allowed_updates: ['message', 'callback_query', 'my_chat_member'],
    })])

    const refused = await app.inject({ method: 'POST', url: '/telegram/hook', payload: textUpdate('低保', 51) })
    expect(refused.statusCode).toBe(401)
    expect(api.sent()).toHaveLength(0)

    const accepted = await app.inject({
      method: 'POST',
      url: '/telegram/hook',
      headers: { 'x-telegram-bot-api-secret-token': 'secret-secret-secret' },
      payload: textUpdate('低保怎么申请', 51),
    })
    expect(accepted.statusCode).toBe(200)
    await telegram.settled()
    await telegram.queue.idle()
    expect(texts()[0]).toContain('民政')
    await app.close()
  })
})
