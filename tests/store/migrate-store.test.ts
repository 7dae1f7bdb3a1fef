import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Ticket } from '../../src/escalation/ticket'
import { openPostgresStores } from '../../src/store/postgres/index'
import { openLowdbStores } from '../../src/store/stores'
import { makeTempDir, removeDir, ROOT } from '../helpers'
import { TEST_DATABASE_URL, usePostgresSchema } from '../postgres'

const run = promisify(execFile)
const at = new Date('2026-11-23T08:00:00.000Z')
const ticket = (id: string, n: number): Ticket => ({
  id, residentKey: `web:w${n}`, channel: 'web', channelUserId: `w${n}`, settlementId: 'xingfu_jiayuan_sample', category: 'housing_services',
  summary: `问题 ${n}`, context: [], priority: 'normal', status: 'open', dueAt: at.toISOString(), createdAt: at.toISOString(), updatedAt: at.toISOString(), alerted: {}, events: [],
})

describe('npm run migrate-store -- --from lowdb --to postgres', () => {
  const schema = usePostgresSchema()
  let dir: string
  beforeAll(async () => { dir = await makeTempDir() })
  afterAll(async () => { await removeDir(dir) })

  const migrateStore = async () => (await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/tools/migrate-store.ts'), '--from', 'lowdb', '--to', 'postgres'], {
    cwd: ROOT, env: { ...process.env, DATA_DIR: dir, DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema.name },
  })).stdout

  it('moves every store of a data folder, says what it moved, and moves nothing twice', async () => {
    const lowdb = openLowdbStores(dir)
    for (let n = 0; n < 30; n += 1) {
      await lowdb.residents.save({ key: `web:w${n}`, channel: 'web', channelUserId: `w${n}`, notices: true, tags: n % 3 ? [] : ['parents'], blocked: false, settlementId: 'xingfu_jiayuan_sample', createdAt: at.toISOString(), updatedAt: at.toISOString() })
      await lowdb.conversations.record({ id: `t${n}`, at: new Date(at.getTime() + n * 1000).toISOString(), channel: 'web', channelUserId: `w${n}`, locale: 'zh-CN', text: `问 ${n}`, intent: null, confidence: 0, fallback: n % 2 === 0, replies: ['答'] })
    }
    for (let n = 0; n < 5; n += 1) await lowdb.tickets.create(at, (id) => ticket(id, n))
    await lowdb.outbox.add({ id: 'o1', channel: 'web', recipient: 'w1', text: '您好', audience: 'resident', status: 'held', attempts: 1, nextAttemptAt: at.toISOString(), createdAt: at.toISOString() })
    await lowdb.audit.record({ at: at.toISOString(), staffId: 'li_xiaofang', action: 'ticket.list' })
    await lowdb.audit.record({ at: at.toISOString(), staffId: 'li_xiaofang', action: 'ticket.list' })
    await lowdb.notices.add({ id: 'N000000000001', title: { 'zh-CN': '通知' }, body: { 'zh-CN': '正文' }, audience: { settlements: 'all', tags: [] }, sendAt: at.toISOString(), expiresAt: at.toISOString(), author: 'li_xiaofang', status: 'done', createdAt: at.toISOString(), updatedAt: at.toISOString() })
    await lowdb.webIdentities.add('f'.repeat(64), { residentId: 'w1', createdAt: at.toISOString() })
    await lowdb.webHistory.append('w1', [{ from: 'resident', kind: 'message', text: '你好' }, { from: 'assistant', kind: 'push', text: '通知' }], at)
    await lowdb.webHistory.markRead('w1', 1)

    const first = await migrateStore()
    expect(first).toMatch(/residents: 30 moved\n/)
    expect(first).toMatch(/conversation turns: 30 moved\n/)
    expect(first).toMatch(/tickets: 5 moved\n/)
    // Two identical audit lines (no key of their own) are both moved.
    expect(first).toMatch(/audit entries: 2 moved\n/)
    expect(first).toMatch(/web history entries: 2 moved\n/)

    const second = await migrateStore()
    expect(second).toMatch(/residents: 0 moved, 30 already there/)
    expect(second).toMatch(/conversation turns: 0 moved, 30 already there/)
    expect(second).toMatch(/audit entries: 0 moved, 2 already there/)
    expect(second).toMatch(/web history entries: 0 moved, 2 already there/)

    const postgres = await openPostgresStores({ url: TEST_DATABASE_URL, schema: schema.name, max: 2 })
    try {
      expect(await postgres.residents.list()).toEqual(await lowdb.residents.list().then((all) => all.sort((a, b) => (a.key < b.key ? -1 : 1))))
      expect(await postgres.conversations.listUnanswered()).toEqual(await lowdb.conversations.listUnanswered())
      expect(await postgres.tickets.list()).toEqual(await lowdb.tickets.list())
      expect(await postgres.outbox.held('web', 'w1')).toHaveLength(1)
      expect(await postgres.audit.list()).toEqual(await lowdb.audit.list())
      expect(await postgres.notices.list()).toEqual(await lowdb.notices.list())
      expect(await postgres.webIdentities.get('f'.repeat(64))).toEqual({ residentId: 'w1', createdAt: at.toISOString() })
      expect(await postgres.webHistory.read('w1')).toEqual(await lowdb.webHistory.read('w1'))
      // Numbering goes on after the tickets moved.
      expect((await postgres.tickets.create(at, (id) => ticket(id, 9))).id).toBe('T261123-0006')
    } finally {
      await postgres.close()
    }
  })
})
