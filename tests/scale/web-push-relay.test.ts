import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/core/logger'
import { openPostgresStores } from '../../src/store/postgres/index'
import { MAX_PUSH_PAYLOAD_BYTES } from '../../src/store/postgres/push-relay'
import type { StoreSet } from '../../src/store/stores'
import type { WebEntry, WebPushListener } from '../../src/store/types'
import { TEST_DATABASE_URL, usePostgresSchema } from '../postgres'

const logger = createLogger('silent')

/** Two instances' stores on one schema, and a third on another: what each relay hands to its instance's pages. */
describe('web push relay (PostgreSQL LISTEN/NOTIFY)', () => {
  const schema = usePostgresSchema()
  const other = usePostgresSchema()
  const received = { a: [] as [string, WebEntry[]][], b: [] as [string, WebEntry[]][] }
  let a: StoreSet
  let b: StoreSet
  let elsewhere: StoreSet
  let announceFromA: WebPushListener
  let announceFromElsewhere: WebPushListener

  beforeAll(async () => {
    a = await openPostgresStores({ url: TEST_DATABASE_URL, schema: schema.name, max: 2 })
    b = await openPostgresStores({ url: TEST_DATABASE_URL, schema: schema.name, max: 2 })
    elsewhere = await openPostgresStores({ url: TEST_DATABASE_URL, schema: other.name, max: 2 })
    announceFromA = a.relayWebPushes!((residentId, entries) => received.a.push([residentId, [...entries]]), logger)
    b.relayWebPushes!((residentId, entries) => received.b.push([residentId, [...entries]]), logger)
    announceFromElsewhere = elsewhere.relayWebPushes!(() => undefined, logger)
    // Each relay LISTENs as it opens: once a probe announced by A reaches B, B listens.
    const probe: WebEntry = { seq: 1, at: new Date().toISOString(), from: 'assistant', kind: 'push', text: 'probe' }
    while (received.b.length === 0) {
      announceFromA('probe', [probe])
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  })
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close(), elsewhere?.close()])
  })

  it('hands entries announced by one instance to the other, not back to itself', async () => {
    const entries = await a.webHistory.append('resident-small', [{ from: 'assistant', kind: 'push', text: '明天上午停水' }], new Date())
    announceFromA('resident-small', entries)
    await expect.poll(() => received.b.filter(([id]) => id === 'resident-small'), { timeout: 20_000 }).toEqual([['resident-small', entries]])
    expect(received.a).toEqual([])
  })

  it('sends the seqs of entries too large for NOTIFY, and the other instance reads them from the shared history', async () => {
    const long = '通知'.repeat(MAX_PUSH_PAYLOAD_BYTES / 3)
    await a.webHistory.append('resident-large', [{ from: 'assistant', kind: 'push', text: '前一条' }], new Date())
    const entries = await a.webHistory.append('resident-large', [{ from: 'assistant', kind: 'push', text: long }, { from: 'assistant', kind: 'push', text: '第二条' }], new Date())
    expect(Buffer.byteLength(JSON.stringify(entries))).toBeGreaterThan(MAX_PUSH_PAYLOAD_BYTES)
    announceFromA('resident-large', entries)
    await expect.poll(() => received.b.filter(([id]) => id === 'resident-large'), { timeout: 20_000 }).toEqual([['resident-large', entries]])
    expect(received.a).toEqual([])
  })

  it('keeps deployments in other schemas of the database apart', async () => {
    const entries = await elsewhere.webHistory.append('resident-elsewhere', [{ from: 'assistant', kind: 'push', text: '别处的通知' }], new Date())
    announceFromElsewhere('resident-elsewhere', entries)
    // Announced after it: once B has this one, B would have had the other schema's too.
    const mine = await a.webHistory.append('resident-after', [{ from: 'assistant', kind: 'push', text: '本处的通知' }], new Date())
    announceFromA('resident-after', mine)
    await expect.poll(() => received.b.filter(([id]) => id === 'resident-after'), { timeout: 20_000 }).toHaveLength(1)
    expect(received.b.filter(([id]) => id === 'resident-elsewhere')).toEqual([])
  })
})
