import { describe, expect, it } from 'vitest'
import { RecentMap } from '../../src/core/recent-map'

describe('RecentMap', () => {
  it('keeps at most its capacity, forgetting the least recently used first', () => {
    const map = new RecentMap<string, number>(2)
    map.set('a', 1)
    map.set('b', 2)
    expect(map.get('a')).toBe(1) // a is now more recent than b
    map.set('c', 3)
    expect(map.get('b')).toBeUndefined()
    expect(map.get('a')).toBe(1)
    expect(map.get('c')).toBe(3)
    map.delete('a')
    expect(map.get('a')).toBeUndefined()
  })
})
