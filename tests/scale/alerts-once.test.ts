import { describe, expect, it } from 'vitest'
import { deskFixture, TOKENS, useDeskWorkspace } from '../escalation/desk-fixture'
import { TEST_DATABASE_URL, usePostgresSchema } from '../postgres'

const HOUR = 3_600_000
const schema = usePostgresSchema()
// Monday 23 November 2026, 10:00 in China.
const ws = useDeskWorkspace('2026-11-23T02:00:00.000Z')

describe('time-limit alerts with two instances on one database', () => {
  it('sends each alert once when both pass at the same moment: first contact, then the return visit', async () => {
    const fixture = await deskFixture(ws.dir, ws.clock)
    const env = { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema.name }
    const a = await fixture.start(env)
    const b = await fixture.start(env)
    const received = (chat: string, words: string) =>
      [...a.telegram.to(chat), ...b.telegram.to(chat)].filter((reply) => reply.text.includes(words))
    const bothTick = () => Promise.all([a.assistant.desk!.scheduler.tick(), b.assistant.desk!.scheduler.tick()])
    try {
      await a.say('51', '/settlement xingfu_jiayuan_sample')
      await a.say('51', '我家厨房着火了')
      const [ticket] = await b.assistant.desk!.service.ofResident('telegram:51')
      expect(ticket).toMatchObject({ priority: 'urgent', assignee: 'li_xiaofang' })

      ws.clock.advance(3 * HOUR)
      for (let round = 0; round < 3; round++) await bothTick()
      for (const who of ['li_xiaofang', 'wang_deming']) expect(received(`chat-${who}`, '超时未联系居民')).toHaveLength(1)

      expect((await b.api(TOKENS.li, 'POST', `/api/tickets/${ticket!.id}/status`, { status: 'resolved', note: '已更换燃气阀门' })).statusCode).toBe(200)
      ws.clock.advance(30 * 24 * HOUR)
      for (let round = 0; round < 3; round++) await bothTick()
      expect(received('chat-li_xiaofang', '回访待完成')).toHaveLength(1)
      expect((await a.assistant.desk!.tickets.get(ticket!.id))!.events.filter((e) => e.type === 'overdue_alert').map((e) => e.detail))
        .toEqual(['firstContact', 'returnVisit'])
    } finally {
      for (const instance of [a, b]) {
        await instance.app.close()
        await instance.assistant.stores.close()
      }
    }
  })
})
