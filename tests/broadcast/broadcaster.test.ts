import { describe, expect, it } from 'vitest'
import { useDeskWorkspace } from '../escalation/desk-fixture'
import { ANLE, CountingChannel, makeBroadcaster, notice, resident, seedResidents, XINGFU } from './fixture'

const ws = useDeskWorkspace('2026-11-23T02:00:00.000Z')

const N = 10_000

describe('broadcasting', () => {
  it('delivers to 10,000 residents exactly once each', async () => {
    const channel = new CountingChannel()
    const { broadcaster, residents } = await makeBroadcaster(ws.dir, ws.clock, channel)
    await seedResidents(residents, Array.from({ length: N }, (_, n) => resident(n)))
    const planned = await broadcaster.plan(notice())
    expect(planned.queued).toBe(N)
    expect(await broadcaster.run(notice())).toBe('done')
    expect(channel.counts.size).toBe(N)
    expect([...channel.counts.values()].every((c) => c === 1)).toBe(true)
    expect(await broadcaster.progress(notice().id)).toMatchObject({ total: N, sent: N, queued: 0, sending: 0, failed: 0 })
    // A second run (a restart after the end) sends nothing again.
    expect(await broadcaster.run(notice())).toBe('done')
    expect(channel.sends).toBe(N)
  }, 60_000)

  it('killed half-way and restarted on the same data, still delivers exactly once', async () => {
    const first = new CountingChannel()
    first.crashAfter = N / 2
    const { broadcaster, residents } = await makeBroadcaster(ws.dir, ws.clock, first)
    await seedResidents(residents, Array.from({ length: N }, (_, n) => resident(n)))
    await broadcaster.plan(notice())
    void broadcaster.run(notice())
    await first.crashed
    // Let the writes already under way land, as they would before the process dies; then it is gone for good.
    await new Promise((resolve) => setTimeout(resolve, 200))

    const second = new CountingChannel()
    const restarted = (await makeBroadcaster(ws.dir, ws.clock, second)).broadcaster
    expect(await restarted.run(notice())).toBe('done')
    const delivered = new Map(first.counts)
    for (const [to, count] of second.counts) delivered.set(to, (delivered.get(to) ?? 0) + count)
    expect(delivered.size).toBe(N)
    expect([...delivered.values()].every((c) => c === 1)).toBe(true)
    expect(first.sends).toBeGreaterThan(N / 2)
    expect(second.sends).toBeGreaterThan(0)
    // The ones caught between the platform's "ok" and the record are sent-unknown, never resent.
    const progress = await restarted.progress(notice().id)
    expect(progress.sent + progress.unknown).toBe(N)
    expect(progress.unknown).toBeLessThanOrEqual(8)
    expect(progress.sending).toBe(0)
  }, 60_000)

  it('skips unsubscribed, blocked and linked residents with the reason, and sends only to the audience', async () => {
    const channel = new CountingChannel()
    const { broadcaster, residents } = await makeBroadcaster(ws.dir, ws.clock, channel)
    await seedResidents(residents, [
      resident(1), resident(2, { notices: false }), resident(3, { blocked: true }), resident(4, { linkedTo: 'wechat:x' }),
      resident(5, { settlementId: ANLE }), resident(6, { settlementId: undefined }),
      resident(7, { key: 'http:7', channel: 'http' }), resident(8, { locale: 'en', tags: ['job_seekers'] }),
    ])
    const planned = await broadcaster.plan(notice())
    expect(planned).toMatchObject({ total: 6, queued: 2, skipped: { unsubscribed: 1, blocked: 1, linked: 1, no_channel: 1 } })
    await broadcaster.run(notice())
    expect([...channel.counts.keys()].sort()).toEqual(['1', '8'])
    expect(channel.texts.get('1')).toContain('招聘会')
    expect(channel.texts.get('8')).toContain('Job fair')

    const byTag = notice({ id: 'N000000000002', audience: { settlements: 'all', tags: ['job_seekers'] } })
    expect((await broadcaster.plan(byTag)).queued).toBe(1)
    expect(await broadcaster.preview({ settlements: [XINGFU, ANLE], tags: [] })).toEqual({
      recipients: 3, byChannel: { telegram: 3 }, skipped: { unsubscribed: 1, blocked: 1, linked: 1, no_channel: 1 },
    })
  })

  it('plans residents of a channel the deployment runs though this instance does not (the Telegram leader sends them)', async () => {
    const { broadcaster: follower, residents } = await makeBroadcaster(ws.dir, ws.clock, undefined)
    await seedResidents(residents, [resident(1), resident(2), resident(3, { key: 'http:3', channel: 'http' })])
    expect(await follower.preview({ settlements: [XINGFU], tags: [] })).toEqual({
      recipients: 2, byChannel: { telegram: 2 }, skipped: { unsubscribed: 0, blocked: 0, linked: 0, no_channel: 1 },
    })
    expect(await follower.plan(notice())).toMatchObject({ total: 3, queued: 2, skipped: { no_channel: 1 } })
    // The planning instance gives the Telegram deliveries back; the instance that runs Telegram sends them.
    expect(await follower.run(notice())).toBe('waiting')
    const channel = new CountingChannel()
    const leader = (await makeBroadcaster(ws.dir, ws.clock, channel)).broadcaster
    expect(await leader.run(notice())).toBe('done')
    expect([...channel.counts.keys()].sort()).toEqual(['1', '2'])
    expect(await leader.progress(notice().id)).toMatchObject({ total: 3, sent: 2, waiting: 0 })
  })

  it('retries passing failures with backoff, and fails the unreachable with the reason', async () => {
    const channel = new CountingChannel()
    channel.script = (to, call) => {
      if (to === '1' && call <= 2) return { status: 'retry', afterMs: 5, reason: '429 Too Many Requests' }
      if (to === '2') return { status: 'unreachable', reason: '403 Forbidden: bot was blocked by the user' }
      if (to === '3') return { status: 'retry', afterMs: 0, reason: '502' }
      return undefined
    }
    const { broadcaster, residents } = await makeBroadcaster(ws.dir, ws.clock, channel, { maxAttempts: 3 })
    await seedResidents(residents, [resident(1), resident(2), resident(3), resident(4)])
    await broadcaster.plan(notice())
    await broadcaster.run(notice())
    expect(channel.counts.get('1')).toBe(1)
    const progress = await broadcaster.progress(notice().id)
    expect(progress).toMatchObject({ sent: 2, failed: 2, retry: 0 })
  })

  it('stops at the expiry', async () => {
    const channel = new CountingChannel()
    const { broadcaster, residents } = await makeBroadcaster(ws.dir, ws.clock, channel)
    await seedResidents(residents, [resident(1)])
    const expired = notice({ expiresAt: '2026-11-23T01:30:00.000Z' })
    await broadcaster.plan(expired)
    expect(await broadcaster.run(expired)).toBe('expired')
    expect(channel.sends).toBe(0)
  })
})
