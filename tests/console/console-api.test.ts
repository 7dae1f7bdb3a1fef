import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConsoleSessions } from '../../adapters/http/console/sessions'
import type { Ticket } from '../../src/escalation/ticket'
import { deskFixture, TOKENS, useDeskWorkspace } from '../escalation/desk-fixture'

const HOUR = 3_600_000
const ws = useDeskWorkspace('2026-11-30T17:00:00.000Z') // 2026-12-01 01:00 in China

async function signedIn(app: Awaited<ReturnType<Awaited<ReturnType<typeof deskFixture>>['start']>>['app'], token: string, headers: Record<string, string> = {}) {
  const response = await app.inject({ method: 'POST', url: '/console/api/session', payload: { token }, headers })
  const cookie = String(response.headers['set-cookie'])
  const { csrf } = response.json()
  const call = (method: 'GET' | 'POST', url: string, payload?: object, withCsrf = true) =>
    app.inject({ method, url, payload, headers: { cookie: cookie.split(';')[0]!, ...(withCsrf ? { 'x-csrf-token': csrf } : {}) } })
  return { response, cookie, csrf, call }
}

describe('console sessions', () => {
  it('sign-in needs JSON and a known token; the cookie is httpOnly, SameSite=Strict, and Secure behind https', async () => {
    const { app } = await (await deskFixture(ws.dir, ws.clock)).start()
    expect((await app.inject({ method: 'POST', url: '/console/api/session', payload: `token=${TOKENS.li}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode).toBeGreaterThanOrEqual(400)
    expect((await app.inject({ method: 'POST', url: '/console/api/session', payload: { token: 'nope' } })).statusCode).toBe(401)
    const plain = await signedIn(app, TOKENS.li)
    expect(plain.cookie).toMatch(/anju_console=[\w-]{40,}; Path=\/; HttpOnly; SameSite=Strict$/)
    const proxied = await signedIn(app, TOKENS.li, { 'x-forwarded-proto': 'https' })
    expect(proxied.cookie).toContain('; Secure')
  })

  it('refuses a state change without the CSRF token, and signs out', async () => {
    const { app, say, assistant } = await (await deskFixture(ws.dir, ws.clock)).start()
    await say('41', '/settlement xingfu_jiayuan_sample')
    await say('41', '我要投诉3栋502楼道灯坏了一个月没人修')
    const [ticket] = await assistant.desk!.service.ofResident('telegram:41')
    const li = await signedIn(app, TOKENS.li)
    expect((await li.call('POST', `/api/tickets/${ticket!.id}/notes`, { text: '去看过了' }, false)).json()).toMatchObject({ statusCode: 403, code: 'ANJU_ERR_CSRF' })
    expect((await li.call('POST', `/api/tickets/${ticket!.id}/notes`, { text: '去看过了' })).statusCode).toBe(200)
    expect((await li.call('GET', '/console/api/inbox')).json().tickets.map((t: { id: string }) => t.id)).toEqual([ticket!.id])
    expect((await li.call('POST', '/console/api/session/end', {})).statusCode).toBe(200)
    expect((await li.call('GET', '/console/api/inbox')).statusCode).toBe(401)
    const actions = (await assistant.desk!.audit.list()).map((a) => a.action)
    expect(actions).toEqual(expect.arrayContaining(['console.sign_in', 'ticket.note', 'console.sign_out']))
  })

  it('the live stream carries the same security headers as every other answer', async () => {
    const { app } = await (await deskFixture(ws.dir, ws.clock)).start()
    const li = await signedIn(app, TOKENS.li)
    const base = await app.listen({ port: 0, host: '127.0.0.1' })
    const abort = new AbortController()
    try {
      const response = await fetch(`${base}/console/api/events`, { headers: { cookie: li.cookie.split(';')[0]! }, signal: abort.signal })
      expect(response.headers.get('content-type')).toContain('text/event-stream')
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    } finally {
      abort.abort()
      await app.close()
    }
  })

  it('ends a session after its idle time; the page\'s own refreshes do not keep it alive', () => {
    let now = 0
    const sessions = new ConsoleSessions(30 * 60_000, () => now)
    const member = { id: 'li_xiaofang', name: '李晓芳', role: 'caseworker' as const, settlements: [], contacts: [] }
    const session = sessions.create(member)
    now += 20 * 60_000
    expect(sessions.get(session.id, false)).toBeDefined()
    now += 15 * 60_000
    expect(sessions.get(session.id, false)).toBeUndefined()
    const used = sessions.create(member)
    now += 20 * 60_000
    sessions.get(used.id, true)
    now += 20 * 60_000
    expect(sessions.get(used.id, false)).toBe(used)
  })
})

describe('what the console shows', () => {
  it('counts the inbox, filters by topic and mine/unassigned, urgent first', async () => {
    const { app, say } = await (await deskFixture(ws.dir, ws.clock)).start()
    for (const [user, text] of [['51', '我要投诉5栋301下水道堵了好几天'], ['52', '家里煤气泄漏了'], ['53', '我要反映情况：低保材料交了三个月没消息']]) {
      await say(user!, '/settlement xingfu_jiayuan_sample')
      await say(user!, text!)
    }
    const li = await signedIn(app, TOKENS.li)
    const inbox = (await li.call('GET', '/console/api/inbox')).json()
    expect(inbox.counts).toMatchObject({ unresolved: 3, urgent: 1, overdue: 0 })
    expect(inbox.tickets[0]).toMatchObject({ priority: 'urgent' })
    expect(inbox.tickets.map((t: { topic: string }) => t.topic)).not.toContain('urgent')
    expect((await li.call('GET', '/console/api/inbox?topic=housing_services')).json().tickets).toHaveLength(1)
    const mine = (await li.call('GET', '/console/api/inbox?assignee=me')).json().tickets
    expect(mine.length).toBe(inbox.counts.mine)
    // Four days on, the urgent ticket and the consultation (3 working days) are overdue, the repair (5) not yet.
    ws.clock.advance(4 * 24 * HOUR)
    expect((await li.call('GET', '/console/api/inbox?overdue=true')).json().tickets.map((t: { priority: string }) => t.priority)).toEqual(['urgent', 'normal'])
    ws.clock.advance(4 * 24 * HOUR)
    expect((await li.call('GET', '/console/api/inbox?overdue=true')).json().tickets.length).toBe(3)
  })

  it('merges a duplicate into the ticket that carries on', async () => {
    const { app, say, assistant } = await (await deskFixture(ws.dir, ws.clock)).start()
    await say('61', '/settlement xingfu_jiayuan_sample')
    await say('62', '/settlement xingfu_jiayuan_sample')
    await say('61', '我要投诉6栋502屋顶漏水')
    await say('62', '我要投诉屋顶漏水，我住6栋301')
    const [first] = await assistant.desk!.service.ofResident('telegram:61')
    const [second] = await assistant.desk!.service.ofResident('telegram:62')
    const wang = await signedIn(app, TOKENS.wang)
    const view = (await wang.call('GET', `/console/api/tickets/${second!.id}`)).json()
    expect(view.duplicates.map((d: { id: string }) => d.id)).toContain(first!.id)
    expect(view.canned.some((c: { topic: string }) => c.topic === 'housing_services')).toBe(true)
    const merged = (await wang.call('POST', `/api/tickets/${second!.id}/merge`, { into: first!.id })).json() as Ticket
    expect(merged.events.at(-1)).toMatchObject({ type: 'merged_from', detail: expect.stringContaining(second!.id) })
    expect(await assistant.desk!.tickets.get(second!.id)).toMatchObject({ status: 'closed', mergedInto: first!.id })
    expect((await wang.call('POST', `/api/tickets/${second!.id}/merge`, { into: first!.id })).statusCode).toBe(409)
  })

  it('counts a report in China time with `to` inclusive, by topic, with urgency as a priority', async () => {
    const { say, api } = await (await deskFixture(ws.dir, ws.clock)).start()
    await say('71', '/settlement xingfu_jiayuan_sample')
    await say('71', '楼道里着火了')
    await say('72', '/settlement xingfu_jiayuan_sample')
    await say('72', '我要投诉楼道灯坏了，我住3栋502')
    const today = (await api(TOKENS.wang, 'GET', '/api/reports/tickets?from=2026-12-01&to=2026-12-01')).json()
    expect(today.total).toBe(2)
    expect(today.byTopic).not.toHaveProperty('urgent')
    expect(today.byTopic).not.toHaveProperty('escalation')
    expect(today.byTopic.housing_services).toBeGreaterThanOrEqual(1)
    expect(today.byPriority).toEqual({ urgent: 1, normal: 1 })
    expect(today.monthly.map((m: { month: string }) => m.month)).toEqual(['2026-12'])
    expect((await api(TOKENS.wang, 'GET', '/api/reports/tickets?from=2026-11-30&to=2026-11-30')).json().total).toBe(0)
    expect((await api(TOKENS.wang, 'GET', '/api/reports/tickets?from=2026-12-02&to=2026-12-01')).statusCode).toBe(400)
  })

  it('shows a supervisor only their settlements\' unanswered questions, alike ones grouped', async () => {
    const { say, api } = await (await deskFixture(ws.dir, ws.clock)).start()
    await say('81', '/settlement xingfu_jiayuan_sample')
    await say('81', '广场舞音响晚上几点必须关')
    await say('82', '/settlement xingfu_jiayuan_sample')
    await say('82', '广场舞的音响晚上几点要关掉')
    await say('83', '/settlement anle_xinju_sample')
    await say('83', '村口的石狮子是哪一年立的')
    await say('84', '村口的石狮子是哪一年立的')
    const wang = (await api(TOKENS.wang, 'GET', '/api/unanswered')).json()
    expect(wang.questions.map((q: { text: string }) => q.text).sort()).toEqual(['广场舞的音响晚上几点要关掉', '广场舞音响晚上几点必须关'])
    expect(wang.groups).toEqual([expect.objectContaining({ count: 2, settlements: ['xingfu_jiayuan_sample'] })])
    const admin = (await api(TOKENS.admin, 'GET', '/api/unanswered')).json()
    // The resident who never said where they live is for admins only.
    expect(admin.questions).toHaveLength(4)
    expect((await api(TOKENS.li, 'GET', '/api/unanswered')).statusCode).toBe(403)
  })

  it('reloads the knowledge base without a restart, and says plainly what is wrong with a bad file', async () => {
    const { app, say } = await (await deskFixture(ws.dir, ws.clock)).start()
    const wang = await signedIn(app, TOKENS.wang)
    const lexicon = path.join(ws.dir, 'knowledge', 'lexicon.yaml')
    const good = await readFile(lexicon, 'utf8')
    await writeFile(lexicon, `${good}\n  broken: [this is: not yaml\n`)
    const refused = await wang.call('POST', '/console/api/knowledge/reload', {})
    expect(refused.statusCode).toBe(422)
    expect(refused.json().problems[0]).toMatchObject({ file: lexicon, reason: expect.stringContaining('not valid YAML') })
    expect((await say('91', '低保怎么申请')).outcome.intent).toBe('dibao_eligibility')

    // A new synonym answers from the next message on.
    expect((await say('92', '喔喔钱咋个领')).outcome.intent).not.toBe('dibao_eligibility')
    await writeFile(lexicon, good.replace('  dibao: [低保,', '  dibao: [喔喔钱, 低保,'))
    const reloaded = await wang.call('POST', '/console/api/knowledge/reload', {})
    expect(reloaded.json()).toMatchObject({ ok: true, topics: 10 })
    expect((await say('93', '喔喔钱咋个领')).outcome.intent).toBe('dibao_eligibility')
    expect((await (await signedIn(app, TOKENS.li)).call('POST', '/console/api/knowledge/reload', {})).statusCode).toBe(403)
  })
})
