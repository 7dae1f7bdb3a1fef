import { Telegraf } from 'telegraf'
import type { UserFromGetMe } from 'telegraf/types'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TelegramAdapter } from '../../adapters/telegram/telegram-adapter'
import { deskFixture, TestClock } from '../escalation/desk-fixture'
import { makeTempDir, removeDir } from '../helpers'
import { BOT_INFO, buttonUpdate, FakeBotApi, textUpdate } from './fake-bot-api'

describe('caseworkers in their Telegram chat', () => {
  let dir: string
  let api: FakeBotApi
  beforeEach(async () => {
    dir = await makeTempDir()
    api = new FakeBotApi()
  })
  afterEach(async () => {
    await api.stop()
    await removeDir(dir)
  })

  it('get notifications with buttons, take, answer by replying, resolve; the resident hears on Telegram', async () => {
    const clock = new TestClock('2026-11-23T01:00:00.000Z')
    const { assistant } = await (await deskFixture(dir, clock, { li_xiaofang: '7001', zhao_lijuan: '7002' })).start()
    const bot = new Telegraf('123456:TEST-token', { telegram: { apiRoot: await api.start() } })
    bot.botInfo = BOT_INFO as UserFromGetMe
    const telegram = new TelegramAdapter({ bot, pipeline: assistant.pipeline, translate: assistant.translate, logger: assistant.logger, staffChat: assistant.desk!.staffChat, queue: { minGapMs: 0 } })
    const desk = assistant.desk!
    desk.outbox.register('telegram', telegram.sender)
    const update = async (u: Parameters<Telegraf['handleUpdate']>[0]) => {
      await bot.handleUpdate(u)
      await telegram.settled()
      await desk.outbox.drain()
      await telegram.queue.idle()
    }
    const to = (chatId: number) => api.sent().filter((m) => m.chat_id === chatId || m.chat_id === String(chatId))

    await update(textUpdate('/settlement xingfu_jiayuan_sample', 42))
    await update(textUpdate('我要投诉楼道里堆满了杂物，着急出门都过不去', 42))
    const [ticket] = await desk.service.ofResident('telegram:42')
    const notification = to(7001).at(-1)!
    expect(String(notification.text)).toContain(ticket!.id)
    const buttons = (notification.reply_markup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard.flat().map((b) => b.callback_data)
    expect(buttons).toEqual([`/take ${ticket!.id}`, `/resolve ${ticket!.id}`])

    await update(buttonUpdate(`/take ${ticket!.id}`, 7001))
    expect(String(to(7001).at(-1)!.text)).toContain('已接单')

    // Replying to the notification answers the resident.
    await update(textUpdate('今天下午物业就来清理。', 7001, 'zh-hans', String(notification.text)))
    expect(String(to(7001).at(-1)!.text)).toContain('正在发给居民')
    expect(String(to(42).at(-1)!.text)).toContain('今天下午物业就来清理。')

    // Another settlement's caseworker cannot act on it.
    await update(textUpdate(`/reply ${ticket!.id} 我来处理`, 7002))
    expect(String(to(7002).at(-1)!.text)).toContain('没有办成')

    // The resolve button alone asks for the resolution note, which the return visit then quotes.
    await update(textUpdate(`/resolve ${ticket!.id}`, 7001))
    expect(String(to(7001).at(-1)!.text)).toContain('请写上办结说明')
    await update(textUpdate(`/resolve ${ticket!.id} 物业已清理楼道`, 7001))
    const visit = to(42).at(-1)!
    expect(String(visit.text)).toContain('问题解决了吗')
    expect(String(visit.text)).toContain('物业已清理楼道')
    expect((visit.reply_markup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard.flat().map((b) => b.callback_data)).toContain(`/solved ${ticket!.id} yes`)
    await update(buttonUpdate(`/solved ${ticket!.id} yes`, 42))
    expect(await desk.tickets.get(ticket!.id)).toMatchObject({ status: 'closed', satisfaction: { solved: true } })

    await update(textUpdate('/tickets', 7001))
    expect(String(to(7001).at(-1)!.text)).toContain('没有未办结的工单')
    await update(textUpdate('你好', 7001))
    expect(String(to(7001).at(-1)!.text)).toContain('/reply 工单号')

    const actions = (await desk.audit.list()).map((a) => [a.staffId, a.action])
    expect(actions).toEqual(expect.arrayContaining([['li_xiaofang', 'ticket.assign'], ['li_xiaofang', 'ticket.reply'], ['zhao_lijuan', 'ticket.denied'], ['li_xiaofang', 'ticket.status']]))
  })
})
