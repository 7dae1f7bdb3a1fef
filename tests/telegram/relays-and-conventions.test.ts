import { Telegraf } from 'telegraf'
import type { UserFromGetMe } from 'telegraf/types'
import { afterEach, describe, expect, it } from 'vitest'
import { TelegramAdapter } from '../../adapters/telegram/telegram-adapter'
import type { Assistant } from '../../src/assistant'
import type { Pipeline } from '../../src/pipeline/pipeline'
import { deskFixture, useDeskWorkspace } from '../escalation/desk-fixture'
import { waitFor } from '../wechat/mock-wechat'
import { BOT_INFO, chatMemberUpdate, FakeBotApi, groupTextUpdate, textUpdate } from './fake-bot-api'

const ws = useDeskWorkspace('2026-11-23T01:00:00.000Z')

describe('relays, notifications and Telegram conventions', () => {
  let api: FakeBotApi | undefined
  let telegram: TelegramAdapter | undefined
  afterEach(async () => {
    await telegram?.settled()
    await telegram?.stop(0)
    await api?.stop()
  })

  const start = async (limits = {}, pipeline?: (assistant: Assistant) => Pipeline) => {
    const { assistant } = await (await deskFixture(ws.dir, ws.clock, { li_xiaofang: '7001' })).start()
    api = new FakeBotApi()
    const bot = new Telegraf('123456:TEST-token', { telegram: { apiRoot: await api.start() } })
    bot.botInfo = BOT_INFO as UserFromGetMe
    telegram = new TelegramAdapter({
      bot, pipeline: pipeline?.(assistant) ?? assistant.pipeline, translate: assistant.translate, logger: assistant.logger,
      staffChat: assistant.desk!.staffChat, limits, queue: { minGapMs: 0, backoffBaseMs: 5 },
    })
    assistant.desk!.outbox.register('telegram', telegram.sender)
    const t = telegram
    const feed = async (update: Parameters<Telegraf['handleUpdate']>[0]) => {
      await t.bot.handleUpdate(update)
      await t.settled()
      await assistant.desk!.outbox.drain()
      await t.queue.idle()
    }
    return { assistant, desk: assistant.desk!, feed, api: api!, telegram: t }
  }

  it('a reply to a resident who blocked the bot is kept, the caseworker hears "not delivered yet", and it arrives when they write again', async () => {
    const { feed, api, desk, assistant } = await start()
    await feed(textUpdate('/settlement xingfu_jiayuan_sample', 42))
    await feed(textUpdate('我要投诉楼道里堆满了杂物，着急出门都过不去', 42))
    const [ticket] = await desk.service.ofResident('telegram:42')
    // The resident blocks the bot: Telegram says so at once.
    await feed(chatMemberUpdate(42, 'kicked'))
    expect(await assistant.residents.get('telegram:42')).toMatchObject({ blocked: true })

    api.fault('sendMessage', { kind: 'error', code: 403, description: 'Forbidden: bot was blocked by the user' }, { chatId: 42, times: 5 })
    await feed(textUpdate(`/reply ${ticket!.id} 明天上午物业来清理。`, 7001))
    const toCaseworker = api.deliveredTo(7001)
    expect(toCaseworker.some((text) => text.includes('已把您的回复发给居民'))).toBe(false)
    expect(toCaseworker.at(-2)).toContain('正在发给居民')
    expect(toCaseworker.at(-1)).toContain('【回复未送达】')
    expect(toCaseworker.at(-1)).toContain('幸福家园安置区（示例）')
    expect((await desk.tickets.get(ticket!.id))!.events.at(-1)).toMatchObject({ type: 'delivery', detail: expect.stringMatching(/^held: 403/) })
    expect(api.deliveredTo(42).some((text) => text.includes('明天上午物业来清理'))).toBe(false)

    api.reset()
    await feed(textUpdate('你好', 42))
    await waitFor('the relay', () => api.deliveredTo(42).some((text) => text.includes('明天上午物业来清理')))
    expect(await desk.tickets.get(ticket!.id)).toMatchObject({ firstAnswerAt: expect.any(String) })
    expect((await desk.tickets.get(ticket!.id))!.events.at(-1)).toMatchObject({ type: 'delivery', detail: 'delivered' })
  })

  it('a notification split in pieces carries its ticket id on each; replying to the second piece answers the resident', async () => {
    const { feed, api, desk } = await start({ maxChars: 60 })
    await feed(textUpdate('/settlement xingfu_jiayuan_sample', 43))
    // (A neighbour's noise is not the community's to handle: the matcher refuses it, so the demand is a lift.)
    await feed(textUpdate('我要投诉我们5栋的电梯三天两头坏，老人上下楼只能爬楼梯，物业一直说等配件，一个多月了还没修好', 43))
    const [ticket] = await desk.service.ofResident('telegram:43')
    const pieces = api.deliveredTo(7001)
    expect(pieces.length).toBeGreaterThan(1)
    for (const piece of pieces) expect(piece).toContain(ticket!.id)
    // Staff read China time and names, not UTC and ids.
    expect(pieces.join('')).toContain('幸福家园安置区（示例）')
    expect(pieces.join('')).not.toMatch(/\d{4}-\d{2}-\d{2}T/)
    await feed(textUpdate('收到，今晚去敲门沟通。', 7001, 'zh-hans', pieces.at(-1)))
    expect(api.deliveredTo(43).join('')).toContain('收到，今晚去敲门沟通。')
  })

  it('a second demand merged into the open ticket tells the caseworker', async () => {
    const { api, desk, assistant, telegram } = await start()
    // On the desk's clock, a minute apart (Telegram's own updates carry the real time).
    const say = async (text: string) => {
      await assistant.pipeline.handle({ channel: 'telegram', channelUserId: '44', text, receivedAt: ws.clock.now() })
      ws.clock.advance(60_000)
      await desk.outbox.drain()
      await telegram.queue.idle()
    }
    await say('/settlement xingfu_jiayuan_sample')
    // Said with the building, so that no question about where comes between the two.
    await say('我要投诉3栋楼道的灯坏了一个月没人修')
    await say('我要投诉3栋楼道的灯坏了一个月没人修，晚上老人摔了一跤')
    const tickets = await desk.service.ofResident('telegram:44')
    expect(tickets).toHaveLength(1)
    expect(api.deliveredTo(7001).at(-1)).toMatch(new RegExp(`【居民补充】${tickets[0]!.id}.*晚上老人摔了一跤`))
  })

  it('the deep link /start <settlement id> sets the settlement; the command menu is set in Chinese and English', async () => {
    const { feed, api, assistant, telegram } = await start()
    await feed(textUpdate('/start anle_xinju_sample', 45))
    expect(await assistant.residents.get('telegram:45')).toMatchObject({ settlementId: 'anle_xinju_sample', notices: true })
    expect(api.deliveredTo(45).join('\n')).toContain('安乐新居')
    expect(api.deliveredTo(45).join('\n')).not.toContain('请问您住在哪个安置区')

    expect(await telegram.startWebhook('https://anju.example.org/tg', 'secret-secret-secret')).toBe(true)
    const menus = api.sent('setMyCommands')
    expect(menus.map((m) => m.language_code)).toEqual([undefined, 'zh', 'en'])
    expect(menus[2]!.commands).toContainEqual({ command: 'help', description: 'What you can ask' })
  })

  it('in a group, /help@bot answers "write to me privately"; other bots\' commands and chatter are left alone', async () => {
    const { feed, api } = await start()
    await feed(groupTextUpdate('/help@anju_test_bot'))
    await feed(groupTextUpdate('/help@other_bot'))
    await feed(groupTextUpdate('今天天气不错'))
    expect(api.deliveredTo(-100123)).toEqual([expect.stringContaining('https://t.me/anju_test_bot')])
  })

  it('shows "typing…" while an answer takes long', async () => {
    const slow = (assistant: Assistant) => Object.assign(Object.create(assistant.pipeline) as Pipeline, {
      handle: async (message: Parameters<Pipeline['handle']>[0]) => {
        await new Promise((resolve) => setTimeout(resolve, 150))
        return assistant.pipeline.handle(message)
      },
    })
    const { feed, api } = await start({ typingAfterMs: 20, typingEveryMs: 1_000 }, slow)
    await feed(textUpdate('低保怎么申请', 46))
    expect(api.sent('sendChatAction')).toEqual([expect.objectContaining({ chat_id: '46', action: 'typing' })])
    expect(api.deliveredTo(46)[0]).toContain('民政')
  })
})
