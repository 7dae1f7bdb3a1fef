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
import type { StoreSet } from '../store/stores'
import type { ResidentProfile } from '../store/types'
import { startInstance, type InstanceProcess } from './instance-process'
import { runLoad, type LoadResult } from './load'

const ROOT = path.resolve(import.meta.dirname, '../..')
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
/** Recipients of the delivery throughput figures: each delivery is a claim share and two updates of its row. */
const DELIVERED = 10_000
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
        locale: n % 10 === 0 ? 'en' : 'zh-CN', notices: n % 50 !== 0, blocked: false,
        // The first DELIVERED are the audience of the delivery figures (a notice to the elderly).
        tags: [...(n % 3 === 0 ? ['job_seekers'] : []), ...(n < DELIVERED ? ['elderly'] : [])],
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
    const translate = await createTranslator(kb.messages)
    // A channel that answers at once and, like the real ones, says when it sends: what is measured is the table.
    const sent = { n: 0 }
    const broadcasterOn = (on: StoreSet) => new Broadcaster({
      deliveries: on.deliveries, residents: on.residents, translate, clock: { now: () => new Date() }, logger: createLogger('warn'),
      senderFor: () => ({ send: async (_to, _reply, _audience, options) => { if (options?.beforeAttempt && !(await options.beforeAttempt())) return { status: 'cancelled' }; sent.n += 1; return { status: 'sent' } } }),
      channelConfigured: () => true,
      options: { pacing: false },
    })
    const broadcaster = broadcasterOn(stores)
    const now = Date.now()
    const notice = (n: number, tags: string[]): Notice => ({
      id: `Nbench000000${n}`, title: { 'zh-CN': '周六招聘会' }, body: { 'zh-CN': '周六上午九点在社区广场。' }, audience: { settlements: 'all', tags },
      sendAt: new Date(now).toISOString(), expiresAt: new Date(now + 86_400_000).toISOString(), author: 'bench', status: 'sending',
      createdAt: new Date(now).toISOString(), updatedAt: new Date(now).toISOString(),
    })
    const started = performance.now()
    const planned = await broadcaster.plan(notice(2, []))
    console.log(`  broadcast planning: ${planned.queued} queued (${planned.skipped.unsubscribed} unsubscribed skipped) in ${((performance.now() - started) / 1000).toFixed(2)} s, audience read in pages from PostgreSQL, delivery rows written to it`)
    // Delivery: one broadcaster, then two on pools of their own (two instances' claims) sharing one notice.
    const second = await openPostgresStores({ url: DATABASE_URL, schema, max: 4 })
    try {
      for (const [n, senders] of [[3, [broadcaster]], [4, [broadcaster, broadcasterOn(second)]]] as const) {
        const elderly = notice(n, ['elderly'])
        const { queued } = await broadcaster.plan(elderly)
        sent.n = 0
        const began = performance.now()
        await Promise.all(senders.map((b) => b.run(elderly)))
        const seconds = (performance.now() - began) / 1000
        const progress = await broadcaster.progress(elderly.id)
        console.log(`  broadcast delivery, ${senders.length === 1 ? 'one instance' : 'two instances'}: ${sent.n} sent of ${queued} (recorded ${progress.sent}) in ${seconds.toFixed(1)} s: ${Math.round(sent.n / seconds)} deliveries/s`)
      }
    } finally {
      await second.close()
    }
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
