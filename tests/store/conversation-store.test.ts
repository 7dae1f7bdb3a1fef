import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LowdbConversationStore } from '../../src/store/lowdb/conversation-store'
import type { ConversationTurn } from '../../src/store/types'
import { makeTempDir, removeDir } from '../helpers'

const turn = (n: number, overrides: Partial<ConversationTurn> = {}): ConversationTurn => ({
  id: `t${n}`,
  at: new Date(Date.UTC(2026, 10, 23, 8, 0, n)).toISOString(),
  channel: 'http',
  channelUserId: `u${n % 7}`,
  locale: 'zh-CN',
  text: `问题 ${n}`,
  intent: n % 5 === 0 ? null : 'dibao_eligibility',
  confidence: 0.5,
  fallback: n % 5 === 0,
  replies: [`回答 ${n}`],
  ...overrides,
})

describe('LowdbConversationStore (real files)', () => {
  let dir: string
  beforeEach(async () => { dir = await makeTempDir() })
  afterEach(async () => { await removeDir(dir) })

  it('keeps every turn of many concurrent writes, on disk, in bounded part files', async () => {
    const store = new LowdbConversationStore(dir, { maxItemsPerFile: 50 })
    await Promise.all(Array.from({ length: 230 }, (_, n) => store.record(turn(n))))

    const dayDir = path.join(dir, 'conversations', '2026-11-23')
    const files = (await readdir(dayDir)).filter((name) => name.endsWith('.jsonl')).sort()
    expect(files).toEqual(['server.part-0001.jsonl', 'server.part-0002.jsonl', 'server.part-0003.jsonl', 'server.part-0004.jsonl', 'server.part-0005.jsonl'])
    const onDisk = await Promise.all(files.map(async (name) => (await readFile(path.join(dayDir, name), 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line)).length))
    expect(onDisk).toEqual([50, 50, 50, 50, 30])

    // A new process sees exactly what was written, and continues the newest part.
    const reopened = new LowdbConversationStore(dir, { maxItemsPerFile: 50 })
    const turns = await reopened.listTurns()
    expect(turns.map((t) => t.id)).toEqual(Array.from({ length: 230 }, (_, n) => `t${n}`))
    await reopened.record(turn(999, { at: '2026-11-23T09:00:00.000Z' }))
    expect((await reopened.listTurns()).length).toBe(231)
    expect((await readdir(dayDir)).filter((name) => name.endsWith('.jsonl')).length).toBe(5)
  })

  it('lists fallbacks as the unanswered list, newest first, with time range and limit', async () => {
    const store = new LowdbConversationStore(dir)
    for (let n = 0; n < 20; n += 1) await store.record(turn(n))
    const unanswered = await store.listUnanswered()
    expect(unanswered.map((t) => t.id)).toEqual(['t15', 't10', 't5', 't0'])
    expect(unanswered.every((t) => t.fallback && t.intent === null)).toBe(true)
    const ranged = await store.listUnanswered({ from: new Date(Date.UTC(2026, 10, 23, 8, 0, 5)), to: new Date(Date.UTC(2026, 10, 23, 8, 0, 15)), limit: 1 })
    expect(ranged.map((t) => t.id)).toEqual(['t10'])
  })

  it('splits days into their own folders and merges writers in time order', async () => {
    const server = new LowdbConversationStore(dir)
    const terminal = new LowdbConversationStore(dir, { writer: 'cli' })
    await server.record(turn(1, { at: '2026-11-22T23:59:59.000Z' }))
    await terminal.record(turn(2, { at: '2026-11-23T00:00:01.000Z', channel: 'cli' }))
    await server.record(turn(3, { at: '2026-11-23T00:00:02.000Z' }))
    expect(await readdir(path.join(dir, 'conversations'))).toEqual(['2026-11-22', '2026-11-23'])
    expect((await server.listTurns()).map((t) => t.id)).toEqual(['t1', 't2', 't3'])
    expect((await server.listTurns({ from: new Date('2026-11-23T00:00:00Z') })).map((t) => t.id)).toEqual(['t2', 't3'])
  })

  it('refuses a writer name that could escape its folder', () => {
    expect(() => new LowdbConversationStore(dir, { writer: '../evil' })).toThrow(/writer name/)
  })
})
