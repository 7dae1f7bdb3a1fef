import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cp, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { Writable } from 'node:stream'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Notice } from '../../src/broadcast/notice'
import type { DeliveryEvent, PlannedDelivery } from '../../src/broadcast/delivery-log'
import { createLogger } from '../../src/core/logger'
import type { Ticket } from '../../src/escalation/ticket'
import type { StaffMember } from '../../src/escalation/staff'
import { checkDataDir, quarantine } from '../../src/store/lowdb/data-check'
import { openPostgresStores } from '../../src/store/postgres/index'
import type { AuditEntry, ConversationTurn, OutboxItem, ResidentProfile, WebHistory } from '../../src/store/types'
import { createTestAssistant, makeTempDir, removeDir, ROOT } from '../helpers'
import { TEST_DATABASE_URL, usePostgresSchema } from '../postgres'

// The data folder as the code of commit e56a243 wrote it: lowdb files holding whole JSON documents.
// Residents and web identities: `shard-NN.json` = { residents | identities: { key: record } }, the shard a SHA-1 of the key.
// Logs (conversations, unanswered, audit, finished outbox items, broadcast recipients and deliveries):
// `<partition>/<writer>.part-NNNN.json` = { items: [...] }. Tickets, outbox/pending.json, notices and web histories
// had the format they still have.

const run = promisify(execFile)
const SETTLEMENT = 'xingfu_jiayuan_sample'
const DAY = '2026-11-23'
const at = (minute: number, day = DAY) => `${day}T08:${String(minute).padStart(2, '0')}:00.000Z`
const sha1 = (text: string) => createHash('sha1').update(text)
const shardOf = (key: string) => `shard-${String(sha1(key).digest().readUInt32BE(0) % 64).padStart(2, '0')}.json`

const resident = (n: number, extra: Partial<ResidentProfile> = {}): ResidentProfile => ({
  key: `telegram:${n}`, channel: 'telegram', channelUserId: String(n), notices: true, tags: [], blocked: false,
  settlementId: SETTLEMENT, createdAt: at(0), updatedAt: at(0), ...extra,
})
const RESIDENTS: ResidentProfile[] = [
  resident(1, { locale: 'en', tags: ['job_seekers', 'parents'], displayName: 'Wang' }),
  resident(2, { notices: false, locale: 'zh-CN' }),
  ...Array.from({ length: 38 }, (_, n) => resident(100 + n)),
]
const turn = (id: string, minute: number, fallback = false, day = DAY): ConversationTurn => ({
  id, at: at(minute, day), channel: 'telegram', channelUserId: '1', settlementId: SETTLEMENT, locale: 'zh-CN', text: `问题 ${id}`,
  intent: fallback ? null : 'housing_services', confidence: fallback ? 0 : 0.9, fallback, replies: [`答 ${id}`],
})
const TICKET: Ticket = {
  id: 'T261123-0001', residentKey: 'telegram:1', channel: 'telegram', channelUserId: '1', settlementId: SETTLEMENT,
  category: 'housing_services', summary: '楼道灯坏了', context: [], priority: 'normal', status: 'assigned', assignee: 'li_xiaofang',
  dueAt: at(0, '2026-11-25'), createdAt: at(1), updatedAt: at(5), alerted: {},
  events: [
    { at: at(1), actor: 'resident', type: 'created' },
    { at: at(2), actor: 'system', type: 'assigned', detail: 'li_xiaofang' },
    { at: at(5), actor: 'staff:li_xiaofang', type: 'reply', detail: '明天上午去修' },
  ],
}
const outboxItem = (id: string, status: OutboxItem['status']): OutboxItem => ({
  id, channel: 'telegram', recipient: '1', text: `消息 ${id}`, ticketId: TICKET.id, audience: 'resident', status, attempts: status === 'sent' ? 1 : 0,
  nextAttemptAt: at(5), createdAt: at(5), ...(status === 'sent' ? { sentAt: at(6) } : {}),
})
const AUDIT: AuditEntry[] = [
  { at: at(3), staffId: 'li_xiaofang', action: 'ticket.get', target: TICKET.id, from: '127.0.0.1' },
  { at: at(5), staffId: 'li_xiaofang', action: 'ticket.reply', target: TICKET.id },
]
const NOTICE = {
  id: 'N0123456789ab', title: { 'zh-CN': '招聘会' }, body: { 'zh-CN': '周六上午社区招聘会' }, audience: { settlements: 'all', tags: [] },
  sendAt: at(10), expiresAt: at(0, '2026-12-23'), author: 'admin', status: 'done', createdAt: at(9), updatedAt: at(12), plannedAt: at(10),
} as Notice
const PLANNED: PlannedDelivery[] = [
  { i: 0, key: 'telegram:1', channel: 'telegram', to: '1', locale: 'en' },
  { i: 1, key: 'telegram:100', channel: 'telegram', to: '100', locale: 'zh-CN' },
  { i: 2, key: 'telegram:2', channel: 'telegram', to: '2', locale: 'zh-CN', skip: 'unsubscribed' },
]
const EVENTS: DeliveryEvent[] = [
  { i: 0, s: 'sending', at: at(11), n: 1 }, { i: 0, s: 'sent', at: at(11), n: 1 },
  { i: 1, s: 'sending', at: at(11), n: 1 }, { i: 1, s: 'failed', at: at(12), n: 1, reason: 'chat not found' },
]
const TOKEN_HASH = 'c'.repeat(64)
const HISTORY: WebHistory = {
  entries: [{ seq: 1, at: at(20), from: 'resident', kind: 'message', text: '你好' }, { seq: 2, at: at(20), from: 'assistant', kind: 'reply', text: '您好' }],
  readUpTo: 2,
}
const ADMIN: StaffMember = { id: 'admin', name: '管理员', role: 'admin', settlements: [], contacts: [] }

/** Every earlier-format file of the fixture (path → the JSON the old code wrote), so the test can find each one again. */
function legacyFiles(): Map<string, unknown> {
  const files = new Map<string, unknown>()
  for (const profile of RESIDENTS) {
    const file = `residents/${shardOf(profile.key)}`
    const shard = (files.get(file) ?? { residents: {} }) as { residents: Record<string, ResidentProfile> }
    shard.residents[profile.key] = profile
    files.set(file, shard)
  }
  files.set(`web/identities/${shardOf(TOKEN_HASH)}`, { identities: { [TOKEN_HASH]: { residentId: 'webresident1', createdAt: at(20) } } })
  files.set(`conversations/${DAY}/server.part-0001.json`, { items: [turn('t1', 1), turn('t2', 2, true), turn('t3', 3)] })
  files.set(`conversations/${DAY}/server.part-0002.json`, { items: [turn('t4', 4, true), turn('t6', 6)] })
  files.set(`conversations/${DAY}/cli.part-0001.json`, { items: [turn('t5', 5)] })
  files.set(`conversations/2026-11-24/server.part-0001.json`, { items: [turn('t7', 1, false, '2026-11-24')] })
  files.set(`unanswered/${DAY}/server.part-0001.json`, { items: [turn('t2', 2, true), turn('t4', 4, true)] })
  files.set(`audit/${DAY}/server.part-0001.json`, { items: AUDIT })
  files.set(`outbox/done/${DAY}/server.part-0001.json`, { items: [outboxItem('o-sent', 'sent')] })
  files.set(`broadcasts/${NOTICE.id}/recipients/server.part-0001.json`, { items: PLANNED })
  files.set(`broadcasts/${NOTICE.id}/deliveries/server.part-0001.json`, { items: EVENTS })
  return files
}

async function writeJson(dir: string, file: string, data: unknown): Promise<void> {
  await mkdir(path.dirname(path.join(dir, file)), { recursive: true })
  await writeFile(path.join(dir, file), JSON.stringify(data))
}

/**
 * The earlier-format data folder, plus what an upgraded server that ran before the import would have written in the
 * current format: a turn appended to a part with an old sibling, and a resident who wrote again (kept, being newer).
 */
async function writeFixture(dir: string): Promise<void> {
  for (const [file, data] of legacyFiles()) await writeJson(dir, file, data)
  await writeJson(dir, `tickets/${DAY}/${TICKET.id}.json`, TICKET)
  await writeJson(dir, 'outbox/pending.json', { items: { 'o-pending': outboxItem('o-pending', 'pending') } })
  await writeJson(dir, 'notices/notices.json', { notices: { [NOTICE.id]: NOTICE } })
  await writeJson(dir, `web/history/${sha1('webresident1').digest('hex').slice(0, 2)}/webresident1.json`, HISTORY)
  await writeFile(path.join(dir, 'conversations/2026-11-24/server.part-0001.jsonl'), `${JSON.stringify(turn('t8', 2, false, '2026-11-24'))}\n`)
  const rewritten = resident(100, { locale: 'en', updatedAt: at(30, '2026-11-24') })
  await writeFile(path.join(dir, 'residents', `${shardOf(rewritten.key)}l`), `${JSON.stringify({ k: rewritten.key, v: rewritten })}\n`)
}

/** A fresh data folder holding the fixture, for the enclosing describe block (removed afterwards); `.dir` once beforeAll has run. */
function useFixtureDir(): { dir: string } {
  const folder = { dir: '' }
  beforeAll(async () => {
    folder.dir = await makeTempDir()
    await writeFixture(folder.dir)
  })
  afterAll(async () => { await removeDir(folder.dir) })
  return folder
}

/** Starts the real assistant on `dir`, returning it and the messages it logged. */
async function start(dir: string) {
  const lines: string[] = []
  const sink = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done() } })
  const assistant = await createTestAssistant(dir, {}, { logger: createLogger('info', sink) })
  const importLines = lines.map((line) => JSON.parse(line) as { msg: string; store?: string }).filter((entry) => entry.msg.startsWith('earlier-format'))
  return { assistant, importLines }
}

/** Everything the fixture holds, read back through the stores' and services' public interfaces. */
async function readBack(assistant: Awaited<ReturnType<typeof start>>['assistant']) {
  const desk = assistant.desk!
  return {
    residents: (await assistant.residents.list()).sort((a, b) => (a.key < b.key ? -1 : 1)),
    turns: (await assistant.conversations.listTurns()).map((t) => t.id),
    unanswered: (await assistant.conversations.listUnanswered()).map((t) => t.id).sort(),
    ticket: await desk.tickets.get(TICKET.id),
    outbox: [...(await desk.outbox.storedIds())].sort(),
    audit: (await desk.audit.list()).filter((entry) => entry.staffId === 'li_xiaofang'),
    notice: await assistant.broadcast!.get(ADMIN, NOTICE.id),
    identity: await assistant.web.identities.get(TOKEN_HASH),
    history: await assistant.web.history.read('webresident1'),
  }
}

describe('data written by the earlier store formats is imported once at start-up, nothing lost or doubled', () => {
  const fixture = useFixtureDir()
  let dir: string
  let first: Awaited<ReturnType<typeof start>>
  beforeAll(async () => {
    dir = fixture.dir
    first = await start(dir)
  })

  it('serves every resident, turn, unanswered question, ticket, outbox item, audit entry, broadcast and web identity', async () => {
    const data = await readBack(first.assistant)
    expect(data.residents).toHaveLength(RESIDENTS.length)
    expect(await first.assistant.residents.get('telegram:1')).toEqual(RESIDENTS[0])
    expect(await first.assistant.residents.get('telegram:2')).toMatchObject({ settlementId: SETTLEMENT, locale: 'zh-CN', notices: false })
    // Written in the current format after the upgrade, so newer than its earlier-format copy: kept.
    expect(await first.assistant.residents.get('telegram:100')).toMatchObject({ locale: 'en', updatedAt: at(30, '2026-11-24') })
    expect(data.turns).toEqual(['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8'])
    expect(data.unanswered).toEqual(['t2', 't4'])
    expect(data.ticket).toEqual(TICKET)
    expect(data.outbox).toEqual(['o-pending', 'o-sent'])
    expect(data.audit).toEqual(AUDIT)
    expect(data.notice).toMatchObject({ status: 'done', progress: { total: 3, sent: 1, failed: 1, skipped: { unsubscribed: 1 } } })
    expect(data.identity).toEqual({ residentId: 'webresident1', createdAt: at(20) })
    expect(data.history).toEqual(HISTORY)
  })

  it('logs one line per store with the records imported', () => {
    const byStore = Object.fromEntries(first.importLines.map((entry) => [entry.store, entry.msg]))
    expect(Object.keys(byStore).sort()).toEqual(['audit entries', 'broadcast deliveries', 'conversation turns', 'finished outbox items', 'residents', 'unanswered questions', 'web identities'])
    expect(first.importLines).toHaveLength(7)
    expect(byStore.residents).toContain(`${RESIDENTS.length - 1} records (1 already in the current format)`)
    expect(byStore['conversation turns']).toContain('7 records')
    expect(byStore['broadcast deliveries']).toContain(`${PLANNED.length + EVENTS.length} records`)
  })

  it('moves every earlier-format file, unchanged, to legacy/<time>/ and deletes none', async () => {
    const [folder, ...others] = await readdir(path.join(dir, 'legacy'))
    expect(others).toEqual([])
    for (const [file, data] of legacyFiles()) {
      await expect(readFile(path.join(dir, file))).rejects.toMatchObject({ code: 'ENOENT' })
      expect(await readFile(path.join(dir, 'legacy', folder!, file), 'utf8')).toBe(JSON.stringify(data))
    }
    const report = await checkDataDir(dir)
    expect(report).toMatchObject({ damaged: [], legacy: [] })
  })

  it('a restart imports nothing more and doubles nothing', async () => {
    const before = await readBack(first.assistant)
    const again = await start(dir)
    expect(again.importLines).toEqual([])
    expect(await readBack(again.assistant)).toEqual(before)
    expect(await readdir(path.join(dir, 'legacy'))).toHaveLength(1)
  })

  it('a crash after the import but before the files were moved: the next start doubles nothing and moves them then', async () => {
    const crashed = await makeTempDir()
    try {
      await cp(dir, crashed, { recursive: true })
      const [folder] = await readdir(path.join(crashed, 'legacy'))
      for (const file of legacyFiles().keys()) await rename(path.join(crashed, 'legacy', folder!, file), path.join(crashed, file))
      const before = await readBack((await start(dir)).assistant)
      const restarted = await start(crashed)
      expect(restarted.importLines).toHaveLength(7)
      for (const line of restarted.importLines) expect(line.msg).toMatch(/imported: 0 records \(\d+ already in the current format\)/)
      expect(await readBack(restarted.assistant)).toEqual(before)
      expect((await checkDataDir(crashed)).legacy).toEqual([])
    } finally {
      await removeDir(crashed)
    }
  })
})

describe('earlier-format files in the data check', () => {
  const fixture = useFixtureDir()

  it('npm run data:check lists them with their records, and changes nothing', async () => {
    const { dir } = fixture
    const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/tools/data-check.ts'), dir], { cwd: ROOT })
    const residentsShard = [...legacyFiles().keys()].find((file) => file.startsWith('residents/'))!
    const count = Object.keys((legacyFiles().get(residentsShard) as { residents: object }).residents).length
    expect(stdout).toContain(`EARLIER FORMAT ${path.join(dir, residentsShard)}: earlier format, will be imported at start: ${count} records`)
    expect(stdout).toContain(`EARLIER FORMAT ${path.join(dir, 'conversations', DAY, 'server.part-0001.json')}: earlier format, will be imported at start: 3 records`)
    expect(stdout).toContain('0 damaged')
    expect((await checkDataDir(dir)).legacy).toHaveLength(legacyFiles().size)
  })

  it('a damaged earlier-format file stops start-up, named, and --quarantine moves it aside; the rest is imported', async () => {
    const { dir } = fixture
    const damagedDir = await makeTempDir()
    try {
      await cp(dir, damagedDir, { recursive: true })
      const relative = `residents/${shardOf('telegram:1')}`
      const file = path.join(damagedDir, relative)
      const whole = await readFile(file, 'utf8')
      const cut = whole.slice(0, Math.floor(whole.length / 2))
      await writeFile(file, cut)

      const failure = await createTestAssistant(damagedDir).then(() => undefined, (error: unknown) => error as Error & { code: string })
      expect(failure?.code).toBe('ANJU_ERR_DATA_CHECK_FAILED')
      expect(failure?.message).toContain(file)
      expect(failure?.message).toContain('residents in an earlier format')
      expect(await readFile(file, 'utf8')).toBe(cut)

      const [moved, ...others] = await quarantine(damagedDir, (await checkDataDir(damagedDir)).damaged)
      expect(others).toEqual([])
      expect(moved!.file).toBe(relative)
      expect(await readFile(path.join(damagedDir, moved!.movedTo), 'utf8')).toBe(cut)

      const { assistant } = await start(damagedDir)
      expect(await assistant.residents.get('telegram:1')).toBeUndefined()
      expect(await assistant.residents.get('telegram:2')).toMatchObject({ settlementId: SETTLEMENT })
      expect(await assistant.conversations.listTurns()).toHaveLength(8)
    } finally {
      await removeDir(damagedDir)
    }
  })
})

describe('npm run migrate-store on a data folder in the earlier formats', () => {
  const schema = usePostgresSchema()
  const fixture = useFixtureDir()

  it('imports the earlier-format files first, so that they move to PostgreSQL too', async () => {
    const { dir } = fixture
    const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/tools/migrate-store.ts'), '--from', 'lowdb', '--to', 'postgres'], {
      cwd: ROOT, env: { ...process.env, DATA_DIR: dir, DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema.name },
    })
    expect(stdout).toMatch(new RegExp(`residents: ${RESIDENTS.length} moved\n`))
    expect(stdout).toMatch(/conversation turns: 8 moved\n/)
    const postgres = await openPostgresStores({ url: TEST_DATABASE_URL, schema: schema.name, max: 2 })
    try {
      expect(await postgres.residents.get('telegram:1')).toEqual(RESIDENTS[0])
      expect((await postgres.audit.list()).map((entry) => entry.action)).toEqual(AUDIT.map((entry) => entry.action))
      expect(await postgres.webIdentities.get(TOKEN_HASH)).toEqual({ residentId: 'webresident1', createdAt: at(20) })
    } finally {
      await postgres.close()
    }
  })
})
