import { describe, expect, it } from 'vitest'
import type { Ticket } from '../../src/escalation/ticket'
import { deskFixture, TOKENS, useDeskWorkspace } from './desk-fixture'

const HOUR = 3_600_000
const MINUTE = 60_000
// Friday 9 October 2026, 10:00 in China: the next day is the Saturday worked in lieu of National Day.
const ws = useDeskWorkspace('2026-10-09T02:00:00.000Z')

const text = (ctx: { replies: { text: string }[] }) => ctx.replies.map((r) => r.text).join('\n')

describe('resolution notes and return visits', () => {
  it('refuses to resolve without a note; the return visit quotes the note, not the last reply; unanswered, the caseworker is asked to call', async () => {
    const { say, api, telegram, assistant } = await (await deskFixture(ws.dir, ws.clock)).start()
    await say('51', '/settlement xingfu_jiayuan_sample')
    await say('51', '我要反映一下孩子转学要准备哪些材料')
    const [ticket] = await assistant.desk!.service.ofResident('telegram:51')
    await api(TOKENS.li, 'POST', `/api/tickets/${ticket!.id}/reply`, { text: '明天上午给您答复' })

    const refused = await api(TOKENS.li, 'POST', `/api/tickets/${ticket!.id}/status`, { status: 'resolved' })
    expect(refused.statusCode).toBe(400)
    expect(refused.json().message).toContain('resolution note')
    expect((await assistant.desk!.tickets.get(ticket!.id))!.status).toBe('in_progress')

    const note = '转学需要户口本、学籍卡和安置证明，已把清单发到您手机上'
    expect((await api(TOKENS.li, 'POST', `/api/tickets/${ticket!.id}/status`, { status: 'resolved', note })).statusCode).toBe(200)
    const visit = telegram.to('51').at(-1)!.text
    expect(visit).toContain(note)
    expect(visit).not.toContain('明天上午给您答复')
    // Within one working day: the Saturday worked.
    expect((await assistant.desk!.tickets.get(ticket!.id))!.returnVisitDueAt).toBe('2026-10-10T02:00:00.000Z')

    const callNow = () => telegram.to('chat-li_xiaofang').filter((r) => r.text.includes('电话回访'))
    await assistant.desk!.scheduler.tick()
    expect(callNow()).toHaveLength(0)
    ws.clock.advance(24 * HOUR)
    for (let round = 0; round < 3; round++) await assistant.desk!.scheduler.tick()
    expect(callNow()).toHaveLength(1)
  })

  it('a demand merged into an open ticket reaches the caseworker as new, and the console marks it until they act', async () => {
    const { say, api, telegram, assistant, app } = await (await deskFixture(ws.dir, ws.clock)).start()
    await say('52', '/settlement xingfu_jiayuan_sample')
    await say('52', '我要反映一下孩子转学要准备哪些材料')
    ws.clock.advance(3 * MINUTE)
    expect(text(await say('52', '我要反映一下孩子转学还要不要户口迁过来'))).toContain('补充')
    const [ticket] = await assistant.desk!.service.ofResident('telegram:52')
    expect(telegram.to('chat-li_xiaofang').at(-1)!.text).toContain('我要反映一下孩子转学还要不要户口迁过来')

    const session = await app.inject({ method: 'POST', url: '/console/api/session', payload: { token: TOKENS.li } })
    const cookie = String(session.headers['set-cookie']).split(';')[0]!
    const inbox = async () => (await app.inject({ method: 'GET', url: '/console/api/inbox', headers: { cookie } })).json().tickets as { id: string; newResidentMessages: number; attentionAt: string }[]
    expect((await inbox())[0]).toMatchObject({ id: ticket!.id, newResidentMessages: 1, attentionAt: ws.clock.now().toISOString() })
    await api(TOKENS.li, 'POST', `/api/tickets/${ticket!.id}/reply`, { text: '户口不用迁，带安置证明即可' })
    expect((await inbox())[0]!.newResidentMessages).toBe(0)
  })
})

describe('building and room for repairs', () => {
  it('asks once, keeps them on the profile for the next repair, and a question left pending (a crash, a day away) does not swallow the next message', async () => {
    const { say, assistant } = await (await deskFixture(ws.dir, ws.clock)).start()
    await say('61', '/settlement xingfu_jiayuan_sample')
    expect(text(await say('61', '我要投诉楼道灯坏了一个月没人修'))).toContain('几栋几单元几号')
    await say('61', '5栋1单元301')
    expect((await assistant.residents.get('telegram:61'))!.home).toEqual({ building: '5栋1单元', room: '301' })

    ws.clock.advance(HOUR)
    const second = await say('61', '报修：家里厨房的下水道堵了')
    expect(text(second)).toMatch(/工单号：T\d{6}-\d{4}/)
    const tickets = await assistant.desk!.service.ofResident('telegram:61')
    expect(tickets.map((t) => t.location)).toEqual([{ building: '5栋1单元', room: '301' }, { building: '5栋1单元', room: '301' }])

    // Another resident is asked where, and only comes back the next day with something else.
    await say('62', '/settlement xingfu_jiayuan_sample')
    await say('62', '我要投诉屋顶漏水好几天了没人管')
    ws.clock.advance(24 * HOUR)
    const later = await say('62', '低保怎么申请')
    expect(later.outcome.intent).toBe('dibao_eligibility')
    const [raised] = await assistant.desk!.service.ofResident('telegram:62')
    // The demand is not lost, and "低保怎么申请" was not taken for an address or added to it.
    expect(raised).toMatchObject({ summary: '我要投诉屋顶漏水好几天了没人管', kind: 'repair' })
    expect(raised!.location).toBeUndefined()
    expect((await assistant.residents.get('telegram:62'))!.awaiting).toBeUndefined()
  })
})

describe('assessment figures', () => {
  it('response, on-time, resolution and satisfaction rates per settlement and caseworker for a seeded month', async () => {
    const { api, assistant } = await (await deskFixture(ws.dir, ws.clock)).start()
    const at = (iso: string) => new Date(iso).toISOString()
    // October 2026 in Xingfu: li has four tickets, chen one; Anle: zhao one.
    const seeds: Partial<Ticket>[] = [
      // Answered in time, resolved in time, said solved.
      { assignee: 'li_xiaofang', createdAt: at('2026-10-08T02:00:00Z'), dueAt: at('2026-10-10T02:00:00Z'), firstContactAt: at('2026-10-08T06:00:00Z'), resolvedAt: at('2026-10-09T02:00:00Z'), status: 'closed', closedAt: at('2026-10-09T05:00:00Z'), satisfaction: { solved: true, at: at('2026-10-09T05:00:00Z') } },
      // Answered in time, resolved late, said not solved (reopened and resolved again).
      { assignee: 'li_xiaofang', createdAt: at('2026-10-12T02:00:00Z'), dueAt: at('2026-10-15T02:00:00Z'), firstContactAt: at('2026-10-13T02:00:00Z'), resolvedAt: at('2026-10-16T02:00:00Z'), status: 'resolved', satisfaction: { solved: false, at: at('2026-10-16T05:00:00Z') } },
      // Urgent, first contact after its 2 hours; still open and past due.
      { assignee: 'li_xiaofang', priority: 'urgent', createdAt: at('2026-10-20T02:00:00Z'), firstContactDueAt: at('2026-10-20T04:00:00Z'), firstContactAt: at('2026-10-20T05:00:00Z'), dueAt: at('2026-10-23T02:00:00Z'), status: 'in_progress' },
      // Never answered, not yet due: counts for response, not yet for on-time.
      { assignee: 'li_xiaofang', createdAt: at('2026-10-08T03:00:00Z'), dueAt: at('2026-10-30T03:00:00Z'), status: 'assigned' },
      { assignee: 'chen_jianguo', createdAt: at('2026-10-14T02:00:00Z'), dueAt: at('2026-10-17T02:00:00Z'), firstContactAt: at('2026-10-14T03:00:00Z'), resolvedAt: at('2026-10-15T02:00:00Z'), status: 'closed', closedAt: at('2026-10-15T02:00:00Z') },
      { assignee: 'zhao_lijuan', settlementId: 'anle_xinju_sample', createdAt: at('2026-10-21T02:00:00Z'), dueAt: at('2026-10-24T02:00:00Z'), firstContactAt: at('2026-10-21T03:00:00Z'), resolvedAt: at('2026-10-22T02:00:00Z'), status: 'closed', closedAt: at('2026-10-22T02:00:00Z'), satisfaction: { solved: true, at: at('2026-10-22T02:00:00Z') } },
      // A merged duplicate: its demand counts in the ticket it joined.
      { assignee: 'li_xiaofang', createdAt: at('2026-10-08T02:05:00Z'), dueAt: at('2026-10-10T02:05:00Z'), status: 'closed', closedAt: at('2026-10-08T03:00:00Z'), mergedInto: 'T261008-0001' },
    ]
    for (const [n, seed] of seeds.entries()) {
      await assistant.desk!.tickets.create(new Date(seed.createdAt!), (id) => ({
        id, residentKey: `telegram:s${n}`, channel: 'telegram', channelUserId: `s${n}`, settlementId: 'xingfu_jiayuan_sample', category: 'school_enrolment',
        summary: `诉求 ${n}`, context: [], priority: 'normal', updatedAt: seed.createdAt!, alerted: {},
        events: [{ at: seed.createdAt!, actor: 'resident', type: 'created' }, { at: seed.createdAt!, actor: 'system', type: 'notification_queued' }],
        ...seed,
      } as Ticket))
    }
    ws.clock.current = new Date('2026-10-26T02:00:00Z')
    const report = (await api(TOKENS.admin, 'GET', '/api/reports/tickets?from=2026-10-01&to=2026-10-31')).json()
    expect(report.assessment.bySettlement).toEqual([
      { month: '2026-10', id: 'anle_xinju_sample', tickets: 1, responseRate: 1, onTimeRate: 1, resolutionRate: 1, returnVisits: 1, satisfactionRate: 1 },
      // 5 tickets: 3 answered in time; 4 judged (the last is not due yet), 2 on time; 3 resolved or closed; visits 1 of 2 solved.
      { month: '2026-10', id: 'xingfu_jiayuan_sample', tickets: 5, responseRate: 0.6, onTimeRate: 0.5, resolutionRate: 0.6, returnVisits: 2, satisfactionRate: 0.5 },
    ])
    expect(report.assessment.byCaseworker).toEqual([
      { month: '2026-10', id: 'chen_jianguo', tickets: 1, responseRate: 1, onTimeRate: 1, resolutionRate: 1, returnVisits: 0, satisfactionRate: null },
      { month: '2026-10', id: 'li_xiaofang', tickets: 4, responseRate: 0.5, onTimeRate: 0.333, resolutionRate: 0.5, returnVisits: 2, satisfactionRate: 0.5 },
      { month: '2026-10', id: 'zhao_lijuan', tickets: 1, responseRate: 1, onTimeRate: 1, resolutionRate: 1, returnVisits: 1, satisfactionRate: 1 },
    ])
    // A caseworker's report holds their settlement only; the CSV carries the same figures.
    const own = (await api(TOKENS.li, 'GET', '/api/reports/tickets?from=2026-10-01&to=2026-10-31')).json()
    expect(own.assessment.bySettlement.map((r: { id: string }) => r.id)).toEqual(['xingfu_jiayuan_sample'])
    const csv = (await api(TOKENS.admin, 'GET', '/api/reports/tickets?from=2026-10-01&to=2026-10-31&format=csv')).body
    expect(csv).toContain('2026-10,assessment_on_time_rate,caseworker:li_xiaofang,0.333')
  })
})
