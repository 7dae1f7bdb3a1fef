import { describe, expect, it } from 'vitest'
import { deskFixture, useDeskWorkspace } from './desk-fixture'

describe('recovery at start after a crash between two steps', () => {
  const ws = useDeskWorkspace('2026-11-23T01:00:00.000Z')

  it('a new ticket whose notification was queued but not yet marked is not notified again', async () => {
    const fixture = await deskFixture(ws.dir, ws.clock)
    const first = await fixture.start()
    await first.say('904', '/settlement xingfu_jiayuan_sample')
    await first.say('904', '我要投诉7号楼电梯坏了一个星期没人修')
    const [raised] = await first.assistant.desk!.service.ofResident('telegram:904')
    const notified = (channel: typeof first.telegram) => channel.sent.filter((s) => s.reply.text.includes(raised!.id) && s.reply.text.includes('新工单'))
    expect(notified(first.telegram)).toHaveLength(1)
    // The crash: the notification is in the outbox (and was even delivered), the ticket's mark never written.
    await first.assistant.desk!.tickets.update(raised!.id, (t) => { t.events = t.events.filter((e) => e.type !== 'notification_queued') })

    const second = await fixture.start()
    await second.assistant.desk!.scheduler.start()
    second.assistant.desk!.scheduler.stop()
    expect(notified(second.telegram)).toHaveLength(0)
    expect((await second.assistant.desk!.tickets.get(raised!.id))!.events.filter((e) => e.type === 'notification_queued')).toHaveLength(1)
  })

  it('a reply saved on the ticket whose relay was never queued reaches the resident once, at the next start', async () => {
    const fixture = await deskFixture(ws.dir, ws.clock)
    const first = await fixture.start()
    await first.say('905', '/settlement xingfu_jiayuan_sample')
    await first.say('905', '我要投诉7号楼电梯坏了一个星期没人修')
    const [raised] = await first.assistant.desk!.service.ofResident('telegram:905')
    // The crash: the reply (with the id its relay was to have) is saved, nothing is in the outbox.
    await first.assistant.desk!.tickets.update(raised!.id, (t) => {
      t.events.push({ at: ws.clock.now().toISOString(), actor: 'staff:li_xiaofang', type: 'reply', detail: '师傅下午到。', outboxId: 'reply-before-the-crash' })
    })

    for (let restart = 0; restart < 2; restart += 1) {
      const next = await fixture.start()
      await next.assistant.desk!.scheduler.start()
      next.assistant.desk!.scheduler.stop()
      expect(next.telegram.to('905').filter((r) => r.text.includes('师傅下午到。'))).toHaveLength(restart === 0 ? 1 : 0)
    }
  })
})
