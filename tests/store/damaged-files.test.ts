import { execFile } from 'node:child_process'
import { cp, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Notice } from '../../src/broadcast/notice'
import { DeliveryLog } from '../../src/broadcast/delivery-log'
import { LowdbNoticeStore } from '../../src/broadcast/notice-store'
import type { Ticket } from '../../src/escalation/ticket'
import { LowdbAuditStore } from '../../src/store/lowdb/audit-store'
import { LowdbConversationStore } from '../../src/store/lowdb/conversation-store'
import { checkDataDir, quarantine } from '../../src/store/lowdb/data-check'
import { LowdbOutboxStore } from '../../src/store/lowdb/outbox-store'
import { LowdbResidentStore } from '../../src/store/lowdb/resident-store'
import { LowdbTicketStore } from '../../src/store/lowdb/ticket-store'
import { LowdbWebHistoryStore, LowdbWebIdentityStore } from '../../src/store/lowdb/web-stores'
import type { ResidentProfile } from '../../src/store/types'
import { createTestAssistant, makeTempDir, removeDir, ROOT } from '../helpers'

const run = promisify(execFile)
const at = '2026-11-23T08:00:00.000Z'
const resident = (n: number, settlementId?: string): ResidentProfile => ({
  key: `telegram:${n}`, channel: 'telegram', channelUserId: String(n), notices: true, tags: [], blocked: false, createdAt: at, updatedAt: at,
  ...(settlementId ? { settlementId } : {}),
})
const ticket = (id: string, n: number): Ticket => ({
  id, residentKey: `telegram:${n}`, channel: 'telegram', channelUserId: String(n), settlementId: 'xingfu_jiayuan_sample',
  category: 'housing_services', summary: `问题 ${n}`, context: [], priority: 'normal', status: 'assigned', assignee: 'li_xiaofang',
  dueAt: at, createdAt: at, updatedAt: at, alerted: {}, events: [],
})

/** A data folder with every kind of store file, written through the stores themselves. */
async function writeEveryKindOfFile(dir: string): Promise<void> {
  const residents = new LowdbResidentStore(dir)
  await Promise.all(Array.from({ length: 40 }, (_, n) => residents.save(resident(n, 'xingfu_jiayuan_sample'))))
  const conversations = new LowdbConversationStore(dir)
  for (let n = 0; n < 6; n += 1) {
    await conversations.record({ id: `t${n}`, at, channel: 'telegram', channelUserId: String(n), locale: 'zh-CN', text: `问 ${n}`, intent: null, confidence: 0, fallback: true, replies: ['?'] })
  }
  const tickets = new LowdbTicketStore(dir)
  for (let n = 0; n < 3; n += 1) await tickets.create(new Date(at), (id) => ticket(id, n))
  await new LowdbOutboxStore(dir).add({ id: 'o1', channel: 'telegram', recipient: '1', text: '您好', audience: 'staff', status: 'pending', attempts: 0, nextAttemptAt: at, createdAt: at })
  await new LowdbAuditStore(dir).record({ at, staffId: 'li_xiaofang', action: 'ticket.get', target: 'T261123-0001' })
  await new LowdbNoticeStore(dir).add({ id: 'N1', title: { 'zh-CN': '通知' }, body: { 'zh-CN': '内容' }, audience: { settlements: 'all', tags: [] },
    sendAt: at, expiresAt: '2026-12-23T08:00:00.000Z', author: 'admin', status: 'scheduled', createdAt: at, updatedAt: at } as Notice)
  await new DeliveryLog(path.join(dir, 'broadcasts'), 'N1').writePlan([{ i: 0, key: 'telegram:1', channel: 'telegram', to: '1', locale: 'zh-CN' }])
  await new LowdbWebIdentityStore(dir).add('a'.repeat(64), { residentId: 'webresident1', createdAt: at })
  await new LowdbWebHistoryStore(dir).append('webresident1', [{ from: 'resident', kind: 'message', text: '你好' }], new Date(at))
}

const findFile = async (dir: string, folder: string, pattern: RegExp) => {
  const names = (await readdir(path.join(dir, folder), { recursive: true })).filter((name) => pattern.test(name)).sort()
  if (!names[0]) throw new Error(`no file like ${pattern} in ${folder}`)
  return path.join(folder, names[0])
}

/** Each kind of file, how to find one, and something unrelated that must still be served once it is quarantined. */
const CASES: { kind: string; find: (dir: string) => Promise<string> }[] = [
  { kind: 'a ticket', find: () => Promise.resolve('tickets/2026-11-23/T261123-0002.json') },
  { kind: 'a residents shard', find: (dir) => findFile(dir, 'residents', /shard-\d+\.jsonl$/) },
  { kind: 'the newest conversation part', find: (dir) => findFile(dir, 'conversations', /server\.part-\d+\.jsonl$/) },
  { kind: 'the outbox', find: () => Promise.resolve('outbox/pending.json') },
  { kind: 'an audit part', find: (dir) => findFile(dir, 'audit', /\.jsonl$/) },
  { kind: 'notices.json', find: () => Promise.resolve('notices/notices.json') },
  { kind: 'a broadcast delivery part', find: (dir) => findFile(dir, 'broadcasts', /recipients\/.*\.jsonl$/) },
  { kind: 'a web identities shard', find: (dir) => findFile(dir, 'web/identities', /shard-\d+\.jsonl$/) },
  { kind: 'a web chat history', find: (dir) => findFile(dir, 'web/history', /webresident1\.json$/) },
]

describe('damaged store files: start-up stops naming the file; data:check --quarantine moves it aside', () => {
  let fixture: string
  beforeAll(async () => {
    fixture = await makeTempDir()
    await writeEveryKindOfFile(fixture)
  })
  afterAll(async () => { await removeDir(fixture) })

  it('finds nothing wrong in a healthy data folder, whose every kind of file it knows', async () => {
    const report = await checkDataDir(fixture)
    expect(report.damaged).toEqual([])
    expect(report.files).toBeGreaterThanOrEqual(CASES.length)
    await expect(createTestAssistant(fixture)).resolves.toBeDefined()
  })

  for (const { kind, find } of CASES) {
    it(`${kind} cut short`, async () => {
      const dir = await makeTempDir()
      try {
        await cp(fixture, dir, { recursive: true })
        const relative = await find(dir)
        const file = path.join(dir, relative)
        const whole = await readFile(file, 'utf8')
        // Cut in the middle of a line (a cut at a line's end would leave a shorter, whole log).
        const cut = whole.slice(0, Math.floor(whole.length / 2)).replace(/\n$/, '')
        await writeFile(file, cut)

        const failure = await createTestAssistant(dir).then(() => undefined, (error: unknown) => error as Error & { code: string })
        expect(failure?.code).toBe('ANJU_ERR_DATA_CHECK_FAILED')
        expect(failure?.message).toContain(file)
        expect(failure?.message).toContain('data:check -- --quarantine')
        expect(await readFile(file, 'utf8')).toBe(cut)

        const [moved, ...others] = await quarantine(dir, (await checkDataDir(dir)).damaged)
        expect(others).toEqual([])
        expect(moved!.file).toBe(relative)
        expect(moved!.lost).not.toBe('')
        expect(await readFile(path.join(dir, moved!.movedTo), 'utf8')).toBe(cut)

        // Everything unrelated is served again.
        const assistant = await createTestAssistant(dir)
        expect((await assistant.desk!.tickets.get('T261123-0001'))?.summary).toBe('问题 0')
        const residentsLeft = await assistant.residents.list()
        expect(residentsLeft.length).toBeGreaterThan(30)
        expect(await assistant.web.history.read('webresident2')).toEqual({ entries: [], readUpTo: 0 })
        if (kind !== 'the newest conversation part') expect((await assistant.conversations.listTurns()).length).toBe(6)
        if (kind !== 'an audit part') expect(await assistant.desk!.audit.list()).toHaveLength(1)
        if (kind !== 'notices.json') expect((await assistant.broadcast!.list({ id: 'admin', role: 'admin', settlements: [], contacts: [], name: 'a' } as never)).length).toBe(1)
      } finally {
        await removeDir(dir)
      }
    })
  }

  it('npm run data:check names the damage, changes nothing without --quarantine, and keeps the good lines of a log with it', async () => {
    const dir = await makeTempDir()
    try {
      await cp(fixture, dir, { recursive: true })
      const relative = await findFile(dir, 'residents', /shard-\d+\.jsonl$/)
      const file = path.join(dir, relative)
      const lines = (await readFile(file, 'utf8')).split('\n')
      const damaged = [lines[0], '{"k":"telegram:broken","v":{', ...lines.slice(1)].join('\n')
      await writeFile(file, damaged)
      const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/tools/data-check.ts'), dir, ...args], { cwd: ROOT })
        .then(({ stdout }) => ({ code: 0, stdout }), (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }))

      const check = await cli()
      expect(check.code).toBe(1)
      expect(check.stdout).toContain(`DAMAGED ${file}: line 2 not valid JSON`)
      expect(await readFile(file, 'utf8')).toBe(damaged)

      const fixed = await cli('--quarantine')
      expect(fixed.code).toBe(0)
      expect(fixed.stdout).toMatch(/lost: 1 of \d+ lines/)
      expect((await checkDataDir(dir)).damaged).toEqual([])
      const residents = await new LowdbResidentStore(dir).list()
      expect(residents).toHaveLength(40)
    } finally {
      await removeDir(dir)
    }
  })
})

describe('a file damaged while running affects only its own records', () => {
  let dir: string
  beforeAll(async () => { dir = await makeTempDir() })
  afterAll(async () => { await removeDir(dir) })

  it('a ticket: that ticket answers with an error naming its file; the others are served and listed', async () => {
    const writer = new LowdbTicketStore(dir)
    for (let n = 0; n < 3; n += 1) await writer.create(new Date(at), (id) => ticket(id, n))
    const file = path.join(dir, 'tickets', '2026-11-23', 'T261123-0002.json')
    await writeFile(file, '{"id":"T2611')
    const store = new LowdbTicketStore(dir)
    await expect(store.get('T261123-0002')).rejects.toMatchObject({ code: 'ANJU_ERR_DATA_DAMAGED', message: expect.stringContaining(file) })
    expect((await store.get('T261123-0003'))?.summary).toBe('问题 2')
    expect((await store.list({ openOnly: true })).map((t) => t.id)).toEqual(['T261123-0001', 'T261123-0003'])
    expect((await store.create(new Date(at), (id) => ticket(id, 9))).id).toBe('T261123-0004')
  })

  it('the newest conversation part: new turns go to the next part, and the damaged one is left as it was', async () => {
    const writer = new LowdbConversationStore(dir)
    const turn = (id: string) => ({ id, at, channel: 'http', channelUserId: 'u', locale: 'zh-CN' as const, text: '问', intent: null, confidence: 0, fallback: false, replies: [] })
    await writer.record(turn('a'))
    const file = path.join(dir, 'conversations', '2026-11-23', 'server.part-0001.jsonl')
    await writeFile(file, '{"id":"a","at')
    const store = new LowdbConversationStore(dir)
    await store.record(turn('b'))
    expect(await readFile(file, 'utf8')).toBe('{"id":"a","at')
    expect(await readdir(path.join(dir, 'conversations', '2026-11-23'))).toContain('server.part-0002.jsonl')
  })
})
