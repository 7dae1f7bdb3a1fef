import { describe, expect, it } from 'vitest'
import type { Ticket } from '../../src/escalation/ticket'
import { deskFixture, TOKENS, useDeskWorkspace } from './desk-fixture'

const HOUR = 3_600_000
// A Monday morning in China (Monday 09:00 +08:00).
const MONDAY = '2026-11-23T01:00:00.000Z'

const ws = useDeskWorkspace(MONDAY)
const replyText = (ctx: { replies: { text: string }[] }) => ctx.replies.map((r) => r.text).join('\n')

describe('the demand desk, end to end', () => {
  it('resident message → ticket → caseworker notified → reply relayed → resolved → return visit → closed', async () => {
    const { say, api, telegram, assistant } = await (await deskFixture(ws.dir, ws.clock)).start()

    // Escalation without a settlement: the settlement is asked first, then a description.
    expect((await say('501', '我要投诉')).replies[0]!.text).toContain('先要知道您住在哪里')
    const description = await say('501', '/settlement xingfu_jiayuan_sample')
    expect(description.replies.map((r) => r.text).join('\n')).toContain('请用一句话说说是什么事')

    // A repair, whatever its topic: where is asked once.
    expect(replyText(await say('501', '楼道的灯坏了一个月了，晚上老人上下楼很危险'))).toContain('几栋几单元几号')
    const created = await say('501', '3栋2单元502')
    const id = /T\d{6}-\d{4}/.exec(created.replies[0]!.text)![0]
    expect(created.outcome.intent).toBe('escalation')
    expect(created.sources.length).toBeGreaterThan(0)

    const ticket = (await assistant.desk!.tickets.get(id))!
    expect(ticket).toMatchObject({ settlementId: 'xingfu_jiayuan_sample', status: 'assigned', assignee: 'li_xiaofang', priority: 'normal', channel: 'telegram', channelUserId: '501' })
    expect(ticket.summary).toContain('楼道的灯坏了')
    expect(ticket.context.map((line) => line.text)).toEqual(expect.arrayContaining(['我要投诉']))
    // A repair: Monday 09:00 + 5 working days = the next Monday 09:00 China time.
    expect(ticket.kind).toBe('repair')
    expect(ticket.dueAt).toBe('2026-11-30T01:00:00.000Z')
    expect(telegram.to('chat-li_xiaofang')[0]!.text).toContain(id)

    // The caseworker answers through the API; the resident gets it on Telegram.
    ws.clock.advance(HOUR)
    const replied = await api(TOKENS.li, 'POST', `/api/tickets/${id}/reply`, { text: '明天上午物业来换灯泡。' })
    expect(replied.statusCode).toBe(200)
    expect(replied.json()).toMatchObject({ status: 'in_progress' })
    expect(telegram.to('501').at(-1)!.text).toContain('明天上午物业来换灯泡。')
    expect((await assistant.desk!.tickets.get(id))!.firstAnswerAt).toBe(ws.clock.now().toISOString())

    // The resident asks how it is going.
    const status = await say('501', '我的问题处理得怎么样了')
    expect(status.replies[0]!.text).toContain(id)
    expect(status.replies[0]!.text).toContain('明天上午物业来换灯泡')

    // Resolved → return visit with two choices; the resident says it is solved → closed, satisfaction recorded.
    ws.clock.advance(HOUR)
    // Resolving needs a resolution note, and the return visit quotes it.
    expect((await api(TOKENS.li, 'POST', `/api/tickets/${id}/status`, { status: 'resolved' })).statusCode).toBe(400)
    expect((await api(TOKENS.li, 'POST', `/api/tickets/${id}/status`, { status: 'resolved', note: '楼道灯已换新。' })).statusCode).toBe(200)
    const visit = telegram.to('501').at(-1)!
    expect(visit.text).toContain('问题解决了吗')
    expect(visit.text).toContain('楼道灯已换新。')
    expect(visit.choices!.map((c) => c.value)).toEqual([`/solved ${id} yes`, `/solved ${id} no`])
    expect((await say('501', `/solved ${id} yes`)).replies[0]!.text).toContain('已关闭')
    const closed = (await assistant.desk!.tickets.get(id))!
    expect(closed).toMatchObject({ status: 'closed', satisfaction: { solved: true } })
    expect(closed.events.map((e) => e.type).filter((type) => type !== 'delivery')).toEqual(['created', 'assigned', 'notification_queued', 'reply', 'status', 'relay_queued', 'status', 'resolution', 'return_visit', 'status'])
    // The answer and the return visit were both delivered, and the ticket says so.
    expect(closed.events.filter((e) => e.type === 'delivery').map((e) => e.detail)).toEqual(['delivered', 'delivered'])

    // Every staff action is audited.
    const audit = await assistant.desk!.audit.list()
    expect(audit.map((a) => [a.staffId, a.action, a.target])).toEqual([
      ['li_xiaofang', 'ticket.reply', id],
      ['li_xiaofang', 'ticket.status', id],
    ])
  })

  it('a resident who says it is not solved reopens the ticket, and the caseworker hears of it', async () => {
    const { say, api, telegram, assistant } = await (await deskFixture(ws.dir, ws.clock)).start()
    await say('502', '/settlement xingfu_jiayuan_sample')
    const id = /T\d{6}-\d{4}/.exec((await say('502', '我要反映情况：5栋门口的路灯全坏了没人管')).replies[0]!.text)![0]
    await api(TOKENS.li, 'POST', `/api/tickets/${id}/status`, { status: 'resolved', note: '已处理' })
    const answer = await say('502', '没解决')
    expect(answer.replies[0]!.text).toContain('重新交给工作人员')
    expect((await assistant.desk!.tickets.get(id))!).toMatchObject({ status: 'reopened', satisfaction: { solved: false } })
    expect(telegram.to('chat-li_xiaofang').at(-1)!.text).toContain('已重新打开')
  })

  it('urgent danger: an urgent ticket at once, what to do now, caseworker and supervisor alerted', async () => {
    const { say, telegram, assistant } = await (await deskFixture(ws.dir, ws.clock)).start()
    await say('503', '/settlement xingfu_jiayuan_sample')
    const ctx = await say('503', '救命 楼下着火了')
    const reply = ctx.replies[0]!.text
    expect(reply).toContain('119')
    expect(reply).toContain('0000-0000001') // the settlement's duty phone from the directory
    const [ticket] = await assistant.desk!.service.ofResident('telegram:503')
    expect(ticket).toMatchObject({ priority: 'urgent', dueAt: new Date(ws.clock.current.getTime() + 2 * HOUR).toISOString() })
    expect(telegram.to('chat-li_xiaofang')[0]!.text).toContain('紧急')
    expect(telegram.to('chat-wang_deming')[0]!.text).toContain(ticket!.id)
  })

  it('urgent danger from a resident without a settlement is raised first and routed once they say where they live', async () => {
    const { say, telegram, assistant } = await (await deskFixture(ws.dir, ws.clock)).start()
    const ctx = await say('504', '房子塌了 有人被压住了')
    const reply = ctx.replies.map((r) => r.text).join('\n')
    // The emergency numbers and every settlement's duty phone at once; the settlement is one tap.
    expect(reply).toContain('119')
    expect(reply).toContain('0000-0000001')
    expect(reply).toContain('0000-0000003')
    expect(ctx.replies.at(-1)!.choices!.map((c) => c.value)).toContain('/settlement xingfu_jiayuan_sample')
    expect((await assistant.desk!.service.ofResident('telegram:504'))[0]).toMatchObject({ priority: 'urgent', settlementId: undefined })
    await say('504', '1')
    const [ticket] = await assistant.desk!.service.ofResident('telegram:504')
    expect(ticket).toMatchObject({ settlementId: 'xingfu_jiayuan_sample', assignee: 'li_xiaofang' })
    expect(telegram.to('chat-li_xiaofang').some((r) => r.text.includes(ticket!.id))).toBe(true)
  })

  it('"算了" cancels a demand being put together', async () => {
    const { say, assistant } = await (await deskFixture(ws.dir, ws.clock)).start()
    await say('505', '/settlement xingfu_jiayuan_sample')
    await say('505', '转人工')
    expect((await say('505', '算了')).replies[0]!.text).toContain('已取消')
    expect(await assistant.desk!.service.ofResident('telegram:505')).toEqual([])
  })

  it('after two fallbacks in a row a caseworker is offered; yes raises a ticket with the questions', async () => {
    const { say, assistant, telegram } = await (await deskFixture(ws.dir, ws.clock, { zhao_lijuan: 'chat-zhao' })).start()
    await say('506', '/settlement anle_xinju_sample')
    expect((await say('506', 'qwe zxc asd')).replies.some((r) => r.choices)).toBe(false)
    const offer = await say('506', 'zzz qqq xyz')
    expect(offer.replies.at(-1)!.choices!.map((c) => c.value)).toEqual(['/caseworker yes', '/caseworker no'])
    const accepted = await say('506', '要')
    expect(accepted.replies.at(-1)!.text).toMatch(/工单号：T\d{6}-\d{4}/)
    const [ticket] = await assistant.desk!.service.ofResident('telegram:506')
    expect(ticket).toMatchObject({ category: 'other', settlementId: 'anle_xinju_sample', assignee: 'zhao_lijuan', summary: 'qwe zxc asd / zzz qqq xyz' })
    // The caseworker reads the category in words, not its id.
    expect(telegram.to('chat-zhao').at(-1)!.text).toContain('类别：其他｜')
  })

  it('two messages from one resident at the same moment make one ticket', async () => {
    const { say, assistant } = await (await deskFixture(ws.dir, ws.clock)).start()
    await say('507', '/settlement xingfu_jiayuan_sample')
    const text = '我要投诉物业乱收费，我家3栋502一个月多收了两百块'
    const [first, second] = await Promise.all([say('507', text), say('507', text)])
    const tickets = await assistant.desk!.service.ofResident('telegram:507')
    expect(tickets).toHaveLength(1)
    // Filed under the topic of the complaint, not a generic "escalation".
    expect(tickets[0]!.category).toBe('housing_services')
    expect([first.replies[0]!.text, second.replies[0]!.text].join('\n')).toContain('补充进去了')
    expect(tickets[0]!.events.filter((e) => e.type === 'resident_message')).toHaveLength(1)
  })

  it('a property complaint asks for the building and room when the resident did not give them', async () => {
    const { say, assistant } = await (await deskFixture(ws.dir, ws.clock)).start()
    await say('511', '/settlement xingfu_jiayuan_sample')
    const asked = await say('511', '我要投诉楼道灯坏了一个月没人修')
    expect(asked.replies[0]!.text).toContain('几栋几单元几号')
    expect(await assistant.desk!.service.ofResident('telegram:511')).toEqual([])
    expect((await say('511', '我住三号楼2单元502室')).replies[0]!.text).toMatch(/工单号：T\d{6}-\d{4}/)
    const [ticket] = await assistant.desk!.service.ofResident('telegram:511')
    expect(ticket).toMatchObject({ category: 'housing_services', location: { building: '三号楼2单元', room: '502' }, summary: '我要投诉楼道灯坏了一个月没人修' })

    // Given in the first message: not asked again. "跳过": filed without it. Urgent danger: never held up.
    await say('512', '/settlement xingfu_jiayuan_sample')
    expect((await say('512', '我要投诉 Building 3, room 1203 the roof leaks')).replies[0]!.text).toMatch(/T\d{6}-\d{4}/)
    expect((await assistant.desk!.service.ofResident('telegram:512'))[0]!.location).toEqual({ building: '3', room: '1203' })
    await say('513', '/settlement xingfu_jiayuan_sample')
    await say('513', '我要投诉屋顶漏水好几天了没人管')
    expect((await say('513', '跳过')).replies[0]!.text).toMatch(/T\d{6}-\d{4}/)
    expect((await assistant.desk!.service.ofResident('telegram:513'))[0]!.location).toBeUndefined()
  })

  it('routes to the least-loaded caseworker of the settlement', async () => {
    const { say, assistant } = await (await deskFixture(ws.dir, ws.clock)).start()
    const assignees: (string | undefined)[] = []
    for (const user of ['601', '602', '603']) {
      await say(user, '/settlement xingfu_jiayuan_sample')
      await say(user, `我要反映一下${user}号楼的垃圾好几天没人清理了`)
      assignees.push((await assistant.desk!.service.ofResident(`telegram:${user}`))[0]!.assignee)
    }
    expect(assignees).toEqual(['li_xiaofang', 'chen_jianguo', 'li_xiaofang'])
  })
})

describe('staff API access', () => {
  it('pages the ticket list: limit and offset, the total, the most pressing first; a bad page is a 400 with the reason', async () => {
    const { say, api } = await (await deskFixture(ws.dir, ws.clock)).start({ TICKETS_OPEN_PER_RESIDENT: '10' })
    for (const [n, text] of ['我要投诉楼上装修天天半夜还在砸墙，我住2栋301', '我要反映小区门口的垃圾好几天没人清运，我住3栋502', '救命 楼下着火了'].entries()) {
      await say(`72${n}`, '/settlement xingfu_jiayuan_sample')
      await say(`72${n}`, text)
    }
    const all = (await api(TOKENS.li, 'GET', '/api/tickets')).json()
    expect(all.total).toBe(3)
    expect(all.tickets[0]).toMatchObject({ priority: 'urgent' })
    const second = (await api(TOKENS.li, 'GET', '/api/tickets?limit=1&offset=1')).json()
    expect(second).toMatchObject({ total: 3, tickets: [{ id: all.tickets[1].id }] })
    expect((await api(TOKENS.li, 'GET', '/api/tickets?status=unresolved&priority=urgent')).json().total).toBe(1)
    const tooMany = await api(TOKENS.li, 'GET', '/api/tickets?limit=100000')
    expect(tooMany.statusCode).toBe(400)
    expect(tooMany.json().message).toContain('limit')
  })

  it('401 without a valid token, 404 across settlements (like a missing ticket), supervisors reassign, caseworkers only take', async () => {
    const { say, api } = await (await deskFixture(ws.dir, ws.clock)).start()
    await say('701', '/settlement xingfu_jiayuan_sample')
    await say('701', '我要投诉楼上装修天天半夜还在砸墙，我住2栋301')
    const list = await api(TOKENS.li, 'GET', '/api/tickets')
    const [ticket] = list.json().tickets as Ticket[]
    expect(ticket).toBeDefined()

    expect((await api(undefined, 'GET', '/api/tickets')).statusCode).toBe(401)
    expect((await api('not-a-token', 'GET', '/api/tickets')).json()).toMatchObject({ statusCode: 401, code: 'ANJU_ERR_UNAUTHORIZED' })

    // Settlement B's caseworker cannot read settlement A's ticket, nor see it in lists, nor tell it from a missing one.
    const across = await api(TOKENS.zhao, 'GET', `/api/tickets/${ticket!.id}`)
    const missing = await api(TOKENS.zhao, 'GET', `/api/tickets/${ticket!.id.replace(/\d+$/, '9999')}`)
    expect(across.json()).toMatchObject({ statusCode: 404, code: 'ANJU_ERR_NOT_FOUND' })
    expect(across.json().message).toBe(missing.json().message.replace(/T\d{6}-\d+/, ticket!.id))
    expect((await api(TOKENS.zhao, 'POST', `/api/tickets/${ticket!.id}/reply`, { text: 'hi' })).statusCode).toBe(404)
    expect((await api(TOKENS.zhao, 'GET', '/api/tickets')).json().tickets).toEqual([])
    expect((await api(TOKENS.admin, 'GET', `/api/tickets/${ticket!.id}`)).statusCode).toBe(200)

    // A caseworker may take a ticket but not hand it to someone else; a supervisor may.
    expect((await api(TOKENS.li, 'POST', `/api/tickets/${ticket!.id}/assign`, { assignee: 'chen_jianguo' })).statusCode).toBe(403)
    expect((await api(TOKENS.wang, 'POST', `/api/tickets/${ticket!.id}/assign`, { assignee: 'chen_jianguo' })).json()).toMatchObject({ assignee: 'chen_jianguo' })
    expect((await api(TOKENS.wang, 'POST', `/api/tickets/${ticket!.id}/assign`, { assignee: 'zhao_lijuan' })).statusCode).toBe(400)

    // Bad input: clear 4xx, nothing changes.
    expect((await api(TOKENS.li, 'POST', `/api/tickets/${ticket!.id}/status`, { status: 'finished' })).json().message).toMatch(/status/)
    expect((await api(TOKENS.li, 'POST', `/api/tickets/${ticket!.id}/reply`, { text: '   ' })).statusCode).toBe(400)
    expect((await api(TOKENS.li, 'POST', '/api/tickets/not-an-id/reply', { text: 'x' })).statusCode).toBe(400)
    expect((await api(TOKENS.li, 'GET', '/api/tickets/T261123-9999')).statusCode).toBe(404)
    expect((await api(TOKENS.li, 'POST', `/api/tickets/${ticket!.id}/status`, { status: 'reopened' })).json()).toMatchObject({ statusCode: 409 })

    // Notes are internal: recorded, not sent to the resident.
    const noted = (await api(TOKENS.li, 'POST', `/api/tickets/${ticket!.id}/notes`, { text: '已电话联系居民' })).json() as Ticket
    expect(noted.events.at(-1)).toMatchObject({ type: 'note', actor: 'staff:li_xiaofang', detail: '已电话联系居民' })

    // Filters.
    expect((await api(TOKENS.wang, 'GET', '/api/tickets?priority=urgent')).json().tickets).toEqual([])
    expect((await api(TOKENS.wang, 'GET', '/api/tickets?overdue=false')).json().tickets).toHaveLength(1)
    expect((await api(TOKENS.wang, 'GET', '/api/tickets?status=bogus')).statusCode).toBe(400)
  })

  it('reports as JSON and CSV: counts, medians, overdue rate, satisfaction', async () => {
    const { say, api } = await (await deskFixture(ws.dir, ws.clock)).start()
    for (const user of ['801', '802']) {
      await say(user, '/settlement xingfu_jiayuan_sample')
      await say(user, `我要投诉${user}室门口的下水道堵了好久`)
    }
    const [first] = (await api(TOKENS.wang, 'GET', '/api/tickets')).json().tickets as Ticket[]
    ws.clock.advance(2 * HOUR)
    await api(TOKENS.li, 'POST', `/api/tickets/${first!.id}/reply`, { text: '已安排疏通' })
    ws.clock.advance(2 * HOUR)
    await api(TOKENS.li, 'POST', `/api/tickets/${first!.id}/status`, { status: 'resolved', note: '已处理' })
    await say(first!.channelUserId, '解决了')

    const report = (await api(TOKENS.wang, 'GET', '/api/reports/tickets?from=2026-11-01&to=2026-12-01')).json()
    expect(report).toMatchObject({
      total: 2,
      bySettlement: { xingfu_jiayuan_sample: 2 },
      medianHoursToFirstAnswer: 2,
      medianHoursToResolution: 4,
      overdueRate: 0,
      satisfaction: { answered: 1, solvedRate: 1 },
    })
    const csv = await api(TOKENS.wang, 'GET', '/api/reports/tickets?format=csv')
    expect(csv.headers['content-type']).toContain('text/csv')
    expect(csv.body).toContain('by_settlement,xingfu_jiayuan_sample,2')
    expect(csv.body).toContain('median_hours_to_resolution,,4')
    expect((await api(TOKENS.zhao, 'GET', '/api/reports/tickets')).json().total).toBe(0)
    expect((await api(TOKENS.wang, 'GET', '/api/reports/tickets?from=yesterday')).statusCode).toBe(400)
  })
})
