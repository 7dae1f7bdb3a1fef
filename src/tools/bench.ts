// `npm run bench`: matcher latency and throughput in-process, the conversation store as it grows,
// and HTTP messages/s against a real server. Figures are printed, never asserted: this is not a test.
import { fork } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildHttpServer } from '../../adapters/http/server'
import { createAssistant } from '../assistant'
import { loadConfig } from '../config/env'
import { createLogger } from '../core/logger'
import { loadKnowledgeBase } from '../knowledge/loader'
import { parseEvalLines } from '../matcher/evaluate'
import { IntentMatcher } from '../matcher/matcher'
import { loadMatcher, MODEL_FILE } from '../matcher/model'
import { LowdbConversationStore } from '../store/lowdb/conversation-store'
import type { ConversationTurn } from '../store/types'
import { Broadcaster } from '../broadcast/broadcaster'
import { LowdbDeliveryStore } from '../broadcast/delivery-store'
import type { Notice } from '../broadcast/notice'
import { createTranslator } from '../i18n'
import { LowdbResidentStore } from '../store/lowdb/resident-store'
import type { ResidentProfile } from '../store/types'
import { benchFlood } from './bench-flood'
import { benchPostgres } from './bench-postgres'
import { benchGrowth, seedGrowth } from './bench-growth'
import { runLoad, percentile } from './load'

const ROOT = path.resolve(import.meta.dirname, '../..')
const QUESTION_SETS = [path.join(ROOT, '../shared/eval/dev-questions.jsonl'), path.join(ROOT, 'tests/matcher/questions.jsonl')]
/** Residents' real messages: long stories, dialect, two topics; matched separately, they cost more than short questions. */
const HARD_QUESTIONS = path.join(ROOT, '../shared/eval/dev-hard-questions.jsonl')
const HTTP_SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10)
const HTTP_CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 20)

const fmt = (value: number, digits = 3) => value.toFixed(digits)

async function loadQuestions(files = QUESTION_SETS): Promise<string[]> {
  const texts: string[] = []
  for (const file of files.filter((f) => existsSync(f))) {
    texts.push(...parseEvalLines(await readFile(file, 'utf8'), file).map((line) => line.text))
    console.log(`questions: ${path.relative(ROOT, file)}`)
  }
  return texts
}

async function benchMatcher(name: string, match: (text: string) => unknown, questions: string[]): Promise<void> {
  for (let i = 0; i < 2000; i += 1) match(questions[i % questions.length]!)
  const rounds = Math.max(20, Math.ceil(20_000 / questions.length))
  const latencies: number[] = []
  const cpu = process.cpuUsage()
  const started = process.hrtime.bigint()
  for (let round = 0; round < rounds; round += 1) {
    for (const question of questions) {
      const t0 = process.hrtime.bigint()
      match(question)
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6)
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const used = process.cpuUsage(cpu)
  latencies.sort((a, b) => a - b)
  console.log(`\nmatcher, ${name}: ${latencies.length} matches over ${questions.length} questions`)
  console.log(`  p50 ${fmt(latencies[Math.floor(latencies.length / 2)]!)} ms   p99 ${fmt(percentile(latencies, 99))} ms   max ${fmt(latencies.at(-1)!)} ms`)
  // Per CPU second too: on a shared machine the wall clock counts the time other processes had the core.
  const cpuSeconds = (used.user + used.system) / 1e6
  console.log(`  throughput ${Math.round(latencies.length / seconds)} matches/s (one core), ${Math.round(latencies.length / cpuSeconds)} per CPU second`)
}

async function benchStore(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'anju-bench-store-'))
  const store = new LowdbConversationStore(dir)
  const batch = 10_000
  const concurrency = 50
  console.log(`\nconversation store (lowdb, real files): appending in batches of ${batch}, ${concurrency} at a time`)
  let n = 0
  for (let round = 1; round <= 10; round += 1) {
    const started = performance.now()
    for (let done = 0; done < batch; done += concurrency) {
      await Promise.all(Array.from({ length: concurrency }, () => store.record(sampleTurn(n++))))
    }
    const seconds = (performance.now() - started) / 1000
    if (round === 1 || round % 3 === 0 || round === 10) console.log(`  after ${String(n).padStart(6)} turns: ${Math.round(batch / seconds)} turns/s`)
  }
  await rm(dir, { recursive: true, force: true })
}

function sampleTurn(n: number): ConversationTurn {
  return {
    id: `bench-${n}`,
    at: new Date(Date.UTC(2026, 10, 23, 8) + n).toISOString(),
    channel: 'http',
    channelUserId: `resident-${n % 5000}`,
    locale: 'zh-CN',
    text: '我家想申请低保，需要什么条件？',
    intent: 'dibao_eligibility',
    confidence: 0.62,
    fallback: false,
    replies: ['搬迁群众家庭收入低于当地低保标准的，可以向户籍所在地乡镇（街道）提出申请……'.repeat(3)],
  }
}

async function benchHttp(questions: string[], withDesk: boolean): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'anju-bench-http-'))
  // The answering path at full speed: the limits would refuse this load (one address, 500 residents); `benchFlood` measures them.
  const config = loadConfig({
    ...process.env, DATA_DIR: dir, LOG_LEVEL: 'warn', KNOWLEDGE_DIR: path.join(ROOT, 'knowledge'), INTENTS_DIR: path.join(ROOT, 'intents'),
    CHAT_RATE_BURST: '1000', CHAT_RATE_PER_MINUTE: '6000', HTTP_RATE_LIMIT_MAX: '1000000',
  })
  const assistant = await createAssistant(config, { logger: createLogger('warn'), ...(withDesk ? {} : { desk: false as const }) })
  const app = await buildHttpServer({ ...assistant, conversations: assistant.conversations })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const scenario = withDesk ? 'everything on (profiles, demand desk, recording)' : 'without the demand desk (profiles, recording)'
  console.log(`\nHTTP: POST /api/chat for ${HTTP_SECONDS}s, ${HTTP_CONNECTIONS} connections, load from a second process, ${scenario}`)
  const [result] = await runLoad(url, HTTP_SECONDS, [{ name: 'chat', connections: HTTP_CONNECTIONS, userId: { prefix: 'bench-', count: 500 }, texts: questions }])
  if (!result) throw new Error('no load result')
  const recorded = (await assistant.conversations.listTurns()).length
  console.log(`  ${Math.round(result.requests / HTTP_SECONDS)} msgs/s   p50 ${result.p50} ms   p99 ${result.p99} ms   non-2xx ${result.non2xx}   errors ${result.errors}`)
  console.log(`  turns recorded: ${recorded}`)
  await app.close()
  await rm(dir, { recursive: true, force: true })
}

async function seedResidents(dir: string, recipients: number): Promise<void> {
  const residents = new LowdbResidentStore(dir)
  for (let start = 0; start < recipients; start += 5_000) {
    await Promise.all(Array.from({ length: Math.min(5_000, recipients - start) }, (_, k): ResidentProfile => {
      const n = start + k
      return {
        key: `telegram:${n}`, channel: 'telegram', channelUserId: String(100_000_000 + n), settlementId: 'xingfu_jiayuan_sample',
        locale: n % 10 === 0 ? 'en' : 'zh-CN', notices: n % 50 !== 0, tags: n % 3 === 0 ? ['job_seekers'] : [], blocked: false,
        createdAt: '2026-11-01T00:00:00.000Z', updatedAt: '2026-11-01T00:00:00.000Z',
      }
    }).map((p) => residents.save(p)))
  }
}

/**
 * Broadcast: residents seeded into a fresh data dir, then a notice planned (delivery records written) and sent to a
 * fake channel with pacing off. Run first, so the memory figure is the broadcast's and not the matcher's.
 */
async function benchBroadcast(recipients: number): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'anju-bench-broadcast-'))
  console.log(`\nbroadcast: ${recipients} residents (lowdb), fake channel, pacing off`)
  const seeded = performance.now()
  // Seeded by a child process, so this one starts as a server would: with the profiles on disk only.
  await new Promise<void>((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--seed-residents', dir, String(recipients)])
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seeding exited with ${code}`))))
  })
  const residents = new LowdbResidentStore(dir)
  console.log(`  seeded in ${fmt((performance.now() - seeded) / 1000, 1)} s`)
  const kb = await loadKnowledgeBase({ knowledgeDir: path.join(ROOT, 'knowledge'), intentsDir: path.join(ROOT, 'intents') })
  let delivered = 0
  const broadcaster = new Broadcaster({
    deliveries: new LowdbDeliveryStore(dir), residents, translate: await createTranslator(kb.messages), clock: { now: () => new Date() }, logger: createLogger('warn'),
    senderFor: () => ({ send: async (_to, _reply, _audience, options) => { await options?.beforeAttempt?.(); delivered += 1; return { status: 'sent' } } }),
    channelConfigured: () => true,
    options: { pacing: false, concurrency: 32 },
  })
  const now = Date.now()
  const notice: Notice = {
    id: 'Nbench0000001', title: { 'zh-CN': '周六招聘会', en: 'Job fair' }, body: { 'zh-CN': '周六上午九点在社区广场，请带身份证。', en: 'Saturday 9:00 on the square.' },
    audience: { settlements: 'all', tags: [] }, sendAt: new Date(now).toISOString(), expiresAt: new Date(now + 86_400_000).toISOString(),
    author: 'bench', status: 'sending', createdAt: new Date(now).toISOString(), updatedAt: new Date(now).toISOString(),
  }
  global.gc?.()
  const base = process.memoryUsage()
  let peakRss = base.rss
  let peakHeap = base.heapUsed
  const sampler = setInterval(() => {
    const m = process.memoryUsage()
    peakRss = Math.max(peakRss, m.rss)
    peakHeap = Math.max(peakHeap, m.heapUsed)
  }, 20)
  const mb = (bytes: number) => `${Math.round(bytes / 1_048_576)} MB`
  const planStarted = performance.now()
  const planned = await broadcaster.plan(notice)
  const planSeconds = (performance.now() - planStarted) / 1000
  console.log(`  planned and queued ${planned.queued} (skipped ${planned.skipped.unsubscribed} unsubscribed) in ${fmt(planSeconds, 2)} s   peak RSS ${mb(peakRss)}, heap ${mb(peakHeap)}`)
  const sendStarted = performance.now()
  await broadcaster.run(notice)
  const sendSeconds = (performance.now() - sendStarted) / 1000
  clearInterval(sampler)
  const progress = await broadcaster.progress(notice.id)
  console.log(`  sent ${delivered} (recorded ${progress.sent}) in ${fmt(sendSeconds, 1)} s: ${Math.round(delivered / sendSeconds)} recipients/s, each recorded before and after its send`)
  console.log(`  peak RSS ${mb(peakRss)} (before: ${mb(base.rss)}), peak heap ${mb(peakHeap)}`)
  await rm(dir, { recursive: true, force: true })
}

const BROADCAST_RECIPIENTS = Number(process.env.BENCH_BROADCAST_RECIPIENTS ?? 100_000)
const seedArg = process.argv.indexOf('--seed-residents')
if (seedArg >= 0) {
  await seedResidents(process.argv[seedArg + 1]!, Number(process.argv[seedArg + 2]))
  process.exit(0)
}
/**
 * The matcher loaded from its pre-built model as at start-up, and trained (CPU time, so a busy machine does not
 * inflate it); then matched twice: as configured (clauses residents repeat are read once; the question sets repeat
 * every question, so every clause is remembered) and with nothing remembered (every clause new).
 */
async function benchTrainedMatcher(questions: string[]): Promise<void> {
  const kb = await loadKnowledgeBase({ knowledgeDir: path.join(ROOT, 'knowledge'), intentsDir: path.join(ROOT, 'intents') })
  const timed = async <T>(make: () => T | Promise<T>) => {
    const cpu = process.cpuUsage()
    const started = process.hrtime.bigint()
    const made = await make()
    const used = process.cpuUsage(cpu)
    return { made, figures: `${fmt(Number(process.hrtime.bigint() - started) / 1e6, 0)} ms (${fmt((used.user + used.system) / 1000, 0)} ms CPU)` }
  }
  const loaded = await timed(() => loadMatcher(kb, path.join(ROOT, 'knowledge', MODEL_FILE), createLogger('warn')))
  console.log(`\nmatcher loaded from ${MODEL_FILE} in ${loaded.figures}`)
  const examples = kb.intents.reduce((sum, intent) => sum + intent.examples['zh-CN'].length + intent.examples.en.length, 0)
  const forgetful = await timed(() => new IntentMatcher(kb, { clausesKept: 0 }))
  console.log(`matcher trained on ${examples} examples in ${forgetful.figures}`)
  const hard = await loadQuestions([HARD_QUESTIONS])
  for (const [name, matcher] of [['clauses remembered', loaded.made], ['every clause new', forgetful.made]] as const) {
    await benchMatcher(`short questions, ${name}`, (text) => matcher.match(text), questions)
    if (hard.length > 0) await benchMatcher(`dev-hard messages, ${name}`, (text) => matcher.match(text), hard)
  }
}

if (process.argv.includes('matcher')) {
  await benchTrainedMatcher(await loadQuestions())
  process.exit(0)
}
const seedGrowthArg = process.argv.indexOf('--seed-growth')
if (seedGrowthArg >= 0) {
  await seedGrowth(process.argv[seedGrowthArg + 1]!)
  process.exit(0)
}
if (process.argv.includes('growth')) {
  await benchGrowth(await loadQuestions(), HTTP_SECONDS)
  process.exit(0)
}
if (process.argv.includes('postgres')) {
  await benchPostgres(await loadQuestions(), HTTP_SECONDS, HTTP_CONNECTIONS, BROADCAST_RECIPIENTS)
  process.exit(0)
}
if (process.argv.includes('flood')) {
  await benchFlood(await loadQuestions(), HTTP_SECONDS)
  process.exit(0)
}
await benchBroadcast(BROADCAST_RECIPIENTS)
if (!process.argv.includes('broadcast')) {
  const questions = await loadQuestions()
  await benchTrainedMatcher(questions)
  await benchStore()
  await benchHttp(questions, true)
  await benchHttp(questions, false)
  await benchFlood(questions, HTTP_SECONDS)
  await benchPostgres(questions, HTTP_SECONDS, HTTP_CONNECTIONS, BROADCAST_RECIPIENTS)
}
