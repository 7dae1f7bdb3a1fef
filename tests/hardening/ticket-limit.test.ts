import { describe, expect, it } from 'vitest'
import { deskFixture, useDeskWorkspace } from '../escalation/desk-fixture'

const MINUTE = 60_000
// A Monday morning in China (Monday 09:00 +08:00).
const MONDAY = '2026-11-23T01:00:00.000Z'
const DEMANDS = [
  '我要投诉楼道的灯坏了一个月了没人修',
  '我要反映小区门口的垃圾好几天没人清运',
  '我要投诉楼上装修天天半夜还在砸墙',
  '我要反映电梯又坏了老人下不了楼',
  '我要投诉停车位被外面的车占了',
]

const ws = useDeskWorkspace(MONDAY)

type Say = (id: string, text: string) => Promise<{ replies: { text: string }[] }>
/** A demand, with the flat number given when the assistant asks where (property complaints ask once). */
async function demand(say: Say, residents: { get(key: string): Promise<{ awaiting?: string } | undefined> }, id: string, text: string) {
  const replies = (await say(id, text)).replies.map((r) => r.text)
  if ((await residents.get(`telegram:${id}`))?.awaiting !== 'demand_location') return replies.join('\n')
  return (await say(id, '3栋2单元502')).replies.map((r) => r.text).join('\n')
}

describe('open tickets per resident (TICKETS_OPEN_PER_RESIDENT)', () => {
  it('holds the limit; a demand beyond it joins the newest open ticket and the resident is told', async () => {
    const { say, assistant } = await (await deskFixture(ws.dir, ws.clock)).start({ TICKETS_OPEN_PER_RESIDENT: '2' })
    await say('801', '/settlement xingfu_jiayuan_sample')
    const replies: string[] = []
    for (const text of DEMANDS.slice(0, 4)) {
      // Apart by more than the double-send window, so that each would be a ticket of its own.
      ws.clock.advance(11 * MINUTE)
      replies.push(await demand(say, assistant.residents, '801', text))
    }
    const tickets = await assistant.desk!.service.ofResident('telegram:801')
    expect(tickets).toHaveLength(2)
    const newest = tickets[1]!
    expect(replies[2]).toContain(newest.id)
    expect(replies[2]).toContain('已经有 2 件')
    expect(replies[3]).toContain(newest.id)
    // The resident's own words are kept on the ticket, verbatim.
    expect(newest.events.filter((e) => e.type === 'resident_message').map((e) => e.detail)).toEqual([DEMANDS[2], DEMANDS[3]])

    // Others are not held by this resident's limit.
    await say('802', '/settlement xingfu_jiayuan_sample')
    await demand(say, assistant.residents, '802', DEMANDS[4]!)
    expect(await assistant.desk!.service.ofResident('telegram:802')).toHaveLength(1)
  })

  it('a flood of demands at once still makes at most the limit of tickets', async () => {
    const { say, assistant } = await (await deskFixture(ws.dir, ws.clock)).start({ TICKETS_OPEN_PER_RESIDENT: '3', CHAT_RATE_BURST: '1000' })
    await say('803', '/settlement xingfu_jiayuan_sample')
    await Promise.all(Array.from({ length: 20 }, (_, n) => say('803', `${DEMANDS[n % DEMANDS.length]}，第${n}次`)))
    // The last demand may still wait for where it is.
    if ((await assistant.residents.get('telegram:803'))?.awaiting === 'demand_location') await say('803', '跳过')
    const tickets = await assistant.desk!.service.ofResident('telegram:803')
    expect(tickets.length).toBeLessThanOrEqual(3)
    // Nothing the resident said is lost: every message is on one of the tickets (a message sent while the
    // assistant asked where is added to the summary of the demand before it).
    const kept = tickets.flatMap((t) => [t.summary, ...t.events.filter((e) => e.type === 'resident_message').map((e) => e.detail)]).join('\n')
    for (let n = 0; n < 20; n++) expect(kept).toContain(`第${n}次`)
  })

  it('an urgent report beyond the limit makes the newest ticket urgent and alerts its staff at once', async () => {
    const { say, assistant, telegram } = await (await deskFixture(ws.dir, ws.clock)).start({ TICKETS_OPEN_PER_RESIDENT: '1' })
    await say('804', '/settlement xingfu_jiayuan_sample')
    await demand(say, assistant.residents, '804', DEMANDS[0]!)
    const before = telegram.to('chat-wang_deming').length
    const reply = (await say('804', '救命 楼下着火了')).replies.map((r) => r.text).join('\n')
    const [ticket, ...others] = await assistant.desk!.service.ofResident('telegram:804')
    expect(others).toHaveLength(0)
    expect(ticket).toMatchObject({ priority: 'urgent' })
    expect(Date.parse(ticket!.dueAt) - ws.clock.now().getTime()).toBe(2 * 60 * MINUTE)
    expect(reply).toContain(ticket!.id)
    const alerts = telegram.to('chat-wang_deming').slice(before)
    expect(alerts.some((a) => a.text.includes('紧急') && a.text.includes('着火'))).toBe(true)
  })
})

describe('new tickets per network address (TICKETS_PER_ADDRESS_PER_HOUR)', () => {
  const chat = (app: import('fastify').FastifyInstance, userId: string, text: string, remoteAddress: string) =>
    app.inject({ method: 'POST', url: '/api/chat', payload: { userId, text }, remoteAddress }).then((r) => r.json().replies.map((x: { text: string }) => x.text).join('\n') as string)
  /** A new resident invented for each request, as a flood from one address does; each tells a settlement first. */
  const inventedResident = async (app: import('fastify').FastifyInstance, n: number, address: string) => {
    await chat(app, `anon-${n}`, '/settlement xingfu_jiayuan_sample', address)
    let reply = await chat(app, `anon-${n}`, DEMANDS[n % DEMANDS.length]!, address)
    if (reply.includes('哪栋') || reply.includes('几栋') || reply.includes('楼')) reply += '\n' + await chat(app, `anon-${n}`, '3栋2单元502', address)
    return reply
  }

  it('caps the tickets one address raises; the rest are kept on the unanswered list, others and urgent reports pass', async () => {
    const { assistant, app } = await (await deskFixture(ws.dir, ws.clock)).start({ TICKETS_PER_ADDRESS_PER_HOUR: '3', HTTP_RATE_LIMIT_MAX: '1000' })
    const replies: string[] = []
    for (let n = 0; n < 6; n += 1) replies.push(await inventedResident(app, n, '203.0.113.66'))
    const tickets = await assistant.desk!.tickets.list()
    expect(tickets).toHaveLength(3)
    const phone = assistant.knowledge.current().settlements.find((s) => s.id === 'xingfu_jiayuan_sample')!.serviceCentre.phone
    expect(replies.slice(3).every((r) => r.includes('暂时没能转成工单') && r.includes(phone))).toBe(true)
    // What the held-back residents said is not lost: staff find it on the unanswered list, quoted in the reply.
    const unanswered = (await assistant.conversations.listUnanswered()).map((t) => [t.text, ...t.replies].join('\n')).join('\n')
    for (let n = 3; n < 6; n += 1) expect(unanswered).toContain(DEMANDS[n % DEMANDS.length])

    // Another address is not held by this one's flood, and an urgent report always becomes a ticket.
    await inventedResident(app, 10, '198.51.100.7')
    expect(await chat(app, 'anon-11', '救命 楼下着火了', '203.0.113.66')).toContain('119')
    expect(await assistant.desk!.tickets.list()).toHaveLength(5)

    // The allowance refills over the hour.
    ws.clock.advance(25 * MINUTE)
    await inventedResident(app, 12, '203.0.113.66')
    expect(await assistant.desk!.tickets.list()).toHaveLength(6)
  })
})
