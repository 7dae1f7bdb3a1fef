import { describe, expect, it } from 'vitest'
import { deskFixture, TOKENS, useDeskWorkspace } from '../escalation/desk-fixture'
import { ANLE, XINGFU } from './fixture'

const HOUR = 3_600_000
const MONDAY = '2026-11-23T01:00:00.000Z'

const ws = useDeskWorkspace(MONDAY)

const at = (ms: number) => new Date(Date.parse(MONDAY) + ms).toISOString()
const body = (patch: Record<string, unknown> = {}) => ({
  title: { 'zh-CN': '周六招聘会', en: 'Job fair on Saturday' },
  body: { 'zh-CN': '周六上午九点，社区广场，带上身份证。', en: 'Saturday 9:00 on the square; bring your ID card.' },
  audience: { settlements: [XINGFU] },
  expiresAt: at(7 * 24 * HOUR),
  ...patch,
})

async function start() {
  const fixture = await (await deskFixture(ws.dir, ws.clock)).start()
  const { say } = fixture
  // Three residents of 幸福家园 (one English, one unsubscribed) and one of 安乐新居.
  await say('1', '/settlement xingfu_jiayuan_sample')
  await say('2', '/lang en')
  await say('2', `/settlement ${XINGFU}`)
  await say('3', `/settlement ${XINGFU}`)
  await say('3', '退订')
  await say('4', `/settlement ${ANLE}`)
  return fixture
}

describe('notices through the staff API', () => {
  it('a scheduled notice fires at its time, in each resident\'s language, skipping the unsubscribed', async () => {
    const { api, telegram, assistant } = await start()
    const created = await api(TOKENS.wang, 'POST', '/api/notices', body({ sendAt: at(HOUR) }))
    expect(created.statusCode).toBe(201)
    const notice = created.json()
    expect(notice).toMatchObject({ status: 'scheduled', author: 'wang_deming', audience: { settlements: [XINGFU], tags: [] } })

    const broadcast = assistant.broadcast!
    await broadcast.tick()
    await broadcast.idle()
    expect(telegram.to('1')).toHaveLength(0)

    ws.clock.advance(HOUR)
    await broadcast.tick()
    await broadcast.idle()
    expect(telegram.to('1').map((r) => r.text).join()).toContain('周六招聘会')
    expect(telegram.to('2').map((r) => r.text).join()).toContain('Job fair on Saturday')
    expect(telegram.to('3')).toHaveLength(0)
    expect(telegram.to('4')).toHaveLength(0)

    const got = (await api(TOKENS.li, 'GET', `/api/notices/${notice.id}`)).json()
    expect(got).toMatchObject({ status: 'done', progress: { total: 3, sent: 2, skipped: { unsubscribed: 1 } } })
    // Restarting the schedule sends nothing again.
    await broadcast.tick()
    await broadcast.idle()
    expect(telegram.to('1')).toHaveLength(1)
  })

  it('previews the audience, lists, cancels, and audits every call', async () => {
    const { api, telegram, assistant } = await start()
    const preview = await api(TOKENS.li, 'POST', '/api/notices/preview', body())
    expect(preview.statusCode).toBe(200)
    expect(preview.json()).toEqual({ recipients: 2, byChannel: { telegram: 2 }, skipped: { unsubscribed: 1, blocked: 0, no_channel: 0, linked: 0 } })

    const notice = (await api(TOKENS.wang, 'POST', '/api/notices', body({ sendAt: at(2 * HOUR) }))).json()
    expect((await api(TOKENS.li, 'GET', '/api/notices')).json().notices.map((n: { id: string }) => n.id)).toEqual([notice.id])
    expect((await api(TOKENS.zhao, 'GET', '/api/notices')).json().notices).toEqual([])
    // Another settlement's notice answers like a missing one.
    expect((await api(TOKENS.zhao, 'GET', `/api/notices/${notice.id}`)).statusCode).toBe(404)
    expect((await api(TOKENS.li, 'POST', `/api/notices/${notice.id}/cancel`)).statusCode).toBe(403)
    const cancelled = await api(TOKENS.wang, 'POST', `/api/notices/${notice.id}/cancel`)
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', cancelledBy: 'wang_deming' })
    expect((await api(TOKENS.wang, 'POST', `/api/notices/${notice.id}/cancel`)).statusCode).toBe(409)

    ws.clock.advance(3 * HOUR)
    await assistant.broadcast!.tick()
    await assistant.broadcast!.idle()
    expect(telegram.to('1')).toHaveLength(0)
    const actions = (await assistant.desk!.audit.list()).map((e) => e.action)
    expect(actions).toEqual(expect.arrayContaining(['notice.preview', 'notice.create', 'notice.list', 'notice.cancel']))
  })

  it('refuses bad notices with a clear 400, and enforces roles', async () => {
    const { api, assistant } = await start()
    const bad = async (payload: unknown) => {
      const response = await api(TOKENS.admin, 'POST', '/api/notices', payload)
      expect(response.statusCode).toBe(400)
      expect(response.json().code).toBe('ANJU_ERR_BAD_REQUEST')
      return response.json().message as string
    }
    expect(await bad(body({ title: { en: 'only English' } }))).toContain('title.zh-CN')
    expect(await bad(body({ expiresAt: at(-HOUR) }))).toContain('expiresAt')
    expect(await bad(body({ sendAt: at(HOUR), expiresAt: at(HOUR / 2) }))).toContain('expiresAt: must be after the send time')
    expect(await bad(body({ audience: { settlements: ['nowhere'] } }))).toContain('unknown settlement "nowhere"')
    expect(await bad(body({ audience: { settlements: 'all', tags: ['golfers'] } }))).toContain('unknown tag "golfers"')
    expect(await bad(body({ sendAt: 'tomorrow' }))).toContain('sendAt')
    expect(await bad(body({ surprise: 1 }))).toContain('surprise')

    expect((await api(undefined, 'POST', '/api/notices', body())).statusCode).toBe(401)
    expect((await api(TOKENS.li, 'POST', '/api/notices', body())).statusCode).toBe(403)
    expect((await api(TOKENS.wang, 'POST', '/api/notices', body({ audience: { settlements: [ANLE] } }))).statusCode).toBe(403)
    expect((await api(TOKENS.wang, 'POST', '/api/notices', body({ audience: { settlements: 'all' } }))).statusCode).toBe(403)
    expect((await api(TOKENS.admin, 'POST', '/api/notices', body({ audience: { settlements: 'all', tags: ['job_seekers'] } }))).statusCode).toBe(201)
    expect((await api(TOKENS.admin, 'GET', '/api/notices/not-an-id')).statusCode).toBe(400)
    expect((await api(TOKENS.admin, 'GET', '/api/notices/N0123456789ab')).statusCode).toBe(404)
    // The notice created above is due now: let its broadcast end before the folder is removed.
    await assistant.broadcast!.tick()
    await assistant.broadcast!.idle()
  })
})

describe('notices in the resident\'s conversation', () => {
  it('unsubscribe, subscribe, interests by chatting, and the active notices', async () => {
    const { say, api, assistant } = await start()
    const text = async (user: string, message: string) => (await say(user, message)).replies.map((r) => r.text).join('\n')

    expect(await text('1', '最近有什么通知')).toContain('最近没有通知')
    await api(TOKENS.wang, 'POST', '/api/notices', body())
    await assistant.broadcast!.tick()
    await assistant.broadcast!.idle()
    expect(await text('1', '最近有什么通知？')).toContain('周六招聘会')
    expect(await text('2', 'notices')).toContain('Job fair on Saturday')
    expect(await text('4', '/notices')).toContain('最近没有通知')

    expect(await text('1', '退订')).toContain('已为您退订')
    expect((await assistant.residents.get('telegram:1'))!.notices).toBe(false)
    expect(await text('1', '订阅')).toContain('已为您订阅')
    expect((await assistant.residents.get('telegram:1'))!.notices).toBe(true)

    const tagged = await say('1', '我想收招聘信息')
    expect(tagged.outcome.intent).toBe('notices')
    expect(tagged.replies[0]!.text).toContain('招聘信息')
    expect((await assistant.residents.get('telegram:1'))!.tags).toEqual(['job_seekers'])
    expect(await text('1', '不想收招聘信息了')).toContain('不再给您发招聘信息')
    expect((await assistant.residents.get('telegram:1'))!.tags).toEqual([])
    expect(await text('2', 'unsubscribe')).toContain('no more notices')

    // A question about jobs is still a question about jobs.
    expect((await say('1', '怎么找工作')).outcome.intent).toBe('employment_help')
    // Without a settlement, the settlement is asked.
    expect(await text('9', '最近有什么通知')).toContain('安置区')
  })
})
