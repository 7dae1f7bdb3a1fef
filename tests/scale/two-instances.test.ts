import { randomUUID } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashToken } from '../../src/escalation/staff'
import { openPostgresStores } from '../../src/store/postgres/index'
import type { StoreSet } from '../../src/store/stores'
import type { OutboxItem } from '../../src/store/types'
import { makeTempDir, removeDir } from '../helpers'
import { TEST_DATABASE_URL, usePostgresSchema } from '../postgres'
import { startInstance, type InstanceProcess } from '../../src/tools/instance-process'

const CASEWORKER_TOKEN = 'token-li-xiaofang-caseworker-xingfu'

/** Two server processes on different ports, one PostgreSQL schema. */
describe('two instances against one database', () => {
  const schema = usePostgresSchema()
  let dir: string
  let a: InstanceProcess
  let b: InstanceProcess
  let stores: StoreSet

  beforeAll(async () => {
    dir = await makeTempDir()
    const staffFile = path.join(dir, 'staff.yaml')
    await writeFile(staffFile, `staff:\n  - id: li_xiaofang\n    name: 李晓芳\n    role: caseworker\n    tokenSha256: ${hashToken(CASEWORKER_TOKEN)}\n`)
    // One open ticket per resident: a second demand joins it, so simultaneous demands make one ticket only when
    // each instance sees what the other stored, one message after the other.
    const env = (name: string) => ({ TICKETS_OPEN_PER_RESIDENT: '1', DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema.name, STAFF_FILE: staffFile, DATA_DIR: path.join(dir, name) })
    // Started together: both run the migrations at start, and the migration lock lets one apply them.
    ;[a, b] = await Promise.all([startInstance(env('a')), startInstance(env('b'))])
    stores = await openPostgresStores({ url: TEST_DATABASE_URL, schema: schema.name, max: 2 })
    // Two processes loading the knowledge base at once take longer than a hook usually may on a loaded machine.
  }, 120_000)
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()])
    await stores?.close()
    await removeDir(dir)
  })

  const webSession = async (instance: InstanceProcess) => {
    const response = await fetch(`${instance.url}/api/web/session`, { method: 'POST' })
    return /anju_web=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')![1]!
  }
  const webSay = async (instance: InstanceProcess, token: string, text: string) => {
    const response = await fetch(`${instance.url}/api/web/chat`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ text }),
    })
    expect(response.status).toBe(200)
    return (await response.json()) as { entries: { text: string }[] }
  }
  const staff = async (instance: InstanceProcess, method: 'GET' | 'POST', url: string, body?: unknown) => {
    const response = await fetch(`${instance.url}${url}`, {
      method, headers: { authorization: `Bearer ${CASEWORKER_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
    })
    return { status: response.status, body: (await response.json()) as any }
  }

  /** A server-sent event stream read as it comes, as a page would. */
  const openStream = async (url: string, cookie: string) => {
    const stop = new AbortController()
    const response = await fetch(url, { headers: { cookie }, signal: stop.signal })
    expect(response.status).toBe(200)
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
    const stream = { received: '', close: async () => { stop.abort(); await reading } }
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        stream.received += value
      }
    })().catch(() => undefined)
    return stream
  }

  it('makes one ticket of a resident\'s simultaneous messages to both, and each instance lists it', async () => {
    const residents = await Promise.all(Array.from({ length: 12 }, async (_, n) => {
      const token = await webSession(n % 2 ? a : b)
      await webSay(a, token, '/settlement xingfu_jiayuan_sample')
      return token
    }))
    // Six taps of "send" from each resident at once, three reaching each instance: one after another, each is a demand.
    const demand = '楼道的灯坏了一个月了，晚上老人上下楼很危险（3栋2单元502）'
    await Promise.all(residents.flatMap((token) => [a, b, a, b, a, b].map((instance) => webSay(instance, token, demand))))

    const [onA, onB] = await Promise.all([staff(a, 'GET', '/api/tickets'), staff(b, 'GET', '/api/tickets')])
    expect(onA.status).toBe(200)
    const tickets = (onA.body.tickets ?? onA.body) as { id: string; residentKey: string }[]
    expect(tickets).toHaveLength(residents.length)
    expect(new Set(tickets.map((t) => t.residentKey)).size).toBe(residents.length)
    for (const { id } of tickets) {
      // The first demand handled made the ticket; the other five joined it, each seeing what the one before stored.
      const ticket = (await stores.tickets.get(id))!
      expect(ticket.summary).toContain(demand)
      expect(ticket.events.filter((e) => e.type === 'resident_message')).toHaveLength(5)
    }
    expect((onB.body.tickets ?? onB.body) as unknown[]).toEqual(tickets)
  })

  it('shows a console signed in on A the ticket raised through B, as it is raised (LISTEN/NOTIFY)', async () => {
    const signIn = await fetch(`${a.url}/console/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: CASEWORKER_TOKEN }) })
    expect(signIn.status).toBe(200)
    const cookie = /anju_console=([^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')![0]
    const stream = await openStream(`${a.url}/console/api/events`, cookie)
    try {
      // The stream is open once its first line came.
      await expect.poll(() => stream.received, { timeout: 20_000 }).toContain('retry:')
      const token = await webSession(b)
      await webSay(b, token, '/settlement xingfu_jiayuan_sample')
      const raised = await webSay(b, token, '楼道的灯坏了一个月了，晚上老人上下楼很危险（3栋2单元502）')
      const id = /T\d{6}-\d{4}/.exec(raised.entries.map((e) => e.text).join('\n'))![0]
      await expect.poll(() => stream.received, { timeout: 20_000 }).toContain(`"id":"${id}"`)
      expect(stream.received).toMatch(/event: alert/)
    } finally {
      await stream.close()
    }
  })

  it('pushes to a page connected to A the caseworker\'s reply delivered by B (LISTEN/NOTIFY)', async () => {
    const token = await webSession(a)
    await webSay(a, token, '/settlement xingfu_jiayuan_sample')
    const raised = await webSay(a, token, '楼道的灯坏了一个月了，晚上老人上下楼很危险（3栋2单元502）')
    const id = /T\d{6}-\d{4}/.exec(raised.entries.map((e) => e.text).join('\n'))![0]
    const { residentId } = (await stores.webIdentities.get(hashToken(token)))!
    const pushed = async () => (await stores.webHistory.read(residentId)).entries.filter((e) => e.kind === 'push').map((e) => e.text)
    // A first answer before the page opens: the stream sends it as missed, so once it came, the stream is live.
    expect((await staff(b, 'POST', `/api/tickets/${id}/reply`, { text: '收到，明天派人去看。' })).status).toBe(200)
    await expect.poll(async () => (await pushed()).join('\n'), { timeout: 20_000 }).toContain('明天派人去看')
    const stream = await openStream(`${a.url}/api/web/events`, `anju_web=${token}`)
    try {
      await expect.poll(() => stream.received, { timeout: 20_000 }).toContain('明天派人去看')
      expect((await staff(b, 'POST', `/api/tickets/${id}/reply`, { text: '楼道灯已经修好了，请您晚上看看。' })).status).toBe(200)
      await expect.poll(() => stream.received, { timeout: 20_000 }).toContain('楼道灯已经修好了')
      expect(stream.received).toMatch(/event: entry/)
      // B delivered it (A's page got it through the relay), and A's page got it once.
      expect(stream.received.split('楼道灯已经修好了').length - 1).toBe(1)
    } finally {
      await stream.close()
    }
  }, 60_000)

  it('delivers each outbox item once, whichever instance claims it', async () => {
    const token = await webSession(b)
    await webSay(b, token, '你好')
    const { residentId } = (await stores.webIdentities.get(hashToken(token)))!
    const now = new Date().toISOString()
    const item = (n: number): OutboxItem => ({
      id: randomUUID(), channel: 'web', recipient: residentId, text: `第${n}条`, audience: 'staff',
      status: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now,
    })
    // In batches, so that both instances' passes (every 5 s, and on start) find due items.
    for (let batch = 0; batch < 5; batch += 1) {
      await Promise.all(Array.from({ length: 40 }, (_, n) => stores.outbox.add(item(batch * 40 + n))))
      await new Promise((resolve) => setTimeout(resolve, 1_500))
    }
    await expect.poll(async () => (await stores.outbox.list()).filter((i) => i.recipient === residentId && i.status === 'sent').length, { timeout: 30_000, interval: 500 }).toBe(200)
    const pushed = (await stores.webHistory.read(residentId)).entries.filter((e) => e.kind === 'push').map((e) => e.text)
    expect(pushed).toHaveLength(200)
    expect(new Set(pushed).size).toBe(200)
  })
})
