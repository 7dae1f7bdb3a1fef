import { describe, expect, it } from 'vitest'
import { deskFixture, TOKENS, useDeskWorkspace } from './desk-fixture'

const HOUR = 3_600_000

describe('overdue alerts and recovery across restarts', () => {
  const ws = useDeskWorkspace('2026-11-23T01:00:00.000Z')

  it('urgent: caseworker and supervisor alerted when first contact is late; then the resolution limit, once each, even after a restart', async () => {
    const fixture = await deskFixture(ws.dir, ws.clock)
    const first = await fixture.start()
    await first.say('901', '/settlement xingfu_jiayuan_sample')
    await first.say('901', '救命 家里煤气泄漏了')
    const [ticket] = await first.assistant.desk!.service.ofResident('telegram:901')
    const alerts = (channel: typeof first.telegram, who: string) => channel.to(`chat-${who}`).filter((r) => r.text.includes('超时'))

    await first.assistant.desk!.scheduler.tick()
    expect(alerts(first.telegram, 'li_xiaofang')).toHaveLength(0)

    // No first contact within 2 hours: the caseworker and the supervisor at once.
    ws.clock.advance(2 * HOUR + 1000)
    await first.assistant.desk!.scheduler.tick()
    await first.assistant.desk!.scheduler.tick()
    expect(alerts(first.telegram, 'li_xiaofang')).toHaveLength(1)
    expect(alerts(first.telegram, 'wang_deming')).toHaveLength(1)

    // A restart: a new process on the same data. Nothing is repeated.
    const second = await fixture.start()
    await second.assistant.desk!.scheduler.tick()
    expect(second.telegram.sent).toHaveLength(0)

    // The first contact moves the deadline to the resolution limit, from when the demand came in.
    await second.api(TOKENS.li, 'POST', `/api/tickets/${ticket!.id}/reply`, { text: '已通知燃气公司上门，请先开窗、不要开关电器。' })
    const contacted = (await second.assistant.desk!.tickets.get(ticket!.id))!
    // No topic and no repair or complaint words: a consultation's 3 working days from Monday 09:00.
    expect(contacted).toMatchObject({ kind: 'consultation', firstContactDueAt: '2026-11-23T03:00:00.000Z', dueAt: '2026-11-26T01:00:00.000Z' })
    ws.clock.current = new Date(Date.parse(contacted.dueAt) + 1000)
    await second.assistant.desk!.scheduler.tick()
    await second.assistant.desk!.scheduler.tick()
    expect(alerts(second.telegram, 'li_xiaofang')).toHaveLength(1)
    ws.clock.advance(2 * HOUR)
    await second.assistant.desk!.scheduler.tick()
    await second.assistant.desk!.scheduler.tick()
    expect(alerts(second.telegram, 'wang_deming')).toHaveLength(1)
    expect(alerts(second.telegram, 'wang_deming')[0]!.text).toContain(ticket!.id)
    expect(alerts(second.telegram, 'li_xiaofang')).toHaveLength(1)

    const overdue = (await second.api('token-wang-deming-supervisor-xingfu', 'GET', '/api/tickets?overdue=true')).json().tickets
    expect(overdue.map((t: { id: string }) => t.id)).toEqual([ticket!.id])
  })

  it('keeps a notification that could not be delivered and delivers it after a restart', async () => {
    const fixture = await deskFixture(ws.dir, ws.clock)
    const first = await fixture.start()
    first.telegram.fail = true
    await first.say('902', '/settlement xingfu_jiayuan_sample')
    await first.say('902', '我要投诉7号楼电梯坏了一个星期没人修')
    expect(first.telegram.sent).toHaveLength(0)

    const second = await fixture.start()
    ws.clock.advance(60_000)
    await second.assistant.desk!.scheduler.start()
    second.assistant.desk!.scheduler.stop()
    const [ticket] = await second.assistant.desk!.service.ofResident('telegram:902')
    expect(second.telegram.to('chat-li_xiaofang').map((r) => r.text)).toEqual([expect.stringContaining(ticket!.id)])
  })

  it('queues the notification of a ticket stored just before a crash, at the next start', async () => {
    const fixture = await deskFixture(ws.dir, ws.clock)
    const first = await fixture.start()
    // The crash: the ticket is on disk, its notification never queued.
    const stored = await first.assistant.desk!.tickets.create(ws.clock.now(), (id) => ({
      id, residentKey: 'telegram:903', channel: 'telegram', channelUserId: '903', settlementId: 'xingfu_jiayuan_sample',
      category: 'housing_services', summary: '屋顶漏水', context: [], priority: 'normal', status: 'assigned', assignee: 'chen_jianguo',
      dueAt: ws.clock.now().toISOString(), createdAt: ws.clock.now().toISOString(), updatedAt: ws.clock.now().toISOString(), alerted: {},
      events: [{ at: ws.clock.now().toISOString(), actor: 'resident', type: 'created' }],
    }))

    const second = await fixture.start()
    await second.assistant.desk!.scheduler.start()
    second.assistant.desk!.scheduler.stop()
    expect(second.telegram.to('chat-chen_jianguo')[0]!.text).toContain(stored.id)
    expect((await second.assistant.desk!.tickets.get(stored.id))!.events.some((e) => e.type === 'notification_queued')).toBe(true)

    // And only once.
    const third = await fixture.start()
    await third.assistant.desk!.scheduler.start()
    third.assistant.desk!.scheduler.stop()
    expect(third.telegram.to('chat-chen_jianguo').filter((r) => r.text.includes('新工单'))).toHaveLength(0)
  })

  it('delivers caseworkers\' answers to web chat residents into their history, once, unread until the page shows it', async () => {
    const { assistant, app, api } = await (await deskFixture(ws.dir, ws.clock)).start()
    const session = await app.inject({ method: 'POST', url: '/api/web/session' })
    const headers = { cookie: `anju_web=${session.cookies[0]!.value}` }
    const chat = (text: string) => app.inject({ method: 'POST', url: '/api/web/chat', headers, payload: { text } })
    await chat('/settlement xingfu_jiayuan_sample')
    const created = (await chat('我要投诉楼下烧烤店油烟太大')).json()
    const id = /T\d{6}-\d{4}/.exec(created.entries.at(-1).text)![0]
    await api(TOKENS.li, 'POST', `/api/tickets/${id}/reply`, { text: '已联系城管处理。' })
    const history = async () => (await app.inject({ method: 'GET', url: '/api/web/history', headers })).json()
    const pushed = (await history()).entries.filter((e: { kind: string }) => e.kind === 'push')
    expect(pushed).toEqual([expect.objectContaining({ text: expect.stringContaining('已联系城管处理。') })])
    expect((await history()).readUpTo).toBeLessThan(pushed[0].seq)
    await app.inject({ method: 'POST', url: '/api/web/read', headers, payload: { upTo: pushed[0].seq } })
    expect((await history()).readUpTo).toBe(pushed[0].seq)
    await assistant.desk!.outbox.drain()
    expect((await history()).entries.filter((e: { kind: string }) => e.kind === 'push')).toHaveLength(1)
    expect((await assistant.desk!.tickets.get(id))!.firstAnswerAt).toBeDefined()
  })
})
