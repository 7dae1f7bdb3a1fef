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
})
