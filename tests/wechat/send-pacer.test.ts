import { describe, expect, it } from 'vitest'
import { SendPacer } from '../../adapters/wechat/send-pacer'

// Timers may fire a fraction of a millisecond early against performance.now().
const TIMER_SLACK_MS = 2

describe('SendPacer', () => {
  it('keeps each chat in order, spaces sends per chat and for the account, and does not hold other chats up', async () => {
    const pacer = new SendPacer({ globalIntervalMs: 5, perChatIntervalMs: 30 })
    const sent: { chat: string; text: string; at: number }[] = []
    const queue = (chat: string, text: string) => pacer.send(chat, async () => { sent.push({ chat, text, at: performance.now() }) })
    await Promise.all([queue('a', 'a1'), queue('a', 'a2'), queue('b', 'b1'), queue('a', 'a3'), queue('b', 'b2')])

    const of = (chat: string) => sent.filter((send) => send.chat === chat)
    expect(of('a').map((send) => send.text)).toEqual(['a1', 'a2', 'a3'])
    expect(of('b').map((send) => send.text)).toEqual(['b1', 'b2'])
    const gaps = (sends: typeof sent) => sends.slice(1).map((send, index) => send.at - sends[index]!.at)
    for (const gap of [...gaps(of('a')), ...gaps(of('b'))]) expect(gap).toBeGreaterThanOrEqual(30 - TIMER_SLACK_MS)
    for (const gap of gaps(sent)) expect(gap).toBeGreaterThanOrEqual(5 - TIMER_SLACK_MS)
    expect(sent.map((send) => send.text).indexOf('b1')).toBeLessThan(sent.map((send) => send.text).indexOf('a2'))
  })

  it('rejects a failed send without stopping the queue, and reports when everything is out', async () => {
    const pacer = new SendPacer({ globalIntervalMs: 0, perChatIntervalMs: 0 })
    const sent: string[] = []
    const failed = pacer.send('a', async () => { throw new Error('refused') })
    const next = pacer.send('a', async () => { sent.push('second') })
    await expect(failed).rejects.toThrow('refused')
    await pacer.idle()
    await next
    expect(sent).toEqual(['second'])
  })
})
