import path from 'node:path'
import type { ResidentProfile, ResidentRepository } from '../types'
import { ShardedRecords } from './sharded-records'

export const RESIDENT_STORE_DEFAULTS = {
  /**
   * Profiles are spread over this many lowdb files by a hash of their key, so a write rewrites
   * one small file: 64 shards keep a file near 5 MB at a million residents.
   */
  shards: 64,
}

/** Resident profiles in lowdb files `DATA_DIR/residents/shard-NN.jsonl`. One writer process per data folder. */
export class LowdbResidentStore implements ResidentRepository {
  readonly #records: ShardedRecords<ResidentProfile>

  constructor(dataDir: string, options: Partial<typeof RESIDENT_STORE_DEFAULTS> = {}) {
    this.#records = new ShardedRecords(path.join(dataDir, 'residents'), options.shards ?? RESIDENT_STORE_DEFAULTS.shards)
  }

  get(key: string): Promise<ResidentProfile | undefined> {
    return this.#records.get(key)
  }

  save(profile: ResidentProfile): Promise<void> {
    return this.#records.set(profile.key, profile)
  }

  list(): Promise<ResidentProfile[]> {
    return this.#records.values()
  }
}
