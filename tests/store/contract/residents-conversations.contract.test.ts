import { describe, expect, it } from 'vitest'
import type { ConversationTurn } from '../../../src/store/types'
import { profile } from '../fixtures'
import { having, useBackends } from './backends'

const backends = useBackends()

const turn = (at: string, text: string, fallback = false): ConversationTurn => ({
  id: `${at}-${text}`, at, channel: 'web', channelUserId: 'w1', locale: 'zh-CN', text,
  intent: fallback ? null : 'dibao_apply', confidence: fallback ? 0.1 : 0.9, fallback, replies: [`re: ${text}`],
})

describe.each(having(backends, 'residents'))('residents on $name', (backend) => {
  it('keeps profiles as saved, the last save winning, readable by another instance', async () => {
    const { residents } = await backend.open()
    await Promise.all(Array.from({ length: 50 }, (_, n) => residents!.save(profile(n))))
    await residents!.save(profile(7, { locale: 'en', tags: ['parents'], dialogue: { check: 'dibao', answers: { income: 800 }, asked: ['income'], status: 'asking', lastAt: '2026-11-23T08:01:00.000Z' } }))

    const other = (await backend.open()).residents!
    expect(await other.get('telegram:7')).toEqual(profile(7, { locale: 'en', tags: ['parents'], dialogue: { check: 'dibao', answers: { income: 800 }, asked: ['income'], status: 'asking', lastAt: '2026-11-23T08:01:00.000Z' } }))
    expect(await other.get('telegram:999')).toBeUndefined()
    expect((await other.list()).map((p) => p.key).sort()).toEqual(Array.from({ length: 50 }, (_, n) => `telegram:${n}`).sort())
  })

  it('reads an audience by settlement and tags, page after page in key order, each resident once', async () => {
    const { residents } = await backend.open()
    // 0..59: settlements a/b/c by n % 3, tags by n % 4; every 10th unsubscribed, every 7th blocked, some without a settlement.
    await Promise.all(Array.from({ length: 60 }, (_, n) => residents!.save(profile(n, {
      settlementId: n % 11 === 5 ? undefined : ['a', 'b', 'c'][n % 3], tags: [[], ['parents'], ['job_seekers'], ['parents', 'elderly']][n % 4]!,
      notices: n % 10 !== 0, blocked: n % 7 === 0,
    }))))
    const readAll = async (query: { settlements: 'all' | string[]; tags: string[] }, pageSize: number) => {
      const keys: string[] = []
      let after: string | undefined
      for (;;) {
        const page = await residents!.audience(query, after, pageSize)
        keys.push(...page.map((p) => p.key))
        if (page.length < pageSize) return keys
        after = page.at(-1)!.key
      }
    }
    const expected = (settlements: string[] | 'all', tags: string[]) => Array.from({ length: 60 }, (_, n) => n)
      .filter((n) => n % 11 !== 5 && (settlements === 'all' || settlements.includes(['a', 'b', 'c'][n % 3]!)))
      .filter((n) => tags.length === 0 || tags.some((t) => [[], ['parents'], ['job_seekers'], ['parents', 'elderly']][n % 4]!.includes(t)))
      .map((n) => `telegram:${n}`).sort()
    // Unsubscribed and blocked residents are in it: the broadcaster records them as skipped, with the reason.
    expect(await readAll({ settlements: 'all', tags: [] }, 7)).toEqual(expected('all', []))
    expect(await readAll({ settlements: ['a', 'c'], tags: [] }, 5)).toEqual(expected(['a', 'c'], []))
    expect(await readAll({ settlements: ['b'], tags: ['parents', 'job_seekers'] }, 4)).toEqual(expected(['b'], ['parents', 'job_seekers']))
    expect(await readAll({ settlements: 'all', tags: ['elderly'] }, 100)).toEqual(expected('all', ['elderly']))
    expect(await residents!.audience({ settlements: ['nowhere'], tags: [] }, undefined, 10)).toEqual([])
    const [first] = await residents!.audience({ settlements: ['a'], tags: ['parents'] }, undefined, 1)
    expect(first).toEqual(await residents!.get(first!.key))
  })

  it('returns copies: changing one changes nothing until it is saved', async () => {
    const { residents } = await backend.open()
    await residents!.save(profile(1))
    const read = (await residents!.get('telegram:1'))!
    read.tags.push('elderly')
    expect((await residents!.get('telegram:1'))!.tags).toEqual([])
  })

  it('removes the profiles asked for, ignoring unknown keys', async () => {
    const { residents } = await backend.open()
    for (let n = 0; n < 5; n += 1) await residents!.save(profile(n))
    await residents!.remove(['telegram:1', 'telegram:3', 'telegram:404'])
    await residents!.remove([])

    const other = (await backend.open()).residents!
    expect((await other.list()).map((p) => p.key).sort()).toEqual(['telegram:0', 'telegram:2', 'telegram:4'])
    expect(await other.get('telegram:3')).toBeUndefined()
  })

  it('keeps the home and a draft demand with when it was asked', async () => {
    const { residents } = await backend.open()
    const saved = profile(2, {
      home: { building: '5', room: '1201' },
      awaiting: 'demand_location',
      demandDraft: { category: 'housing_services', summary: '水管漏水', priority: 'normal', locationAsked: true, askedAt: '2026-11-23T08:02:00.000Z' },
    })
    await residents!.save(saved)
    expect(await (await backend.open()).residents!.get('telegram:2')).toEqual(saved)
  })
})

describe.each(having(backends, 'conversations'))('conversations on $name', (backend) => {
  it('lists turns oldest first in a range and the fallbacks newest first, with a limit', async () => {
    const { conversations } = await backend.open()
    await conversations!.record(turn('2026-11-23T23:59:59.000Z', 'a'))
    await conversations!.record(turn('2026-11-24T00:00:01.000Z', 'b', true))
    await conversations!.record(turn('2026-11-24T10:00:00.000Z', 'c', true))
    await conversations!.record(turn('2026-11-25T09:00:00.000Z', 'd'))

    const other = (await backend.open()).conversations!
    expect((await other.listTurns()).map((t) => t.text)).toEqual(['a', 'b', 'c', 'd'])
    const day = { from: new Date('2026-11-24T00:00:00.000Z'), to: new Date('2026-11-25T00:00:00.000Z') }
    expect((await other.listTurns(day)).map((t) => t.text)).toEqual(['b', 'c'])
    expect((await other.listUnanswered()).map((t) => t.text)).toEqual(['c', 'b'])
    expect((await other.listUnanswered({ limit: 1 })).map((t) => t.text)).toEqual(['c'])
    expect((await other.listTurns({ from: new Date('2026-11-24T10:00:00.000Z') }))[0]).toEqual(turn('2026-11-24T10:00:00.000Z', 'c', true))
  })
})
