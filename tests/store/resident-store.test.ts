import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { storeWrites } from '../../src/store/lowdb/data-file'
import { LowdbResidentStore } from '../../src/store/lowdb/resident-store'
import { makeTempDir, removeDir } from '../helpers'
import { profile } from './fixtures'

describe('LowdbResidentStore (real files)', () => {
  let dir: string
  beforeEach(async () => { dir = await makeTempDir() })
  afterEach(async () => { await removeDir(dir) })

  it('keeps profiles across a restart, spread over small shard files', async () => {
    const store = new LowdbResidentStore(dir, { shards: 8 })
    await Promise.all(Array.from({ length: 300 }, (_, n) => store.save(profile(n))))
    await store.save(profile(7, { locale: 'en', tags: ['parents'] }))

    const files = await readdir(path.join(dir, 'residents'))
    expect(files.filter((f) => /^shard-\d{2}\.jsonl$/.test(f)).length).toBe(8)

    const reopened = new LowdbResidentStore(dir, { shards: 8 })
    expect(await reopened.get('telegram:7')).toMatchObject({ locale: 'en', tags: ['parents'], settlementId: 'xingfu_jiayuan_sample' })
    expect(await reopened.get('telegram:999')).toBeUndefined()
    expect((await reopened.list()).length).toBe(300)
  })

  it('returns copies: changing one does not change the store until saved', async () => {
    const store = new LowdbResidentStore(dir)
    await store.save(profile(1))
    const copy = (await store.get('telegram:1'))!
    copy.tags.push('elderly')
    expect((await store.get('telegram:1'))!.tags).toEqual([])
  })

  it('writes a profile update as that profile, not its shard, and compacts a shard without losing the latest of each', async () => {
    const store = new LowdbResidentStore(dir, { shards: 1 })
    await Promise.all(Array.from({ length: 1_500 }, (_, n) => store.save(profile(n))))
    const oneProfile = Buffer.byteLength(JSON.stringify({ k: 'telegram:7', v: profile(7, { tags: ['parents'] }) }))
    const before = storeWrites.bytes
    await store.save(profile(7, { tags: ['parents'] }))
    expect(storeWrites.bytes - before).toBeLessThan(2 * oneProfile)

    // Thousands of updates and some removals: the shard is compacted on the way, and the last word of each key stands.
    for (let round = 0; round < 3; round += 1) await Promise.all(Array.from({ length: 1_500 }, (_, n) => store.save(profile(n, { tags: [`round-${round}`] }))))
    await store.remove(['telegram:1', 'telegram:2'])
    const file = path.join(dir, 'residents', 'shard-00.jsonl')
    expect((await readFile(file, 'utf8')).trimEnd().split('\n').length).toBeLessThan(3 * 1_500)
    const reopened = new LowdbResidentStore(dir, { shards: 1 })
    expect((await reopened.list()).length).toBe(1_498)
    expect(await reopened.get('telegram:1')).toBeUndefined()
    expect((await reopened.get('telegram:7'))!.tags).toEqual(['round-2'])
  })
})
