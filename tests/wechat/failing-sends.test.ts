import { afterEach, describe, expect, it, vi } from 'vitest'
import { types } from 'wechaty'
import { choicesAsText } from '../../src/core/outbound'
import { useTestAssistant } from '../helpers'
import { startMockWechat, waitFor, type MockWechat } from './mock-wechat'

const ws = useTestAssistant()

describe('WeChat sends that fail (wechaty-puppet-mock)', () => {
  let wechat: MockWechat | undefined
  afterEach(async () => {
    await wechat?.stop()
    wechat = undefined
  })
  const start = async (options: Parameters<typeof startMockWechat>[1] = {}) => {
    wechat = await startMockWechat(ws.assistant, options)
    wechat.login()
    return wechat
  }
  const expectedText = async (text: string) => {
    const { replies } = await ws.assistant.pipeline.handle({ channel: 'probe', channelUserId: text, text, receivedAt: new Date() })
    return replies.map((reply) => choicesAsText(reply, ws.assistant.translate('zh-CN', 'choices.hint'))).join('').replace(/\s/g, '')
  }

  it('a failed send is retried, and the answer arrives once', async () => {
    const bot = await start()
    vi.spyOn(bot.puppet, 'messageSendText').mockRejectedValueOnce(new Error('puppet: send timeout'))
    const auntie = bot.resident('陈阿姨')
    auntie.say('谢谢')
    await waitFor('the answer', () => auntie.chat.inbox.length >= 1)
    // Past the retry's backoff once more: a second copy would have arrived by now.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(auntie.chat.inbox).toEqual([ws.assistant.translate('zh-CN', 'thanks')])
  })

  it('when the first piece of a long reply fails, the pieces still arrive in order, from the failed one, none twice', async () => {
    const bot = await start({ maxMessageChars: 120 })
    vi.spyOn(bot.puppet, 'messageSendText').mockRejectedValueOnce(new Error('puppet: connection reset'))
    const uncle = bot.resident('黄大爷')
    const expected = await expectedText('低保怎么申请')
    uncle.say('低保怎么申请')
    await waitFor('every piece', () => uncle.chat.inbox.join('').replace(/\s/g, '').length >= expected.length)
    expect(uncle.chat.inbox.join('').replace(/\s/g, '')).toBe(expected)
    expect(new Set(uncle.chat.inbox).size).toBe(uncle.chat.inbox.length)
  })

  it('red envelopes and transfers get a polite "I cannot receive money"', async () => {
    const bot = await start()
    const auntie = bot.resident('林阿姨')
    bot.sendMedia(auntie.contact, types.Message.RedEnvelope)
    bot.sendMedia(auntie.contact, types.Message.Transfer)
    await waitFor('both answers', () => auntie.chat.inbox.length >= 2)
    expect(auntie.chat.inbox).toEqual([ws.assistant.translate('zh-CN', 'wechat.money_refused'), ws.assistant.translate('zh-CN', 'wechat.money_refused')])
  })

  it('waits a human-like moment before accepting a friend request', async () => {
    const bot = await start({ friendDelay: { minMs: 150, maxMs: 200 } })
    const accept = vi.spyOn(bot.puppet, 'friendshipAccept')
    const newcomer = bot.resident('吴小妹', { friend: false })
    const asked = performance.now()
    await bot.friendRequest(newcomer.contact)
    await waitFor('the welcome', () => newcomer.chat.inbox.length >= 2)
    expect(accept).toHaveBeenCalledOnce()
    // Not a timing of the code: the configured floor of the delay, which must have passed.
    expect(performance.now() - asked).toBeGreaterThanOrEqual(150)
  })
})
