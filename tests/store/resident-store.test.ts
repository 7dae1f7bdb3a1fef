import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
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
    expect(files.filter((f) => /^shard-\d{2}\.json$/.test(f)).length).toBe(8)

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
})
