import { stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { types } from 'wechaty'
import { createWechaty } from '../../adapters/wechat/wechat-adapter'
import type { Assistant } from '../../src/assistant'
import { loadConfig } from '../../src/config/env'
import { choicesAsText } from '../../src/core/outbound'
import { createTestAssistant, makeTempDir, removeDir } from '../helpers'
import { startMockWechat, waitFor, type MockWechat } from './mock-wechat'

describe('WeChat adapter (wechaty-puppet-mock)', () => {
  let dir: string
  let assistant: Assistant
  let wechat: MockWechat | undefined
  const t = (key: string) => assistant.translate('zh-CN', key)
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

  beforeAll(async () => {
    dir = await makeTempDir()
    assistant = await createTestAssistant(dir)
  })
  afterEach(async () => {
    await wechat?.stop()
    wechat = undefined
  })
  afterAll(async () => { await removeDir(dir) })

  const start = async (options: Parameters<typeof startMockWechat>[1] = {}) => {
    wechat = await startMockWechat(assistant, options)
    wechat.login()
    return wechat
  }

  it('answers a private question and records the turn under the contact id, with their name', async () => {
    const bot = await start()
    const auntie = bot.resident('张阿姨')
    auntie.say('低保怎么申请')
    await waitFor('the answer', () => auntie.chat.inbox.length > 0)
    expect(auntie.chat.inbox[0]).toContain('民政')
    const turns = (await assistant.conversations.listTurns()).filter((turn) => turn.channelUserId === auntie.contact.id)
    expect(turns).toMatchObject([{ channel: 'wechat', text: '低保怎么申请', intent: 'dibao_eligibility' }])
    expect(await assistant.residents.get(`wechat:${auntie.contact.id}`)).toMatchObject({ displayName: '张阿姨' })
  })

  it('greets on /start with the settlements as a numbered list, and "1" saves the first settlement', async () => {
    const bot = await start()
    const uncle = bot.resident('李大爷')
    uncle.say('/start')
    await waitFor('greeting and settlement question', () => uncle.chat.inbox.length >= 2)
    expect(uncle.chat.inbox[0]).toBe(t('greeting'))
    expect(uncle.chat.inbox[1]).toContain(`${t('settlement.ask')}\n\n${t('choices.hint')}\n1. `)
    uncle.say('1')
    await waitFor('the confirmation', () => uncle.chat.inbox.length >= 3)
    const first = assistant.kb.settlements[0]!
    expect(uncle.chat.inbox[2]).toContain(first.name['zh-CN'])
    expect(await assistant.residents.get(`wechat:${uncle.contact.id}`)).toMatchObject({ settlementId: first.id })
  })

  it('accepts a friend request and welcomes the new friend with the settlement question', async () => {
    const bot = await start()
    const accept = vi.spyOn(bot.puppet, 'friendshipAccept')
    const newcomer = bot.resident('王小妹', { friend: false })
    await bot.friendRequest(newcomer.contact)
    await waitFor('the welcome', () => newcomer.chat.inbox.length >= 2)
    expect(accept).toHaveBeenCalledOnce()
    expect(newcomer.chat.inbox[0]).toBe(t('greeting'))
    expect(newcomer.chat.inbox[1]).toContain('1. ')
    newcomer.say('1')
    await waitFor('the settlement to be saved', async () => (await assistant.residents.get(`wechat:${newcomer.contact.id}`))?.settlementId !== undefined)
  })

  it('in a room, answers only when mentioned, to the room, mentioning the resident', async () => {
    const bot = await start()
    const auntie = bot.resident('赵阿姨')
    const group = bot.room([auntie.contact])
    group.say(auntie.contact, '培训补贴怎么领')
    group.say(auntie.contact, '低保怎么申请', true)
    await waitFor('the answer in the room', () => group.chat.inbox.length > 0)
    await settle()
    expect(group.chat.inbox).toHaveLength(1)
    expect(group.chat.inbox[0]).toMatch(/^@赵阿姨 /)
    expect(group.chat.inbox[0]).toContain('民政')
    expect(auntie.chat.inbox).toEqual([])
    const turns = (await assistant.conversations.listTurns()).filter((turn) => turn.channelUserId === auntie.contact.id)
    expect(turns.map((turn) => turn.text)).toEqual(['低保怎么申请'])
  })

  it('ignores its own messages and official accounts', async () => {
    const bot = await start()
    const resident = bot.resident('周大哥')
    const official = bot.resident('某某服务号', { type: types.Contact.Official })
    bot.botUser.say('低保怎么申请').to(resident.contact)
    official.say('低保怎么申请')
    resident.say('谢谢')
    await waitFor('the answer to the thanks', () => resident.chat.inbox.length >= 2)
    await settle()
    expect(resident.chat.inbox).toEqual(['低保怎么申请', t('thanks')])
    expect(official.chat.inbox).toEqual([])
    const askers = new Set((await assistant.conversations.listTurns()).map((turn) => turn.channelUserId))
    expect(askers.has(bot.botUser.id) || askers.has(official.contact.id)).toBe(false)
  })

  it('answers pictures, voice and stickers with media.unsupported, in the resident\'s language', async () => {
    const bot = await start()
    const auntie = bot.resident('孙阿姨')
    bot.sendMedia(auntie.contact, types.Message.Image)
    await waitFor('the media answer', () => auntie.chat.inbox.length >= 1)
    expect(auntie.chat.inbox).toEqual([t('media.unsupported')])

    const visitor = bot.resident('Anna')
    visitor.say('/lang en')
    await waitFor('the language choice', () => visitor.chat.inbox.length >= 1)
    bot.sendMedia(visitor.contact, types.Message.Emoticon)
    await waitFor('the media answer', () => visitor.chat.inbox.length >= 2)
    expect(visitor.chat.inbox[1]).toBe(assistant.translate('en', 'media.unsupported'))
  })

  it('splits a reply that is longer than a WeChat message, in order', async () => {
    const bot = await start({ maxMessageChars: 120 })
    const whole = (await assistant.pipeline.handle({ channel: 'test', channelUserId: 'split', text: '低保怎么申请', receivedAt: new Date() })).replies
    // As WeChat shows it: the text, then its choices numbered (the pre-check offered after a policy answer).
    const expected = whole.map((reply) => choicesAsText(reply, assistant.translate('zh-CN', 'choices.hint'))).join('').replace(/\s/g, '')
    expect(expected.length).toBeGreaterThan(120)
    const auntie = bot.resident('钱阿姨')
    auntie.say('低保怎么申请')
    await waitFor('every piece', () => auntie.chat.inbox.join('').replace(/\s/g, '') === expected)
    expect(auntie.chat.inbox.length).toBeGreaterThan(1)
    for (const piece of auntie.chat.inbox) expect([...piece].length).toBeLessThanOrEqual(120)
  })

  it('answers one resident\'s questions in the order they were asked', async () => {
    const bot = await start({ queue: { minGapMs: 2, perChatGapMs: 15, jitterMs: 5 } })
    const uncle = bot.resident('吴大爷')
    for (const question of ['低保怎么申请', '培训补贴怎么领', '谢谢']) uncle.say(question)
    await waitFor('three answers', () => uncle.chat.inbox.length >= 3)
    expect(uncle.chat.inbox[0]).toContain('民政')
    expect(uncle.chat.inbox[1]).toContain('人社')
    expect(uncle.chat.inbox[2]).toBe(t('thanks'))
  })

  it('a resident who is no longer a friend is marked unreachable, not retried, and answered again when they write', async () => {
    const bot = await start()
    const send = vi.spyOn(bot.puppet, 'messageSendText').mockRejectedValueOnce(new Error('WeChat refused the message'))
    const former = bot.resident('郑大姐', { friend: false })
    former.say('低保怎么申请')
    await waitFor('the resident to be marked', async () => (await assistant.residents.get(`wechat:${former.contact.id}`))?.blocked === true)
    expect(bot.logs).toContainEqual(expect.objectContaining({ msg: 'delivery: not delivered', status: 'unreachable' }))
    former.say('谢谢')
    await waitFor('the next answer', () => former.chat.inbox.length >= 1)
    expect(former.chat.inbox.at(-1)).toBe(t('thanks'))
    expect(await assistant.residents.get(`wechat:${former.contact.id}`)).toMatchObject({ blocked: false })
    expect(send.mock.calls.length).toBeGreaterThanOrEqual(2)
  })

  it('answers error.internal when the message cannot be handled (the record cannot be written)', async () => {
    const blocked = path.join(dir, 'not-a-folder')
    await writeFile(blocked, 'x')
    const broken = await createTestAssistant(blocked)
    wechat = await startMockWechat(broken)
    wechat.login()
    const auntie = wechat.resident('冯阿姨')
    auntie.say('低保怎么申请')
    await waitFor('the apology', () => auntie.chat.inbox.length >= 1)
    expect(auntie.chat.inbox).toEqual([t('error.internal')])
  })

  it('draws the login QR code, logs its URL, and restarts after a logout', async () => {
    const bot = await startMockWechat(assistant)
    wechat = bot
    let starts = 0
    bot.wechaty.on('start', () => { starts += 1 })
    bot.mocker.scan('anju-login?x=1')
    await waitFor('the QR code', () => bot.qrDrawing().length > 0)
    expect(bot.logs).toContainEqual(expect.objectContaining({ level: 30, url: 'https://wechaty.js.org/qrcode/anju-login%3Fx%3D1' }))
    bot.login()
    await waitFor('the login log', () => bot.logs.some((line) => line.msg === 'WeChat logged in'))
    await bot.puppet.logout('kicked out')
    await waitFor('the restart', () => starts === 1)
    expect(bot.logs).toContainEqual(expect.objectContaining({ msg: 'WeChat logged out', reason: 'kicked out' }))
    expect(bot.logs).toContainEqual(expect.objectContaining({ msg: 'WeChat is not connected; restarting the puppet later', delayMs: 20 }))
  })

  it('restarts on an error while logged out, backing off, and stop() cancels a pending restart', async () => {
    const bot = await startMockWechat(assistant, { restart: { firstDelayMs: 150, maxDelayMs: 1_000 } })
    wechat = bot
    let starts = 0
    bot.wechaty.on('start', () => { starts += 1 })
    bot.puppet.emit('error', { data: 'connection lost' })
    bot.puppet.emit('error', { data: 'connection lost again' })
    await waitFor('the restart to be scheduled', () => bot.logs.some((line) => line.delayMs === 150))
    await bot.stop()
    wechat = undefined
    // Nothing to poll for: the restart must not happen, so wait past its delay once.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(starts).toBe(0)
    expect(bot.logs.filter((line) => line.msg === 'WeChat is not connected; restarting the puppet later')).toHaveLength(1)
  })
})

describe('createWechaty', () => {
  it('builds nothing without WECHATY_PUPPET, and a Wechaty for the named puppet otherwise', async () => {
    const dir = await makeTempDir()
    try {
      expect(createWechaty(loadConfig({ DATA_DIR: dir }))).toBeUndefined()
      const dataDir = path.join(dir, 'data')
      const wechaty = createWechaty(loadConfig({ DATA_DIR: dataDir, WECHATY_PUPPET: 'wechaty-puppet-mock', WECHATY_PUPPET_TOKEN: 'secret' }))
      // The login session is kept in the data folder, which exists before the puppet writes it.
      expect(wechaty?.name()).toBe(path.join(dataDir, 'anju'))
      expect((await stat(dataDir)).isDirectory()).toBe(true)
    } finally {
      await removeDir(dir)
    }
  })
})
