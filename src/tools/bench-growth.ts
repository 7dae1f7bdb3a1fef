// `npm run bench -- growth`: the lowdb store as it grows. HTTP msgs/s and bytes written per message on a fresh data
// folder, then on one seeded with 100,000 residents and 1,000,000 turns; demand latency with 10,000 open tickets.
// Seeding writes through the stores directly (not through chat), so it takes seconds, not hours.
import { fork } from 'node:child_process'
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildHttpServer } from '../../adapters/http/server'
import { createAssistant, type Assistant } from '../assistant'
import { loadConfig } from '../config/env'
import { createLogger } from '../core/logger'
import type { Ticket } from '../escalation/ticket'
import { LowdbConversationStore } from '../store/lowdb/conversation-store'
import { storeWrites } from '../store/lowdb/data-file'
import { LowdbResidentStore } from '../store/lowdb/resident-store'
import { LowdbTicketStore } from '../store/lowdb/ticket-store'
import type { ConversationTurn, ResidentProfile } from '../store/types'
import { runLoad, percentile } from './load'

const ROOT = path.resolve(import.meta.dirname, '../..')
const SIZES = {
  residents: Number(process.env.BENCH_GROWTH_RESIDENTS ?? 100_000),
  turns: Number(process.env.BENCH_GROWTH_TURNS ?? 1_000_000),
  openTickets: Number(process.env.BENCH_GROWTH_TICKETS ?? 10_000),
  demands: 200,
}
const SETTLEMENT = 'xingfu_jiayuan_sample'
const DAY = 86_400_000

async function folderBytes(dir: string): Promise<number> {
  let total = 0
  for (const name of await readdir(dir, { recursive: true })) {
    const info = await stat(path.join(dir, name))
    if (info.isFile()) total += info.size
  }
  return total
}

/** In batches: each batch's saves coalesce into a few appends per file. */
async function inBatches(count: number, batch: number, write: (n: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < count; start += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, count - start) }, (_, k) => write(start + k)))
  }
}

export async function seedGrowth(dir: string): Promise<void> {
  const started = performance.now()
  const residents = new LowdbResidentStore(dir)
  await inBatches(SIZES.residents, 5_000, (n) => residents.save({
    key: `telegram:${n}`, channel: 'telegram', channelUserId: String(100_000_000 + n), locale: 'zh-CN', notices: true, tags: [], blocked: false,
    ...(n % 4 === 0 ? {} : { settlementId: SETTLEMENT }), createdAt: '2026-06-01T00:00:00.000Z', updatedAt: '2026-11-01T00:00:00.000Z',
  } satisfies ResidentProfile))
  // A hundred days of turns, oldest first, as a server would have written them.
  const conversations = new LowdbConversationStore(dir)
  const first = Date.UTC(2026, 7, 1)
  const spacing = (100 * DAY) / SIZES.turns
  await inBatches(SIZES.turns, 2_000, (n) => conversations.record({
    id: `seed-${n}`, at: new Date(first + n * spacing).toISOString(), channel: 'telegram', channelUserId: String(100_000_000 + (n % SIZES.residents)),
    settlementId: SETTLEMENT, locale: 'zh-CN', text: '我家想申请低保，需要什么条件？', intent: 'dibao_eligibility', confidence: 0.71, fallback: n % 9 === 0,
    replies: ['家庭人均收入低于当地低保标准的，可以向户籍所在地乡镇（街道）提出申请。'],
  } satisfies ConversationTurn))
  // Open tickets of as many residents, spread over the settlement's caseworkers by the desk's own rule later on.
  const tickets = new LowdbTicketStore(dir, { durable: false })
  const caseworkers = ['li_xiaofang', 'chen_jianguo']
  const at = new Date('2026-11-20T02:00:00.000Z')
  await inBatches(SIZES.openTickets, 500, async (n) => {
    await tickets.create(at, (id): Ticket => ({
      id, residentKey: `telegram:${n}`, channel: 'telegram', channelUserId: String(100_000_000 + n), settlementId: SETTLEMENT, category: 'housing_services',
      summary: '楼道灯坏了', context: [], priority: 'normal', status: 'assigned', assignee: caseworkers[n % 2], dueAt: '2026-11-25T02:00:00.000Z',
      createdAt: at.toISOString(), updatedAt: at.toISOString(), alerted: {},
      events: [{ at: at.toISOString(), actor: 'resident', type: 'created' }, { at: at.toISOString(), actor: 'system', type: 'notification_queued' }],
    }))
  })
  console.log(`  seeded ${SIZES.residents} residents, ${SIZES.turns} turns, ${SIZES.openTickets} open tickets in ${((performance.now() - started) / 1000).toFixed(1)} s (${Math.round((await folderBytes(dir)) / 1_048_576)} MB)`)
}

async function start(dir: string): Promise<Assistant> {
  const config = loadConfig({
    ...process.env, DATA_DIR: dir, LOG_LEVEL: 'warn', KNOWLEDGE_DIR: path.join(ROOT, 'knowledge'), INTENTS_DIR: path.join(ROOT, 'intents'),
    CHAT_RATE_BURST: '1000', CHAT_RATE_PER_MINUTE: '6000', HTTP_RATE_LIMIT_MAX: '1000000', TICKETS_OPEN_PER_RESIDENT: '100',
  })
  const started = performance.now()
  const assistant = await createAssistant(config, { logger: createLogger('warn') })
  console.log(`  start-up (every store file read and checked): ${((performance.now() - started) / 1000).toFixed(1)} s`)
  return assistant
}

/** HTTP chat for `seconds`, 20 connections, 20,000 residents taking turns (so new profiles are written too). */
async function chatLoad(assistant: Assistant, dir: string, questions: string[], seconds: number): Promise<void> {
  const app = await buildHttpServer({ ...assistant, conversations: assistant.conversations })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const bytesBefore = storeWrites.bytes
  const sizeBefore = await folderBytes(dir)
  const [result] = await runLoad(url, seconds, [{ name: 'chat', connections: 20, userId: { prefix: `growth-${Date.now()}-`, count: 20_000 }, texts: questions }])
  await app.close()
  if (!result) throw new Error('no load result')
  const written = storeWrites.bytes - bytesBefore
  const grown = (await folderBytes(dir)) - sizeBefore
  console.log(`  ${Math.round(result.requests / seconds)} msgs/s   p50 ${result.p50} ms   p99 ${result.p99} ms   non-2xx ${result.non2xx}   errors ${result.errors}`)
  console.log(`  written ${Math.round(written / result.requests)} bytes/message; data grew ${Math.round(grown / result.requests)} bytes/message (write amplification ${(written / Math.max(1, grown)).toFixed(2)}×)`)
}

/** A settled resident reports an emergency: the demand's whole turn (open-ticket limit, routing, ticket, notification). */
async function demandLatency(assistant: Assistant): Promise<void> {
  const latencies: number[] = []
  for (let n = 0; n < SIZES.demands; n += 1) {
    const userId = `demand-${Date.now()}-${n}`
    const receivedAt = new Date()
    await assistant.pipeline.handle({ channel: 'telegram', channelUserId: userId, text: `/settlement ${SETTLEMENT}`, receivedAt })
    const t0 = performance.now()
    await assistant.pipeline.handle({ channel: 'telegram', channelUserId: userId, text: '煤气泄漏了，闻到很大的味道', receivedAt })
    latencies.push(performance.now() - t0)
  }
  latencies.sort((a, b) => a - b)
  const open = (await assistant.desk!.tickets.list({ openOnly: true })).length
  console.log(`  demand (urgent report → ticket) with ${open} open tickets: p50 ${percentile(latencies, 50).toFixed(1)} ms   p99 ${percentile(latencies, 99).toFixed(1)} ms`)
}

export async function benchGrowth(questions: string[], seconds: number): Promise<void> {
  console.log(`\ngrowth: the lowdb store fresh, then with ${SIZES.residents} residents and ${SIZES.turns} turns (HTTP /api/chat for ${seconds}s each)`)
  const fresh = await mkdtemp(path.join(tmpdir(), 'anju-bench-growth-fresh-'))
  const big = await mkdtemp(path.join(tmpdir(), 'anju-bench-growth-big-'))
  try {
    console.log('fresh store:')
    const freshAssistant = await start(fresh)
    await chatLoad(freshAssistant, fresh, questions, seconds)
    await demandLatency(freshAssistant)
    await freshAssistant.conversations.close()
    console.log('grown store:')
    // Seeded by a child process, so this one holds what a server started on the grown folder would.
    await new Promise<void>((resolve, reject) => {
      const child = fork(fileURLToPath(new URL('./bench.ts', import.meta.url)), ['--seed-growth', big])
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seeding exited with ${code}`))))
    })
    const grown = await start(big)
    await chatLoad(grown, big, questions, seconds)
    await demandLatency(grown)
  } finally {
    await rm(fresh, { recursive: true, force: true })
    await rm(big, { recursive: true, force: true })
  }
}
