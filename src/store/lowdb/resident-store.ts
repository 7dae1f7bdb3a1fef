import { createHash } from 'node:crypto'
import path from 'node:path'
import type { ResidentProfile, ResidentRepository } from '../types'
import { CoalescingFile } from './coalescing-file'

interface ShardFile {
  residents: Record<string, ResidentProfile>
}

export const RESIDENT_STORE_DEFAULTS = {
  /**
   * Profiles are spread over this many lowdb files by a hash of their key, so a write rewrites
   * one small file: 64 shards keep a file near 5 MB at a million residents.
   */
  shards: 64,
}

/** Resident profiles in lowdb files `DATA_DIR/residents/shard-NN.json`. One writer process per data folder. */
export class LowdbResidentStore implements ResidentRepository {
  readonly #dir: string
  readonly #shards: number
  readonly #files = new Map<number, Promise<CoalescingFile<ShardFile>>>()

  constructor(dataDir: string, options: Partial<typeof RESIDENT_STORE_DEFAULTS> = {}) {
    this.#dir = path.join(dataDir, 'residents')
    this.#shards = options.shards ?? RESIDENT_STORE_DEFAULTS.shards
  }

  async get(key: string): Promise<ResidentProfile | undefined> {
    const profile = (await this.#shardOf(key)).db.data.residents[key]
    return profile && structuredClone(profile)
  }

  async save(profile: ResidentProfile): Promise<void> {
    const file = await this.#shardOf(profile.key)
    file.db.data.residents[profile.key] = structuredClone(profile)
    await file.save()
  }

  async list(): Promise<ResidentProfile[]> {
    const profiles: ResidentProfile[] = []
    for (let shard = 0; shard < this.#shards; shard += 1) {
      profiles.push(...Object.values((await this.#open(shard)).db.data.residents).map((p) => structuredClone(p)))
    }
    return profiles
  }

  #shardOf(key: string): Promise<CoalescingFile<ShardFile>> {
    return this.#open(createHash('sha1').update(key).digest().readUInt32BE(0) % this.#shards)
  }

  #open(shard: number): Promise<CoalescingFile<ShardFile>> {
    let file = this.#files.get(shard)
    if (!file) {
      file = CoalescingFile.open<ShardFile>(path.join(this.#dir, `shard-${String(shard).padStart(2, '0')}.json`), { residents: {} })
      this.#files.set(shard, file)
      file.catch(() => this.#files.delete(shard))
    }
    return file
  }
}
