import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { deskFixture, useDeskWorkspace } from './desk-fixture'

const HOUR = 3_600_000
const DAY = 24 * HOUR
// Wednesday 30 September 2026, 10:00 in China: the eve of the National Day week (1–7 October off, Saturday 10th worked).
const ws = useDeskWorkspace('2026-09-30T02:00:00.000Z')

const text = (ctx: { replies: { text: string }[] }) => ctx.replies.map((r) => r.text).join('\n')

describe('the desk on China’s working calendar, across the National Day week', () => {
  it('tells the resident the limit of each kind in plain words, and due times skip the holiday but count the Saturday worked', async () => {
    const { say, assistant } = await (await deskFixture(ws.dir, ws.clock)).start()
    await say('11', '/settlement xingfu_jiayuan_sample')
    const consultation = text(await say('11', '我要反映一下孩子转学要准备哪些材料'))
    expect(consultation).toContain('3 个工作日')
    expect(consultation).toContain('2026年10月10日')
    ws.clock.advance(11 * 60_000)
    const complaint = text(await say('11', '我要投诉社区干部办事态度差，推诿了好几次'))
    expect(complaint).toContain('10 个工作日')
    const [first, second] = await assistant.desk!.service.ofResident('telegram:11')
    expect(first).toMatchObject({ kind: 'consultation', dueAt: '2026-10-10T02:00:00.000Z' })
    // 8, 9, 10 (Sat), 12–16, 19, 20 October.
    expect(second).toMatchObject({ kind: 'complaint', dueAt: '2026-10-20T02:11:00.000Z' })

    await say('12', '/settlement xingfu_jiayuan_sample')
    const repair = text(await say('12', '报修：我家卫生间漏水，住3栋2单元502'))
    expect(repair).toContain('5 个工作日')
    expect((await assistant.desk!.service.ofResident('telegram:12'))[0]).toMatchObject({ kind: 'repair', dueAt: '2026-10-13T02:11:00.000Z' })
  })

  it('alerts once each: nothing during the holiday, the caseworker when due on the Saturday worked, then the supervisor', async () => {
    const { say, telegram, assistant } = await (await deskFixture(ws.dir, ws.clock)).start()
    await say('21', '/settlement xingfu_jiayuan_sample')
    await say('21', '我要反映一下孩子转学要准备哪些材料')
    const overdue = (who: string) => telegram.to(`chat-${who}`).filter((r) => r.text.includes('超时'))
    for (let day = 0; day < 10; day++) {
      await assistant.desk!.scheduler.tick()
      ws.clock.advance(DAY)
    }
    // Now 10 October, 10:00: exactly due.
    await assistant.desk!.scheduler.tick()
    expect(overdue('li_xiaofang')).toHaveLength(1)
    expect(overdue('wang_deming')).toHaveLength(0)
    ws.clock.advance(2 * HOUR)
    for (let round = 0; round < 3; round++) await assistant.desk!.scheduler.tick()
    expect(overdue('li_xiaofang')).toHaveLength(1)
    expect(overdue('wang_deming')).toHaveLength(1)
  })

  it('urgent help from a resident who never said their settlement: emergency and duty phones at once, every duty contact alerted, then routed in one tap', async () => {
    const { say, telegram, assistant } = await (await deskFixture(ws.dir, ws.clock)).start()
    const ctx = await say('31', '我家厨房着火了')
    const reply = text(ctx)
    expect(reply).toContain('119')
    expect(reply).toContain('2 小时内')
    for (const phone of ['0000-0000001', '0000-0000003', '0000-0000005']) expect(reply).toContain(phone)
    expect(ctx.replies.at(-1)!.choices!.length).toBe(3)
    const [ticket] = await assistant.desk!.service.ofResident('telegram:31')
    expect(ticket).toMatchObject({ priority: 'urgent', settlementId: undefined })
    // The supervisors of every settlement (their duty contacts: none is marked) hear of it before anyone asks where.
    for (const supervisor of ['wang_deming', 'zhou_wenhua']) {
      expect(telegram.to(`chat-${supervisor}`).map((r) => r.text)).toEqual([expect.stringContaining('紧急工单')])
    }
    await say('31', '/settlement xingfu_jiayuan_sample')
    const routed = (await assistant.desk!.tickets.get(ticket!.id))!
    expect(routed).toMatchObject({ settlementId: 'xingfu_jiayuan_sample', assignee: 'li_xiaofang' })
    expect(telegram.to('chat-li_xiaofang').map((r) => r.text)).toEqual([expect.stringContaining('紧急工单')])
    // Its supervisor as well as its caseworker.
    expect(telegram.to('chat-wang_deming')).toHaveLength(2)
  })

  it('with a county duty desk configured, urgent help before the settlement is known goes to it, and its phone is given', async () => {
    const fixture = await deskFixture(ws.dir, ws.clock)
    await writeFile(path.join(ws.dir, 'knowledge', 'duty-desk.yaml'),
      'county:\n  name: { zh-CN: 示例县值班室, en: Sample County duty desk }\n  phone: 0000-1234567\n  telegramChatId: chat-county-duty\n')
    const { say, telegram } = await fixture.start()
    const reply = text(await say('32', '有人晕倒了叫不醒'))
    expect(reply).toContain('示例县值班室值班电话：0000-1234567')
    expect(reply).not.toContain('0000-0000001')
    expect(telegram.to('chat-county-duty').map((r) => r.text)).toEqual([expect.stringContaining('紧急工单')])
    expect(telegram.to('chat-wang_deming')).toHaveLength(0)
  })

  it('routes tickets raised before staff were configured at start, and again when the staff file changes', async () => {
    const fixture = await deskFixture(ws.dir, ws.clock)
    const staffFile = path.join(ws.dir, 'staff.yaml')
    const staff = await readFile(staffFile, 'utf8')
    await writeFile(staffFile, 'staff: []\n')
    const before = await fixture.start()
    await before.say('41', '/settlement xingfu_jiayuan_sample')
    await before.say('41', '我要反映一下孩子转学要准备哪些材料')
    const [orphan] = await before.assistant.desk!.service.ofResident('telegram:41')
    expect(orphan).toMatchObject({ status: 'open', assignee: undefined })

    // A restart once the staff file lists the caseworkers.
    await writeFile(staffFile, staff)
    const after = await fixture.start()
    await after.assistant.desk!.scheduler.start()
    expect(await after.assistant.desk!.tickets.get(orphan!.id)).toMatchObject({ status: 'assigned', assignee: 'li_xiaofang' })
    expect(after.telegram.to('chat-li_xiaofang').map((r) => r.text)).toEqual([expect.stringContaining(orphan!.id)])

    // While running: the caseworker leaves the staff file, and their open ticket goes to a colleague.
    await writeFile(staffFile, staff.replace(/  - id: li_xiaofang\n(    .*\n){3}/, ''))
    await vi.waitFor(async () => {
      expect((await after.assistant.desk!.tickets.get(orphan!.id))!.assignee).toBe('chen_jianguo')
    }, { timeout: 20_000, interval: 100 })
    // Nothing is still being written when the folder goes: the reload's routing and the deliveries it queued.
    await after.assistant.desk!.scheduler.staffReloaded
    after.assistant.desk!.scheduler.stop()
    await after.assistant.desk!.outbox.drain()
  })
})
