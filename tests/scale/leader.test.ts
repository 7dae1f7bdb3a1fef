import { describe, expect, it } from 'vitest'
import { createLogger } from '../../src/core/logger'
import { electLeader } from '../../src/store/postgres/leader'
import { createPool } from '../../src/store/postgres/pool'
import { TEST_DATABASE_URL } from '../postgres'

describe('leader election by advisory lock', () => {
  it('gives a role to one instance at a time, and to another once the leader is gone', async () => {
    const role = `test-${process.pid}-${Date.now()}`
    const logger = createLogger('silent')
    const pools = [createPool({ url: TEST_DATABASE_URL, max: 2 }), createPool({ url: TEST_DATABASE_URL, max: 2 })]
    const leaders: number[] = []
    const elections = pools.map((pool, n) => electLeader(pool, role, { onElected: async () => { leaders.push(n) }, onLost: async () => undefined }, logger, { retryMs: 50 }))
    await expect.poll(() => leaders.length).toBe(1)
    // The others keep trying while the leader lives: still one.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(leaders).toHaveLength(1)

    const first = leaders[0]!
    await elections[first]!.resign()
    await expect.poll(() => leaders.length).toBe(2)
    expect(leaders[1]).toBe(1 - first)
    await Promise.all(elections.map((election) => election.resign()))
    await Promise.all(pools.map((pool) => pool.end()))
  })

  it('a leader whose connection drops gives the role up, and stands again once the other has gone', async () => {
    const role = `test-drop-${process.pid}-${Date.now()}`
    const logger = createLogger('silent')
    const pools = [createPool({ url: TEST_DATABASE_URL, max: 2 }), createPool({ url: TEST_DATABASE_URL, max: 2 })]
    const admin = createPool({ url: TEST_DATABASE_URL, max: 1 })
    const leaders: number[] = []
    const lost: number[] = []
    const elections = pools.map((pool, n) => electLeader(pool, role, { onElected: async () => { leaders.push(n) }, onLost: async () => { lost.push(n) } }, logger, { retryMs: 50 }))
    await expect.poll(() => leaders.length).toBe(1)
    const first = leaders[0]!
    // The database ends the leader's session (a failover, a network cut): its lock is free.
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_locks
      WHERE locktype = 'advisory' AND granted AND objid::text::bigint = (hashtext($1)::bigint & 4294967295)`, [`anju:leader:${role}`])
    await expect.poll(() => lost).toEqual([first])
    await expect.poll(() => leaders).toEqual([first, 1 - first])
    await elections[1 - first]!.resign()
    await expect.poll(() => leaders).toEqual([first, 1 - first, first])
    await Promise.all(elections.map((election) => election.resign()))
    await Promise.all([...pools, admin].map((pool) => pool.end()))
  })
})
