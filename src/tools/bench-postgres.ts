// `npm run bench -- postgres`: the PostgreSQL store's figures beside lowdb's. Chat msgs/s and p99 against one server
// process and against two sharing one database, then planning a broadcast to 100,000 residents read from PostgreSQL.
// BENCH_DATABASE_URL picks the server (the local test database by default); a schema of its own is dropped after.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { Broadcaster } from '../broadcast/broadcaster'
import type { Notice } from '../broadcast/notice'
import { createLogger } from '../core/logger'
import { createTranslator } from '../i18n'
import { loadKnowledgeBase } from '../knowledge/loader'
import { openPostgresStores } from '../store/postgres/index'
import { insertResidents } from '../store/postgres/resident-store'
import type { ResidentProfile } from '../store/types'
import { startInstance, type InstanceProcess } from './instance-process'
import { runLoad, type LoadResult } from './load'

const ROOT = path.resolve(import.meta.dirname, '../..')
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const LIMITS_OFF = { CHAT_RATE_BURST: '1000', CHAT_RATE_PER_MINUTE: '6000', HTTP_RATE_LIMIT_MAX: '1000000' }

async function chatScenario(instances: number, seconds: number, connections: number, questions: string[], schema: string, dir: string) {
  const servers: InstanceProcess[] = await Promise.all(Array.from({ length: instances }, (_, n) => startInstance({
    ...LIMITS_OFF, LOG_LEVEL: 'info', DATABASE_URL, DATABASE_SCHEMA: schema, DATA_DIR: path.join(dir, `instance-${n}`), STAFF_FILE: path.join(dir, 'no-staff.yaml'),
  })))
  try {
    // One load process per instance, the connections shared out, the residents too (each instance sees all of them).
    const results = (await Promise.all(servers.map((server) => runLoad(server.url, seconds, [
      { name: 'chat', connections: Math.ceil(connections / instances), userId: { prefix: 'bench-', count: 500 }, texts: questions },
    ])))).flat() as LoadResult[]
    const requests = results.reduce((sum, r) => sum + r.requests, 0)
    return { msgsPerSecond: Math.round(requests / seconds), p99: Math.max(...results.map((r) => r.p99)), p50: Math.max(...results.map((r) => r.p50)), non2xx: results.reduce((n, r) => n + r.non2xx, 0) }
  } finally {
    await Promise.all(servers.map((server) => server.stop()))
  }
}

async function seedResidents(pool: pg.Pool, count: number): Promise<void> {
  for (let start = 0; start < count; start += 5_000) {
    const docs = Array.from({ length: Math.min(5_000, count - start) }, (_, k) => {
      const n = start + k
      return {
        key: `telegram:${n}`, channel: 'telegram', channelUserId: String(100_000_000 + n), settlementId: 'xingfu_jiayuan_sample',
        locale: n % 10 === 0 ? 'en' : 'zh-CN', notices: n % 50 !== 0, tags: n % 3 === 0 ? ['job_seekers'] : [], blocked: false,
        createdAt: '2026-11-01T00:00:00.000Z', updatedAt: '2026-11-01T00:00:00.000Z',
      } satisfies ResidentProfile
    })
    await insertResidents(pool, docs)
  }
}

async function broadcastPlanning(recipients: number, schema: string): Promise<void> {
  const stores = await openPostgresStores({ url: DATABASE_URL, schema, max: 4 })
  try {
    const seeded = performance.now()
    await seedResidents(stores.pool!, recipients)
    console.log(`  broadcast: ${recipients} residents seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s`)
    const kb = await loadKnowledgeBase({ knowledgeDir: path.join(ROOT, 'knowledge'), intentsDir: path.join(ROOT, 'intents') })
    const broadcaster = new Broadcaster({
      deliveries: stores.deliveries, residents: stores.residents, translate: await createTranslator(kb.messages), clock: { now: () => new Date() }, logger: createLogger('warn'),
      senderFor: () => ({ send: async () => ({ status: 'sent' as const }) }), options: { pacing: false },
    })
    const now = Date.now()
    const notice: Notice = {
      id: 'Nbench0000002', title: { 'zh-CN': '周六招聘会' }, body: { 'zh-CN': '周六上午九点在社区广场。' }, audience: { settlements: 'all', tags: [] },
      sendAt: new Date(now).toISOString(), expiresAt: new Date(now + 86_400_000).toISOString(), author: 'bench', status: 'sending',
      createdAt: new Date(now).toISOString(), updatedAt: new Date(now).toISOString(),
    }
    const started = performance.now()
    const planned = await broadcaster.plan(notice)
    console.log(`  broadcast planning: ${planned.queued} queued (${planned.skipped.unsubscribed} unsubscribed skipped) in ${((performance.now() - started) / 1000).toFixed(2)} s, residents read from PostgreSQL, delivery rows written to it`)
  } finally {
    await stores.close()
  }
}

export async function benchPostgres(questions: string[], seconds: number, connections: number, recipients: number): Promise<void> {
  const schema = `anju_bench_${randomBytes(4).toString('hex')}`
  const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1 })
  const dir = await mkdtemp(path.join(tmpdir(), 'anju-bench-pg-'))
  console.log(`\nPostgreSQL (${new URL(DATABASE_URL).host}, schema ${schema}): POST /api/chat for ${seconds}s, ${connections} connections, server processes of their own, load from one process per server`)
  try {
    await admin.query(`CREATE SCHEMA ${schema}`)
    const one = await chatScenario(1, seconds, connections, questions, schema, dir)
    console.log(`  one instance:   ${one.msgsPerSecond} msgs/s   p50 ${one.p50} ms   p99 ${one.p99} ms   non-2xx ${one.non2xx}`)
    const two = await chatScenario(2, seconds, connections, questions, schema, dir)
    console.log(`  two instances:  ${two.msgsPerSecond} msgs/s   p50 ${two.p50} ms   p99 ${two.p99} ms (the slower's)   non-2xx ${two.non2xx}   ${(two.msgsPerSecond / one.msgsPerSecond).toFixed(2)}× one`)
    await broadcastPlanning(recipients, schema)
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await admin.end()
    await rm(dir, { recursive: true, force: true })
  }
}
