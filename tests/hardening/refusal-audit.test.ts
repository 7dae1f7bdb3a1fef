import { describe, expect, it } from 'vitest'
import type { Ticket } from '../../src/escalation/ticket'
import type { AuditEntry } from '../../src/store/types'
import { deskFixture, TOKENS, useDeskWorkspace } from '../escalation/desk-fixture'

const MONDAY = '2026-11-23T01:00:00.000Z'
const FROM = '203.0.113.7'
const NOTICE = {
  title: { 'zh-CN': '周六招聘会' },
  body: { 'zh-CN': '周六上午九点，社区广场。' },
  audience: { settlements: ['xingfu_jiayuan_sample'] },
  expiresAt: '2026-11-30T01:00:00.000Z',
}

const ws = useDeskWorkspace(MONDAY)
const refusals = (entries: AuditEntry[]) => entries.filter((e) => e.action === 'refused').map((e) => ({ ...e, detail: JSON.parse(e.detail!) }))

describe('every refusal on staff routes is audited: who, what, from where', () => {
  it('401, 403 and 409 on tickets, reports and notices', async () => {
    const { say, api, assistant } = await (await deskFixture(ws.dir, ws.clock)).start()
    await say('901', '/settlement xingfu_jiayuan_sample')
    await say('901', '我要投诉楼上装修天天半夜还在砸墙')
    const [ticket] = (await api(TOKENS.li, 'GET', '/api/tickets')).json().tickets as Ticket[]

    expect((await api(undefined, 'GET', '/api/tickets', undefined, FROM)).statusCode).toBe(401)
    expect((await api('stolen-or-guessed', 'POST', `/api/tickets/${ticket!.id}/reply`, { text: 'x' }, FROM)).statusCode).toBe(401)
    expect((await api(TOKENS.li, 'GET', '/api/unanswered', undefined, FROM)).statusCode).toBe(403)
    expect((await api(TOKENS.li, 'POST', `/api/tickets/${ticket!.id}/assign`, { assignee: 'chen_jianguo' }, FROM)).statusCode).toBe(403)
    expect((await api(TOKENS.li, 'POST', '/api/notices', NOTICE, FROM)).statusCode).toBe(403)
    expect((await api(TOKENS.li, 'POST', `/api/tickets/${ticket!.id}/status`, { status: 'reopened' }, FROM)).statusCode).toBe(409)

    const entries = refusals(await assistant.desk!.audit.list())
    expect(entries.map((e) => [e.staffId, e.detail.status, e.detail.request, e.target])).toEqual([
      ['anonymous', 401, 'GET /api/tickets', undefined],
      ['anonymous', 401, 'POST /api/tickets/:id/reply', ticket!.id],
      ['li_xiaofang', 403, 'GET /api/unanswered', undefined],
      ['li_xiaofang', 403, 'POST /api/tickets/:id/assign', ticket!.id],
      ['li_xiaofang', 403, 'POST /api/notices', undefined],
      ['li_xiaofang', 409, 'POST /api/tickets/:id/status', ticket!.id],
    ])
    expect(entries.every((e) => e.from === FROM && e.at === ws.clock.now().toISOString())).toBe(true)
    expect(entries[0]!.detail).toMatchObject({ code: 'ANJU_ERR_UNAUTHORIZED', reason: 'no token' })
    expect(entries[1]!.detail).toMatchObject({ reason: 'unknown token' })
    expect(entries[5]!.detail).toMatchObject({ code: 'ANJU_ERR_CONFLICT', reason: expect.stringContaining('cannot become reopened') })
  })

  it('a ticket of another settlement answers 404 and the attempt is audited with where it came from', async () => {
    const { say, api, assistant } = await (await deskFixture(ws.dir, ws.clock)).start()
    await say('902', '/settlement xingfu_jiayuan_sample')
    await say('902', '我要投诉楼上装修天天半夜还在砸墙')
    const [ticket] = (await api(TOKENS.li, 'GET', '/api/tickets')).json().tickets as Ticket[]
    expect((await api(TOKENS.zhao, 'POST', `/api/tickets/${ticket!.id}/notes`, { text: 'x' }, FROM)).statusCode).toBe(404)
    const denied = (await assistant.desk!.audit.list()).filter((e) => e.action === 'ticket.denied')
    expect(denied).toEqual([expect.objectContaining({ staffId: 'zhao_lijuan', target: ticket!.id, detail: 'ticket.note', from: FROM })])
  })

  it('429 on staff routes: audited once per limit window per caller, not once per request', async () => {
    const { api, assistant } = await (await deskFixture(ws.dir, ws.clock)).start({ HTTP_RATE_LIMIT_MAX: '3' })
    const statuses: number[] = []
    for (let n = 0; n < 8; n += 1) statuses.push((await api(TOKENS.wang, 'GET', '/api/tickets', undefined, FROM)).statusCode)
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429, 429, 429])
    const entries = refusals(await assistant.desk!.audit.list())
    expect(entries).toEqual([expect.objectContaining({ staffId: 'wang_deming', from: FROM, detail: expect.objectContaining({ status: 429, code: 'ANJU_ERR_RATE_LIMITED', request: 'GET /api/tickets' }) })])
  })

  it('console sign-in: wrong tokens are audited and limited per address; the CSRF refusal is audited too', async () => {
    const { app, assistant } = await (await deskFixture(ws.dir, ws.clock)).start()
    const signIn = (token: string) => app.inject({ method: 'POST', url: '/console/api/session', payload: { token }, remoteAddress: FROM })
    const statuses: number[] = []
    for (let n = 0; n < 12; n += 1) statuses.push((await signIn(`guess-${n}`)).statusCode)
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429])
    // Another address is not held by this one's attempts.
    expect((await app.inject({ method: 'POST', url: '/console/api/session', payload: { token: TOKENS.li }, remoteAddress: '198.51.100.2' })).statusCode).toBe(200)
    const entries = refusals(await assistant.desk!.audit.list())
    expect(entries.filter((e) => e.detail.status === 401)).toHaveLength(10)
    expect(entries.filter((e) => e.detail.status === 429)).toHaveLength(1)
    expect(entries[0]).toMatchObject({ staffId: 'anonymous', from: FROM, detail: { request: 'POST /console/api/session', reason: 'unknown token' } })
  })

  it('the audit log masks personal numbers in its free text; the ticket keeps what was written', async () => {
    const { say, api, assistant } = await (await deskFixture(ws.dir, ws.clock)).start()
    await say('903', '/settlement xingfu_jiayuan_sample')
    await say('903', '我要投诉楼上装修天天半夜还在砸墙')
    const [ticket] = (await api(TOKENS.li, 'GET', '/api/tickets')).json().tickets as Ticket[]
    const reply = '请联系物业王经理 138 1234 5678，或打 0551-62345678'
    await api(TOKENS.li, 'POST', `/api/tickets/${ticket!.id}/reply`, { text: reply })
    await api(TOKENS.li, 'POST', `/api/tickets/${ticket!.id}/notes`, { text: '居民身份证 34010219900101123X' })
    const entries = await assistant.desk!.audit.list()
    expect(entries.find((e) => e.action === 'ticket.reply')!.detail).toBe('请联系物业王经理 138 **** 5678，或打 0551-****5678')
    expect(entries.find((e) => e.action === 'ticket.note')!.detail).toBe('居民身份证 340102********123X')
    const stored = (await assistant.desk!.tickets.get(ticket!.id))!
    expect(stored.events.map((e) => e.detail)).toEqual(expect.arrayContaining([reply, '居民身份证 34010219900101123X']))
  })
})
