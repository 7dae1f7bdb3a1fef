import { Telegraf } from 'telegraf'
import type { UserFromGetMe } from 'telegraf/types'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TelegramAdapter } from '../../adapters/telegram/telegram-adapter'
import { createLogger } from '../../src/core/logger'
import type { Pipeline } from '../../src/pipeline/pipeline'
import { useDeskWorkspace } from '../escalation/desk-fixture'
import { BOT_INFO, FakeBotApi } from '../telegram/fake-bot-api'
import { makeBroadcaster, notice, resident, seedResidents } from './fixture'

const ws = useDeskWorkspace('2026-11-23T02:00:00.000Z')
const ids = (n: number) => Array.from({ length: n }, (_, i) => 9000 + i)

describe('broadcasts through the real Telegram adapter, Bot API misbehaving', () => {
  let api: FakeBotApi
  let apiRoot: string
  let telegram: TelegramAdapter
  beforeEach(async () => {
    api = new FakeBotApi()
    apiRoot = await api.start()
    const bot = new Telegraf('123456:TEST-token', { telegram: { apiRoot } })
    bot.botInfo = BOT_INFO as UserFromGetMe
    // The broadcaster never needs the pipeline; a resident marked blocked goes through it.
    const pipeline = { residentUnreachable: async () => {} } as unknown as Pipeline
    telegram = new TelegramAdapter({
      bot, pipeline, translate: (_l, key) => key, logger: createLogger('silent'),
      limits: { requestTimeoutMs: 300 }, queue: { minGapMs: 0, backoffBaseMs: 5, backoffMaxMs: 20 },
    })
  })
  afterEach(async () => {
    await telegram.stop(0)
    await api.stop()
  })

  const setUp = async (n: number) => {
    const made = await makeBroadcaster(ws.dir, ws.clock, telegram.sender)
    await seedResidents(made.residents, ids(n).map((id) => resident(id)))
    await made.broadcaster.plan(notice())
    return made
  }
  const onceEach = (n: number) => ids(n).every((id) => api.deliveredTo(id).length === 1)

  it('lost answers, timeouts and dropped connections are sent-unknown, never resent; 429 and 5xx are retried; nobody gets it twice', async () => {
    const { broadcaster } = await setUp(12)
    const [a, b, c, d, e, f] = ids(6) as [number, number, number, number, number, number]
    api.fault('sendMessage', { kind: 'lose' }, { chatId: a })
    api.fault('sendMessage', { kind: 'slow', ms: 600 }, { chatId: b })
    api.fault('sendMessage', { kind: 'drop' }, { chatId: c })
    api.fault('sendMessage', { kind: 'error', code: 429, description: 'Too Many Requests', retryAfter: 0 }, { chatId: d, times: 2 })
    api.fault('sendMessage', { kind: 'error', code: 502, description: 'Bad Gateway' }, { chatId: e })
    api.fault('sendMessage', { kind: 'error', code: 403, description: 'Forbidden: bot was blocked by the user' }, { chatId: f })
    expect(await broadcaster.run(notice())).toBe('done')
    for (const id of ids(12)) expect(api.deliveredTo(id).length).toBeLessThanOrEqual(1)
    // Each asked once, except those Telegram said it had not taken.
    for (const id of [a, b, c, f]) expect(api.sent().filter((m) => m.chat_id === String(id))).toHaveLength(1)
    expect(api.deliveredTo(d)).toHaveLength(1)
    expect(api.deliveredTo(e)).toHaveLength(1)
    // Nothing counted as sent that was not: the lost and the timed-out arrived, but are reported unknown.
    expect(await broadcaster.progress(notice().id)).toMatchObject({ total: 12, sent: 8, unknown: 3, failed: 1, waiting: 0 })
  })

  it('an interrupted broadcast stays waiting while Telegram is unreachable or not started, and resumes when it is back', async () => {
    const first = await setUp(30)
    await api.refuse()
    const running = first.broadcaster.run(notice())
    await new Promise((resolve) => setTimeout(resolve, 60))
    first.broadcaster.stop(notice().id)
    expect(await running).toBe('stopped')
    expect(await first.broadcaster.progress(notice().id)).toMatchObject({ sent: 0, unknown: 0, waiting: 30 })

    // After a restart, before the Telegram adapter is registered: nothing settled, so not done.
    const restarted = await makeBroadcaster(ws.dir, ws.clock, telegram.sender)
    const notStarted = await makeBroadcaster(ws.dir, ws.clock, undefined)
    expect(await notStarted.broadcaster.run(notice())).toBe('waiting')

    const resumed = restarted.broadcaster.run(notice())
    await new Promise((resolve) => setTimeout(resolve, 60))
    await api.accept()
    expect(await resumed).toBe('done')
    expect(onceEach(30)).toBe(true)
    expect(await restarted.broadcaster.progress(notice().id)).toMatchObject({ sent: 30, waiting: 0 })
  })

  it('one request held for a long time does not pause the broadcast: it times out as sent-unknown and the rest go on', async () => {
    const { broadcaster } = await setUp(20)
    const [slow] = ids(1) as [number]
    api.fault('sendMessage', { kind: 'slow', ms: 10_000 }, { chatId: slow })
    expect(await broadcaster.run(notice())).toBe('done')
    // Done while Telegram still holds its answer to the first request.
    expect(api.holding).toBe(1)
    expect(ids(20).every((id) => api.deliveredTo(id).length === 1)).toBe(true)
    expect(await broadcaster.progress(notice().id)).toMatchObject({ sent: 19, unknown: 1, waiting: 0 })
  })
})
