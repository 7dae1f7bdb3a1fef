import { describe, expect, it } from 'vitest'
import type { PlannedDelivery } from '../../../src/broadcast/delivery-log'
import { having, useBackends } from './backends'

const backends = useBackends()

const at = new Date('2026-11-23T08:00:00.000Z')
const later = (ms: number) => new Date(at.getTime() + ms)
const planned = (count: number): PlannedDelivery[] => Array.from({ length: count }, (_, i) => ({
  i, key: `web:r${String(i).padStart(3, '0')}`, channel: 'web', to: `r${i}`, locale: 'zh-CN', ...(i % 10 === 9 ? { skip: 'unsubscribed' as const } : {}),
}))
const never = () => false

describe.each(having(backends, 'deliveries'))('broadcast deliveries on $name', (backend) => {
  it('hands out each planned delivery once, in order, and counts what was recorded', async () => {
    const { deliveries } = await backend.open()
    await deliveries!.writePlan('N1', planned(30))
    const first = await deliveries!.claim('N1', at, 10, 60_000, never)
    const rest = await deliveries!.claim('N1', at, 100, 60_000, never)
    expect([...first, ...rest].map((r) => r.i)).toEqual(planned(30).filter((p) => !p.skip).map((p) => p.i))
    expect(await deliveries!.claim('N1', at, 100, 60_000, never)).toEqual([])
    for (const record of first.slice(0, 4)) {
      record.attempts = 1
      record.state = 'sending'
      record.at = at.toISOString()
      expect(await deliveries!.record('N1', record, later(60_000))).toBe(true)
      record.state = record.i === 3 ? 'failed' : 'sent'
      await deliveries!.record('N1', record)
    }
    expect(await deliveries!.counts('N1', at)).toMatchObject({ total: 30, sent: 3, failed: 1, queued: 23, waiting: 23, skipped: { unsubscribed: 3 } })
  })
})

describe.each(having(backends, 'deliveries').filter((backend) => backend.shared))('broadcast deliveries shared by instances on $name', (backend) => {
  it('plans twice without a duplicate, shares the claims, and gives a dead instance\'s batch to another after its lease', async () => {
    const a = (await backend.open()).deliveries!
    const b = (await backend.open()).deliveries!
    await Promise.all([a.writePlan('N2', planned(40)), b.writePlan('N2', planned(40))])
    // B's claim outlasts A's, so that only A's batch is free when A's lease ends.
    const [fromA, fromB] = await Promise.all([a.claim('N2', at, 20, 60_000, never), b.claim('N2', at, 20, 600_000, never)])
    const claimed = [...fromA, ...fromB].map((r) => r.key)
    expect(new Set(claimed).size).toBe(36)
    expect((await a.counts('N2', at)).total).toBe(40)
    // A "dies" with a send on the wire and the rest of its batch untouched.
    const [onWire, ...untouched] = fromA
    onWire!.state = 'sending'
    onWire!.attempts = 1
    onWire!.at = at.toISOString()
    await a.record('N2', onWire!, later(60_000))
    expect(await b.claim('N2', later(59_000), 100, 60_000, never)).toEqual([])
    const takenOver = await b.claim('N2', later(61_000), 100, 60_000, never)
    expect(takenOver.map((r) => r.key).sort()).toEqual(untouched.map((r) => r.key).sort())
    // What it had on the wire is sent-unknown on a channel that cannot tell; A, back late, may not send what B took.
    expect(await b.counts('N2', later(61_000))).toMatchObject({ unknown: 1, sending: 0 })
    const late = untouched[0]!
    late.state = 'sending'
    expect(await a.record('N2', late, later(120_000))).toBe(false)
    takenOver[0]!.state = 'sending'
    expect(await b.record('N2', takenOver[0]!, later(120_000))).toBe(true)
  })

  it('sends again what a dead instance had on the wire where the channel delivers an id once', async () => {
    const a = (await backend.open()).deliveries!
    const b = (await backend.open()).deliveries!
    await a.writePlan('N3', planned(5))
    const [onWire] = await a.claim('N3', at, 1, 1_000, never)
    onWire!.state = 'sending'
    onWire!.at = at.toISOString()
    await a.record('N3', onWire!, later(1_000))
    const again = await b.claim('N3', later(2_000), 100, 1_000, (channel) => channel === 'web')
    expect(again.map((r) => r.key)).toContain(onWire!.key)
    expect(again.find((r) => r.key === onWire!.key)).toMatchObject({ state: 'retry', reason: 'interrupted while sending' })
  })
})
