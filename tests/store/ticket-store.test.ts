import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Ticket } from '../../src/escalation/ticket'
import { LowdbTicketStore } from '../../src/store/lowdb/ticket-store'
import { makeTempDir, removeDir } from '../helpers'

const at = new Date('2026-11-23T08:00:00.000Z')
const ticket = (id: string, n: number): Ticket => ({
  id, residentKey: `telegram:${n}`, channel: 'telegram', channelUserId: String(n), settlementId: 'xingfu_jiayuan_sample',
  category: 'housing_services', summary: `问题 ${n}`, context: [], priority: 'normal', status: 'assigned', assignee: 'li_xiaofang',
  dueAt: at.toISOString(), createdAt: at.toISOString(), updatedAt: at.toISOString(), alerted: {}, events: [],
})

describe('LowdbTicketStore (real files)', () => {
  let dir: string
  beforeEach(async () => { dir = await makeTempDir() })
  afterEach(async () => { await removeDir(dir) })

  it('gives concurrent creations distinct ids, one small file each, and continues the sequence after a restart', async () => {
    const store = new LowdbTicketStore(dir)
    const created = await Promise.all(Array.from({ length: 30 }, (_, n) => store.create(at, (id) => ticket(id, n))))
    expect(new Set(created.map((t) => t.id)).size).toBe(30)
    expect((await readdir(path.join(dir, 'tickets', '2026-11-23'))).filter((f) => f.endsWith('.json'))).toHaveLength(30)

    const reopened = new LowdbTicketStore(dir)
    const next = await reopened.create(at, (id) => ticket(id, 99))
    expect(next.id).toBe('T261123-0031')
    expect((await reopened.list({ residentKey: 'telegram:7' })).map((t) => t.summary)).toEqual(['问题 7'])
    expect(await reopened.list({ openOnly: true })).toHaveLength(31)
  })

  it('updates atomically: a change that throws leaves the ticket as it was', async () => {
    const store = new LowdbTicketStore(dir)
    const { id } = await store.create(at, (newId) => ticket(newId, 1))
    await expect(store.update(id, (t) => { t.status = 'closed'; throw new Error('refused') })).rejects.toThrow('refused')
    expect((await new LowdbTicketStore(dir).get(id))!.status).toBe('assigned')
  })

  it('answers an unknown id with nothing, without creating folders', async () => {
    const store = new LowdbTicketStore(dir)
    expect(await store.get('T991231-0001')).toBeUndefined()
    await expect(store.update('T991231-0001', () => {})).rejects.toMatchObject({ code: 'ANJU_ERR_NOT_FOUND' })
    await expect(readdir(path.join(dir, 'tickets', '2099-12-31'))).rejects.toThrow()
  })
})
