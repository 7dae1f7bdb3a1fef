import { createHash } from 'node:crypto'
import path from 'node:path'
import { CoalescingFile } from './coalescing-file'

/**
 * Records by key, spread over `shards` lowdb files by a hash of the key (`<dir>/shard-NN.json`), so a write
 * rewrites one small file however many records there are. Each file is `{ [field]: { key: record } }`.
 */
export class ShardedRecords<T> {
  readonly #dir: string
  readonly #shards: number
  readonly #field: string
  readonly #files = new Map<number, Promise<CoalescingFile<Record<string, Record<string, T>>>>>()

  constructor(dir: string, shards: number, field: string) {
    this.#dir = dir
    this.#shards = shards
    this.#field = field
  }

  async get(key: string): Promise<T | undefined> {
    const record = (await this.#records(this.#shardOf(key)))[key]
    return record && structuredClone(record)
  }

  async set(key: string, record: T): Promise<void> {
    const file = await this.#open(this.#shardOf(key))
    file.db.data[this.#field]![key] = structuredClone(record)
    await file.save()
  }

  async values(): Promise<T[]> {
    const all: T[] = []
    for (let shard = 0; shard < this.#shards; shard += 1) all.push(...Object.values(await this.#records(shard)).map((r) => structuredClone(r)))
    return all
  }

  async #records(shard: number): Promise<Record<string, T>> {
    return (await this.#open(shard)).db.data[this.#field]!
  }

  #shardOf(key: string): number {
    return createHash('sha1').update(key).digest().readUInt32BE(0) % this.#shards
  }

  #open(shard: number): Promise<CoalescingFile<Record<string, Record<string, T>>>> {
    let file = this.#files.get(shard)
    if (!file) {
      file = CoalescingFile.open(path.join(this.#dir, `shard-${String(shard).padStart(2, '0')}.json`), { [this.#field]: {} })
      this.#files.set(shard, file)
      file.catch(() => this.#files.delete(shard))
    }
    return file
  }
}
