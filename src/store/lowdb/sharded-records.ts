import { createHash } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { JsonLinesFile, readJsonLines } from './json-lines-file'

/** A line of a shard: a record as saved, or the removal of one. */
type RecordLine<T> = { k: string; v: T } | { k: string; d: 1 }

interface Shard<T> {
  records: Map<string, T>
  /** Lines in the file: once they are well over the live records, the file is compacted. */
  lines: number
  file: JsonLinesFile
}

export const SHARDED_RECORDS_DEFAULTS = {
  /** A shard is rewritten (compacted) when its lines exceed twice its records, and at least this many. */
  minLinesToCompact: 512,
}

/**
 * Records by key, spread over `shards` files by a hash of the key (`<dir>/shard-NN.jsonl`). Each file is a log
 * of JSON lines: a save appends the record's line, a removal a tombstone; the last line of a key wins. When a file
 * holds more than twice the lines it needs, it is compacted (one line a record, written atomically), so the bytes
 * written stay proportional to the changes (at most about 3× them) however many records a shard holds.
 */
export class ShardedRecords<T> {
  readonly #dir: string
  readonly #shards: number
  readonly #minLinesToCompact: number
  readonly #open = new Map<number, Promise<Shard<T>>>()

  constructor(dir: string, shards: number, options: Partial<typeof SHARDED_RECORDS_DEFAULTS> = {}) {
    this.#dir = dir
    this.#shards = shards
    this.#minLinesToCompact = options.minLinesToCompact ?? SHARDED_RECORDS_DEFAULTS.minLinesToCompact
  }

  async get(key: string): Promise<T | undefined> {
    const record = (await this.#shard(this.#shardOf(key))).records.get(key)
    return record && structuredClone(record)
  }

  async set(key: string, record: T): Promise<void> {
    const shard = await this.#shard(this.#shardOf(key))
    const copy = structuredClone(record)
    shard.records.set(key, copy)
    await this.#write(shard, { k: key, v: copy })
  }

  /** Removes the records; resolves once the removals are on disk. */
  async delete(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map(async (key) => {
      const shard = await this.#shard(this.#shardOf(key))
      if (shard.records.delete(key)) await this.#write(shard, { k: key, d: 1 })
    }))
  }

  /** Every record as it is held, not copied: for filtering, never to hand out. */
  async live(): Promise<T[]> {
    const all: T[] = []
    for (let i = 0; i < this.#shards; i += 1) all.push(...(await this.#shard(i)).records.values())
    return all
  }

  async values(): Promise<T[]> {
    return (await this.entries()).map(([, record]) => record)
  }

  /** Every record with its key (copies). */
  async entries(): Promise<[string, T][]> {
    const all: [string, T][] = []
    for (let i = 0; i < this.#shards; i += 1) for (const [key, record] of (await this.#shard(i)).records) all.push([key, structuredClone(record)])
    return all
  }

  #write(shard: Shard<T>, line: RecordLine<T>): Promise<void> {
    shard.lines += 1
    if (!shard.file.failed && shard.lines <= Math.max(this.#minLinesToCompact, 2 * shard.records.size)) return shard.file.append(JSON.stringify(line))
    shard.lines = shard.records.size
    return shard.file.compact(() => [...shard.records].map(([k, v]) => JSON.stringify({ k, v })))
  }

  #shardOf(key: string): number {
    return createHash('sha1').update(key).digest().readUInt32BE(0) % this.#shards
  }

  #shard(index: number): Promise<Shard<T>> {
    let shard = this.#open.get(index)
    if (!shard) {
      shard = this.#load(path.join(this.#dir, `shard-${String(index).padStart(2, '0')}.jsonl`))
      this.#open.set(index, shard)
      // A shard that failed to load (damaged) is tried again next time, and affects only its own records.
      shard.catch(() => this.#open.delete(index))
    }
    return shard
  }

  async #load(file: string): Promise<Shard<T>> {
    await mkdir(path.dirname(file), { recursive: true })
    const lines = (await readJsonLines<RecordLine<T>>(file)) ?? []
    const records = new Map<string, T>()
    for (const line of lines) {
      if ('v' in line) records.set(line.k, line.v)
      else records.delete(line.k)
    }
    return { records, lines: lines.length, file: new JsonLinesFile(file) }
  }
}
