// `npm run bench -- flood`: floods on chat and on demands against a real server, and what they cost the residents
// who are not flooding: with every limit at its default, and with the limits off. Printed, never asserted.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { buildHttpServer } from '../../adapters/http/server'
import { createAssistant } from '../assistant'
import { loadConfig } from '../config/env'
import { createLogger } from '../core/logger'
import { runLoad, type LoadResult, type LoadStream } from './load'

const ROOT = path.resolve(import.meta.dirname, '../..')
const DEMANDS = [
  '我要投诉楼道的灯坏了一个月了没人修',
  '我要反映小区门口的垃圾好几天没人清运',
  '我要投诉楼上装修天天半夜还在砸墙',
  '我要反映电梯又坏了老人下不了楼',
  '我要投诉停车位被外面的车占了',
]
/** Requests per second each flood offers. */
const FLOOD_RATES = { chat: 200, demands: 50, address: 100 }
/** Residents who chat during the run: known already (their first message writes a profile, a cost of its own). */
const RESIDENTS = 3000
const LIMITS_OFF = { CHAT_RATE_BURST: '1000', CHAT_RATE_PER_MINUTE: '6000', HTTP_RATE_LIMIT_MAX: '1000000', TICKETS_OPEN_PER_RESIDENT: '100', TICKETS_PER_ADDRESS_PER_HOUR: '100000' }

type Flood = 'chat' | 'demands' | 'address'
const FLOODS: Flood[] = ['chat', 'demands', 'address']

/**
 * Residents: 3,000 of them behind 250 addresses, as fast as they are answered, each well under every limit. The
 * floods, at fixed rates: one resident through 250 addresses (the per-resident limit must hold it), one resident
 * raising demand after demand (the open-ticket limit), and one address inventing a new resident for every request
 * (the per-address limit).
 */
function streams(questions: string[], floods: Flood[], withResidents: boolean): LoadStream[] {
  const residents: LoadStream = { name: 'residents', connections: 20, userId: { prefix: 'resident-', count: RESIDENTS }, texts: questions, forwardedFor: { prefix: '10.1.1.', count: 250 } }
  const flood: Record<Flood, LoadStream> = {
    chat: { name: 'chat flood', connections: 10, rate: FLOOD_RATES.chat, userId: 'flooder', texts: questions, forwardedFor: { prefix: '10.2.1.', count: 250 } },
    demands: { name: 'demand flood', connections: 5, rate: FLOOD_RATES.demands, userId: 'demander', texts: DEMANDS, forwardedFor: { prefix: '10.3.1.', count: 250 } },
    address: { name: 'address flood', connections: 5, rate: FLOOD_RATES.address, userId: { prefix: 'anonymous-', count: 1_000_000 }, texts: DEMANDS, forwardedFor: '203.0.113.66' },
  }
  return [...(withResidents ? [residents] : []), ...floods.map((name) => flood[name])]
}

async function scenario(questions: string[], seconds: number, floods: Flood[], limits: Record<string, string>, withResidents = true) {
  const dir = await mkdtemp(path.join(tmpdir(), 'anju-bench-flood-'))
  const config = loadConfig({
    ...process.env, ...limits, DATA_DIR: dir, LOG_LEVEL: 'warn', TRUST_PROXY: 'true', STAFF_FILE: path.join(dir, 'no-staff.yaml'),
    KNOWLEDGE_DIR: path.join(ROOT, 'knowledge'), INTENTS_DIR: path.join(ROOT, 'intents'),
  })
  const assistant = await createAssistant(config, { logger: createLogger('warn') })
  const app = await buildHttpServer({ ...assistant })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  // The residents are known, and the demand flooder has told its settlement, so that its demands become tickets.
  const at = new Date().toISOString()
  await Promise.all(Array.from({ length: RESIDENTS }, (_, n) => assistant.residents.save({
    key: `http:resident-${n}`, channel: 'http', channelUserId: `resident-${n}`, notices: false, tags: [], blocked: false, createdAt: at, updatedAt: at,
  })))
  await app.inject({ method: 'POST', url: '/api/chat', payload: { userId: 'demander', text: '/settlement xingfu_jiayuan_sample' } })
  const cpu = process.cpuUsage()
  const results = await runLoad(url, seconds, streams(questions, floods, withResidents))
  const { user, system } = process.cpuUsage(cpu)
  // Messages the load left queued behind a flooder (their sockets closed) finish before the folder goes.
  await new Promise((resolve) => setTimeout(resolve, 2000))
  const turns = await assistant.conversations.listTurns()
  const answered = (userId: string) => turns.filter((t) => t.channelUserId === userId).length
  const tickets = await assistant.desk!.tickets.list()
  const outcome = { results, cpuSeconds: (user + system) / 1e6, flooderAnswered: answered('flooder'), demanderTickets: tickets.filter((t) => t.channelUserId === 'demander').length, anonymousTickets: tickets.filter((t) => t.channelUserId.startsWith('anonymous-')).length, tickets: tickets.length }
  await app.close()
  await assistant.conversations.close()
  // Profiles of the last requests may still be being written.
  await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  return outcome
}

const line = (r: LoadResult, seconds: number) =>
  `${String(Math.round(r.requests / seconds)).padStart(5)} msgs/s   p50 ${r.p50} ms   p99 ${r.p99} ms   statuses ${JSON.stringify(r.statusCodes)}`

export async function benchFlood(questions: string[], seconds: number): Promise<void> {
  console.log(`\nfloods: POST /api/chat for ${seconds}s per scenario, load from a second process, client addresses in X-Forwarded-For`)
  console.log(`  floods offered at ${FLOOD_RATES.chat} (one resident), ${FLOOD_RATES.demands} (one resident's demands) and ${FLOOD_RATES.address} (one address) requests/s`)
  // A first run warms the JIT and the caches, so that "alone" is not slower for being first.
  await scenario(questions, Math.min(seconds, 5), [], {})
  const aloneRun = await scenario(questions, seconds, [], {})
  const alone = aloneRun.results[0]!
  console.log(`  residents alone (limits on):          ${line(alone, seconds)}   ${cpuPer(aloneRun.cpuSeconds, alone.requests)}`)
  const against = (residents: LoadResult) => {
    const change = (residents.requests / alone.requests - 1) * 100
    return `(${change >= 0 ? '+' : ''}${change.toFixed(0)}% msgs/s against alone)`
  }
  // Server CPU per request is what a flood takes from everyone else, and does not depend on what else loads the machine.
  for (const flood of FLOODS) {
    const only = await scenario(questions, seconds, [flood], {}, false)
    console.log(`  the ${flood} flood with nobody else: ${only.results[0]!.requests} requests, ${cpuPer(only.cpuSeconds, only.results[0]!.requests)}`)
  }
  for (const flood of FLOODS) {
    const run = await scenario(questions, seconds, [flood], {})
    const [residents, flooding] = run.results as [LoadResult, LoadResult]
    console.log(`  during the ${flood} flood alone: residents ${line(residents, seconds)} ${against(residents)}`)
    console.log(`    ${describe(flood, flooding, run)}`)
  }
  for (const [label, limits] of [['limits on (the defaults)', {}], ['limits off', LIMITS_OFF]] as const) {
    const run = await scenario(questions, seconds, FLOODS, limits)
    const [residents, ...floods] = run.results as [LoadResult, ...LoadResult[]]
    console.log(`  during all three floods, ${label}:`)
    console.log(`    residents:      ${line(residents, seconds)}   ${against(residents)}`)
    FLOODS.forEach((flood, n) => console.log(`    ${describe(flood, floods[n]!, run)}`))
    console.log(`    tickets created in all: ${run.tickets}   server CPU ${run.cpuSeconds.toFixed(1)} s`)
  }
}

const cpuPer = (cpuSeconds: number, requests: number) => `server CPU ${(cpuSeconds * 1000 / Math.max(1, requests)).toFixed(2)} ms a request`

function describe(flood: Flood, result: LoadResult, run: { flooderAnswered: number; demanderTickets: number; anonymousTickets: number }): string {
  if (flood === 'chat') return `chat flood:     ${result.requests} sent by one resident, ${run.flooderAnswered} answered and recorded`
  if (flood === 'demands') return `demand flood:   ${result.requests} demands by one resident, ${run.demanderTickets} tickets`
  return `address flood:  ${result.requests} sent from one address as new residents: ${JSON.stringify(result.statusCodes)}, ${run.anonymousTickets} tickets`
}
