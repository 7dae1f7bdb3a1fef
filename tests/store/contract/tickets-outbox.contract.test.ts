import { describe, expect, it } from 'vitest'
import type { Ticket } from '../../../src/escalation/ticket'
import type { OutboxItem } from '../../../src/store/types'
import { having, secondInstance, useBackends } from './backends'

const backends = useBackends()

const day1 = new Date('2026-11-23T08:00:00.000Z')
const ticket = (id: string, n: number, at = day1, overrides: Partial<Ticket> = {}): Ticket => ({
  id, residentKey: `telegram:${n % 5}`, channel: 'telegram', channelUserId: String(n % 5), settlementId: 'xingfu_jiayuan_sample',
  category: 'housing_services', summary: `问题 ${n}`, context: [], priority: 'normal', status: 'assigned', assignee: 'li_xiaofang',
  dueAt: at.toISOString(), createdAt: new Date(at.getTime() + n).toISOString(), updatedAt: at.toISOString(), alerted: {}, events: [],
  ...overrides,
})

const item = (n: number, overrides: Partial<OutboxItem> = {}): OutboxItem => ({
  id: `o${n}`, channel: n % 2 ? 'telegram' : 'web', recipient: `r${n % 3}`, text: `消息 ${n}`, audience: 'resident',
  status: 'pending', attempts: 0, nextAttemptAt: '2026-11-23T08:00:00.000Z', createdAt: `2026-11-23T07:00:${String(n).padStart(2, '0')}.000Z`,
  ...overrides,
})

describe.each(having(backends, 'tickets'))('tickets on $name', (backend) => {
  it('numbers concurrent creations per day without a gap, and goes on after a restart', async () => {
    const { tickets } = await backend.open()
    const created = await Promise.all(Array.from({ length: 20 }, (_, n) => tickets!.create(day1, (id) => ticket(id, n))))
    expect(created.map((t) => t.id).sort()).toEqual(Array.from({ length: 20 }, (_, n) => `T261123-${String(n + 1).padStart(4, '0')}`))
    const nextDay = await tickets!.create(new Date('2026-11-24T01:00:00.000Z'), (id) => ticket(id, 3, new Date('2026-11-24T01:00:00.000Z')))
    expect(nextDay.id).toBe('T261124-0001')

    const restarted = (await backend.open()).tickets!
    expect((await restarted.create(day1, (id) => ticket(id, 40))).id).toBe('T261123-0021')
    expect(await restarted.get(created[4]!.id)).toEqual(created[4])
  })

  it('filters by time, resident and open status, oldest first', async () => {
    const { tickets } = await backend.open()
    for (let n = 0; n < 10; n += 1) await tickets!.create(day1, (id) => ticket(id, n))
    await tickets!.update('T261123-0006', (t) => { t.status = 'resolved' })
    const later = await tickets!.create(new Date('2026-11-25T01:00:00.000Z'), (id) => ticket(id, 1, new Date('2026-11-25T01:00:00.000Z')))

    expect((await tickets!.list()).map((t) => t.summary)).toEqual([...Array.from({ length: 10 }, (_, n) => `问题 ${n}`), '问题 1'])
    expect((await tickets!.list({ residentKey: 'telegram:1' })).map((t) => t.id)).toEqual(['T261123-0002', 'T261123-0007', later.id])
    expect((await tickets!.list({ residentKey: 'telegram:0', openOnly: true })).map((t) => t.id)).toEqual(['T261123-0001'])
    expect((await tickets!.list({ from: new Date('2026-11-24T00:00:00.000Z') })).map((t) => t.id)).toEqual([later.id])
    expect(await tickets!.list({ to: new Date('2026-11-23T08:00:00.003Z') })).toHaveLength(3)
  })

  it('applies concurrent updates one after another; a change that throws changes nothing; an unknown id is not found', async () => {
    const { tickets } = await backend.open()
    const { id } = await tickets!.create(day1, (newId) => ticket(newId, 1))
    const other = (await secondInstance(backend, { tickets })).tickets!
    await Promise.all(Array.from({ length: 10 }, (_, n) => (n % 2 ? tickets! : other).update(id, (t) => { t.events.push({ at: day1.toISOString(), actor: 'system', type: 'note', detail: String(n) }) })))
    expect((await tickets!.get(id))!.events.map((e) => e.detail).sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])

    await expect(tickets!.update(id, (t) => { t.status = 'closed'; throw new Error('refused') })).rejects.toThrow('refused')
    expect((await tickets!.get(id))!.status).toBe('assigned')
    await expect(tickets!.update('T261123-9999', () => undefined)).rejects.toMatchObject({ code: 'ANJU_ERR_NOT_FOUND' })
    expect(await tickets!.get('T261199-0001')).toBeUndefined()
  })

  it('gives the time check the open tickets past due and the resolved ones whose return visit is due, oldest first', async () => {
    const { tickets } = await backend.open()
    const at = (hours: number) => new Date(day1.getTime() + hours * 3_600_000).toISOString()
    const make = (n: number, overrides: Partial<Ticket>) => tickets!.create(day1, (id) => ticket(id, n, day1, overrides))
    const overdue = await make(0, { dueAt: at(1) })
    await make(1, { dueAt: at(5) })
    const alertedOverdue = await make(2, { dueAt: at(1), alerted: { assignee: at(1) } })
    const visitDue = await make(3, { status: 'resolved', dueAt: at(1), returnVisitDueAt: at(2) })
    await make(4, { status: 'resolved', dueAt: at(1), returnVisitDueAt: at(6) })
    await make(5, { status: 'resolved', dueAt: at(1), returnVisitDueAt: at(2), satisfaction: { solved: true, at: at(2) } })
    await make(6, { status: 'resolved', dueAt: at(1), returnVisitDueAt: at(2), alerted: { returnVisit: at(2) } })
    await make(7, { status: 'closed', dueAt: at(1), returnVisitDueAt: at(2) })
    await make(8, { status: 'resolved', dueAt: at(1) })

    const restarted = (await backend.open()).tickets!
    expect((await restarted.dueForCheck(new Date(at(3)))).map((t) => t.id)).toEqual([overdue.id, alertedOverdue.id, visitDue.id])
    expect(await restarted.dueForCheck(new Date(at(0)))).toEqual([])
    // Answered: its return visit is no longer waiting.
    await tickets!.update(visitDue.id, (t) => { t.satisfaction = { solved: false, at: at(3) } })
    expect((await tickets!.dueForCheck(new Date(at(3)))).map((t) => t.id)).toEqual([overdue.id, alertedOverdue.id])
  })

  it('counts the open tickets of each assignee, following reassignments and resolutions', async () => {
    const { tickets } = await backend.open()
    for (let n = 0; n < 6; n += 1) await tickets!.create(day1, (id) => ticket(id, n, day1, n < 2 ? { assignee: 'wang_jianguo' } : n === 5 ? { assignee: undefined, status: 'open' } : {}))
    await tickets!.update('T261123-0003', (t) => { t.status = 'resolved' })
    await tickets!.update('T261123-0004', (t) => { t.assignee = 'wang_jianguo' })

    const restarted = (await backend.open()).tickets!
    expect(Object.fromEntries(await restarted.openCountByAssignee())).toEqual({ wang_jianguo: 3, li_xiaofang: 1 })
  })

  it('pages staff lists: scope by settlement, filters, most pressing first, the total, and the inbox counts', async () => {
    const { tickets } = await backend.open()
    const now = '2026-11-23T12:00:00.000Z'
    const make = (n: number, overrides: Partial<Ticket>) => tickets!.create(day1, (id) => ticket(id, n, day1, overrides))
    // Due times: before `now` is overdue (if open). Two settlements; assignees li and chen; one unassigned.
    await make(0, { dueAt: '2026-11-24T00:00:00.000Z' })
    await make(1, { dueAt: '2026-11-23T10:00:00.000Z' })
    await make(2, { priority: 'urgent', dueAt: '2026-11-23T13:00:00.000Z', assignee: undefined, status: 'open' })
    await make(3, { status: 'resolved', dueAt: '2026-11-20T00:00:00.000Z' })
    await make(4, { settlementId: 'anle_xinju_sample', assignee: 'chen_jianguo', dueAt: '2026-11-22T00:00:00.000Z' })
    await make(5, { category: 'employment_support', dueAt: '2026-11-25T00:00:00.000Z', status: 'in_progress' })
    await make(6, { settlementId: undefined, assignee: undefined, status: 'open', dueAt: '2026-11-26T00:00:00.000Z' })
    const li = { settlements: ['xingfu_jiayuan_sample'], staffId: 'li_xiaofang', now }
    const ids = (page: { tickets: Ticket[] }) => page.tickets.map((t) => Number(t.id.slice(-4)) - 1)

    // Urgent open first, then open by due time, finished last; another settlement and no settlement not in scope.
    expect(ids(await tickets!.query({ ...li, limit: 10 }))).toEqual([2, 1, 0, 5, 3])
    expect(await tickets!.query({ ...li, limit: 2, offset: 1 })).toMatchObject({ total: 5 })
    expect(ids(await tickets!.query({ ...li, limit: 2, offset: 1 }))).toEqual([1, 0])
    expect(ids(await tickets!.query({ ...li, limit: 10, status: 'unresolved' }))).toEqual([2, 1, 0, 5])
    expect(ids(await tickets!.query({ ...li, limit: 10, status: 'resolved' }))).toEqual([3])
    expect(ids(await tickets!.query({ ...li, limit: 10, overdue: true }))).toEqual([1])
    expect(ids(await tickets!.query({ ...li, limit: 10, overdue: false }))).toEqual([2, 0, 5, 3])
    expect(ids(await tickets!.query({ ...li, limit: 10, assignee: 'me' }))).toEqual([1, 0, 5, 3])
    expect(ids(await tickets!.query({ ...li, limit: 10, assignee: 'unassigned' }))).toEqual([2])
    expect(ids(await tickets!.query({ ...li, limit: 10, topic: 'employment_support' }))).toEqual([5])
    expect(ids(await tickets!.query({ ...li, limit: 10, priority: 'urgent' }))).toEqual([2])
    // An admin's scope is every ticket; a filter by settlement narrows it.
    const admin = { staffId: 'chief', now }
    expect((await tickets!.query({ ...admin, limit: 10 })).total).toBe(7)
    expect(ids(await tickets!.query({ ...admin, limit: 10, settlement: 'anle_xinju_sample' }))).toEqual([4])

    // A plain list narrowed to settlements (reports, duplicates): in the store, not after it.
    expect((await tickets!.list({ settlements: ['anle_xinju_sample'] })).map((t) => t.summary)).toEqual(['问题 4'])
    expect((await tickets!.list({ settlements: ['xingfu_jiayuan_sample'], openOnly: true })).map((t) => t.summary)).toEqual(['问题 0', '问题 1', '问题 2', '问题 5'])
    expect(await tickets!.list({ settlements: [] })).toEqual([])
    expect(await tickets!.counts(li)).toEqual({
      unresolved: 4, overdue: 1, urgent: 1, mine: 3, unassigned: 1,
      byStatus: { open: 1, assigned: 2, in_progress: 1, resolved: 1, closed: 0, reopened: 0 },
    })
    expect(await tickets!.counts(admin)).toMatchObject({ unresolved: 6, overdue: 2, unassigned: 2, mine: 0 })
  })

  it('keeps the desk\'s fields as saved: kind, first contact, return visit, unseen words, alerts, reply outbox ids', async () => {
    const { tickets } = await backend.open()
    const at = day1.toISOString()
    const { id } = await tickets!.create(day1, (newId) => ticket(newId, 1, day1, {
      kind: 'repair', priority: 'urgent', firstContactDueAt: at, location: { building: '3', room: '502' },
    }))
    const updated = await tickets!.update(id, (t) => {
      t.firstContactAt = at
      t.returnVisitDueAt = at
      t.unseenResidentMessages = 2
      t.alerted = { firstContact: at, returnVisit: at }
      t.events.push({ at, actor: 'staff:li_xiaofang', type: 'reply', detail: '明天上门', outboxId: `${t.id}:reply:1` }, { at, actor: 'system', type: 'relay_queued', detail: `${t.id}:reply:1` })
    })
    expect(await (await backend.open()).tickets!.get(id)).toEqual(updated)
    expect(updated).toMatchObject({ kind: 'repair', firstContactAt: at, unseenResidentMessages: 2, alerted: { firstContact: at, returnVisit: at } })
  })
})

describe.each(having(backends, 'outbox'))('outbox on $name', (backend) => {
  it('gives due pending items oldest first; held ones by recipient; keeps what was sent', async () => {
    const { outbox } = await backend.open()
    for (const n of [3, 1, 2]) await outbox!.add(item(n))
    await outbox!.add(item(4, { nextAttemptAt: '2026-11-23T09:00:00.000Z' }))
    await outbox!.add(item(5, { status: 'held' }))
    await outbox!.update('o2', { status: 'sent', attempts: 1, sentAt: '2026-11-23T08:00:01.000Z' })

    const restarted = (await backend.open()).outbox!
    expect((await restarted.due(new Date('2026-11-23T08:30:00.000Z'))).map((i) => i.id)).toEqual(['o1', 'o3'])
    expect((await restarted.due(new Date('2026-11-23T09:00:00.000Z'))).map((i) => i.id)).toEqual(['o1', 'o3', 'o4'])
    expect((await restarted.held('telegram', 'r2')).map((i) => i.id)).toEqual(['o5'])
    expect(await restarted.held('web', 'r2')).toEqual([])
    expect((await restarted.list()).find((i) => i.id === 'o2')).toEqual(item(2, { status: 'sent', attempts: 1, sentAt: '2026-11-23T08:00:01.000Z' }))
    expect(await restarted.list()).toHaveLength(5)
  })

  it('hands out the due items of the channels asked for', async () => {
    const { outbox } = await backend.open()
    for (let n = 1; n <= 6; n += 1) await outbox!.add(item(n))
    const claimed = await outbox!.claimDue(new Date('2026-11-23T08:00:00.000Z'), ['telegram'], 60_000)
    expect(claimed.map((i) => i.id)).toEqual(['o1', 'o3', 'o5'])
  })

  it('keeps ids chosen by the caller, an item added twice once as first stored, and lists given-up items too', async () => {
    const { outbox } = await backend.open()
    const id = 'T261123-0001:new:telegram:4455'
    await outbox!.add(item(1, { id }))
    await outbox!.add(item(1, { id, text: '又一次' }))
    await outbox!.add(item(2))
    await outbox!.update('o2', { status: 'failed', attempts: 8, lastError: 'chat not found' })

    const listed = await (await backend.open()).outbox!.list()
    expect(listed.filter((i) => i.id === id)).toEqual([item(1, { id })])
    expect(listed.find((i) => i.id === 'o2')).toMatchObject({ status: 'failed', lastError: 'chat not found' })
    expect(listed).toHaveLength(2)
  })
})

describe.each(having(backends, 'outbox').filter((backend) => backend.shared))('outbox shared by instances on $name', (backend) => {
  it('gives a due item to one instance only, until its lease ends', async () => {
    const { outbox } = await backend.open()
    for (let n = 1; n <= 12; n += 1) await outbox!.add(item(n))
    const now = new Date('2026-11-23T08:00:00.000Z')
    const other = (await backend.open()).outbox!
    const claims = await Promise.all([outbox!.claimDue(now, ['telegram', 'web'], 60_000), other.claimDue(now, ['telegram', 'web'], 60_000)])
    expect(claims.flat().map((i) => i.id).sort()).toEqual(Array.from({ length: 12 }, (_, n) => `o${n + 1}`).sort())
    expect(await outbox!.claimDue(new Date(now.getTime() + 59_000), ['telegram', 'web'], 60_000)).toEqual([])
    expect((await other.claimDue(new Date(now.getTime() + 60_000), ['telegram'], 60_000)).map((i) => i.id)).toEqual(['o1', 'o3', 'o5', 'o7', 'o9', 'o11'])
  })
})
